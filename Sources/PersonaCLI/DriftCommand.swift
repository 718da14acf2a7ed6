import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit
import PersonaStore

/// `persona drift`: compare two periods' personas.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare two periods: customer transitions, movers, persona events and share PSI.",
        discussion: """
        Either two runs of a history file (--history, by default its last two runs; \
        --from/--to choose others), or two assignment CSVs (--before/--after; add \
        --before-model/--after-model for persona events and their internal changes). Persona \
        identities must already be carried over (train, then retrain).
        """
    )

    @Option(help: "History file (SQLite) written with --history.")
    var history: String?

    @Option(help: "The earlier run of the history (default: the last but one).")
    var from: Int64?

    @Option(help: "The later run of the history (default: the last).")
    var to: Int64?

    @Option(help: "The earlier period's assignment CSV.")
    var before: String?

    @Option(help: "The later period's assignment CSV.")
    var after: String?

    @Option(help: "The earlier period's model (for persona events).")
    var beforeModel: String?

    @Option(help: "The later period's model (for persona events).")
    var afterModel: String?

    @OptionGroup var drift: DriftOptions
    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let previousMembers: [String: Int], currentMembers: [String: Int]
        var previousDistances: [String: Double]? = nil, currentDistances: [String: Double]? = nil
        var previousModel: PersonaModel? = nil, currentModel: PersonaModel? = nil
        if let history {
            guard before == nil, after == nil else { throw CommandFailure("use either --history or --before/--after, not both") }
            guard FileManager.default.fileExists(atPath: history) else { throw CommandFailure("history \(history): no such file") }
            let store = try HistorySupport.open(history)
            let runs = try HistorySupport.recording { try store.runs() }
            guard runs.count >= 2 || (from != nil && to != nil) else {
                throw CommandFailure("history \(history): \(runs.count) run(s) recorded; drift needs two")
            }
            func run(_ id: Int64?, default fallback: HistoryRun) throws -> HistoryRun {
                guard let id else { return fallback }
                guard let run = runs.first(where: { $0.id == id }) else {
                    throw CommandFailure("history \(history): no run \(id) (runs: \(runs.compactMap(\.id).map(String.init).joined(separator: ", ")))")
                }
                return run
            }
            let earlier = try run(from, default: runs[runs.count - 2]), later = try run(to, default: runs[runs.count - 1])
            previousMembers = try HistorySupport.recording { try store.assignments(ofRun: earlier.id!) }
            currentMembers = try HistorySupport.recording { try store.assignments(ofRun: later.id!) }
            do {
                previousModel = try ModelFile.decode(earlier.model, file: "run \(earlier.id!)")
                currentModel = try ModelFile.decode(later.model, file: "run \(later.id!)")
            } catch { throw CommandFailure("history \(history): \(error.description)") }
            progress.say("comparing run \(earlier.id!) (\(earlier.command), \(earlier.createdAt)) with run \(later.id!) (\(later.command), \(later.createdAt))")
        } else {
            guard let before, let after else { throw CommandFailure("give --history FILE, or --before A.csv and --after B.csv") }
            (previousMembers, previousDistances) = try RetrainCommand.readAssignments(before)
            (currentMembers, currentDistances) = try RetrainCommand.readAssignments(after)
            if let beforeModel { previousModel = try CommandSupport.loadModel(beforeModel) }
            if let afterModel { currentModel = try CommandSupport.loadModel(afterModel) }
        }
        if let dir = drift.driftOut { try CommandSupport.checkWritableDirectory(dir) }

        let comparison: PeriodComparison
        do {
            comparison = try PeriodComparison(
                previous: PeriodSnapshot(model: previousModel, members: previousMembers, distances: previousDistances),
                current: PeriodSnapshot(model: currentModel, members: currentMembers, distances: currentDistances),
                thresholds: drift.thresholds)
        } catch { throw CommandFailure(error.description) }
        let report = DriftReport(before: previousModel.map(DriftReport.Side.init(model:)) ?? .init(members: previousMembers),
                                 after: currentModel.map(DriftReport.Side.init(model:)) ?? .init(members: currentMembers),
                                 comparison: comparison)
        if let dir = drift.driftOut {
            var outputs = OutputSet()
            do {
                try report.stage(in: URL(fileURLWithPath: dir), into: &outputs)
                try outputs.commit()
            } catch { throw CommandFailure(error.description) }
            for url in outputs.destinations { progress.say("wrote \(url.path)") }
        }
        print(report.summary(), terminator: "")
        try drift.check(report)
    }
}
