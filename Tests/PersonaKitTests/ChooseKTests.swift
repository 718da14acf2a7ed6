@testable import PersonaKit
import TestSupport
import Testing

/// Gaussian blobs of unequal sizes whose centres are at least `separation` apart (in units of
/// the within-blob standard deviation 1), drawn in a box whose side grows with k and d.
func separatedBlobs(k: Int, d: Int, n: Int, separation: Double, seed: UInt64) -> (matrix: FeatureMatrix, truth: [Int]) {
    var rng = SeededGenerator(seed: seed)
    let side = separation * Double(k).squareRoot() * 1.5
    var centres = [[Double]]()
    while centres.count < k {
        let candidate = (0..<d).map { _ in (rng.nextUnitDouble() - 0.5) * side }
        let clear = centres.allSatisfy { c in zip(c, candidate).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) >= separation * separation }
        if clear { centres.append(candidate) }
    }
    // Sizes in proportion 1, 1.5, 2, … (the largest blob 1 + (k−1)/2 times the smallest).
    let shares = (0..<k).map { 1 + Double($0) / 2 }
    let total = shares.reduce(0, +)
    var values = [Float](), truth = [Int]()
    for (c, share) in shares.enumerated() {
        for _ in 0..<Int(Double(n) * share / total) {
            truth.append(c)
            for j in 0..<d { values.append(Float(centres[c][j] + Fixtures.gaussian(&rng))) }
        }
    }
    return (FeatureMatrix(rows: truth.count, columns: d, values: values), truth)
}

@Suite struct ChooseKTests {
    static func options(_ range: ClosedRange<Int>, seed: UInt64 = 42, threads: Int? = nil) -> ChooseKConfiguration {
        ChooseKConfiguration(clusterCounts: range, kmeans: KMeansConfiguration(clusterCount: 2, restarts: 3, seed: seed, threads: threads),
                             resamples: 8)
    }

    /// Known numbers of well-separated blobs (different dimensions, seeds, unequal sizes):
    /// the recommendation is the true number, stable.
    @Test(arguments: [(k: 3, d: 2, seed: UInt64(101)), (k: 4, d: 5, seed: 102), (k: 6, d: 3, seed: 103),
                      (k: 8, d: 8, seed: 104), (k: 5, d: 12, seed: 105)])
    func recommendsTheTrueNumberOfBlobs(k: Int, d: Int, seed: UInt64) throws {
        let (x, _) = separatedBlobs(k: k, d: d, n: 900, separation: 7, seed: seed)
        let result = try ChooseK.evaluate(x, configuration: Self.options(2...10, seed: seed))
        #expect(result.recommendation.k == k, "\(result.recommendation.reason)")
        #expect(result.recommendation.isStable)
        #expect(result.candidate(k: k)!.stability.minimum > 0.9)
        #expect(result.candidates.map(\.k) == Array(2...10))
    }

    /// Uniform noise has no stable structure worth the name: the recommendation says so.
    @Test(arguments: [(d: 2, seed: UInt64(7)), (d: 6, seed: 8)])
    func uniformDataIsNotClaimedAsStructure(d: Int, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let x = FeatureMatrix(rows: 800, columns: d, values: (0..<800 * d).map { _ in Float(rng.nextUnitDouble()) })
        let result = try ChooseK.evaluate(x, configuration: Self.options(2...8, seed: seed))
        let r = result.recommendation
        #expect(!r.isStable || r.structure == .weak || r.structure == .none, "\(r.reason)")
        #expect(!r.warnings.isEmpty)
    }

    /// The same seed gives the same result with one thread or several.
    @Test func independentOfThreads() throws {
        let (x, _) = separatedBlobs(k: 3, d: 3, n: 400, separation: 4, seed: 9)
        let one = try ChooseK.evaluate(x, configuration: Self.options(2...5, threads: 1))
        let three = try ChooseK.evaluate(x, configuration: Self.options(2...5, threads: 3))
        #expect(one.candidates == three.candidates)
        #expect(one.recommendation == three.recommendation)
    }

    /// The fit for each k is the one `train` makes with the same options and seed.
    @Test func fitsAreTrainingFits() throws {
        let (x, _) = separatedBlobs(k: 3, d: 2, n: 300, separation: 5, seed: 10)
        let result = try ChooseK.evaluate(x, configuration: Self.options(2...4, seed: 6))
        for c in result.candidates {
            let fit = try KMeans.fit(x, configuration: KMeansConfiguration(clusterCount: c.k, restarts: 3, seed: 6))
            #expect(fit.inertia == c.inertia)
            #expect(c.sizes.reduce(0, +) == x.rows && c.sizes == c.sizes.sorted(by: >))
        }
    }

    /// The k range must lie within 2…n − 1.
    @Test func rejectsRangesOutsideTheData() {
        let x = FeatureMatrix((0..<6).map { [Float($0)] })
        #expect(throws: ClusteringError.self) { try ChooseK.evaluate(x, configuration: Self.options(2...6)) }
        #expect(throws: ClusteringError.self) { try ChooseK.evaluate(x, configuration: Self.options(1...3)) }
    }

    static func candidate(_ k: Int, silhouette: Double, ch: Double, jaccard: Double, se: Double = 0,
                          strength: Double? = nil) -> ChooseKCandidate {
        ChooseKCandidate(k: k, inertia: 100 / Double(k), silhouette: SilhouetteScore(mean: silhouette, standardError: se,
                                                                                  sampleSize: 100, isExact: se == 0),
                         calinskiHarabasz: ch, daviesBouldin: 0.5, stability: StabilityScore(jaccard: Array(repeating: jaccard, count: k),
                                                                                                resamples: 10, failedRefits: 0),
                         sizes: Array(repeating: 10, count: k), isStable: jaccard >= 0.75,
                         predictionStrength: PredictionStrengthScore(strengths: strength.map { [$0, $0] } ?? []))
    }

    /// The rule: among stable k with a silhouette within 0.20 of the best stable one, the
    /// highest CH; unstable k never win over a stable one; no stable k gives a warning.
    @Test func recommendationRule() {
        let configuration = ChooseKConfiguration()
        let unstableBest = ChooseK.recommend([Self.candidate(2, silhouette: 0.6, ch: 50, jaccard: 0.9),
                                              Self.candidate(3, silhouette: 0.8, ch: 90, jaccard: 0.5)], configuration: configuration)
        #expect(unstableBest.k == 2 && unstableBest.isStable && unstableBest.structure == .reasonable)
        #expect(unstableBest.reason.contains("0.6") && unstableBest.reason.contains("0.9"))

        let margin = ChooseK.recommend([Self.candidate(3, silhouette: 0.76, ch: 50, jaccard: 0.9),
                                        Self.candidate(4, silhouette: 0.70, ch: 80, jaccard: 0.95),
                                        Self.candidate(5, silhouette: 0.50, ch: 99, jaccard: 0.95)], configuration: configuration)
        #expect(margin.k == 4 && margin.reason.contains("Calinski–Harabasz (80 vs 50 at k=3)"), "\(margin.reason)")

        let clear = ChooseK.recommend([Self.candidate(3, silhouette: 0.95, ch: 50, jaccard: 0.9),
                                       Self.candidate(4, silhouette: 0.70, ch: 80, jaccard: 0.95)], configuration: configuration)
        #expect(clear.k == 3 && clear.structure == .strong)

        // A sampled silhouette widens the margin to two standard errors of the difference.
        let sampled = ChooseK.recommend([Self.candidate(3, silhouette: 0.95, ch: 50, jaccard: 0.9, se: 0.1),
                                         Self.candidate(4, silhouette: 0.70, ch: 80, jaccard: 0.95, se: 0.1)], configuration: configuration)
        #expect(sampled.k == 4)

        let none = ChooseK.recommend([Self.candidate(2, silhouette: 0.2, ch: 50, jaccard: 0.5),
                                      Self.candidate(3, silhouette: 0.3, ch: 40, jaccard: 0.7)], configuration: configuration)
        #expect(none.k == 3 && !none.isStable && none.structure == .weak)
        #expect(none.warnings.contains { $0.contains("no k in 2...3 gives stable personas") })
    }

    /// Prediction strength of one split, worked by hand.
    @Test func predictionStrengthByHand() {
        // Test cluster 0 = rows 0–3, predicted 0, 0, 0, 1: 3·2 of 4·3 ordered pairs together, 0.5.
        // Test cluster 1 = rows 4–6, all predicted 1: 1. The strength is the smaller, 0.5.
        #expect(PredictionStrength.strength(test: [0, 0, 0, 0, 1, 1, 1], predicted: [0, 0, 0, 1, 1, 1, 1], k: 2, predictedK: 2) == 0.5)
        // Six rows spread 2/2/2 over three predicted clusters: 3·(2·1) of 6·5 pairs, 0.2.
        #expect(PredictionStrength.strength(test: [0, 0, 0, 0, 0, 0, 1, 1], predicted: [0, 0, 1, 1, 2, 2, 0, 0], k: 2,
                                            predictedK: 3) == 0.2)
        // The same partition under other numbers gives 1; a one-row test cluster is skipped.
        #expect(PredictionStrength.strength(test: [0, 1, 1, 2, 2], predicted: [2, 0, 0, 1, 1], k: 3, predictedK: 3) == 1)
        #expect(PredictionStrength.strength(test: [0, 1, 1, 2, 2], predicted: [2, 0, 1, 1, 1], k: 3, predictedK: 3) == 0)
    }

    /// Well-separated blobs predict themselves: strength near 1 at the true k, clearly lower
    /// at k + 1, where one blob is cut differently in the two halves.
    @Test(arguments: [(k: 3, d: 2, seed: UInt64(101)), (k: 4, d: 5, seed: 102)])
    func predictionStrengthPeaksAtTheTrueK(k: Int, d: Int, seed: UInt64) throws {
        let (x, _) = separatedBlobs(k: k, d: d, n: 900, separation: 7, seed: seed)
        let result = try ChooseK.evaluate(x, configuration: Self.options(k...(k + 1), seed: seed))
        let atK = result.candidate(k: k)!.predictionStrength, above = result.candidate(k: k + 1)!.predictionStrength
        #expect(atK.strengths.count == 8)
        #expect(atK.mean > 0.95, "\(atK.strengths)")
        #expect(above.mean < atK.mean - 0.1, "\(above.strengths)")
    }

    /// The halves of a split are disjoint, of min(⌊n/2⌋, cap) rows each, in increasing
    /// order, and depend on the seed only.
    @Test(arguments: [(n: 9, cap: 100), (n: 1000, cap: 120)])
    func halvesAreDisjoint(n: Int, cap: Int) {
        let splits = HalfSplits(count: 3, rows: n, rowsPerHalf: cap, seed: 5)
        for (a, b) in splits.rows {
            #expect(a.count == min(n / 2, cap) && b.count == a.count)
            #expect(Set(a).isDisjoint(with: b) && Set(a + b).count == 2 * a.count)
            #expect(a == a.sorted() && b == b.sorted() && (a + b).allSatisfy { (0..<n).contains($0) })
        }
        #expect(splits.rows[0].a != splits.rows[1].a)
        #expect(HalfSplits(count: 3, rows: n, rowsPerHalf: cap, seed: 5).rows.map(\.a) == splits.rows.map(\.a))
    }

    /// With sampled first fits and sampled halves, every number is the same on 1, 2 or 4
    /// threads.
    @Test func predictionStrengthIndependentOfThreads() throws {
        let (x, _) = separatedBlobs(k: 4, d: 3, n: 2400, separation: 3, seed: 12)
        func run(_ threads: Int) throws -> ChooseKResult {
            var configuration = Self.options(2...6, seed: 3, threads: threads)
            configuration.rowsPerHalf = 400
            configuration.fitRows = 1000
            return try ChooseK.evaluate(x, configuration: configuration)
        }
        let one = try run(1)
        #expect(one.candidates.allSatisfy { $0.predictionStrength.strengths.count == 8 && $0.stability.resamples == 8 })
        for threads in [2, 4] {
            let other = try run(threads)
            #expect(other.candidates == one.candidates)
            #expect(other.recommendation == one.recommendation)
        }
    }

    /// Without separated clusters (every silhouette ≤ 0.25) the k is chosen among the
    /// reproducible ones (stable, prediction strength ≥ 0.8): the largest at which the
    /// silhouette peaks, else the highest silhouette of those.
    @Test func reproducibleSilhouetteRule() {
        let configuration = ChooseKConfiguration()
        func weak(_ k: Int, silhouette: Double, ch: Double = 500, jaccard: Double = 0.9, strength: Double = 0.9) -> ChooseKCandidate {
            Self.candidate(k, silhouette: silhouette, ch: ch, jaccard: jaccard, strength: strength)
        }
        // Peaks at 2 (the broad split), 4 and 6; 8 peaks too but is not predicted well.
        let levels = ChooseK.recommend([weak(2, silhouette: 0.22, ch: 1500), weak(3, silhouette: 0.18), weak(4, silhouette: 0.19),
                                        weak(5, silhouette: 0.17), weak(6, silhouette: 0.184), weak(7, silhouette: 0.156),
                                        weak(8, silhouette: 0.16, strength: 0.6), weak(9, silhouette: 0.12)], configuration: configuration)
        #expect(levels.k == 6 && levels.criterion == .reproducibleSilhouette, "\(levels.reason)")
        #expect(levels.reason.hasPrefix("k=6, decided by silhouette among the reproducible k")
                && levels.reason.contains("(k=2, 3, 4, 5, 6, 7, 9)")
                && levels.reason.contains("largest at which the silhouette peaks (0.184 vs 0.17 at k=5, 0.156 at k=7)")
                && levels.reason.contains("also peaks at k=2 (0.22), k=4 (0.19)"), "\(levels.reason)")
        #expect(levels.structure == .none)

        // The only peak is not predicted well: the highest silhouette of the reproducible k.
        let noPeak = ChooseK.recommend([weak(2, silhouette: 0.06), weak(3, silhouette: 0.09), weak(4, silhouette: 0.12),
                                        weak(5, silhouette: 0.14, strength: 0.6), weak(6, silhouette: 0.10)], configuration: configuration)
        #expect(noPeak.k == 4 && noPeak.criterion == .reproducibleSilhouette && noPeak.reason.contains("peaks at none of them"),
                "\(noPeak.reason)")

        // An unstable k is not reproducible, whatever its strength and silhouette.
        let unstable = ChooseK.recommend([weak(2, silhouette: 0.06), weak(3, silhouette: 0.09), weak(4, silhouette: 0.12, jaccard: 0.6),
                                          weak(5, silhouette: 0.08)], configuration: configuration)
        #expect(unstable.k == 3 && unstable.criterion == .reproducibleSilhouette)

        // Equal silhouettes both peak: the larger k.
        let tie = ChooseK.recommend([weak(3, silhouette: 0.1), weak(4, silhouette: 0.1)], configuration: configuration)
        #expect(tie.k == 4)

        // A single reproducible k: prediction strength decides.
        let single = ChooseK.recommend([weak(2, silhouette: 0.06, ch: 900, strength: 0.7), weak(3, silhouette: 0.05, ch: 800),
                                        weak(4, silhouette: 0.08, ch: 700, strength: 0.5)], configuration: configuration)
        #expect(single.k == 3 && single.criterion == .predictionStrength && single.reason.contains("the only one"), "\(single.reason)")

        // No reproducible k: the silhouette and Calinski–Harabasz rule.
        let none = ChooseK.recommend([weak(2, silhouette: 0.06, ch: 900, strength: 0.7), weak(3, silhouette: 0.08, ch: 800, strength: 0.6)],
                                     configuration: configuration)
        #expect(none.k == 2 && none.criterion == .calinskiHarabasz && none.reason.contains("decided by Calinski–Harabasz"))

        // Separated clusters: the silhouette and Calinski–Harabasz decide whatever the strengths.
        let separated = ChooseK.recommend([Self.candidate(2, silhouette: 0.7, ch: 50, jaccard: 0.9, strength: 0.99),
                                           Self.candidate(3, silhouette: 0.72, ch: 90, jaccard: 0.9, strength: 0.95),
                                           Self.candidate(4, silhouette: 0.6, ch: 80, jaccard: 0.9, strength: 0.9)],
                                          configuration: configuration)
        #expect(separated.k == 3 && separated.criterion == .calinskiHarabasz)
    }
}
