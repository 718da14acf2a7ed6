import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit
import PersonaSynthetic

/// `persona sample`: generate the synthetic customer data bundled in SampleData/.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate synthetic customer data over the eight persona attribute groups.",
        discussion: """
        Writes two periods of the same customers (customers-2026-q1.csv, customers-2026-q2.csv, \
        where some customers changed persona, some left and some joined) and the schema inferred \
        from the first period (schema.json). The bundled SampleData/ was made with the defaults. \
        See SampleData/README.md.
        """
    )

    @Option(help: "Directory to write into (created if needed).")
    var outDir: String

    @Option(help: "Customers in the first period.")
    var customers: Int = 5000

    @Option(help: "Random seed.")
    var seed: UInt64 = 2026

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        guard customers >= 1 else { throw CommandFailure("--customers \(customers): must be at least 1") }
        try CommandSupport.checkWritableDirectory(outDir)
        let generator = SyntheticCustomers(configuration: .init(customerCount: customers, seed: seed))
        let first = generator.firstPeriod().table
        let second = generator.secondPeriod().table
        let schema: PersonaSchema
        do { schema = try PersonaSchema.infer(from: first) } catch { throw CommandFailure(error.description) }
        let directory = URL(fileURLWithPath: outDir)
        do {
            try AtomicFile.createDirectory(directory)
            for (name, table) in [("customers-2026-q1.csv", first), ("customers-2026-q2.csv", second)] {
                let rows = (0..<table.rowCount).lazy.map { table.row($0) }
                try CSVWriter.write(header: table.columnNames, rows: rows, to: directory.appendingPathComponent(name))
                progress.say("wrote \(outDir)/\(name) (\(table.rowCount) customers)")
            }
            try AtomicFile.write(try SchemaFile.encode(schema), to: directory.appendingPathComponent("schema.json"))
        } catch let error as FileError {
            throw CommandFailure(error.description)
        }
        progress.say("wrote \(outDir)/schema.json")
    }
}
