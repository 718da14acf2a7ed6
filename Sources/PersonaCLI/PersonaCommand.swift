import ArgumentParser
import PersonaKit

/// The `persona` command: train, assign and report customer personas.
public struct PersonaCommand: ParsableCommand {
    /// The command's description and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "persona",
        abstract: "Segment customers into personas and follow them through time.",
        discussion: """
        Typical use: train personas on a customer CSV, write every customer's persona and an \
        analyst report, then assign new or changed customers with the saved model:

          persona train --data q1.csv --k 6 --out model.json \\
                        --assignments q1-personas.csv --report-dir report
          persona assign --model model.json --data q2.csv --out q2-personas.csv
          persona report --model model.json --data q2.csv --out-dir q2-report
        """,
        version: personaKitVersion,
        subcommands: [TrainCommand.self, ChooseKCommand.self, AssignCommand.self, RetrainCommand.self, UpdateCommand.self, DriftCommand.self, ReportCommand.self, ExplainCommand.self, HistoryCommand.self, TimelineCommand.self, MapCommand.self, ExportSQLCommand.self, SampleCommand.self, SchemaCommand.self, FeaturesCommand.self]
    )

    /// Creates the command (used by the argument parser).
    public init() {}

    /// Parses the command line and runs the command; a progress status still open on the
    /// terminal gets its own line before any error message.
    public static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
            ProgressLine.standardError.end()
        } catch {
            ProgressLine.standardError.end()
            exit(withError: error)
        }
    }
}
