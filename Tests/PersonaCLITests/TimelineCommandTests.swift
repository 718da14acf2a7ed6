import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import PersonaStore
import PersonaSynthetic
import Testing

/// A history of three runs: train on one period, retrain on a second and a third.
private struct TimelineWorkspace {
    let scratch: Scratch
    let history: String
    /// The assignment file of each run, in run order.
    let assignments: [String]
    let data: String
    let model: String

    init() throws {
        let scratch = try Scratch("timeline")
        self.scratch = scratch
        func write(_ table: RawTable, _ name: String) throws -> String {
            try scratch.write(Data(CSVWriter.encode(header: table.columnNames, rows: (0..<table.rowCount).map { table.row($0) })),
                              to: name)
        }
        let first = SyntheticCustomers(configuration: .init(customerCount: 600, seed: 21))
        let third = SyntheticCustomers(configuration: .init(customerCount: 600, seed: 22, newCustomerFraction: 0.3))
        let q1 = try write(first.firstPeriod().table, "q1.csv"), q2 = try write(first.secondPeriod().table, "q2.csv")
        let q3 = try write(third.secondPeriod().table, "q3.csv")
        let history = scratch.path("history.sqlite"), assignments = (1...3).map { scratch.path("a\($0).csv") }
        self.history = history
        self.assignments = assignments
        try runPersona(["train", "--data", q1, "--k", "4", "--out", scratch.path("m1.json"), "--assignments", assignments[0],
                        "--history", history, "-q"])
        try runPersona(["retrain", "--previous", scratch.path("m1.json"), "--data", q2, "--out", scratch.path("m2.json"),
                        "--assignments", assignments[1], "--history", history, "-q"])
        try runPersona(["retrain", "--previous", scratch.path("m2.json"), "--data", q3, "--k", "5",
                        "--out", scratch.path("m3.json"), "--assignments", assignments[2], "--history", history, "-q"])
        data = q3
        model = scratch.path("m3.json")
    }
}

@Suite("persona timeline")
struct TimelineCommandTests {
    @Test("timeline.csv sizes are each run's assignment counts; flows add up to both runs' customers; the chart is XML")
    func sizesAndFlows() throws {
        let w = try TimelineWorkspace()
        let out = w.scratch.path("timeline")
        try runPersona(["timeline", "--history", w.history, "--out-dir", out, "-q"])
        let runs = try HistoryStore(path: w.history).runs().map { $0.id! }
        #expect(runs.count == 3)

        let timeline = try ReportTable("\(out)/timeline.csv")
        var customers = [Int64: Int]()
        for (run, file) in zip(runs, w.assignments) {
            var counts = [String: Int]()
            let personas = try #require(readCSV(file).column(named: "persona"))
            for persona in personas { counts[persona, default: 0] += 1 }
            customers[run] = personas.count
            let rows = timeline.rows.filter { $0["run"] == String(run) }
            #expect(Set(counts.keys).isSubset(of: rows.map { $0["persona"]! }))
            for row in rows {
                #expect(Int(row["customers"]!)! == counts[row["persona"]!] ?? 0, "run \(run) persona \(row["persona"]!)")
                if row["status"] == "retired" { #expect(counts[row["persona"]!] == nil) }
            }
            #expect(rows.map { Int($0["customers"]!)! }.reduce(0, +) == personas.count)
            let shares = rows.map { Double($0["share"]!)! }.reduce(0, +)
            #expect(abs(shares - 1) < 1e-9)
        }
        // The first run's personas are all new; the later runs' statuses agree with the personas before.
        #expect(timeline.rows.filter { $0["run"] == String(runs[0]) }.allSatisfy { $0["status"] == "new" })

        let flows = try ReportTable("\(out)/flows.csv")
        for (earlier, later) in zip(runs, runs.dropFirst()) {
            let step = flows.rows.filter { $0["from_run"] == String(earlier) && $0["to_run"] == String(later) }
            #expect(!step.isEmpty)
            let out = step.filter { !$0["from_persona"]!.isEmpty }.map { Int($0["customers"]!)! }.reduce(0, +)
            let into = step.filter { !$0["to_persona"]!.isEmpty }.map { Int($0["customers"]!)! }.reduce(0, +)
            #expect(out == customers[earlier] && into == customers[later])
        }
        #expect(flows.rows.allSatisfy { !($0["from_persona"]!.isEmpty && $0["to_persona"]!.isEmpty) })

        // paths.csv: the changes rows count every customer once.
        let paths = try ReportTable("\(out)/paths.csv")
        let everyone = Set(try w.assignments.flatMap { try readCSV($0).columns[0] })
        #expect(paths.rows.filter { $0["kind"] == "changes" }.map { Int($0["customers"]!)! }.reduce(0, +) == everyone.count)
        #expect(paths.rows.filter { $0["kind"] == "path" }.count <= 20)
        #expect(paths.rows.filter { $0["kind"] == "path" }.allSatisfy { $0["value"]!.split(separator: ">").count == 3 })

        let lineage = try ReportTable("\(out)/lineage.csv")
        #expect(Set(lineage.rows.map { $0["persona"]! }) == Set(timeline.rows.map { $0["persona"]! }))

        let svg = try bytes("\(out)/timeline.svg")
        let document = try XMLDocument(data: svg)
        #expect(document.rootElement()?.name == "svg")
        #expect(try strayTemporaryFiles(out).isEmpty)

        // Run again: the same bytes.
        try runPersona(["timeline", "--history", w.history, "--out-dir", w.scratch.path("again"), "-q"])
        for name in TimelineReport.fileNames {
            #expect(try bytes("\(out)/\(name)") == bytes(w.scratch.path("again/\(name)")), "\(name) differs")
        }
    }

    @Test("--from and --to choose the runs; unknown runs, an empty history and runs without customers are named")
    func rangeAndErrors() throws {
        let w = try TimelineWorkspace()
        let out = w.scratch.path("range")
        try runPersona(["timeline", "--history", w.history, "--out-dir", out, "--from", "2", "-q"])
        #expect(Set(try ReportTable("\(out)/timeline.csv").rows.map { $0["run"]! }) == ["2", "3"])
        try runPersona(["timeline", "--history", w.history, "--out-dir", w.scratch.path("one"), "--from", "2", "--to", "2", "-q"])
        #expect(try ReportTable(w.scratch.path("one/flows.csv")).rows.isEmpty)

        let unknown = expectFailure(["timeline", "--history", w.history, "--out-dir", w.scratch.path("x"), "--to", "9"])
        expectOneLine(unknown?.description ?? "", mentions: [w.history, "--to 9", "no such run", "runs: 1, 2, 3"])
        let missing = expectFailure(["timeline", "--history", w.scratch.path("nope.sqlite"), "--out-dir", w.scratch.path("x")])
        expectOneLine(missing?.description ?? "", mentions: [w.scratch.path("nope.sqlite"), "no such file"])

        let empty = w.scratch.path("empty.sqlite")
        _ = try HistoryStore(path: empty)
        let none = expectFailure(["timeline", "--history", empty, "--out-dir", w.scratch.path("x")])
        expectOneLine(none?.description ?? "", mentions: [empty, "no runs recorded"])

        // A run recorded without its customers.
        let store = try HistoryStore(path: w.history)
        let last = try #require(try store.runs().last)
        let model = try ModelFile.decode(last.model, file: "run")
        let bare = try store.record(HistoryRun(createdAt: "2026-12-31T00:00:00Z", command: "assign", modelHash: last.modelHash,
                                               dataHash: nil, parameters: "{}", rowCount: 0, model: last.model),
                                    personas: model.personas, assignments: [(String, Int, Double)]())
        let failure = expectFailure(["timeline", "--history", w.history, "--out-dir", w.scratch.path("x")])
        expectOneLine(failure?.description ?? "", mentions: [w.history, "run \(bare.id!)", "no per-customer assignments"])
        #expect(!FileManager.default.fileExists(atPath: w.scratch.path("x")))
        // The runs before it still make a timeline.
        try runPersona(["timeline", "--history", w.history, "--out-dir", w.scratch.path("before"), "--to", "3", "-q"])

        #expect(throws: (any Error).self) {
            try runPersona(["timeline", "--history", w.history, "--out-dir", out, "--from", "3", "--to", "2"])
        }
        do {
            _ = try PersonaCommand.parseAsRoot(["timeline", "--history", w.history, "--out-dir", out, "--from", "3", "--to", "2"])
        } catch {
            #expect(PersonaCommand.message(for: error).contains("--from 3 comes after --to 2"))
        }
    }

    @Test("report --history adds the timeline section; without it report.html has none and the CSV files are the same")
    func reportSection() throws {
        let w = try TimelineWorkspace()
        let plain = w.scratch.path("report-plain"), withHistory = w.scratch.path("report-history")
        try runPersona(["report", "--model", w.model, "--data", w.data, "--out-dir", plain, "-q"])
        try runPersona(["report", "--model", w.model, "--data", w.data, "--out-dir", withHistory, "--history", w.history, "-q"])
        let before = String(decoding: try bytes("\(plain)/report.html"), as: UTF8.self)
        let after = String(decoding: try bytes("\(withHistory)/report.html"), as: UTF8.self)
        #expect(!before.contains("<section id=\"timeline\""))
        #expect(after.contains("<section id=\"timeline\""))
        #expect(after.contains("Run 1") && after.contains("Run 3"))
        for name in ReportWriter.fileNames {
            #expect(try bytes("\(plain)/\(name)") == bytes("\(withHistory)/\(name)"), "\(name) differs")
        }
        let bad = expectFailure(["report", "--model", w.model, "--data", w.data, "--out-dir", w.scratch.path("r"),
                                 "--history", w.scratch.path("missing.sqlite")])
        expectOneLine(bad?.description ?? "", mentions: [w.scratch.path("missing.sqlite")])
    }
}
