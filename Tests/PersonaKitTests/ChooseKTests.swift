import PersonaKit
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

    static func candidate(_ k: Int, silhouette: Double, ch: Double, jaccard: Double, se: Double = 0) -> ChooseKCandidate {
        ChooseKCandidate(k: k, inertia: 100 / Double(k), silhouette: SilhouetteScore(mean: silhouette, standardError: se,
                                                                                  sampleSize: 100, isExact: se == 0),
                         calinskiHarabasz: ch, daviesBouldin: 0.5, stability: StabilityScore(jaccard: Array(repeating: jaccard, count: k),
                                                                                                resamples: 10, failedRefits: 0),
                         sizes: Array(repeating: 10, count: k), isStable: jaccard >= 0.75)
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
}
