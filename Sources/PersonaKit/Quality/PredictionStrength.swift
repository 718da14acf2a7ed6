/// The prediction strength of a number of clusters k, over several random splits of the rows.
public struct PredictionStrengthScore: Sendable, Hashable, Codable {
    /// One strength per split and direction (training half A, test half B, then the reverse),
    /// each in [0, 1].
    public var strengths: [Double]
    /// The mean of ``strengths`` (0 when there are none).
    public var mean: Double
    /// The standard error of ``mean``: sd(strengths) / √count (0 with fewer than two).
    public var standardError: Double

    /// Creates a score from per-split strengths.
    public init(strengths: [Double]) {
        self.strengths = strengths
        let m = Double(strengths.count)
        mean = strengths.isEmpty ? 0 : strengths.reduce(0, +) / m
        if strengths.count > 1 {
            let mean = self.mean
            let squares = strengths.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            standardError = (squares / (m - 1)).squareRoot() / m.squareRoot()
        } else {
            standardError = 0
        }
    }

    /// Tibshirani & Walther's threshold: a k whose mean strength reaches it predicts its own
    /// clusters well. Default of ``ChooseKConfiguration/predictionStrengthThreshold``.
    public static let threshold = 0.8
}

/// Prediction strength, after Tibshirani & Walther, "Cluster validation by prediction
/// strength", Journal of Computational and Graphical Statistics 14 (2005).
///
/// Split the rows into a training half and a test half and cluster each into k clusters.
/// Assign every test row to its nearest *training* centre. For each test cluster C (with at
/// least two rows), the share of its pairs of rows that the training centres also put
/// together is Σ_D m_CD (m_CD − 1) / (n_C (n_C − 1)), where m_CD counts the rows of C
/// assigned to training cluster D; the strength of the split is the smallest share over the
/// test clusters. When k is the number of real clusters, training centres reproduce the
/// test clusters and the strength is near 1; one cluster too many cuts a real cluster in a
/// way the two halves do not repeat, and the strength falls. Tibshirani & Walther recommend
/// the largest k whose strength is at least 0.8–0.9.
public enum PredictionStrength {
    /// The strength of one split: the smallest share, over the test clusters with at least
    /// two rows, of pairs of rows that `predicted` puts in the same cluster too (1 when no
    /// test cluster has two rows).
    ///
    /// - Parameters:
    ///   - test: the test clustering's label of every test row, in 0..<k.
    ///   - predicted: the label of the nearest training centre of every test row, in
    ///     0..<`predictedK`.
    /// - Complexity: O(n + k × predictedK).
    public static func strength(test: [Int32], predicted: [Int32], k: Int, predictedK: Int) -> Double {
        precondition(test.count == predicted.count, "one predicted label per test row")
        var table = [Int](repeating: 0, count: k * predictedK), sizes = [Int](repeating: 0, count: k)
        for (a, b) in zip(test, predicted) {
            table[Int(a) * predictedK + Int(b)] += 1
            sizes[Int(a)] += 1
        }
        var smallest = 1.0
        for c in 0..<k where sizes[c] >= 2 {
            var together = 0
            for d in 0..<predictedK {
                let m = table[c * predictedK + d]
                together += m * (m - 1)
            }
            smallest = min(smallest, Double(together) / Double(sizes[c] * (sizes[c] - 1)))
        }
        return smallest
    }

    /// The strength of a split from both halves' fits, in both directions (A trains and B is
    /// tested, then the reverse).
    /// - Complexity: O(n × k × d) for the two nearest-centre passes.
    static func strengths(halves: (FeatureMatrix, FeatureMatrix), fits: (KMeansResult, KMeansResult), k: Int) -> [Double] {
        let predictedB = KMeansKernels.assignNearest(halves.1, centres: fits.0.centroids, threads: 1)
        let predictedA = KMeansKernels.assignNearest(halves.0, centres: fits.1.centroids, threads: 1)
        return [strength(test: fits.1.labels, predicted: predictedB, k: k, predictedK: fits.0.centroids.rows),
                strength(test: fits.0.labels, predicted: predictedA, k: k, predictedK: fits.1.centroids.rows)]
    }
}

/// Random splits of the rows into two disjoint halves, shared by the stability and the
/// prediction strength of ``ChooseK``.
///
/// Split s draws 2h distinct rows uniformly (a partial Fisher–Yates shuffle from the seed and
/// s, not from k, so every k is judged on the same halves), h = min(⌊n/2⌋, `rowsPerHalf`);
/// the first h drawn are half A and the next h half B, each in increasing row order.
struct HalfSplits {
    /// Per split, the rows of half A and half B.
    let rows: [(a: [Int], b: [Int])]

    init(count: Int, rows n: Int, rowsPerHalf: Int, seed: UInt64) {
        let h = min(n / 2, rowsPerHalf)
        rows = (0..<count).map { s in
            var rng = SeededGenerator(seed: seed, stream: 0x5_9117_0000_0000 &+ UInt64(s))
            var order = Array(0..<n)
            for i in 0..<2 * h {
                let j = i + ClusterValidity.uniformIndex(below: n - i, using: &rng)
                order.swapAt(i, j)
            }
            return (Array(order[0..<h]).sorted(), Array(order[h..<2 * h]).sorted())
        }
    }

    /// The k-means seed of the fit on half `half` (0 or 1) of split `s`.
    static func fitSeed(split s: Int, half: Int, seed: UInt64) -> UInt64 {
        var rng = SeededGenerator(seed: seed, stream: 0x5EED_5117_0000 &+ UInt64(2 * s + half))
        return rng.next()
    }
}
