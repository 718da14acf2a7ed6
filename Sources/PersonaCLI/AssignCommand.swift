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
        let policy: UnknownCategoryPolicy = strictCategories ? .reject : .treatAsMissing

        // Read, encode, assign and write one batch at a time: memory stays bounded by the
        // batch size whatever the number of rows.
        let reader = try CommandSupport.openStream(data)
        let output: StagedFile
        do { output = try StagedFile(destination: URL(fileURLWithPath: out)) } catch { throw CommandFailure(error.description) }
        var count = 0, outliers = 0, unknownCount = 0
        var firstUnknown: (row: Int, column: String, value: String)? = nil
        var idColumnName = idColumn ?? model.schema.idColumn
        while let batch = try CommandSupport.next(reader) {
            let customers: CustomerData
            let assignments: [PersonaAssignment]
            do {
                customers = try model.read(batch, idColumn: idColumn, unknownCategories: policy, profiles: false)
                assignments = try model.assign(customers, threads: threads)
            } catch {
                throw CommandSupport.dataFailure(error, file: data, rowOffset: batch.firstRow)
            }
            if let first = customers.unknownCategories.first, firstUnknown == nil {
                firstUnknown = (first.row + batch.firstRow, first.column, first.value)
            }
            unknownCount += customers.unknownCategoryCount
            idColumnName = customers.schema.idColumn
            do {
                try output.write(AssignmentsFile.render(ids: customers.ids, assignments: assignments, model: model,
                                                        idColumn: idColumnName, includeHeader: count == 0))
            } catch { throw CommandFailure(error.description) }
            count += assignments.count
            outliers += assignments.lazy.filter(\.isOutlier).count
        }
        if count == 0 {
            // No data rows: report what reading them would (a header problem, or no rows).
            do { _ = try model.read(RawTable(columnNames: reader.header, columns: reader.header.map { _ in [] }), idColumn: idColumn) } catch {
                throw CommandSupport.dataFailure(error, file: data)
            }
        }
        do { try output.commit() } catch { throw CommandFailure(error.description) }
        if let first = firstUnknown {
            progress.say("warning: \(unknownCount) cell(s) hold categories the model was not trained on and were treated as missing (first: row \(first.row), column '\(first.column)', '\(first.value)')")
        }
        progress.say("assigned \(count) customers (\(outliers) outliers) in \(CommandSupport.elapsed(since: start)); wrote \(out)")
    }
}
