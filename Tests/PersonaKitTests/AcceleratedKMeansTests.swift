@_spi(Benchmarks) import PersonaKit
import TestSupport
import Testing

/// Hamerly's and Elkan's steps against Lloyd's, the thread-count invariance of every step,
/// and the seeding against a plain implementation and against values recorded before the
/// accelerated code existed.
@Suite("accelerated k-means")
struct AcceleratedKMeansTests {
    /// A named data set with its k and optional weights.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let data: FeatureMatrix
        let k: Int
        var weights: [Double]? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "separated blobs", data: Fixtures.blobs(n: 2_000, d: 6, k: 5, spread: 1, seed: 1).matrix, k: 5),
        Case(name: "overlapping blobs", data: Fixtures.blobs(n: 2_000, d: 8, k: 6, spread: 6, separation: 4, seed: 2).matrix, k: 7),
        Case(name: "several chunks", data: Fixtures.blobs(n: 9_000, d: 3, k: 5, spread: 3, seed: 3).matrix, k: 6),
        Case(name: "one dimension", data: Fixtures.blobs(n: 1_500, d: 1, k: 4, spread: 2, seed: 4).matrix, k: 5),
        Case(name: "d = 16, no partial lane block", data: Fixtures.blobs(n: 1_500, d: 16, k: 5, spread: 4, seed: 5).matrix, k: 5),
        Case(name: "k = 1", data: Fixtures.blobs(n: 1_000, d: 5, k: 3, seed: 5).matrix, k: 1),
        Case(name: "k close to n", data: Fixtures.blobs(n: 40, d: 3, k: 4, spread: 3, seed: 6).matrix, k: 35),
        Case(name: "more than eight centres", data: Fixtures.blobs(n: 2_500, d: 9, k: 20, spread: 2, seed: 7).matrix, k: 21),
        // Yinyang measures some chunks whole and the rest in stages, pass by pass.
        Case(name: "overlapping, several chunks, k = 33",
             data: Fixtures.blobs(n: 14_000, d: 10, k: 24, spread: 5, separation: 4, seed: 10).matrix, k: 33),
        Case(name: "ties (values on a grid)",
             data: FeatureMatrix(rows: 1_500, columns: 3,
                                 values: Fixtures.blobs(n: 1_500, d: 3, k: 4, spread: 2, seed: 8).matrix.values.map { $0.rounded() }),
             k: 6),
        Case(name: "weights, some zero", data: Fixtures.blobs(n: 2_000, d: 4, k: 5, spread: 3, seed: 9).matrix, k: 6,
             weights: (0..<2_000).map { Double($0 % 4) * 0.75 }),
    ]

    /// Runs one start from `start` with each step.
    static func fits(_ c: Case, start: FeatureMatrix, refinement: KMeansRefinement, tolerance: Double = 1e-4)
        throws -> [KMeansAlgorithm: KMeansResult] {
        var results = [KMeansAlgorithm: KMeansResult]()
        for algorithm in [KMeansAlgorithm.lloyd, .hamerly, .elkan, .yinyang] {
            let configuration = KMeansConfiguration(clusterCount: c.k, tolerance: tolerance, algorithm: algorithm,
                                                    refinement: refinement)
            results[algorithm] = try KMeans.fit(c.data, weights: c.weights, initialCentroids: start,
                                                configuration: configuration)
        }
        return results
    }

    /// Everything but the distance count and the step must be Lloyd's, bit for bit.
    static func expectSameModel(_ result: KMeansResult, as lloyd: KMeansResult, _ comment: Comment) {
        #expect(result.labels == lloyd.labels, comment)
        #expect(result.centroids == lloyd.centroids, comment)
        #expect(result.inertia.bitPattern == lloyd.inertia.bitPattern, comment)
        #expect(result.diagnostics.iterations == lloyd.diagnostics.iterations, comment)
        #expect(result.diagnostics.converged == lloyd.diagnostics.converged, comment)
        #expect(result.diagnostics.relocations == lloyd.diagnostics.relocations, comment)
        #expect(result.diagnostics.refinementMoves == lloyd.diagnostics.refinementMoves, comment)
        // The accelerated steps derive each iteration's objective from the Double cluster sums;
        // Lloyd's adds up its Float distances, each within about 1e-7 of the exact value.
        let history = result.diagnostics.inertiaHistory, reference = lloyd.diagnostics.inertiaHistory
        #expect(history.count == reference.count, comment)
        for (a, b) in zip(history, reference) { #expect(abs(a - b) <= 1e-6 * b, comment) }
    }

    @Test("Hamerly and Elkan give Lloyd's model from the same start", arguments: cases)
    func sameAsLloyd(_ c: Case) throws {
        let start = try KMeans.seed(c.data, weights: c.weights, configuration: KMeansConfiguration(clusterCount: c.k, seed: 3))
        for (refinement, tolerance) in [(KMeansRefinement.none, 1e-4), (.hartigan, 0)] {
            let results = try Self.fits(c, start: start, refinement: refinement, tolerance: tolerance)
            for algorithm in [KMeansAlgorithm.hamerly, .elkan, .yinyang] {
                Self.expectSameModel(results[algorithm]!, as: results[.lloyd]!,
                                     "\(algorithm), \(refinement), tolerance \(tolerance)")
                #expect(results[algorithm]!.diagnostics.algorithm == algorithm)
            }
        }
    }

    @Test("an empty cluster is relocated to the same row by every step")
    func emptyCluster() throws {
        var values = Fixtures.blobs(n: 1_500, d: 2, k: 3, spread: 1, seed: 10).matrix.values
        values += [40, 40]   // the farthest row
        let data = FeatureMatrix(rows: 1_501, columns: 2, values: values)
        // The fourth start lies far from every row, so its cluster is empty after labelling.
        let start = FeatureMatrix([[-4, 0], [0, 4], [4, 0], [500, -500]])
        let results = try Self.fits(Case(name: "empty", data: data, k: 4), start: start, refinement: .hartigan)
        let lloyd = results[.lloyd]!
        #expect(lloyd.diagnostics.relocations >= 1)
        #expect((0..<4).contains { lloyd.centroids.row($0) == [40, 40] })
        for algorithm in [KMeansAlgorithm.hamerly, .elkan, .yinyang] {
            Self.expectSameModel(results[algorithm]!, as: lloyd, "\(algorithm)")
        }
    }

    @Test("on well-separated data the accelerated steps compute far fewer distances")
    func fewerDistances() throws {
        let data = Fixtures.blobs(n: 3_000, d: 6, k: 8, spread: 1.5, seed: 11).matrix
        // A poor start, from two of the eight blobs only (row i belongs to blob i mod 8), so
        // the centres travel for several iterations.
        let start = data.selecting(rows: (0..<8).map { $0 % 2 + 8 * ($0 / 2) })
        let results = try Self.fits(Case(name: "separated", data: data, k: 8), start: start, refinement: .none,
                                    tolerance: 0)
        let lloyd = results[.lloyd]!.diagnostics.distanceEvaluations
        #expect(results[.lloyd]!.diagnostics.iterations >= 5)
        #expect(results[.hamerly]!.diagnostics.distanceEvaluations * 2 < lloyd)
        #expect(results[.elkan]!.diagnostics.distanceEvaluations * 2 < lloyd)
        #expect(results[.yinyang]!.diagnostics.distanceEvaluations * 2 < lloyd)
        // The iteration hook counts the same way (without the final labelling), and the steps
        // agree on the iterations.
        let iterated = [KMeansAlgorithm.lloyd, .hamerly, .elkan, .yinyang].map {
            KMeansKernels.iterate(data, start: start, algorithm: $0, iterations: 100, threads: 2)
        }
        #expect(iterated.allSatisfy { $0.iterations == results[.lloyd]!.diagnostics.iterations })
        #expect(iterated[0].distanceEvaluations == iterated[0].iterations * 3_000 * 8)
        #expect(iterated[1].distanceEvaluations * 2 < iterated[0].distanceEvaluations)
        #expect(iterated[2].distanceEvaluations * 2 < iterated[0].distanceEvaluations)
        #expect(iterated[3].distanceEvaluations * 2 < iterated[0].distanceEvaluations)
    }

    @Test("every step gives a bit-identical fit on 1, 2 and 3 threads",
          arguments: [KMeansAlgorithm.lloyd, .hamerly, .elkan, .yinyang, .auto])
    func threadCounts(_ algorithm: KMeansAlgorithm) throws {
        let data = Fixtures.blobs(n: 8_500, d: 3, k: 6, spread: 2, seed: 12).matrix   // three chunks
        let weights = (0..<data.rows).map { Double(1 + $0 % 3) }
        for weights in [nil, weights] as [[Double]?] {
            var configuration = KMeansConfiguration(clusterCount: 7, restarts: 1, seed: 13, algorithm: algorithm)
            var results = [KMeansResult]()
            for threads in 1...3 {
                configuration.threads = threads
                results.append(try KMeans.fit(data, weights: weights, configuration: configuration))
            }
            for result in results.dropFirst() {
                #expect(result.centroids == results[0].centroids)
                #expect(result.labels == results[0].labels)
                #expect(result.inertia.bitPattern == results[0].inertia.bitPattern)
                #expect(result.diagnostics == results[0].diagnostics)
            }
        }
    }

    @Test(".auto gives Lloyd's model", arguments: [(3, 5, .lloyd), (9, 5, .hamerly), (14, 20, .yinyang)]
          as [(Int, Int, KMeansAlgorithm)])
    func autoIsLloyd(k: Int, d: Int, chosen: KMeansAlgorithm) throws {
        let data = Fixtures.blobs(n: 2_000, d: d, k: 8, spread: 2, seed: UInt64(k)).matrix
        let auto = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: k, restarts: 2, seed: 1))
        let lloyd = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: k, restarts: 2, seed: 1,
                                                                             algorithm: .lloyd))
        #expect(KMeansConfiguration(clusterCount: k).algorithm == .auto)
        #expect(auto.diagnostics.algorithm == chosen)
        Self.expectSameModel(auto, as: lloyd, "k = \(k), d = \(d)")
        #expect(auto.diagnostics.restartInertias.map(\.bitPattern) == lloyd.diagnostics.restartInertias.map(\.bitPattern))
    }

    @Test("the pruned, parallel seeding chooses the centres of the plain seeding",
          arguments: [(6, nil), (12, 7), (5, 11), (3, 2)] as [(Int, Int?)])
    func seedingMatchesPlain(k: Int, trials: Int?) throws {
        let data = Fixtures.blobs(n: 5_000, d: 7, k: 5, spread: 3, separation: 6, seed: 14).matrix   // two chunks
        let weights = (0..<data.rows).map { Double($0 % 4) }
        for weights in [nil, weights] as [[Double]?] {
            let configuration = KMeansConfiguration(clusterCount: k, seed: 21, seedingTrials: trials, threads: 2)
            let fast = try KMeans.seed(data, weights: weights, configuration: configuration)
            let plain = Self.plainSeeding(data, weights: weights, k: k, trials: trials ?? (2 + Int(_log(Double(k)))),
                                          seed: 21)
            #expect(fast.values == plain)
        }
    }

    @Test("the same seed gives the model it gave before the accelerated steps")
    func recordedModel() throws {
        // Values recorded with the library before Hamerly, Elkan, the blocked kernel and the
        // pruned seeding.
        let data = Fixtures.blobs(n: 6_000, d: 9, k: 5, spread: 3, separation: 6, seed: 3).matrix
        func chosenRows(_ centres: FeatureMatrix) -> [Int] {
            (0..<centres.rows).map { i in (0..<data.rows).first { data.row($0) == centres.row(i) }! }
        }
        #expect(chosenRows(try KMeans.seed(data, configuration: KMeansConfiguration(clusterCount: 6, seed: 11)))
                == [1658, 2911, 4165, 399, 1599, 5622])
        #expect(chosenRows(try KMeans.seed(data, configuration: KMeansConfiguration(clusterCount: 12, seed: 11,
                                                                                      seedingTrials: 7)))
                == [1658, 1514, 4496, 3917, 1994, 351, 3703, 4872, 5611, 2522, 1498, 4590])
        #expect(chosenRows(try KMeans.seed(data, configuration: KMeansConfiguration(clusterCount: 4, seed: 11,
                                                                                      seedingTrials: 11)))
                == [1658, 1514, 4496, 2287])
        let weights = (0..<data.rows).map { Double($0 % 4) }
        #expect(chosenRows(try KMeans.seed(data, weights: weights, configuration: KMeansConfiguration(clusterCount: 7, seed: 5)))
                == [3999, 617, 970, 1638, 4146, 3763, 4174])
        let fit = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 6, restarts: 3, seed: 11, swapTrials: 0))
        #expect(fit.inertia.bitPattern == 4691693592381816832)
        #expect(fit.diagnostics.restartInertias.map(\.bitPattern)
                == [4691698196305870848, 4691693592381816832, 4691694205976379392])
        #expect(fit.diagnostics.iterations == 36)
        #expect(fit.diagnostics.refinementMoves == 48)
        #expect(fit.diagnostics.bestRestart == 1)
        #expect(fit.centroids.row(0).map(\.bitPattern)
                == [1071623173, 1077300131, 3228010441, 1041311164, 3226041385, 3216516186, 3226586823, 1054602985, 1083089728])
        #expect((0..<6).map { c in fit.labels.filter { $0 == c }.count } == [718, 756, 1155, 976, 1200, 1195])
    }

    @Test("the labelling hook labels as the model assigns")
    func assignNearest() throws {
        let data = Fixtures.blobs(n: 3_000, d: 11, k: 10, spread: 3, seed: 15).matrix
        let fit = try KMeans.fit(data, configuration: KMeansConfiguration(clusterCount: 10, restarts: 1, seed: 2))
        for threads in [1, 2] {
            #expect(KMeansKernels.assignNearest(data, centres: fit.centroids, threads: threads) == fit.labels)
        }
        let values = data.values
        let distance = values.withUnsafeBufferPointer { x in KMeansKernels.squaredDistance(x.baseAddress!, x.baseAddress! + 11, count: 11) }
        let plain = (0..<11).reduce(Float(0)) { s, j in let t = values[j] - values[11 + j]; return s + t * t }
        #expect(abs(distance - plain) <= 1e-5 * plain)
        #expect(KMeansKernels.seed(data, k: 10, seed: 2, threads: 2) == (try KMeans.seed(data, configuration: KMeansConfiguration(clusterCount: 10, seed: 2))))
    }

    /// Greedy k-means++ written plainly (every row against every candidate, a full cumulative
    /// array): the seeding as it was before pruning. Potentials are summed per chunk of 4,096
    /// rows and combined in chunk order, as the library does.
    static func plainSeeding(_ data: FeatureMatrix, weights: [Double]?, k: Int, trials: Int, seed: UInt64) -> [Float] {
        let n = data.rows, d = data.columns, chunk = 4_096
        var rng = SeededGenerator(seed: seed, stream: 0)
        func weight(_ r: Int) -> Double { weights?[r] ?? 1 }
        func sample(_ cumulative: [Double], _ target: Double) -> Int {
            cumulative.firstIndex { $0 > target } ?? (cumulative.count - 1)
        }
        func distance(_ a: Int, _ b: Int) -> Float {
            data.values.withUnsafeBufferPointer { x in
                KMeansKernels.squaredDistance(x.baseAddress! + a * d, x.baseAddress! + b * d, count: d)
            }
        }
        let first: Int
        if let weights {
            var running = 0.0
            let cumulative = weights.map { running += $0; return running }
            first = sample(cumulative, rng.nextUnitDouble() * running)
        } else {
            first = min(n - 1, Int(rng.nextUnitDouble() * Double(n)))
        }
        var chosen = [first]
        var closest = (0..<n).map { Double(distance($0, first)) }
        var potential = (0..<n).reduce(0.0) { $0 + weight($1) * closest[$1] }
        for _ in 1..<max(1, k) {
            guard potential > 0 else { break }
            var running = 0.0
            let cumulative = (0..<n).map { r in running += weight(r) * closest[r]; return running }
            let candidates = (0..<trials).map { _ in sample(cumulative, rng.nextUnitDouble() * running) }
            var best = 0, bestPotential = Double.infinity, bestDistances = closest
            for (t, candidate) in candidates.enumerated() {
                let distances = (0..<n).map { min(closest[$0], Double(distance($0, candidate))) }
                var total = 0.0
                for start in stride(from: 0, to: n, by: chunk) {
                    total += (start..<min(n, start + chunk)).reduce(0.0) { $0 + weight($1) * distances[$1] }
                }
                if total < bestPotential { best = t; bestPotential = total; bestDistances = distances }
            }
            chosen.append(candidates[best])
            closest = bestDistances
            potential = bestPotential
        }
        return chosen.flatMap { data.row($0) }
    }
}

#if canImport(Glibc)
import Glibc
private func _log(_ x: Double) -> Double { Glibc.log(x) }
#else
import Foundation
private func _log(_ x: Double) -> Double { Foundation.log(x) }
#endif
