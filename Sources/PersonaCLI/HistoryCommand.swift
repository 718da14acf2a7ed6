import ArgumentParser
import Foundation
import PersonaStore

/// `persona history`: what a history file recorded.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show a customer's persona path through the recorded runs, or the runs themselves.",
        discussion: """
        Reads a history file written by `train`, `retrain` or `assign` with --history. With \
        --customer it prints one line per run that saw the customer: run, time, command, \
        persona id and name, distance. Without it, one line per run.
        """
    )

    @Option(help: "History file (SQLite) written with --history.")
    var history: String

    @Option(help: "A customer identifier: print the customer's persona in every run.")
    var customer: String?

    /// Accepted for symmetry with the other commands; `history` prints only its result.
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        guard FileManager.default.fileExists(atPath: history) else {
            throw CommandFailure("history \(history): no such file")
        }
        let store = try HistorySupport.open(history)
        var lines = [String]()
        if let customer {
            let steps = try HistorySupport.recording { try store.path(ofCustomer: customer) }
            guard !steps.isEmpty else { throw CommandFailure("history \(history): no run recorded customer '\(customer)'") }
            lines.append("run\ttime\tcommand\tpersona\tpersona_name\tdistance")
            var previous: Int? = nil
            for step in steps {
                let change = previous.map { $0 == step.personaId ? "" : "\t(was \($0))" } ?? ""
                lines.append("\(step.runId)\t\(step.createdAt)\t\(step.command)\t\(step.personaId)\t\(step.personaName)\t\(String(format: "%.4f", step.distance))\(change)")
                previous = step.personaId
            }
        } else {
            lines.append("run\ttime\tcommand\tcustomers\tpersonas\tmodel")
            for run in try HistorySupport.recording({ try store.runs() }) {
                let personas = try HistorySupport.recording { try store.personas(ofRun: run.id!) }
                lines.append("\(run.id!)\t\(run.createdAt)\t\(run.command)\t\(run.rowCount)\t\(personas.count)\t\(run.modelHash)")
            }
        }
        print(lines.joined(separator: "\n"))
    }
}
