/// The mean silhouette of a partition, exact or estimated from a sample of points.
public struct SilhouetteScore: Sendable, Hashable, Codable {
    /// The mean silhouette s̄ in [−1, 1] (exact), or its estimate from ``sampleSize`` points.
    public var mean: Double
    /// The standard error of ``mean`` as an estimate of the exact mean silhouette: 0 when
    /// every point was scored, otherwise sd(s) / √m × √((n − m) / (n − 1)) (sampling without
    /// replacement).
    public var standardError: Double
    /// The points whose silhouette was computed (all rows when exact).
    public var sampleSize: Int
    /// Whether every row was scored (the mean is exact).
    public var isExact: Bool

    /// Creates a score.
    public init(mean: Double, standardError: Double, sampleSize: Int, isExact: Bool) {
        self.mean = mean
        self.standardError = standardError
        self.sampleSize = sampleSize
        self.isExact = isExact
    }
}

/// Internal cluster validity indices of a partition: silhouette, Calinski–Harabasz and
/// Davies–Bouldin, defined as in scikit-learn's `sklearn.metrics`, so the numbers agree with
/// `silhouette_score`, `calinski_harabasz_score` and `davies_bouldin_score` on the same
/// matrix and labels (up to `Float` storage of the data).
///
/// Every row counts once: sample weights, if the data has them, are not used by these
/// indices (as in scikit-learn). Distances are Euclidean in the encoded space.
///
/// Labels are cluster numbers ≥ 0; numbers no row carries are ignored (as scikit-learn's
/// label encoding does), so "the clusters" below are the non-empty ones.
public enum ClusterValidity {
    /// Rows up to which ``silhouettes(_:labelings:sampleSize:seed:threads:)`` scores every row
    /// by default.
    public static let defaultSilhouetteSample = 5_000

    /// The mean silhouette (Rousseeuw 1987) of one partition; see
    /// ``silhouettes(_:labelings:sampleSize:seed:threads:)``.
    /// - Complexity: O(n² × d) when exact, O(m × n × d) when sampled.
    public static func silhouette(_ data: FeatureMatrix, labels: [Int32], sampleSize: Int = defaultSilhouetteSample,
                                  seed: UInt64 = 42, threads: Int? = nil) -> SilhouetteScore {
        silhouettes(data, labelings: [labels], sampleSize: sampleSize, seed: seed, threads: threads)[0]
    }

    /// The mean silhouette of several partitions of the same rows, sharing the distances.
    ///
    /// For a row i of cluster A with |A| > 1: a(i) is its mean distance to the other rows of
    /// A, b(i) the smallest mean distance to the rows of another cluster, and
    /// s(i) = (b − a) / max(a, b) (0 when both are 0); s(i) = 0 when |A| = 1 (Rousseeuw 1987;
    /// scikit-learn's `silhouette_samples`). The score is the mean of s(i).
    ///
    /// **Exact** when n ≤ `sampleSize`: every row is scored. **Sampled** otherwise: `sampleSize`
    /// rows are drawn uniformly without replacement (from `seed`; the same rows for every
    /// partition), and each drawn row's a(i) and b(i) are computed exactly against *all* n
    /// rows. The mean over the sample is then an unbiased estimate of the exact mean, whose
    /// only error is sampling error, reported as ``SilhouetteScore/standardError``
    /// (sd(s)/√m with the finite-population correction); the exact mean lies within 2 standard
    /// errors of the estimate about 95 % of the time. (scikit-learn's `sample_size` instead
    /// scores the sample against the sample alone.)
    ///
    /// Each scored row is computed in full by one thread, and the mean is summed in row order:
    /// the result does not depend on `threads`.
    ///
    /// - Parameters:
    ///   - data: n rows.
    ///   - labelings: one label per row for each partition; each must have at least 2 and at
    ///     most n − 1 non-empty clusters.
    ///   - sampleSize: rows scored at most (≥ 1).
    ///   - seed: the seed of the sample.
    ///   - threads: worker threads, `nil` for every active core.
    /// - Complexity: O(s × n × (d + p)) for s = min(n, `sampleSize`) scored rows and p
    ///   partitions; memory O(n + p × k) per thread.
    public static func silhouettes(_ data: FeatureMatrix, labelings: [[Int32]], sampleSize: Int = defaultSilhouetteSample,
                                   seed: UInt64 = 42, threads: Int? = nil) -> [SilhouetteScore] {
        precondition(sampleSize >= 1, "sampleSize must be at least 1")
        let n = data.rows, d = data.columns
        let clusters = labelings.map { labels in Clusters(labels, rows: n) }
        for c in clusters { precondition((2...max(2, n - 1)).contains(c.present) && n >= 3, "a silhouette needs 2 ≤ clusters ≤ n − 1") }
        let exact = n <= sampleSize
        let scored = exact ? Array(0..<n) : sample(sampleSize, of: n, seed: seed)
        let m = scored.count, p = labelings.count
        // s(i) of every scored row for every partition, row-major m × p.
        let values = WorkBuffer<Double>(repeating: 0, count: m * p)
        let block = 16
        // Every row's slot in one flat array of per-cluster sums, p slots per row (labeling l's
        // clusters start at offsets[l]): one pass over the rows feeds every partition, with
        // p independent additions per row. Each slot still sums its rows in row order.
        var offsets = [Int](), width = 0
        for c in clusters { offsets.append(width); width += c.counts.count }
        var slots = [Int32](repeating: 0, count: n * p)
        for (l, labels) in labelings.enumerated() {
            for j in 0..<n { slots[j * p + l] = Int32(offsets[l]) + labels[j] }
        }
        let flat = slots, starts = offsets, sumsWidth = width
        TaskPool.run(count: (m + block - 1) / block, threads: threads) { task in
            var distances = [Float](repeating: 0, count: n)
            var sums = [Double](repeating: 0, count: sumsWidth)
            data.withValues { x in
                for position in task * block ..< min(m, (task + 1) * block) {
                    let i = scored[position]
                    distances.withUnsafeMutableBufferPointer { out in
                        for j in 0..<n { out[j] = DistanceKernel.squaredDistance(x + i * d, x + j * d, d).squareRoot() }
                    }
                    sums.withUnsafeMutableBufferPointer { total in
                        for c in 0..<sumsWidth { total[c] = 0 }
                        flat.withUnsafeBufferPointer { slot in
                            distances.withUnsafeBufferPointer { dist in
                                for j in 0..<n {
                                    let value = Double(dist[j]), base = j * p
                                    for l in 0..<p { total[Int(slot[base + l])] += value }
                                }
                            }
                        }
                        for l in 0..<p {
                            let own = Int(flat[i * p + l]) - starts[l]
                            values[position * p + l] = score(own: own, sums: UnsafeBufferPointer(rebasing: total[starts[l]...]),
                                                             counts: clusters[l].counts)
                        }
                    }
                }
            }
        }
        return (0..<p).map { l in
            var total = 0.0
            for position in 0..<m { total += values[position * p + l] }
            let mean = total / Double(m)
            guard !exact, m > 1 else { return SilhouetteScore(mean: mean, standardError: 0, sampleSize: m, isExact: exact) }
            var squares = 0.0
            for position in 0..<m { let t = values[position * p + l] - mean; squares += t * t }
            let sd = (squares / Double(m - 1)).squareRoot()
            let correction = (Double(n - m) / Double(n - 1)).squareRoot()
            return SilhouetteScore(mean: mean, standardError: sd / Double(m).squareRoot() * correction,
                                   sampleSize: m, isExact: false)
        }
    }

    /// s(i) from the summed distances of row i to every cluster.
    static func score(own: Int, sums: UnsafeBufferPointer<Double>, counts: [Int]) -> Double {
        guard counts[own] > 1 else { return 0 }
        let a = sums[own] / Double(counts[own] - 1)
        var b = Double.infinity
        for c in counts.indices where c != own && counts[c] > 0 { b = min(b, sums[c] / Double(counts[c])) }
        let scale = max(a, b)
        return scale > 0 ? (b - a) / scale : 0
    }

    /// `count` distinct rows of `0..<n` drawn uniformly (a partial Fisher–Yates shuffle from
    /// `seed`), in increasing order.
    static func sample(_ count: Int, of n: Int, seed: UInt64) -> [Int] {
        var rng = SeededGenerator(seed: seed, stream: 0x5114_0000_0000)
        var rows = Array(0..<n)
        for i in 0..<min(count, n) {
            let j = i + uniformIndex(below: n - i, using: &rng)
            rows.swapAt(i, j)
        }
        return rows.prefix(count).sorted()
    }

    /// A uniform integer in `0..<bound` from the high bits of a 64 × 64-bit product (Lemire's
    /// multiply-shift without the rejection step: bias below bound / 2⁶⁴), identical on every
    /// platform and Swift version.
    static func uniformIndex(below bound: Int, using rng: inout SeededGenerator) -> Int {
        Int(rng.next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// The Calinski–Harabasz index (Calinski & Harabasz 1974), the variance ratio criterion:
    ///
    ///     CH = [Σ_c n_c ‖μ_c − μ‖² / (k − 1)] / [Σ_c Σ_{i∈c} ‖x_i − μ_c‖² / (n − k)]
    ///
    /// with μ_c the cluster means, μ the overall mean and k the non-empty clusters; 1 when
    /// the within-cluster sum is 0 (as scikit-learn). Higher is better.
    /// - Precondition: 2 ≤ non-empty clusters ≤ n − 1.
    /// - Complexity: O(n × d).
    public static func calinskiHarabasz(_ data: FeatureMatrix, labels: [Int32]) -> Double {
        let n = data.rows, d = data.columns
        let clusters = Clusters(labels, rows: n)
        precondition((2...max(2, n - 1)).contains(clusters.present) && n >= 3, "needs 2 ≤ clusters ≤ n − 1")
        let means = clusters.means(data, labels: labels)
        let overall = data.columnMeans()!.means
        var between = 0.0, within = 0.0
        for c in clusters.counts.indices where clusters.counts[c] > 0 {
            var s = 0.0
            for j in 0..<d { let t = means[c * d + j] - overall[j]; s += t * t }
            between += Double(clusters.counts[c]) * s
        }
        for r in 0..<n {
            let c = Int(labels[r])
            for j in 0..<d { let t = Double(data.values[r * d + j]) - means[c * d + j]; within += t * t }
        }
        let k = Double(clusters.present)
        return within == 0 ? 1 : between * (Double(n) - k) / (within * (k - 1))
    }

    /// The Davies–Bouldin index (Davies & Bouldin 1979): with S_c the mean distance of the
    /// rows of cluster c to its mean μ_c,
    ///
    ///     DB = (1/k) Σ_c max_{c'≠c} (S_c + S_c') / ‖μ_c − μ_c'‖
    ///
    /// (a pair of clusters with equal means counts 0, as scikit-learn; 0 when every S_c or
    /// every distance between means is 0). Lower is better; 0 is the best.
    /// - Precondition: 2 ≤ non-empty clusters ≤ n − 1.
    /// - Complexity: O(n × d + k² × d).
    public static func daviesBouldin(_ data: FeatureMatrix, labels: [Int32]) -> Double {
        let n = data.rows, d = data.columns
        let clusters = Clusters(labels, rows: n)
        precondition((2...max(2, n - 1)).contains(clusters.present) && n >= 3, "needs 2 ≤ clusters ≤ n − 1")
        let means = clusters.means(data, labels: labels)
        let present = clusters.counts.indices.filter { clusters.counts[$0] > 0 }
        var spread = [Double](repeating: 0, count: clusters.counts.count)
        for r in 0..<n {
            let c = Int(labels[r])
            var s = 0.0
            for j in 0..<d { let t = Double(data.values[r * d + j]) - means[c * d + j]; s += t * t }
            spread[c] += s.squareRoot()
        }
        for c in present { spread[c] /= Double(clusters.counts[c]) }
        func separation(_ a: Int, _ b: Int) -> Double {
            var s = 0.0
            for j in 0..<d { let t = means[a * d + j] - means[b * d + j]; s += t * t }
            return s.squareRoot()
        }
        let separations = present.map { a in present.map { b in separation(a, b) } }
        // scikit-learn: np.allclose(x, 0), i.e. |x| ≤ 1e-8 throughout.
        if present.allSatisfy({ spread[$0] <= 1e-8 }) || separations.joined().allSatisfy({ $0 <= 1e-8 }) { return 0 }
        var total = 0.0
        for (ia, a) in present.enumerated() {
            var worst = 0.0
            for (ib, b) in present.enumerated() where ib != ia {
                let distance = separations[ia][ib]
                guard distance > 0 else { continue }
                worst = max(worst, (spread[a] + spread[b]) / distance)
            }
            total += worst
        }
        return total / Double(present.count)
    }
}

/// Cluster sizes of a labelling.
struct Clusters: Sendable {
    /// Rows per cluster number (0 for numbers no row carries).
    let counts: [Int]
    /// Non-empty clusters.
    let present: Int

    init(_ labels: [Int32], rows: Int) {
        precondition(labels.count == rows, "one label per row")
        var counts = [Int](repeating: 0, count: Int(labels.max() ?? -1) + 1)
        for label in labels {
            precondition(label >= 0, "labels must be ≥ 0")
            counts[Int(label)] += 1
        }
        self.counts = counts
        present = counts.lazy.filter { $0 > 0 }.count
    }

    /// The mean of every cluster in `Double`, k × d (0 for empty clusters).
    func means(_ data: FeatureMatrix, labels: [Int32]) -> [Double] {
        let d = data.columns
        var sums = [Double](repeating: 0, count: counts.count * d)
        for r in 0..<data.rows {
            let c = Int(labels[r])
            for j in 0..<d { sums[c * d + j] += Double(data.values[r * d + j]) }
        }
        for c in counts.indices where counts[c] > 0 {
            for j in 0..<d { sums[c * d + j] /= Double(counts[c]) }
        }
        return sums
    }
}
