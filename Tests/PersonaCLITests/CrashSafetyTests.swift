import Foundation
@testable import PersonaCLI
@testable import PersonaIO
import PersonaKit
import PersonaStore
import TestSupport
import Testing

/// `persona train`, `persona retrain` and `persona assign --history` run as the real
/// executable and killed with SIGKILL at random moments — seeded, spread over the whole run,
/// from start-up to the last rename — many times each. After every kill:
///
/// - the previous model file is byte-identical and loads; an output is either as it was
///   before the run or complete (byte-identical to what an uninterrupted run writes);
/// - outputs appear in staging order (a new model implies new assignments and drift files);
/// - the history passes SQLite's integrity check, every run in it is whole, and a run whose
///   model file is in place is recorded (the history is written before the files move);
/// - nothing is left under a visible name but the expected outputs; the only leftovers are
///   hidden staged files of a killed process, `.<name>.staged-…`, and the next run that
///   writes the same output removes them.
///
/// Finally each command runs to completion and the history takes the new run.
@Suite("crash safety", .serialized)
struct CrashSafetyTests {
    /// Kills per command.
    static let kills = 12

    /// Runs `persona arguments` and sends it SIGKILL after `delay` seconds unless it ended
    /// first; returns whether it was killed.
    static func run(_ persona: URL, _ arguments: [String], killAfter delay: Double) throws -> Bool {
        let process = Process()
        process.executableURL = persona
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        if !killed {
            #expect(process.terminationReason == .exit && process.terminationStatus == 0, "persona \(arguments[0]) failed")
        }
        return killed
    }

    /// Runs `persona arguments` to completion and returns how long it took.
    static func timedRun(_ persona: URL, _ arguments: [String]) throws -> Double {
        let start = Date()
        #expect(try !run(persona, arguments, killAfter: 600))
        return Date().timeIntervalSince(start)
    }

    /// The file's bytes, or `nil` when it does not exist.
    static func contents(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Names in `directory` (recursively) that are neither `allowed` nor hidden staged files
    /// of one of the `outputs` (a file name inside its own directory).
    static func unexpectedNames(in directory: String, allowed: Set<String>, outputs: [String]) throws -> [String] {
        try snapshot(directory).keys.filter { relative in
            if allowed.contains(relative) { return false }
            let name = (relative as NSString).lastPathComponent
            return !outputs.contains { output in
                (relative as NSString).deletingLastPathComponent == (output as NSString).deletingLastPathComponent
                    && HiddenFile.isHidden(name, of: (output as NSString).lastPathComponent)
            }
        }.sorted()
    }

    /// Hidden files anywhere under `directory`.
    static func hiddenFiles(in directory: String) throws -> [String] {
        try snapshot(directory).keys.filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }.sorted()
    }

    /// The history is sound, every run whole, and it has a run of the model file at `model`
    /// (when given).
    static func checkHistory(_ path: String, recording model: String? = nil) throws {
        let store = try HistoryStore(path: path)
        #expect(try store.integrityProblems().isEmpty)
        let runs = try store.runs()
        for run in runs {
            #expect(try store.assignments(ofRun: run.id!).count == run.rowCount, "run \(run.id!) is whole")
            #expect(try !store.personas(ofRun: run.id!).isEmpty, "run \(run.id!) has its personas")
            #expect(try ModelFile.decode(run.model, file: "history").personas.count >= 1)
        }
        if let model, let bytes = contents(model) {
            let hash = FNV1a64.labelled(bytes)
            #expect(runs.contains { $0.modelHash == hash }, "the model in place has no run in the history")
        }
    }

    /// One kill-and-check campaign: a first complete run of `arguments` measures the duration;
    /// then each attempt kills a run at a random moment (seeded) and `check` looks at the
    /// result; a last complete run ends it. `check` gets the attempt number (-1 after the
    /// first run, `kills` after the last).
    static func campaign(seed: UInt64, arguments: [String], check: (_ attempt: Int) throws -> Void) throws -> Int {
        guard let persona = personaExecutable() else {
            Issue.record("the persona executable was not found beside \(CommandLine.arguments[0])")
            return 0
        }
        var rng = SeededGenerator(seed: seed)
        var killed = 0
        var duration = try timedRun(persona, arguments)
        try check(-1)
        for attempt in 0..<kills {
            // Spread over the whole run, start-up to the last rename. The machine's load
            // changes how long a run takes: a run that ends before its kill becomes the new
            // estimate of the duration.
            let delay = duration * 1.1 * rng.nextUnitDouble()
            let start = Date()
            if try run(persona, arguments, killAfter: delay) {
                killed += 1
            } else {
                duration = Date().timeIntervalSince(start)
            }
            try check(attempt)
        }
        _ = try timedRun(persona, arguments)
        try check(kills)
        return killed
    }

    @Test("persona train killed at random points: the previous model stays intact, outputs whole or untouched, history sound")
    func killTrain() throws {
        let scratch = try Scratch("crash-train")
        let (q1, q2) = try HistoryTests.periods(in: scratch, customers: 2_000)
        let model = scratch.path("out/model.json"), assignments = scratch.path("out/assignments.csv")
        let history = scratch.path("state/history.sqlite")
        // The model that every run overwrites, recorded in the history.
        try runPersona(["train", "--data", q2, "--k", "3", "--out", model, "--history", history, "-q"])
        let arguments = ["train", "--data", q1, "--k", "4", "--seed", "9", "--restarts", "2", "--out", model,
                         "--assignments", assignments, "--history", history, "-q"]

        // What a complete run writes (the model up to its creation time).
        let reference = try Scratch("crash-train-reference")
        let referenceModel = reference.path("model.json"), referenceAssignments = reference.path("assignments.csv")
        try runPersona(["train", "--data", q1, "--k", "4", "--seed", "9", "--restarts", "2", "--out", referenceModel,
                        "--assignments", referenceAssignments, "-q"])
        let newModel = try modelJSONWithoutCreatedAt(referenceModel)
        let newAssignments = try bytes(referenceAssignments)

        var previous = try bytes(model)
        let allowed: Set<String> = ["q1.csv", "q2.csv", "out", "out/model.json", "out/assignments.csv", "state",
                                    "state/history.sqlite", "state/history.sqlite-wal", "state/history.sqlite-shm"]
        let killed = try Self.campaign(seed: 101, arguments: arguments) { attempt in
            let current = try bytes(model)
            _ = try ModelFile.read(from: URL(fileURLWithPath: model))
            let isNew = try modelJSONWithoutCreatedAt(model) == newModel
            #expect(current == previous || isNew, "attempt \(attempt): the model is neither the previous one nor the new one")
            // Staged before the model, so renamed before it.
            let written = Self.contents(assignments)
            #expect(written == nil || written == newAssignments, "attempt \(attempt): partial assignments")
            if isNew { #expect(written == newAssignments, "attempt \(attempt): a new model without its assignments") }
            try Self.checkHistory(history, recording: model)
            #expect(try Self.unexpectedNames(in: scratch.url.path, allowed: allowed,
                                             outputs: ["out/model.json", "out/assignments.csv"]) == [])
            previous = current
        }
        #expect(killed >= Self.kills / 3, "only \(killed) of \(Self.kills) runs were killed before they ended")
        #expect(try Self.hiddenFiles(in: scratch.url.path) == [], "the last run removes what killed runs left")
        #expect(try HistoryStore(path: history).runs().last?.command == "train")
    }

    @Test("persona retrain killed at random points: the previous model stays intact, drift report whole or absent, history sound")
    func killRetrain() throws {
        let scratch = try Scratch("crash-retrain")
        let (q1, q2) = try HistoryTests.periods(in: scratch, customers: 2_000)
        let previousModel = scratch.path("m1.json"), history = scratch.path("history.sqlite")
        try runPersona(["train", "--data", q1, "--k", "4", "--out", previousModel, "--history", history, "-q"])
        let previousBytes = try bytes(previousModel)
        let next = scratch.path("m2.json"), assignments = scratch.path("a2.csv"), drift = scratch.path("drift")
        let arguments = ["retrain", "--previous", previousModel, "--data", q2, "--out", next, "--assignments", assignments,
                         "--drift-out", drift, "--history", history, "-q"]

        // What a complete run writes (with the same history, so matched the same way).
        let reference = try Scratch("crash-retrain-reference")
        let referenceHistory = reference.path("history.sqlite")
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: history + suffix) {
            try FileManager.default.copyItem(atPath: history + suffix, toPath: referenceHistory + suffix)
        }
        try runPersona(["retrain", "--previous", previousModel, "--data", q2, "--out", reference.path("m2.json"),
                        "--assignments", reference.path("a2.csv"), "--drift-out", reference.path("drift"),
                        "--history", referenceHistory, "-q"])
        let newModel = try modelJSONWithoutCreatedAt(reference.path("m2.json"))
        let newAssignments = try bytes(reference.path("a2.csv"))
        let newDrift = Dictionary(uniqueKeysWithValues: try DriftReport.fileNames.map { ($0, try bytes(reference.path("drift/\($0)"))) })

        let driftFiles = DriftReport.fileNames.map { "drift/\($0)" }
        let allowed = Set(["q1.csv", "q2.csv", "m1.json", "m2.json", "a2.csv", "drift", "history.sqlite", "history.sqlite-wal",
                           "history.sqlite-shm"] + driftFiles)
        let killed = try Self.campaign(seed: 202, arguments: arguments) { attempt in
            #expect(try bytes(previousModel) == previousBytes, "attempt \(attempt): the previous model changed")
            _ = try ModelFile.read(from: URL(fileURLWithPath: previousModel))
            let isNew = Self.contents(next) != nil
            if isNew {
                _ = try ModelFile.read(from: URL(fileURLWithPath: next))
                #expect(try modelJSONWithoutCreatedAt(next) == newModel, "attempt \(attempt): partial model")
            }
            let written = Self.contents(assignments)
            #expect(written == nil || written == newAssignments, "attempt \(attempt): partial assignments")
            for name in DriftReport.fileNames {
                let file = Self.contents(scratch.path("drift/\(name)"))
                #expect(file == nil || file == newDrift[name], "attempt \(attempt): partial drift file \(name)")
                if isNew { #expect(file == newDrift[name], "attempt \(attempt): a new model without drift file \(name)") }
            }
            if isNew { #expect(written == newAssignments, "attempt \(attempt): a new model without its assignments") }
            try Self.checkHistory(history, recording: isNew ? next : nil)
            #expect(try Self.unexpectedNames(in: scratch.url.path, allowed: allowed,
                                             outputs: ["m2.json", "a2.csv"] + driftFiles) == [])
        }
        #expect(killed >= Self.kills / 3, "only \(killed) of \(Self.kills) runs were killed before they ended")
        #expect(try Self.hiddenFiles(in: scratch.url.path) == [], "the last run removes what killed runs left")
        #expect(try HistoryStore(path: history).runs().last?.command == "retrain")
    }

    @Test("persona assign --history killed at random points: the model and history intact, assignments whole or untouched")
    func killAssign() throws {
        let scratch = try Scratch("crash-assign")
        let (q1, q2) = try HistoryTests.periods(in: scratch, customers: 4_000)
        let model = scratch.path("m.json"), history = scratch.path("history.sqlite"), out = scratch.path("a.csv")
        try runPersona(["train", "--data", q1, "--k", "4", "--out", model, "--history", history, "-q"])
        let modelBytes = try bytes(model)
        let arguments = ["assign", "--model", model, "--data", q2, "--out", out, "--history", history, "-q"]
        let reference = try Scratch("crash-assign-reference")
        try runPersona(["assign", "--model", model, "--data", q2, "--out", reference.path("a.csv"), "-q"])
        let newAssignments = try bytes(reference.path("a.csv"))

        let allowed: Set<String> = ["q1.csv", "q2.csv", "m.json", "a.csv", "history.sqlite", "history.sqlite-wal", "history.sqlite-shm"]
        var runsBefore = try HistoryStore(path: history).runs().count
        let killed = try Self.campaign(seed: 303, arguments: arguments) { attempt in
            #expect(try bytes(model) == modelBytes, "attempt \(attempt): the model changed")
            let written = Self.contents(out)
            #expect(written == nil || written == newAssignments, "attempt \(attempt): partial assignments")
            try Self.checkHistory(history)
            // A run is recorded whole or not at all; a kill adds at most one.
            let runs = try HistoryStore(path: history).runs().count
            #expect(runs == runsBefore || runs == runsBefore + 1)
            runsBefore = runs
            #expect(try Self.unexpectedNames(in: scratch.url.path, allowed: allowed, outputs: ["a.csv"]) == [])
        }
        #expect(killed >= Self.kills / 3, "only \(killed) of \(Self.kills) runs were killed before they ended")
        #expect(try Self.hiddenFiles(in: scratch.url.path) == [], "the last run removes what killed runs left")
        #expect(try HistoryStore(path: history).runs().last?.command == "assign")
    }
}
