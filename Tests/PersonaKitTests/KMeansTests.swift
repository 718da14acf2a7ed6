import PersonaKit
import TestSupport
import Testing

@Suite("k-means")
struct KMeansTests {
    @Test("hand-worked example: four points, k = 2")
    func handWorked() throws {
        let data = FeatureMatrix([[0, 0], [0.5, 0], [0.5, 1], [1, 1]])
        let result = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 2, restarts: 5, seed: 3))
        let centers = (0..<2).map { result.centroids.row($0) }.sorted { $0[0] < $1[0] }
        #expect(centers == [[0.25, 0], [0.75, 1]])
        #expect(abs(result.inertia - 0.25) < 1e-12)
        #expect(result.labels[0] == result.labels[1] && result.labels[2] == result.labels[3])
        #expect(result.labels[0] != result.labels[2])
    }

    @Test("same data and seed give a bit-identical result whatever the thread count")
    func determinism() throws {
        let data = Fixtures.blobs(n: 20_000, d: 7, k: 5, spread: 3, seed: 11).matrix  // several chunks
        var configuration = KMeansConfiguration(clusterCount: 5, restarts: 2, seed: 99)
        configuration.threads = 1
        let one = try KMeans.fit(data, configuration: configuration)
        configuration.threads = 2
        let two = try KMeans.fit(data, configuration: configuration)
        configuration.threads = 3
        let three = try KMeans.fit(data, configuration: configuration)
        let again = try KMeans.fit(data, configuration: configuration)
        for other in [two, three, again] {
            #expect(other.centroids == one.centroids)
            #expect(other.labels == one.labels)
            #expect(other.inertia.bitPattern == one.inertia.bitPattern)
            #expect(other.diagnostics == one.diagnostics)
        }
        configuration.seed = 100
        let different = try KMeans.fit(data, configuration: configuration)
        #expect(different.diagnostics.restartInertias != one.diagnostics.restartInertias)
    }

    @Test("the objective never increases, labels are in range and counts sum to n", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func properties(seed: UInt64) throws {
        let (data, _) = Fixtures.blobs(n: 3_000, d: 5, k: 6, spread: 4, separation: 6, seed: seed)
        let k = 2 + Int(seed)
        let result = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: k, restarts: 1, seed: seed))
        let history = result.diagnostics.inertiaHistory
        for (before, after) in zip(history, history.dropFirst()) {
            #expect(after <= before * (1 + 1e-6))
        }
        #expect(result.inertia <= history.last! * (1 + 1e-6))
        #expect(result.labels.allSatisfy { $0 >= 0 && Int($0) < k })
        var counts = [Int](repeating: 0, count: k)
        for label in result.labels { counts[Int(label)] += 1 }
        #expect(counts.reduce(0, +) == data.rows)
        #expect(history.count == result.diagnostics.iterations + (result.diagnostics.refinementMoves > 0 ? 1 : 0))
    }

    @Test("restarts keep the lowest inertia")
    func restarts() throws {
        let (data, _) = Fixtures.blobs(n: 2_000, d: 4, k: 8, spread: 5, separation: 5, seed: 8)
        var reports = [KMeansProgress]()
        // Without the swap search, which may improve on every start (see SwapSearchTests).
        let configuration = KMeansConfiguration(clusterCount: 8, restarts: 6, seed: 1, swapTrials: 0)
        let result = try KMeans.fit(data, configuration: configuration) {
            reports.append($0)
        }
        let inertias = result.diagnostics.restartInertias
        #expect(reports.map(\.restart) == Array(0..<6))
        #expect(reports.map(\.inertia) == inertias)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $1.bestInertia <= $0.bestInertia })
        #expect(reports.last?.bestInertia == result.inertia)
        #expect(inertias.count == 6)
        #expect(result.inertia == inertias.min())
        #expect(inertias[result.diagnostics.bestRestart] == result.inertia)
    }

    @Test("Lloyd agrees with a slow reference implementation from the same start")
    func matchesReference() throws {
        let (data, _) = Fixtures.blobs(n: 1_500, d: 6, k: 4, spread: 2.5, separation: 5, seed: 21)
        let configuration = KMeansConfiguration(clusterCount: 4, tolerance: 0, seed: 5, refinement: .none)
        let start = try KMeans.seed(data, configuration: configuration)
        let fast = try KMeans.fit(data, initialCentroids: start, configuration: configuration)
        let slow = Fixtures.referenceLloyd(data, start: start)
        let agree = zip(fast.labels, slow.labels).filter { Int($0) == $1 }.count
        #expect(agree >= data.rows - 2)   // only exact ties may differ
        #expect(abs(fast.inertia - slow.inertia) <= 1e-4 * slow.inertia)
        for c in 0..<4 {
            for j in 0..<6 { #expect(abs(Double(fast.centroids[c, j]) - slow.centers[c][j]) < 1e-3) }
        }
    }

    @Test("k-means++ picks distinct data rows as centres")
    func seeding() throws {
        let (data, _) = Fixtures.blobs(n: 500, d: 3, k: 5, seed: 4)
        let centers = try KMeans.seed(data, configuration: KMeansConfiguration(clusterCount: 5, seed: 9))
        let rows = Set((0..<data.rows).map { data.row($0) })
        let chosen = (0..<5).map { centers.row($0) }
        #expect(chosen.allSatisfy { rows.contains($0) })
        #expect(Set(chosen).count == 5)
    }

    @Test("an empty cluster is relocated to a far point")
    func emptyClusterRelocation() throws {
        let data = FeatureMatrix([[0, 0], [0.1, 0], [0, 0.1], [5, 5], [5.1, 5], [9, 9]])
        // The third start lies far from every row, so its cluster is empty after labelling.
        let start = FeatureMatrix([[0, 0], [5, 5], [100, 100]])
        let result = try KMeans.fit(data, initialCentroids: start, configuration: KMeansConfiguration(clusterCount: 3))
        #expect(result.diagnostics.relocations >= 1)
        var counts = [0, 0, 0]
        for label in result.labels { counts[Int(label)] += 1 }
        #expect(counts.allSatisfy { $0 > 0 })
        #expect(result.centroids.row(2) == [9, 9])
    }

    @Test("integer weights equal repeated rows")
    func weights() throws {
        let (data, _) = Fixtures.blobs(n: 300, d: 3, k: 3, spread: 2, seed: 13)
        let weights = (0..<data.rows).map { Double($0 % 3 + 1) }
        let repeated = data.selecting(rows: (0..<data.rows).flatMap { Array(repeating: $0, count: $0 % 3 + 1) })
        let configuration = KMeansConfiguration(clusterCount: 3, tolerance: 0, refinement: .none)
        let start = try KMeans.seed(data, weights: weights, configuration: configuration)
        let weighted = try KMeans.fit(data, weights: weights, initialCentroids: start, configuration: configuration)
        let plain = try KMeans.fit(repeated, initialCentroids: start, configuration: configuration)
        #expect(abs(weighted.inertia - plain.inertia) <= 1e-6 * plain.inertia)
        for i in weighted.centroids.values.indices {
            #expect(abs(weighted.centroids.values[i] - plain.centroids.values[i]) < 1e-4)
        }
    }

    @Test("each option out of range is named by validate, and a fit refuses it with the same words")
    func optionRanges() {
        let data = FeatureMatrix([[0, 0], [1, 1], [0, 0], [1, 1], [1, 1]])
        func configuration(_ change: (inout KMeansConfiguration) -> Void) -> KMeansConfiguration {
            var c = KMeansConfiguration(clusterCount: 2)
            change(&c)
            return c
        }
        let cases: [(KMeansConfiguration, KMeansParameterError.Parameter)] = [
            (configuration { $0.clusterCount = 0 }, .clusterCount),
            (configuration { $0.restarts = 0 }, .restarts),
            (configuration { $0.maxIterations = 0 }, .maxIterations),
            (configuration { $0.tolerance = -1 }, .tolerance),
            (configuration { $0.tolerance = .nan }, .tolerance),
            (configuration { $0.threads = 0 }, .threads),
            (configuration { $0.seedingTrials = 0 }, .seedingTrials),
        ]
        for (c, parameter) in cases {
            do {
                try c.validate()
                Issue.record("\(parameter) accepted")
            } catch {
                #expect(error.parameter == parameter)
                #expect(error.description.hasPrefix("\(parameter.rawValue)="))
                do {
                    _ = try KMeans.fit(data, configuration: c)
                    Issue.record("fit accepted \(parameter)")
                } catch .invalidClusterCount(let k) {
                    #expect(parameter == .clusterCount && k == 0)
                } catch .invalidConfiguration(let reason) {
                    #expect(reason == error.description)
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
        }
        #expect(throws: Never.self) { try KMeansConfiguration(clusterCount: 3, maxIterations: 1, tolerance: 0, threads: 1).validate() }
    }

    @Test("invalid inputs throw errors that carry the numbers")
    func errors() {
        let data = FeatureMatrix([[0, 0], [1, 1], [0, 0], [1, 1], [1, 1]])
        #expect(throws: ClusteringError.invalidClusterCount(0)) {
            try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 0))
        }
        #expect(throws: ClusteringError.tooFewRows(rows: 5, clusters: 6)) {
            try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 6))
        }
        #expect(throws: ClusteringError.tooFewDistinctRows(distinct: 2, clusters: 3)) {
            try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 3))
        }
        #expect(throws: ClusteringError.self) {
            try KMeans.fit(data, weights: [1, 1, -1, 1, 1], configuration: KMeansConfiguration(clusterCount: 2))
        }
        #expect(throws: ClusteringError.self) {
            try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 2, restarts: 0))
        }
        #expect(ClusteringError.tooFewRows(rows: 3, clusters: 5).description.contains("n_rows=3") && ClusteringError.tooFewRows(rows: 3, clusters: 5).description.contains("k=5"))
    }

    @Test("k = 1 gives the mean; k = n gives every row its own cluster")
    func extremes() throws {
        let data = FeatureMatrix([[0, 0], [2, 0], [0, 4], [2, 4]])
        let one = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 1))
        #expect(one.centroids.row(0) == [1, 2])
        #expect(abs(one.inertia - 20) < 1e-9)
        let all = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 4))
        #expect(all.inertia == 0)
        #expect(Set(all.labels).count == 4)
    }

    @Test("Hartigan refinement escapes a Lloyd fixed point (hand-worked, 1-D)")
    func hartiganHandWorked() throws {
        // Lloyd is stuck at {6, 12, 14, 15} | {19} (centres 11.75 and 19, inertia 48.75):
        // every point is nearest its own centre. Moving 15 to the other cluster lowers the
        // inertia to 42.67, and Hartigan keeps going from there.
        let data = FeatureMatrix([[6], [12], [14], [15], [19]])
        let start = FeatureMatrix([[11.75], [19]])
        let lloyd = try KMeans.fit(data, initialCentroids: start,
                                   configuration: KMeansConfiguration(clusterCount: 2, refinement: .none))
        #expect(abs(lloyd.inertia - 48.75) < 1e-9)
        #expect(lloyd.diagnostics.refinementMoves == 0)
        let refined = try KMeans.fit(data, initialCentroids: start,
                                     configuration: KMeansConfiguration(clusterCount: 2, refinement: .hartigan))
        #expect(refined.inertia <= 42.67)
        #expect(refined.diagnostics.refinementMoves >= 1)
        // The refined partition is still one where every point is nearest its own centre.
        for r in 0..<data.rows {
            let own = abs(data[r, 0] - refined.centroids[Int(refined.labels[r]), 0])
            let other = abs(data[r, 0] - refined.centroids[1 - Int(refined.labels[r]), 0])
            #expect(own <= other)
        }
    }

    /// Plain Lloyd and Lloyd + Hartigan refinement from the same k-means++ start.
    static func withAndWithoutRefinement(_ data: FeatureMatrix, k: Int, seed: UInt64) throws -> (lloyd: KMeansResult, refined: KMeansResult) {
        var configuration = KMeansConfiguration(clusterCount: k, tolerance: 0, seed: seed, refinement: .none)
        let start = try KMeans.seed(data, configuration: configuration)
        let lloyd = try KMeans.fit(data, initialCentroids: start, configuration: configuration)
        configuration.refinement = .hartigan
        return (lloyd, try KMeans.fit(data, initialCentroids: start, configuration: configuration))
    }

    @Test("refinement never raises the inertia of a start", arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func hartiganNeverWorse(seed: UInt64) throws {
        let (data, _) = Fixtures.blobs(n: 1_500, d: 4, k: 6, spread: 4, separation: 5, seed: seed)
        let (lloyd, refined) = try Self.withAndWithoutRefinement(data, k: 7, seed: seed)
        #expect(refined.inertia <= lloyd.inertia * (1 + 1e-9))
        #expect(refined.labels.allSatisfy { $0 >= 0 && $0 < 7 })
    }

    @Test("the pruned refinement makes the same moves as plain Hartigan passes", arguments: [7, 8, 9] as [UInt64])
    func hartiganMatchesReference(seed: UInt64) throws {
        let (data, _) = Fixtures.blobs(n: 800, d: 3, k: 5, spread: 3, separation: 4, seed: seed)
        let (lloyd, refined) = try Self.withAndWithoutRefinement(data, k: 6, seed: seed)
        let expected = Fixtures.referenceHartigan(data, labels: lloyd.labels.map(Int.init), k: 6)
        let agree = zip(refined.labels, expected).filter { Int($0) == $1 }.count
        #expect(refined.diagnostics.refinementMoves > 0)   // the case exercises the refinement
        #expect(agree >= data.rows - 1)   // the final nearest-centre labelling may break an exact tie
    }
}
