import Benchmark
import BenchmarkSupport
import Foundation
@_spi(Benchmarks) import PersonaKit

// The k-means kernels on fixed synthetic data: Gaussian blobs, 1,000,000 × 30, eight
// clusters, seed 1 (see SyntheticBlobs). Set PERSONA_BENCH_THREADS to fix the worker
// threads (default: every core).

/// Rows, columns and clusters of the data every benchmark here runs on.
let shape = (rows: 1_000_000, columns: 30, clusters: 8)

/// Worker threads for the kernels, from PERSONA_BENCH_THREADS.
let threads: Int? = ProcessInfo.processInfo.environment["PERSONA_BENCH_THREADS"].flatMap(Int.init)

/// The data, made once per process on first use.
let data = SyntheticBlobs.matrix(rows: shape.rows, columns: shape.columns, clusters: shape.clusters, seed: 1)

/// Distance evaluations of one run (deterministic: the speed of an algorithm without a clock).
let distanceEvaluations = BenchmarkMetric.custom("distance evaluations", polarity: .prefersSmaller,
                                                 useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput],
        tags: ["threads": threads.map(String.init) ?? "all"],
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 50
    )

    // One squared distance, d = 30, over a pool of 1,024 rows that stays in L1/L2 cache.
    Benchmark("squaredDistance d=30", configuration: .init(scalingFactor: .mega)) { benchmark, pool in
        let d = shape.columns
        pool.withValues { x in
            var sum: Float = 0
            for i in benchmark.scaledIterations {
                let a = i & 1023, b = (i &* 7 &+ 1) & 1023
                sum += KMeansKernels.squaredDistance(x + a * d, x + b * d, count: d)
            }
            blackHole(sum)
        }
    } setup: {
        data.selecting(rows: 0..<1024)
    }

    // One nearest-centre pass: every row against every centre.
    Benchmark("assignNearest n=1M d=30 k=8") { benchmark, centres in
        blackHole(KMeansKernels.assignNearest(data, centres: centres, threads: threads))
    } setup: {
        SyntheticBlobs.evenlySpacedRows(of: data, count: 8)
    }

    // Greedy k-means++ seeding (2 + ⌊ln k⌋ candidates per step).
    Benchmark("seed k-means++ n=1M d=30 k=8") { _, _ in
        blackHole(KMeansKernels.seed(data, k: 8, seed: 7, threads: threads))
    } setup: {
        _ = data.rows
    }

    // Iterations of each algorithm from the same fixed start: one iteration at k = 8 (the
    // per-iteration cost, bounds set up included), ten at k = 32 (where pruning pays).
    for algorithm in [KMeansAlgorithm.lloyd, .hamerly, .elkan] {
        for (k, iterations) in [(8, 1), (32, 10)] {
            Benchmark(
                "iterate \(algorithm.rawValue) ×\(iterations) n=1M d=30 k=\(k)",
                configuration: .init(metrics: [.wallClock, .cpuTotal, .throughput, distanceEvaluations],
                                     maxDuration: .seconds(iterations == 1 ? 3 : 10))
            ) { benchmark, start in
                let outcome = KMeansKernels.iterate(data, start: start, algorithm: algorithm,
                                                    iterations: iterations, threads: threads)
                benchmark.measurement(distanceEvaluations, outcome.distanceEvaluations)
                blackHole(outcome)
            } setup: {
                SyntheticBlobs.evenlySpacedRows(of: data, count: k)
            }
        }
    }
}
