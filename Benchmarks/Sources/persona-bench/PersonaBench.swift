import ArgumentParser
import BenchmarkSupport
import Foundation
import PersonaIO
@_spi(Benchmarks) import PersonaKit

/// `persona-bench`: single measurements printed as one JSON object, for scripts that time
/// Persona's kernels and parser in the same run as other tools (see `compare.py`).
@main
struct PersonaBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persona-bench",
        abstract: "Time Persona's kernels and CSV parser; print the figures as JSON.",
        subcommands: [CSVParse.self, AssignPass.self, Iterate.self, Seed.self, Machine.self, AssignCustomer.self]
    )
}

/// Options every kernel measurement shares: the synthetic data and the repeats.
struct KernelOptions: ParsableArguments {
    @Option(help: "Rows of the synthetic data.")
    var rows = 1_000_000

    @Option(help: "Columns of the synthetic data.")
    var columns = 30

    @Option(name: .customLong("k"), help: "Number of centres.")
    var k = 8

    @Option(help: "Seed of the synthetic data (Gaussian blobs with k clusters).")
    var seed: UInt64 = 1

    @Option(help: "Timed runs; the median is reported.")
    var repeats = 5

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard rows >= 1, columns >= 1 else { throw ValidationError("--rows and --columns must be at least 1") }
        guard k >= 1, k <= rows else { throw ValidationError("--k \(k) must be in 1…\(rows)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    var effectiveThreads: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    func data() -> FeatureMatrix { SyntheticBlobs.matrix(rows: rows, columns: columns, clusters: k, seed: seed) }
}

/// Prints `value` as one line of JSON with sorted keys.
func emit(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

extension KMeansAlgorithm: @retroactive ExpressibleByArgument {}
