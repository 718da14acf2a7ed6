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
        outlier flag; with --memberships also each customer's soft membership of every persona. \
        A category the model never saw is treated as a missing value (a warning \
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

    @Flag(help: "Add one membership_<persona id> column per persona to the assignment CSV: the soft membership, softmax of -d²/(2σ²) over the personas (see Docs/Assignment.md).")
    var memberships = false

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Identifier column of the data, when it differs from the model's.")
    var idColumn: String?

    @Option(help: "Record the run and every customer's persona in this history file (SQLite).")
    var history: String?

    @OptionGroup(title: "Customer file format") var dataFormat: CustomerFormatOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        if let threads, threads < 1 { throw CommandFailure("--threads \(threads): must be at least 1") }
        try CommandSupport.checkDistinct(inputs: [data, model], outputs: [out] + (history.map { [$0] } ?? []))
        try CommandSupport.checkWritable(out)
        let model = try CommandSupport.loadModel(self.model)
        let scale = memberships ? try CommandSupport.membershipScale(of: model, file: self.model, progress: progress) : nil
        let start = Date()
        let policy: UnknownCategoryPolicy = strictCategories ? .reject : .treatAsMissing

        // Read, encode, assign and write a few batches at a time, the batches of a group in
        // parallel: memory stays bounded by the batch size whatever the number of rows, and
        // the output is written in input order.
        let reader = try CommandSupport.openStream(data, dialect: dataFormat.dialect, hashing: history != nil)
        let output: StagedFile
        do { output = try StagedFile(destination: URL(fileURLWithPath: out)) } catch { throw CommandFailure(error.description) }
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let job = AssignmentsFile.BatchJob(model: model, idColumn: idColumn, policy: policy, file: data, keepRows: history != nil,
                                               membershipScale: scale)
        var count = 0, outliers = 0, unknownCount = 0
        var firstUnknown: String? = nil
        let meter = progress.rowMeter()
        meter.begin("assigning \(data)")
        func assignAll(record: ((String, Int, Double) throws -> Void)?) throws {
            try CommandSupport.naming(data) { try reader.forEachBatch(workers: workers, transform: { batch in try job.run(batch) }) { (_, piece: AssignmentsFile.BatchJob.Piece) in
                var bytes = piece.bytes
                if count == 0 { bytes.insert(contentsOf: piece.header, at: 0) }
                do { try output.write(bytes) } catch let error as FileError { throw CommandFailure(error.description) }
                if let record { for row in piece.records { try record(row.0, row.1, row.2) } }
                count += piece.rows
                meter.rows(count)
                outliers += piece.outliers
                unknownCount += piece.unknownCount
                if firstUnknown == nil { firstUnknown = piece.firstUnknown }
            } }
            if count == 0 {
                // No data rows: report what reading them would (a header problem, or no rows).
                do { _ = try model.read(RawTable(columnNames: reader.header, columns: reader.header.map { _ in [] }), idColumn: idColumn) } catch {
                    throw CommandSupport.dataFailure(error, file: data)
                }
            }
        }
        if let history {
            // One transaction for the whole run: a failure anywhere records nothing.
            let store = try HistorySupport.open(history)
            let modelBytes: Data
            do { modelBytes = try AtomicFile.readData(at: URL(fileURLWithPath: self.model)) } catch { throw CommandFailure(error.description) }
            let placeholder = HistorySupport.run(command: "assign", modelBytes: modelBytes, dataHash: nil,
                                                 parameters: ["data": data, "model": self.model], rowCount: 0)
            let recorded = try HistorySupport.recording {
                try store.record(placeholder, personas: model.personas) { add in
                    try withoutActuallyEscaping(add) { add in try assignAll(record: add) }
                    return reader.contentHash.map { FNV1a64.label + $0 }
                }
            }
            progress.say("recorded run \(recorded.id!) in \(history)")
        } else {
            try assignAll(record: nil)
        }
        do { try output.commit() } catch { throw CommandFailure(error.description) }
        if let first = firstUnknown {
            progress.say("warning: \(unknownCount) cell(s) hold categories the model was not trained on and were treated as missing (first: \(first))")
        }
        progress.say("assigned \(count) customers (\(outliers) outliers) in \(CommandSupport.elapsed(since: start)); wrote \(out)")
    }
}
