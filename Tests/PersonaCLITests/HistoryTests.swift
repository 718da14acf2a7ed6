import Foundation
import PersonaIO
import PersonaKit
import PersonaSynthetic
import PersonaStore
import TestSupport
import Testing

@Suite("history files")
struct HistoryTests {
    /// Writes the synthetic sample's two periods.
    static func periods(in scratch: Scratch, customers: Int = 1_200) throws -> (String, String) {
        let generator = SyntheticCustomers(configuration: .init(customerCount: customers, seed: 21))
        func write(_ table: RawTable, _ name: String) throws -> String {
            try scratch.write(Data(CSVWriter.encode(header: table.columnNames, rows: (0..<table.rowCount).map { table.row($0) })), to: name)
        }
        return (try write(generator.firstPeriod().table, "q1.csv"), try write(generator.secondPeriod().table, "q2.csv"))
    }

    @Test("train and assign record their runs; every customer's path matches the assignment files")
    func pathsMatchAssignments() throws {
        let scratch = try Scratch("history")
        let (q1, q2) = try Self.periods(in: scratch)
        let history = scratch.path("state/history.sqlite")
        try runPersona(["train", "--data", q1, "--k", "4", "--out", scratch.path("m.json"),
                        "--assignments", scratch.path("a1.csv"), "--history", history, "-q"])
        try runPersona(["assign", "--model", scratch.path("m.json"), "--data", q2, "--out", scratch.path("a2.csv"),
                        "--history", history, "-q"])
        let store = try HistoryStore(path: history)
        let runs = try store.runs()
        #expect(runs.map(\.command) == ["train", "assign"])
        let first = try readCSV(scratch.path("a1.csv")), second = try readCSV(scratch.path("a2.csv"))
        #expect(runs.map(\.rowCount) == [first.rowCount, second.rowCount])
        #expect(runs[1].dataHash?.hasPrefix("fnv1a64:") == true)
        let recorded = try store.assignments(ofRun: runs[1].id!)
        for r in 0..<second.rowCount {
            #expect(recorded[second.columns[0][r]] == Int(second.columns[1][r]))
        }
        // A customer present in both periods has two steps, in run order.
        let id = first.columns[0][0]
        let steps = try store.path(ofCustomer: id)
        #expect(steps.map(\.runId) == runs.map { $0.id! })
        #expect(steps[0].personaId == Int(first.columns[1][0]))
        // The model of every run can be loaded again from the history.
        for run in runs { #expect(try ModelFile.decode(run.model, file: "history").personas.count == 4) }
    }

    @Test("a failed run leaves the history and the earlier outputs as they were")
    func failedRunLeavesNoTrace() throws {
        let scratch = try Scratch("history-fail")
        let (q1, _) = try Self.periods(in: scratch, customers: 300)
        let history = scratch.path("history.sqlite")
        try runPersona(["train", "--data", q1, "--k", "3", "--out", scratch.path("m.json"), "--history", history, "-q"])
        let bad = try scratch.write(Fixture.csv(replacing: 2, "finance_income_eur", with: "lots"), to: "bad.csv")
        let before = try snapshot(scratch.url.path)
        #expect(expectFailure(["assign", "--model", scratch.path("m.json"), "--data", bad, "--out", scratch.path("a.csv"),
                               "--history", history]) != nil)
        #expect(try snapshot(scratch.url.path).keys.sorted() == before.keys.sorted())
        let store = try HistoryStore(path: history)
        #expect(try store.runs().count == 1)
        #expect(try store.integrityProblems().isEmpty)
    }
}

/// The `persona` executable built beside the test bundle.
func personaExecutable() -> URL? {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("persona")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
           FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        directory.deleteLastPathComponent()
    }
    return nil
}

@Suite("crash safety of history files")
struct HistoryCrashTests {
    @Test("jobs killed with SIGKILL at random points leave the history readable, each run whole or absent, and the model intact")
    func killedJobs() throws {
        guard let persona = personaExecutable() else {
            Issue.record("the persona executable was not found beside \(CommandLine.arguments[0])")
            return
        }
        let scratch = try Scratch("history-kill")
        let (q1, q2) = try HistoryTests.periods(in: scratch, customers: 6_000)
        let history = scratch.path("history.sqlite")
        let model = scratch.path("model.json")
        try runPersona(["train", "--data", q1, "--k", "4", "--out", model, "--history", history, "-q"])
        let modelBytes = try bytes(model)
        var rng = SeededGenerator(seed: 77)
        for attempt in 0..<8 {
            let process = Process()
            process.executableURL = persona
            process.arguments = attempt % 2 == 0
                ? ["assign", "--model", model, "--data", q2, "--out", scratch.path("a.csv"), "--history", history, "-q"]
                : ["train", "--data", q2, "--k", "4", "--out", scratch.path("m2.json"), "--history", history, "-q"]
            try process.run()
            usleep(UInt32(20_000 + rng.next() % 600_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let store = try HistoryStore(path: history)
            #expect(try store.integrityProblems().isEmpty)
            for run in try store.runs() {
                #expect(try store.assignments(ofRun: run.id!).count == run.rowCount, "run \(run.id!) is whole")
            }
        }
        #expect(try bytes(model) == modelBytes)
        // The history still takes new runs.
        try runPersona(["assign", "--model", model, "--data", q2, "--out", scratch.path("a.csv"), "--history", history, "-q"])
        let store = try HistoryStore(path: history)
        #expect(try store.runs().last?.command == "assign")
        #expect(try store.runs().last?.rowCount == (try readCSV(scratch.path("a.csv")).rowCount))
    }
}
