import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing
import TestSupport

// `--memberships` on `assign`, `train`, `retrain` and `export-sql`: one membership_<id>
// column per persona, appended to the assignment CSV.

/// Sample customers (two periods) and a six-persona model trained on the first.
private struct MembershipWorkspace {
    let scratch: Scratch
    let periodOne: String
    let periodTwo: String
    let model: String

    init(customers: Int = 3000) throws {
        scratch = try Scratch("memberships")
        let sample = try scratch.directory("sample")
        try runPersona(["sample", "--out-dir", sample, "--customers", String(customers), "--seed", "7", "-q"])
        periodOne = sample + "/customers-2026-q1.csv"
        periodTwo = sample + "/customers-2026-q2.csv"
        model = scratch.path("model.json")
    }
}

/// The membership columns of an assignment CSV, checked: named membership_<id> for the
/// model's personas, after the seven standard columns; every row sums to 1 within 1e-12 and
/// has its largest value on the `persona` column's persona. Returns them by persona id.
private func checkMemberships(_ table: RawTable, personas: [Int], sourceLocation: SourceLocation = #_sourceLocation) -> [Int: [Double]] {
    let standard = ["customer_id", "persona", "persona_name", "distance", "runner_up", "margin", "outlier"]
    #expect(Array(table.columnNames.prefix(7)) == standard, sourceLocation: sourceLocation)
    #expect(Array(table.columnNames.dropFirst(7)) == personas.map { "membership_\($0)" }, sourceLocation: sourceLocation)
    var columns = [Int: [Double]]()
    for (i, id) in personas.enumerated() { columns[id] = table.columns[7 + i].map { Double($0) ?? .nan } }
    for r in 0..<table.rowCount {
        let values = personas.map { columns[$0]![r] }
        #expect(abs(values.reduce(0, +) - 1) <= 1e-12, "row \(r + 2): \(values)", sourceLocation: sourceLocation)
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 }, sourceLocation: sourceLocation)
        let assigned = columns[Int(table.columns[1][r])!]![r]
        #expect(values.allSatisfy { $0 <= assigned }, "row \(r + 2): persona \(table.columns[1][r]) but \(values)",
                sourceLocation: sourceLocation)
    }
    return columns
}

@Suite("--memberships", .serialized)
struct MembershipCommandTests {
    @Test("train and assign add one membership column per persona, summing to 1, the largest on the persona; the other columns are unchanged")
    func trainAndAssign() throws {
        let w = try MembershipWorkspace()
        let s = w.scratch
        try runPersona(["train", "--data", w.periodOne, "--k", "6", "--seed", "3", "--out", w.model,
                        "--assignments", s.path("train-soft.csv"), "--memberships", "-q"])
        try runPersona(["assign", "--model", w.model, "--data", w.periodOne, "--out", s.path("plain.csv"), "-q"])
        try runPersona(["assign", "--model", w.model, "--data", w.periodOne, "--out", s.path("soft.csv"), "--memberships", "-q"])
        let model = try ModelFile.read(from: URL(fileURLWithPath: w.model))
        let soft = try readCSV(s.path("soft.csv")), plain = try readCSV(s.path("plain.csv"))
        #expect(soft.rowCount == 3000)
        let columns = checkMemberships(soft, personas: model.personas.map(\.id))
        for c in 0..<7 { #expect(soft.columns[c] == plain.columns[c]) }
        // Customers between personas exist in the sample (not every membership is 0 or 1).
        #expect(columns.values.contains { $0.contains { $0 > 0.05 && $0 < 0.95 } })
        // Training's file is the one assign writes for the same customers.
        #expect(try bytes(s.path("train-soft.csv")) == bytes(s.path("soft.csv")))
        // The model records σ², the mean within-persona squared distance per encoded column.
        let variance = try #require(model.training.membershipVariance)
        let expected = model.training.inertia / (model.training.totalWeight * Double(model.encoder.width))
        #expect(abs(variance - expected) <= 1e-15 * expected)
    }

    @Test("retrain --assignments --memberships writes the new model's membership columns")
    func retrain() throws {
        let w = try MembershipWorkspace(customers: 1500)
        let s = w.scratch
        try runPersona(["train", "--data", w.periodOne, "--k", "5", "--out", w.model, "-q"])
        try runPersona(["retrain", "--previous", w.model, "--data", w.periodTwo, "--out", s.path("m2.json"), "--k", "6",
                        "--assignments", s.path("soft2.csv"), "--memberships", "-q"])
        try runPersona(["assign", "--model", s.path("m2.json"), "--data", w.periodTwo, "--out", s.path("again.csv"),
                        "--memberships", "-q"])
        let model = try ModelFile.read(from: URL(fileURLWithPath: s.path("m2.json")))
        _ = checkMemberships(try readCSV(s.path("soft2.csv")), personas: model.personas.map(\.id))
        #expect(try bytes(s.path("soft2.csv")) == bytes(s.path("again.csv")))
    }

    @Test("an old model without σ² still gives memberships; one with nothing to estimate from is refused in one line")
    func oldModels() throws {
        let w = try MembershipWorkspace(customers: 600)
        let s = w.scratch
        try runPersona(["train", "--data", w.periodOne, "--k", "4", "--out", w.model, "-q"])
        var json = try #require(try JSONSerialization.jsonObject(with: bytes(w.model)) as? [String: Any])
        var training = try #require(json["training"] as? [String: Any])
        training.removeValue(forKey: "membershipVariance")
        json["training"] = training
        let old = try s.write(try JSONSerialization.data(withJSONObject: json), to: "old.json")
        try runPersona(["assign", "--model", old, "--data", w.periodOne, "--out", s.path("old.csv"), "--memberships", "-q"])
        let oldModel = try ModelFile.read(from: URL(fileURLWithPath: old))
        _ = checkMemberships(try readCSV(s.path("old.csv")), personas: oldModel.personas.map(\.id))

        json["personas"] = try #require(json["personas"] as? [[String: Any]]).map { p in
            var p = p
            p["size"] = 0
            return p
        }
        let empty = try s.write(try JSONSerialization.data(withJSONObject: json), to: "empty.json")
        if let failure = expectFailure(["assign", "--model", empty, "--data", w.periodOne, "--out", s.path("none.csv"), "--memberships", "-q"]) {
            expectOneLine(failure.description, mentions: ["empty.json", "retrain"])
        }
        #expect(!FileManager.default.fileExists(atPath: s.path("none.csv")))
        if let failure = expectFailure(["export-sql", "--model", empty, "--dialect", "duckdb", "--memberships", "--out", s.path("none.sql")]) {
            expectOneLine(failure.description, mentions: ["empty.json", "retrain"])
        }
        if let failure = expectFailure(["train", "--data", w.periodOne, "--k", "4", "--out", s.path("x.json"), "--memberships", "-q"]) {
            expectOneLine(failure.description, mentions: ["--memberships", "--assignments"])
        }
        #expect(!FileManager.default.fileExists(atPath: s.path("x.json")))
    }

    /// Runs the exported query with memberships on an engine's CSV output and compares the
    /// membership columns with `persona assign --memberships`; returns the largest relative difference.
    private func compareMemberships(engine: RawTable, assigned: RawTable) -> (rows: Int, personaMismatches: Int, largest: Double) {
        #expect(engine.columnNames == assigned.columnNames)
        var byID = [String: Int]()
        for r in 0..<engine.rowCount { byID[engine.columns[0][r]] = r }
        var largest = 0.0, mismatches = 0, rows = 0
        for r in 0..<assigned.rowCount {
            guard let other = byID[assigned.columns[0][r]] else { continue }
            rows += 1
            if assigned.columns[1][r] != engine.columns[1][other] { mismatches += 1 }
            for c in 7..<assigned.columnNames.count {
                let a = Double(assigned.columns[c][r]) ?? .nan, b = Double(engine.columns[c][other]) ?? .nan
                largest = max(largest, a == b ? 0 : abs(a - b) / max(abs(a), 1e-300))
            }
        }
        return (rows, mismatches, largest)
    }

    @Test("export-sql --memberships gives the CSV's membership columns on DuckDB (exactly) and SQLite (to its 15 printed digits)",
          .enabled(if: Engine.sqlite3.runnable || Engine.duckDB.runnable))
    func exportSQL() throws {
        let w = try MembershipWorkspace()
        let s = w.scratch
        try runPersona(["train", "--data", w.periodOne, "--k", "6", "--seed", "3", "--out", w.model, "-q"])
        try runPersona(["assign", "--model", w.model, "--data", w.periodTwo, "--out", s.path("soft.csv"), "--memberships", "-q"])
        let assigned = try readCSV(s.path("soft.csv"))

        if Engine.duckDB.runnable {
            let query = s.path("duckdb.sql")
            try runPersona(["export-sql", "--model", w.model, "--dialect", "duckdb", "--memberships", "--out", query])
            let script = try s.write("""
                import csv, sys
                import duckdb
                data, query, out = sys.argv[1:4]
                con = duckdb.connect()
                con.execute("CREATE TABLE customers AS SELECT * FROM read_csv(?, header = true)", [data])
                cursor = con.execute(open(query).read())
                with open(out, "w", newline="") as f:
                    w = csv.writer(f, lineterminator="\\n")
                    w.writerow([d[0] for d in cursor.description])
                    for row in cursor.fetchall():
                        w.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
                """, to: "run_duckdb.py")
            let run = try ProgramRun.run("python3", [script, w.periodTwo, query, s.path("duckdb.csv")])
            try #require(run.status == 0, "DuckDB run failed: \(run.error)")
            let result = compareMemberships(engine: try readCSV(s.path("duckdb.csv")), assigned: assigned)
            #expect(result.rows == assigned.rowCount && result.personaMismatches == 0)
            #expect(result.largest == 0, "largest relative difference \(result.largest)")
        }
        if Engine.sqlite3.runnable {
            let query = s.path("sqlite.sql")
            try runPersona(["export-sql", "--model", w.model, "--dialect", "sqlite", "--memberships", "--out", query])
            let run = try ProgramRun.run("sqlite3", ["-csv", "-header", ":memory:"], input: """
                .import --csv \(w.periodTwo) customers
                .output \(s.path("sqlite.csv"))
                \(try String(contentsOfFile: query, encoding: .utf8))
                """)
            try #require(run.status == 0, "sqlite3 failed: \(run.error)")
            let result = compareMemberships(engine: try readCSV(s.path("sqlite.csv")), assigned: assigned)
            #expect(result.rows == assigned.rowCount && result.personaMismatches == 0)
            #expect(result.largest < 1e-13, "largest relative difference \(result.largest)")
        }
    }

    @Test("the exported query has membership columns only with --memberships, one per persona")
    func queryShape() throws {
        let scratch = try Scratch("memberships-sql")
        let model = try trainFixtureModel(in: scratch)
        let loaded = try ModelFile.read(from: URL(fileURLWithPath: model))
        let plain = try AssignmentSQL.query(for: loaded, dialect: .postgres, table: "customers")
        let soft = try AssignmentSQL.query(for: loaded, dialect: .postgres, table: "customers", memberships: true)
        #expect(!plain.contains("membership_"))
        for persona in loaded.personas { #expect(soft.contains("AS membership_\(persona.id)")) }
        #expect(soft.contains("exp("))
    }
}
