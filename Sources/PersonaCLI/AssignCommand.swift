import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// `persona assign`: assign customers to the personas of a saved model.
struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assign customers to the personas of a saved model.",
        discussion: """
        Reads a customer CSV with the model's segment columns (extra columns are ignored) and \
        writes each customer's nearest persona, its distance, the runner-up, the margin and an \
        outlier flag. A category the model never saw is treated as a missing value (a warning \
        says how many); --strict-categories makes it an error instead.
        """
    )

    @Option(help: "Model file written by `persona train`.")
    var model: String

    @Option(help: "Customer CSV to assign.")
    var data: String

    @Option(help: "Where to write the assignment CSV.")
    var out: String

    @Flag(help: "Fail on a category the model was not trained on.")
    var strictCategories = false

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Identifier column of the data, when it differs from the model's.")
    var idColumn: String?

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        if let threads, threads < 1 { throw CommandFailure("--threads \(threads): must be at least 1") }
        try CommandSupport.checkDistinct(inputs: [data, model], outputs: [out])
        try CommandSupport.checkWritable(out)
        let model = try CommandSupport.loadModel(self.model)
        let start = Date()
        let loaded = try CommandSupport.loadTable(data)
        let customers: CustomerData
        do {
            customers = try model.read(loaded.table, idColumn: idColumn, unknownCategories: strictCategories ? .reject : .treatAsMissing)
        } catch {
            throw CommandSupport.dataFailure(error, file: data)
        }
        if customers.unknownCategoryCount > 0, let first = customers.unknownCategories.first {
            progress.say("warning: \(customers.unknownCategoryCount) cell(s) hold categories the model was not trained on and were treated as missing (first: row \(first.row + 2), column '\(first.column)', '\(first.value)')")
        }
        let assignments: [PersonaAssignment]
        do { assignments = try model.assign(customers, threads: threads) } catch {
            throw CommandSupport.dataFailure(error, file: data)
        }
        try CommandSupport.write(AssignmentsFile.render(ids: customers.ids, assignments: assignments, model: model,
                                                        idColumn: customers.schema.idColumn), to: out)
        let outliers = assignments.lazy.filter(\.isOutlier).count
        progress.say("assigned \(assignments.count) customers (\(outliers) outliers) in \(CommandSupport.elapsed(since: start)); wrote \(out)")
    }
}
