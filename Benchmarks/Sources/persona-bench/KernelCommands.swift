import ArgumentParser
import BenchmarkSupport
import Foundation
@_spi(Benchmarks) import PersonaKit

/// `persona-bench assign-pass`: one full nearest-centre pass over synthetic data.
struct AssignPass: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign-pass",
        abstract: "Time one nearest-centre pass (default 1,000,000 × 30, k = 8) and its roofline bound."
    )

    @OptionGroup var options: KernelOptions

    @Flag(help: "Also measure memory bandwidth and peak FLOP/s and report the pass against them.")
    var bounds = false

    @Option(help: "Array size for the bandwidth measurement, in MB (three arrays are allocated).")
    var bandwidthMegabytes = 256

    struct Result: Encodable {
        var command = "assign-pass"
        var rows: Int
        var columns: Int
        var k: Int
        var threads: Int
        var seconds: Double
        var runs: [Double]
        var rowsPerSecond: Double
        /// Bytes one pass must move: the data (rows × columns × 4) and the labels (rows × 4).
        var bytesMoved: Int
        /// Floating-point operations of one pass: rows × k × columns × 3 (subtract, multiply, add).
        var flops: Int
        var bounds: Bounds?
    }

    struct Bounds: Encodable {
        var readBandwidth: Double
        /// Register-only `SIMD8<Float>` multiply–add chains in Swift (no AVX: two SSE halves).
        var peakFlops: Double
        /// The pass's own code on a slice small enough to stay in cache, repeated to the same
        /// number of rows: the fastest this instruction mix (subtract, multiply, add per
        /// element, no FMA) runs on this machine when memory is not in the way.
        var kernelPeakFlops: Double
        /// bytesMoved ÷ read bandwidth.
        var memorySeconds: Double
        /// flops ÷ the kernel's in-cache FLOP/s.
        var computeSeconds: Double
        /// The larger of the two: no pass can be faster.
        var boundSeconds: Double
        /// boundSeconds ÷ measured seconds (1 = at the bound).
        var fractionOfBound: Double
        var achievedFlops: Double
        var achievedBandwidth: Double
    }

    func run() throws {
        let data = options.data()
        let centres = SyntheticBlobs.evenlySpacedRows(of: data, count: options.k)
        var labels = [Int32]()
        labels = KMeansKernels.assignNearest(data, centres: centres, threads: options.threads)
        let runs = Measurement.repeated(options.repeats) {
            labels = KMeansKernels.assignNearest(data, centres: centres, threads: options.threads)
        }
        precondition(labels.count == data.rows)
        let median = Measurement.median(runs)
        let n = options.rows, d = options.columns, k = options.k
        let bytes = n * d * 4 + n * 4, flops = n * k * d * 3
        var result = Result(rows: n, columns: d, k: k, threads: options.effectiveThreads, seconds: median, runs: runs,
                            rowsPerSecond: Double(n) / median, bytesMoved: bytes, flops: flops)
        if bounds {
            let bandwidth = MachineBounds.bandwidth(arrayBytes: bandwidthMegabytes << 20,
                                                    threads: options.effectiveThreads, repeats: 3)
            let peak = MachineBounds.peakFlops(threads: options.effectiveThreads, repeats: 3)
            // Two chunks of 4,096 rows per thread (about 1 MB per thread at d = 30): in cache.
            let sliceRows = min(n, 2 * 4_096 * options.effectiveThreads)
            let slice = data.selecting(rows: 0..<sliceRows)
            let passes = max(1, n / sliceRows)
            let inCache = Measurement.repeated(3) {
                for _ in 0..<passes { labels = KMeansKernels.assignNearest(slice, centres: centres, threads: options.threads) }
            }.min()!
            let kernelPeak = Double(passes * sliceRows * k * d * 3) / inCache
            let memory = Double(bytes) / bandwidth.read, compute = Double(flops) / kernelPeak
            result.bounds = Bounds(readBandwidth: bandwidth.read, peakFlops: peak, kernelPeakFlops: kernelPeak, memorySeconds: memory,
                                   computeSeconds: compute, boundSeconds: max(memory, compute),
                                   fractionOfBound: max(memory, compute) / median,
                                   achievedFlops: Double(flops) / median, achievedBandwidth: Double(bytes) / median)
        }
        try emit(result)
    }
}

/// `persona-bench iterate`: a fixed number of iterations of one algorithm from a fixed start.
struct Iterate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time iterations of lloyd, hamerly, elkan, yinyang or auto from a fixed start."
    )

    @OptionGroup var options: KernelOptions

    @Option(help: "lloyd, hamerly, elkan, yinyang or auto.")
    var algorithm: KMeansAlgorithm = .lloyd

    @Option(help: "Iterations per timed run.")
    var iterations = 1

    struct Result: Encodable {
        var command = "iterate"
        var algorithm: String
        var rows: Int
        var columns: Int
        var k: Int
        var threads: Int
        var iterations: Int
        var distanceEvaluations: Int
        var seconds: Double
        var runs: [Double]
        var secondsPerIteration: Double
    }

    func run() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        let data = options.data()
        let start = SyntheticBlobs.evenlySpacedRows(of: data, count: options.k)
        var outcome = (iterations: 0, distanceEvaluations: 0)
        let runs = Measurement.repeated(options.repeats) {
            outcome = KMeansKernels.iterate(data, start: start, algorithm: algorithm, iterations: iterations,
                                            threads: options.threads)
        }
        let median = Measurement.median(runs)
        try emit(Result(algorithm: algorithm.rawValue, rows: options.rows, columns: options.columns, k: options.k,
                        threads: options.effectiveThreads, iterations: outcome.iterations,
                        distanceEvaluations: outcome.distanceEvaluations, seconds: median, runs: runs,
                        secondsPerIteration: median / Double(max(1, outcome.iterations))))
    }
}

/// `persona-bench seed`: greedy k-means++ seeding.
struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time greedy k-means++ seeding.")

    @OptionGroup var options: KernelOptions

    struct Result: Encodable {
        var command = "seed"
        var rows: Int
        var columns: Int
        var k: Int
        var threads: Int
        var seconds: Double
        var runs: [Double]
    }

    func run() throws {
        let data = options.data()
        var centres = FeatureMatrix(rows: 0, columns: options.columns)
        let runs = Measurement.repeated(options.repeats) {
            centres = KMeansKernels.seed(data, k: options.k, seed: options.seed, threads: options.threads)
        }
        precondition(centres.rows == options.k)
        try emit(Result(rows: options.rows, columns: options.columns, k: options.k, threads: options.effectiveThreads,
                        seconds: Measurement.median(runs), runs: runs))
    }
}

/// `persona-bench machine`: memory bandwidth and peak FLOP/s, on one thread and on all.
struct Machine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure memory bandwidth (STREAM-like read, copy, triad) and peak SIMD FLOP/s."
    )

    @Option(help: "Array size in MB (three arrays are allocated).")
    var megabytes = 256

    @Option(help: "Runs per figure; the best is reported, as STREAM does.")
    var repeats = 3

    @Option(help: "Threads for the multi-threaded figures (default: all cores).")
    var threads: Int?

    struct Result: Encodable {
        var command = "machine"
        var cores: Int
        var oneThread: Figures
        var allThreads: Figures
    }

    struct Figures: Encodable {
        var bandwidth: MachineBounds.Bandwidth
        var peakFlops: Double
    }

    func run() throws {
        guard megabytes >= 1, repeats >= 1 else { throw ValidationError("--megabytes and --repeats must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        let all = threads ?? ProcessInfo.processInfo.activeProcessorCount
        func figures(_ threads: Int) -> Figures {
            Figures(bandwidth: MachineBounds.bandwidth(arrayBytes: megabytes << 20, threads: threads, repeats: repeats),
                    peakFlops: MachineBounds.peakFlops(threads: threads, repeats: repeats))
        }
        try emit(Result(cores: ProcessInfo.processInfo.activeProcessorCount, oneThread: figures(1), allThreads: figures(all)))
    }
}
