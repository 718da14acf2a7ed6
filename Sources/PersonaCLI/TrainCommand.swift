import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// `persona train`: fit personas on a customer CSV and save the model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train personas on a customer CSV and save the model.",
        discussion: """
        Reads the CSV (header row, comma separated, one row per customer), infers the schema from \
        the header (or reads --schema), encodes the segment attributes, runs k-means with \
        k-means++ restarts and writes the model. With --assignments it also writes every \
        customer's persona; with --report-dir the analyst report of the training customers.
        """
    )

    @Option(help: "Customer CSV to train on.")
    var data: String

    @Option(name: .customLong("k"), parsing: .unconditional, help: "Number of personas (k ≥ 1).")
    var k: Int

    @Option(help: "Random seed; the same data and seed give the same model.")
    var seed: UInt64 = 42

    @Option(help: "k-means++ restarts; the lowest-inertia fit is kept.")
    var restarts: Int = 4

    @OptionGroup var input: CustomerInputOptions

    @Option(help: "Iteration cap per restart.")
    var maxIterations: Int = 300

    @Option(help: "Convergence tolerance (relative to the mean column variance).")
    var tolerance: Double = 1e-4

    @Option(help: "The k-means step: auto (default: chosen by k and width), lloyd, hamerly or elkan. All give the same result from the same start.")
    var algorithm: KMeansAlgorithm = .auto

    @Option(help: "After the iterations: hartigan (default; single-point moves that never raise the inertia) or none (plain Lloyd fixed point).")
    var refinement: KMeansRefinement = .hartigan

    @Option(help: "Swap trials of the global step after the restarts (default: 60 up to k = 10, then 600/k, at least 20; 0 turns it off). Each moves one centre where the personas serve the data worst and keeps the result only if the inertia falls.")
    var swapTrials: Int?

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Where to write the model (JSON).")
    var out: String

    @Option(help: "Also write every training customer's persona to this CSV.")
    var assignments: String?

    @Flag(help: "With --assignments: add one membership_<persona id> column per persona, the soft membership (softmax of -d²/(2σ²); see Docs/Assignment.md).")
    var memberships = false

    @Option(help: "Also write the persona report of the training customers into this directory (see `persona report`).")
    var reportDir: String?

    @OptionGroup(title: "Report options (with --report-dir)") var report: ReportOptions

    @Option(help: "Record the run, its personas and every customer's persona in this history file (SQLite).")
    var history: String?

    @Option(help: "Also write the seconds each step took (JSON) to this file.")
    var timings: String?

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let kmeans = KMeansConfiguration(clusterCount: k, restarts: restarts, maxIterations: maxIterations,
                                         tolerance: tolerance, seed: seed, algorithm: algorithm, threads: threads, refinement: refinement,
                                         swapTrials: swapTrials)
        try CommandSupport.check(kmeans)
        if memberships, assignments == nil { throw CommandFailure("--memberships needs --assignments") }
        if reportDir == nil, report.isSet {
            throw CommandFailure("the report options (--value-column, --crosstab-column, --account-column, --report-separator, --min-cell-size) need --report-dir")
        }
        let reportFiles = reportDir.map { dir in ReportSupport.fileNames.map { "\(dir)/\($0)" } } ?? []
        try CommandSupport.checkDistinct(inputs: [data] + (input.schema.map { [$0] } ?? []),
                                         outputs: [out] + (assignments.map { [$0] } ?? []) + reportFiles + (history.map { [$0] } ?? []))
        try CommandSupport.checkWritable(out)
        if let assignments { try CommandSupport.checkWritable(assignments) }
        if let reportDir { try CommandSupport.checkWritableDirectory(reportDir) }

        let start = Date()
        let file = try input.customerFile(data)
        let options = TrainingOptions(kmeans: kmeans, encoding: input.encoding)
        let trained: CustomerFile.TrainingResult
        do {
            var file = file
            if reportDir != nil { file.keptTextColumns = ReportSupport.textColumns(report) }
            let meter = progress.rowMeter()
            file.rowsRead = meter.rows
            trained = try file.train(options: options, createdAt: CommandSupport.now(), step: { step in
                progress.say("\(step)…")
                meter.begin(step)
            }, progress: { step in
                progress.update(String(format: "  start %d/%d: inertia %.6g after %d iterations (best %.6g)", step.restart + 1, step.restarts, step.inertia, step.iterations, step.bestInertia))
            }, keepData: reportDir != nil, keepMatrix: memberships)
        } catch let error as CustomerFileError {
            throw input.failure(error)
        } catch let error as PrincipalComponents.Failure {
            throw CommandFailure("\(data): \(error.description)")
        } catch let error as ModelValidationError {
            throw CommandFailure("\(data): the trained model is unusable: \(error.description)")
        } catch let error as ClusteringError {
            switch error {
            case .tooFewRows, .tooFewDistinctRows: throw CommandFailure("\(data): \(error.description); lower --k")
            default: throw CommandFailure("\(data): \(error.description)")
            }
        }
        let model = trained.model
        let segment = model.schema.segmentAttributes
        progress.say("\(model.training.rowCount) rows; \(segment.count) segment attributes in \(Set(segment.map(\.group)).count) groups, \(model.schema.profileAttributes.count) profile-only")
        let d = model.training.diagnostics
        progress.say("trained in \(CommandSupport.elapsed(since: start)): inertia \(model.training.inertia), \(d.iterations) iterations, converged: \(d.converged)")
        let writeStart = Date()

        // Stage every output completely, then move them all into place: a failure leaves
        // none of them written or half-written.
        // The same report `persona report` writes for the training file, rendered before
        // anything is staged, from the customers training read (the file is not read again).
        let renderedReport = try reportDir.map { _ in
            try ReportSupport.render(model: model, customers: trained.data!, matrix: trained.matrix!, assignments: trained.assignments,
                                     columnNames: trained.columnNames, texts: { trained.texts[$0] }, path: data,
                                     options: report).files
        }
        var soft: PersonaMemberships? = nil
        if memberships, let matrix = trained.matrix {
            soft = model.memberships(matrix, scale: try CommandSupport.membershipScale(of: model, file: out, progress: progress),
                                     threads: threads)
        }
        let store = try history.map(HistorySupport.open)
        var outputs = OutputSet()
        do {
            if let assignments {
                try outputs.stage(pieces: AssignmentsFile.renderPieces(ids: trained.ids, assignments: trained.assignments, model: model,
                                                         memberships: soft),
                                  at: URL(fileURLWithPath: assignments))
            }
            if let reportDir, let renderedReport {
                try ReportWriter.stage(renderedReport, in: URL(fileURLWithPath: reportDir), into: &outputs)
            }
            let modelBytes = try ModelFile.encode(model)
            try outputs.stage(modelBytes, at: URL(fileURLWithPath: out))
            if let history, let store {
                // Recorded before the files move into place: a failure here leaves neither.
                let run = HistorySupport.run(
                    command: "train", modelBytes: modelBytes, dataHash: model.training.dataHash,
                    parameters: ["data": data, "k": k, "seed": seed, "restarts": restarts, "scaling": input.scaling.rawValue,
                                 "balanceGroups": input.balanceGroups, "refinement": refinement.rawValue],
                    rowCount: trained.ids.count)
                let id = try HistorySupport.record(run, in: store, model: model, ids: trained.ids,
                                                   assignments: trained.assignments, staged: &outputs)
                progress.say("recorded run \(id) in \(history)")
            }
            try outputs.commit()
        } catch let error as FileError {
            throw CommandFailure(error.description)
        }
        for url in outputs.destinations { progress.say("wrote \(url.path)") }
        if let timings {
            var seconds = trained.seconds
            seconds["write"] = Date().timeIntervalSince(writeStart)
            seconds["total"] = Date().timeIntervalSince(start)
            seconds["read"] = seconds["survey"]
            let fields = seconds.keys.sorted().map { "\"\($0)Seconds\": \(seconds[$0]!)" }
            try CommandSupport.write(Array(("{" + fields.joined(separator: ", ") + "}\n").utf8), to: timings)
        }
        for persona in model.personas {
            progress.say(String(format: "  persona %d  %5.1f%%  %@", persona.id, persona.share * 100, persona.name))
        }
    }
}
