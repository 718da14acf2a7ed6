import Benchmark
import BenchmarkSupport
import Foundation
import PersonaIO
import PersonaKit

// CSV parsing on a generated customer file: 100,000 rows, `customer_id` and 30 numeric
// attribute columns with four decimals (about 24 MB), written to the temporary directory
// before the first benchmark and removed after each.

let rows = 100_000, columns = 30

/// Where this process writes its file.
let file = FileManager.default.temporaryDirectory
    .appendingPathComponent("persona-csv-benchmark-\(ProcessInfo.processInfo.processIdentifier).csv")

/// Writes the file (once per benchmark) and returns its size in bytes.
@Sendable func writeFile() throws -> Int {
    try SyntheticCSV.write(SyntheticBlobs.matrix(rows: rows, columns: columns, clusters: 8, seed: 1), to: file)
}

@Sendable func removeFile() throws {
    try? FileManager.default.removeItem(at: file)
}

/// Decimal megabytes per second of one pass.
let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

/// Times `body` and reports the file's bytes per second as `megabytesPerSecond`.
func measureThroughput(_ benchmark: Benchmark, bytes: Int, _ body: () throws -> Void) rethrows {
    let seconds = try Measurement.seconds(body)
    benchmark.measurement(megabytesPerSecond, Int((Double(bytes) / 1e6 / seconds).rounded()))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, megabytesPerSecond],
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 50
    )

    // The streaming reader as training reads: every batch, every cell through `number`.
    Benchmark("CSVStreamReader number() 100k×31") { benchmark, bytes in
        try measureThroughput(benchmark, bytes: bytes) {
            let reader = try CSVStreamReader(contentsOf: file)
            let width = reader.header.count
            var sum = 0.0
            while let batch = try reader.nextBatch() {
                for r in 0..<batch.count {
                    for c in 0..<width { sum += batch.number(row: r, column: c) ?? 0 }
                }
            }
            blackHole(sum)
        }
    } setup: {
        try writeFile()
    } teardown: {
        try removeFile()
    }

    // The whole-file reader: the file into a table of text cells, nothing parsed.
    Benchmark("CSVReader.read 100k×31") { benchmark, bytes in
        try measureThroughput(benchmark, bytes: bytes) {
            blackHole(try CSVReader.read(contentsOf: file).rowCount)
        }
    } setup: {
        try writeFile()
    } teardown: {
        try removeFile()
    }
}
