import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// `persona schema`: show the schema inferred from a CSV, as a schema file to edit.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Infer the schema of a customer CSV and write it as JSON (a starting point for --schema)."
    )

    @Option(help: "Customer CSV.")
    var data: String

    @Option(help: "Identifier column.")
    var idColumn: String = "customer_id"

    @Option(help: "Where to write the schema (default: standard output).")
    var out: String?

    @OptionGroup(title: "Customer file format") var dataFormat: CustomerFormatOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        if let out {
            try CommandSupport.checkDistinct(inputs: [data], outputs: [out])
            try CommandSupport.checkWritable(out)
        }
        let loaded = try CommandSupport.loadTable(data, dialect: dataFormat.dialect)
        let schema: PersonaSchema
        do { schema = try PersonaSchema.infer(from: loaded.table, idColumn: idColumn) } catch {
            throw CommandSupport.dataFailure(error, file: data)
        }
        let json = try SchemaFile.encode(schema)
        if let out {
            try CommandSupport.write(Array(json), to: out)
            progress.say("wrote the schema to \(out)")
        } else {
            FileHandle.standardOutput.write(json)
        }
    }
}
