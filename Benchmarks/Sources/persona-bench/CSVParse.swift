import ArgumentParser
import BenchmarkSupport
import Foundation
import PersonaIO

/// `persona-bench csv-parse FILE`: read every batch of a CSV on the calling thread and parse
/// every cell with `number`, as training does.
struct CSVParse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv-parse",
        abstract: "Parse every cell of a CSV file as a number on one core; report seconds and MB/s."
    )

    @Argument(help: "The CSV file.")
    var file: String

    @Option(help: "Timed runs after one untimed run that warms the page cache; the median is reported.")
    var repeats = 3

    @Option(help: "Bytes the streaming reader reads at a time (default: the reader's own).")
    var chunkSize: Int?

    struct Result: Encodable {
        var command = "csv-parse"
        var file: String
        var bytes: Int
        var rows: Int
        var columns: Int
        /// Cells that parsed as numbers (the identifier column does not).
        var numbers: Int
        var seconds: Double
        var runs: [Double]
        /// Decimal megabytes (10⁶ bytes) per second at the median.
        var megabytesPerSecond: Double
    }

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        if let chunkSize, chunkSize < 1 { throw ValidationError("--chunk-size must be at least 1") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let bytes = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
        var shape = (rows: 0, columns: 0, numbers: 0)
        _ = try parse(url)
        let runs = try Measurement.repeated(repeats) { shape = try parse(url) }
        let median = Measurement.median(runs)
        try emit(Result(file: file, bytes: bytes, rows: shape.rows, columns: shape.columns, numbers: shape.numbers,
                        seconds: median, runs: runs, megabytesPerSecond: Double(bytes) / 1e6 / median))
    }

    /// One pass over the file: every batch, every cell through `number(row:column:)`.
    func parse(_ url: URL) throws -> (rows: Int, columns: Int, numbers: Int) {
        let reader = try chunkSize.map { size throws(CSVError) in try CSVStreamReader(contentsOf: url, chunkSize: size) }
            ?? CSVStreamReader(contentsOf: url)
        let columns = reader.header.count
        var rows = 0, numbers = 0
        var checksum = 0.0
        while let batch = try reader.nextBatch() {
            for r in 0..<batch.count {
                for c in 0..<columns {
                    if let value = batch.number(row: r, column: c) { numbers += 1; checksum += value }
                }
            }
            rows += batch.count
        }
        if checksum.isNaN { FileHandle.standardError.write(Data("checksum is NaN\n".utf8)) }
        return (rows, columns, numbers)
    }
}
