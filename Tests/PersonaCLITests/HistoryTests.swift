import Foundation
import PersonaIO
import PersonaKit
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
