import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit
import PersonaStore

/// `persona timeline`: every run of a history, persona by persona.
struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Follow the personas through every run of a history: sizes, flows, lineage, paths and an alluvial chart.",
        discussion: """
        Reads a history file written by `train`, `retrain` and `assign` with --history and \
        writes into --out-dir: timeline.csv (each persona's customers and share per run, \
        new / continuing / retired), flows.csv (customers from persona to persona between \
        consecutive runs, new customers and leavers with an empty persona), lineage.csv (each \
        persona's parents, MONIC events and lifetime), paths.csv (customers by number of \
        persona changes, and the most common paths such as 3>1>1) and timeline.svg (an \
        alluvial chart). --from and --to choose a range of runs by number. See Docs/Drift.md.
        """
    )

    @Option(help: "History file (SQLite) written with --history.")
    var history: String

    @Option(help: "Directory to write the timeline files into (created if needed).")
    var outDir: String

    @Option(help: "The first run to follow (default: the first recorded).")
    var from: Int64?

    @Option(help: "The last run to follow (default: the last recorded).")
    var to: Int64?

    @Option(help: "How many of the most common customer paths paths.csv lists.")
    var topPaths: Int = 20

    @Option(help: "MONIC survival threshold τ: the share of a persona's customers that must stay together.")
    var tau: Double = 0.5

    @Option(help: "MONIC split threshold τ_split: the smallest share a part of a split must take.")
    var tauSplit: Double = 0.1

    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        if topPaths < 0 { throw ValidationError("--top-paths \(topPaths): must not be negative") }
        if let from, let to, from > to { throw ValidationError("--from \(from) comes after --to \(to)") }
    }

    func run() throws {
        try CommandSupport.checkDistinct(inputs: [history],
                                         outputs: TimelineReport.fileNames.map { "\(outDir)/\($0)" })
        try CommandSupport.checkWritableDirectory(outDir)
        let timeline = try Self.load(history: history, from: from, to: to,
                                     thresholds: TransitionThresholds(survival: tau, split: tauSplit),
                                     commonPaths: topPaths, progress: progress)
        var outputs = OutputSet()
        do {
            try TimelineReport(timeline).stage(in: URL(fileURLWithPath: outDir), into: &outputs)
            try outputs.commit()
        } catch {
            throw CommandFailure(error.description)
        }
        progress.say("wrote \(TimelineReport.fileNames.count) timeline files into \(outDir) for \(timeline.runs.count) runs "
                     + "and \(timeline.customers) customers")
    }

    /// The timeline of the runs `from` … `to` (by number, both included) of the history file
    /// `history`; errors name the file and the value.
    static func load(history: String, from: Int64? = nil, to: Int64? = nil,
                     thresholds: TransitionThresholds = TransitionThresholds(), commonPaths: Int = 20,
                     progress: ProgressOptions? = nil) throws -> PersonaTimeline {
        guard FileManager.default.fileExists(atPath: history) else {
            throw CommandFailure("history \(history): no such file")
        }
        let store = try HistorySupport.open(history)
        let recorded = try HistorySupport.recording { try store.runs() }
        guard !recorded.isEmpty else { throw CommandFailure("history \(history): no runs recorded") }
        let ids = recorded.compactMap(\.id)
        func check(_ id: Int64?, _ option: String) throws {
            guard let id, !ids.contains(id) else { return }
            throw CommandFailure("history \(history): \(option) \(id): no such run "
                                 + "(runs: \(ids.map(String.init).joined(separator: ", ")))")
        }
        try check(from, "--from")
        try check(to, "--to")
        let selected = recorded.filter { run in
            (from.map { run.id! >= $0 } ?? true) && (to.map { run.id! <= $0 } ?? true)
        }
        var runs = [TimelineRun]()
        for run in selected {
            let model: PersonaModel
            do { model = try ModelFile.decode(run.model, file: "run \(run.id!)") } catch {
                throw CommandFailure("history \(history): \(error.description)")
            }
            let members = try HistorySupport.recording { try store.assignments(ofRun: run.id!) }
            guard !members.isEmpty else {
                throw CommandFailure("history \(history): run \(run.id!) (\(run.command), \(run.createdAt)) recorded no "
                                     + "per-customer assignments; the timeline needs every run's customers "
                                     + "(choose other runs with --from/--to)")
            }
            runs.append(TimelineRun(id: run.id!, time: run.createdAt, model: model, members: members))
            progress?.update("read run \(run.id!) (\(run.command), \(members.count) customers)", plain: false)
        }
        do {
            return try PersonaTimeline(runs: runs, thresholds: thresholds, commonPaths: commonPaths)
        } catch {
            throw CommandFailure("history \(history): \(error.description)")
        }
    }
}
