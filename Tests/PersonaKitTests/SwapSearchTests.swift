@testable import PersonaKit
import TestSupport
import Testing

/// The global step after the restarts: swaps chosen as documented, kept only when they lower
/// the inertia, and deterministic.
@Suite("k-means swap search")
struct SwapSearchTests {
    /// Σ w·min_c ‖x − c‖² in `Double`, measured plainly.
    static func potential(_ data: FeatureMatrix, centres: [Float], k: Int) -> Double {
        let d = data.columns
        var total = 0.0
        for r in 0..<data.rows {
            var nearest = Double.infinity
            for c in 0..<k {
                var s = 0.0
                for j in 0..<d { let t = Double(data[r, j]) - Double(centres[c * d + j]); s += t * t }
                nearest = min(nearest, s)
            }
            total += nearest
        }
        return total
    }

    @Test("the default number of trials: 60 up to k = 10, then 600 / k, at least 20; none for k = 1")
    func defaultTrials() {
        let expected = [1: 0, 2: 60, 10: 60, 11: 54, 12: 50, 24: 25, 30: 20, 32: 20, 200: 20]
        for (k, trials) in expected {
            #expect(KMeansConfiguration(clusterCount: k).effectiveSwapTrials == trials, "k = \(k)")
        }
        #expect(KMeansConfiguration(clusterCount: 8, swapTrials: 5).effectiveSwapTrials == 5)
        #expect(KMeansConfiguration(clusterCount: 8, swapTrials: 0).effectiveSwapTrials == 0)
    }

    @Test("the swapped centre is a data row and the removed centre is the cheapest to lose")
    func removalIsCheapest() throws {
        let (data, _) = Fixtures.blobs(n: 600, d: 3, k: 6, spread: 2, separation: 6, seed: 5)
        let k = 6, d = 3
        let start = try KMeans.seed(data, configuration: KMeansConfiguration(clusterCount: k, seed: 3))
        for stream in UInt64(0)..<6 {
            var rng = SeededGenerator(seed: 11, stream: stream)
            var evaluations = 0
            let swapped = try #require(SwapSearch.swappedStart(data, weights: nil, centroids: start, candidates: 3, using: &rng,
                                                               evaluations: &evaluations))
            let changed = (0..<k).filter { c in (0..<d).contains { swapped[c, $0] != start[c, $0] } }
            try #require(changed.count == 1)
            let newRow = (0..<data.rows).first { r in (0..<d).allSatisfy { data[r, $0] == swapped[changed[0], $0] } }
            let row = try #require(newRow)
            // Brute force: the potential after replacing each centre by that row.
            let costs = (0..<k).map { removed -> Double in
                var values = start.values
                for j in 0..<d { values[removed * d + j] = data[row, j] }
                return Self.potential(data, centres: values, k: k)
            }
            let cheapest = costs.min()!
            #expect(costs[changed[0]] <= cheapest * (1 + 1e-9), "removed \(changed[0]) costs \(costs[changed[0]]), cheapest \(cheapest)")
        }
    }

    @Test("a partition with two centres in one blob is repaired to the planted one")
    func escapesLocalOptimum() throws {
        // Four tight, far-apart blobs; the start puts two centres in blob 0 and one between
        // blobs 2 and 3, a fixed point of Lloyd and of Hartigan's moves.
        var values = [Float]()
        var truth = [Int]()
        var rng = SeededGenerator(seed: 9)
        let corners: [(Float, Float)] = [(0, 0), (40, 0), (0, 40), (40, 40)]
        for (b, corner) in corners.enumerated() {
            for _ in 0..<50 {
                values += [corner.0 + Float(rng.nextUnitDouble() - 0.5), corner.1 + Float(rng.nextUnitDouble() - 0.5)]
                truth.append(b)
            }
        }
        let data = FeatureMatrix(rows: 200, columns: 2, values: values)
        let bad = FeatureMatrix(rows: 4, columns: 2, values: [-0.2, 0, 0.2, 0, 40, 0, 20, 40])
        let off = KMeansConfiguration(clusterCount: 4, restarts: 1, seed: 1, swapTrials: 0)
        let stuck = try KMeans.fit(data, initialCentroids: bad, configuration: off)
        let moments = DataMoments(data, weights: nil, threads: nil)
        let search = SwapSearch.improve(data, weights: nil, best: stuck, threshold: KMeans.shiftThreshold(moments, configuration: off),
                                        moments: moments, configuration: off, trials: 8)
        #expect(search.accepted >= 1)
        #expect(search.result.inertia < stuck.inertia)
        // The planted partition: every blob is one cluster.
        for b in 0..<4 {
            let labels = Set((0..<200).filter { truth[$0] == b }.map { search.result.labels[$0] })
            #expect(labels.count == 1, "blob \(b) split over \(labels)")
        }
        #expect(Set(search.result.labels).count == 4)
    }

    @Test("with swaps a fit is never worse than its restarts, and its inertia describes its centres")
    func neverWorse() throws {
        for seed in UInt64(1)...4 {
            let (data, _) = Fixtures.blobs(n: 1_500, d: 4, k: 9, spread: 5, separation: 5, seed: seed)
            let result = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 9, restarts: 2, seed: seed))
            let diagnostics = result.diagnostics
            #expect(result.inertia <= diagnostics.restartInertias.min()!)
            #expect(diagnostics.swapTrials == 60)
            #expect((0...60).contains(diagnostics.acceptedSwaps ?? -1))
            let recomputed = Self.potential(data, centres: result.centroids.values, k: 9)
            #expect(abs(recomputed - result.inertia) <= 1e-5 * result.inertia)
            let off = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 9, restarts: 2, seed: seed, swapTrials: 0))
            #expect(off.diagnostics.swapTrials == nil)
            #expect(off.inertia == diagnostics.restartInertias.min())
        }
    }

    @Test("a sampled search is deterministic whatever the thread count, and never worse")
    func sampledDeterministic() throws {
        let (data, _) = Fixtures.blobs(n: SwapSearch.sampleLimit + 5_000, d: 3, k: 7, spread: 4, separation: 4, seed: 17)
        let one = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 7, restarts: 1, seed: 2, threads: 1))
        let two = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 7, restarts: 1, seed: 2, threads: 2))
        #expect(one.centroids == two.centroids)
        #expect(one.labels == two.labels)
        #expect(one.inertia == two.inertia)
        #expect(one.diagnostics == two.diagnostics)
        #expect(one.inertia <= one.diagnostics.restartInertias[0])
    }

    @Test("selection sampling keeps the asked number of distinct rows, in order, each about equally often")
    func selectionSampling() {
        var rng = SeededGenerator(seed: 4)
        var hits = [Int](repeating: 0, count: 50)
        for _ in 0..<2_000 {
            let rows = SwapSearch.selectionSample(count: 10, of: 50, using: &rng)
            #expect(rows.count == 10)
            #expect(zip(rows, rows.dropFirst()).allSatisfy { $0 < $1 })
            for r in rows { hits[r] += 1 }
        }
        // Each row is expected 400 times (binomial, sd ≈ 18); 5 sd either side.
        #expect(hits.allSatisfy { (310...490).contains($0) }, "\(hits)")
        #expect(SwapSearch.selectionSample(count: 5, of: 5, using: &rng) == [0, 1, 2, 3, 4])
    }
}
