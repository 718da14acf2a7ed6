import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

extension SQLDialect: ExpressibleByArgument {}

/// `persona export-sql`: write the SQL query that assigns a table's customers as `persona assign` does.
struct ExportSQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-sql",
        abstract: "Write one SQL query that assigns a table's customers to the model's personas.",
        discussion: """
        The query reproduces `persona assign` on a table holding the identifier column and the \
        model's segment columns (numbers as numbers, categories as text, NULL for missing): the \
        same encoding, nearest persona, runner-up, margin and outlier flag, row for row. Its \
        columns are those of the assignment CSV, with --memberships the membership_<persona id> \
        columns of `persona assign --memberships` too. See Docs/SQL.md and Docs/Scale.md.
        """
    )

    @Option(help: "Model file written by `persona train`.")
    var model: String

    @Option(help: "SQL dialect: \(SQLDialect.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dialect: SQLDialect

    @Option(help: "Table (or view) holding the customers; dots separate schema parts.")
    var table: String = "customers"

    @Option(help: "Identifier column of the table, when it differs from the model's.")
    var idColumn: String?

    @Flag(help: "Also return one membership_<persona id> column per persona, as `persona assign --memberships` writes them.")
    var memberships = false

    @Option(help: "Where to write the query (default: standard output).")
    var out: String?

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        if let out {
            try CommandSupport.checkDistinct(inputs: [model], outputs: [out])
            try CommandSupport.checkWritable(out)
        }
        let model = try CommandSupport.loadModel(self.model)
        if memberships { _ = try CommandSupport.membershipScale(of: model, file: self.model, progress: progress) }
        let sql: String
        do {
            sql = try AssignmentSQL.query(for: model, dialect: dialect, table: table, idColumn: idColumn, memberships: memberships)
        } catch {
            throw CommandFailure(error.description)
        }
        if let out {
            try CommandSupport.write(Array(sql.utf8), to: out)
            progress.say("wrote the query to \(out)")
        } else {
            FileHandle.standardOutput.write(Data(sql.utf8))
        }
    }
}
