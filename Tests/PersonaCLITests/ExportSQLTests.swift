import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing
import TestSupport

// `persona export-sql`: the exported query, run by SQLite (Debian's `sqlite3`) and DuckDB
// (Python's `duckdb`), gives every customer the persona `persona assign` gives.

/// One engine's result compared with `persona assign`'s, row by row.
private struct Comparison {
    var rows = 0
    var personaMismatches = 0
    var runnerUpMismatches = 0
    var outlierMismatches = 0
    var largestDistanceError = 0.0
    var largestMarginError = 0.0
    var missing = 0
    var firstMismatch: String?
}

/// Compares an engine's CSV (header: id, persona, persona_name, distance, runner_up, margin,
/// outlier) with the assignment CSV.
private func compare(engine path: String, assigned: RawTable) throws -> Comparison {
    let engine = try readCSV(path)
    #expect(engine.columnNames == assigned.columnNames, "columns \(engine.columnNames)")
    var byID = [String: Int]()
    for row in 0..<engine.rowCount { byID[engine.columns[0][row]] = row }
    var c = Comparison()
    c.rows = engine.rowCount
    func cell(_ table: RawTable, _ name: String, _ row: Int) -> String { table.columns[table.columnNames.firstIndex(of: name)!][row] }
    for row in 0..<assigned.rowCount {
        guard let other = byID[assigned.columns[0][row]] else { c.missing += 1; continue }
        let persona = cell(assigned, "persona", row) == cell(engine, "persona", other)
            && cell(assigned, "persona_name", row) == cell(engine, "persona_name", other)
        if !persona { c.personaMismatches += 1 }
        if cell(assigned, "runner_up", row) != cell(engine, "runner_up", other) { c.runnerUpMismatches += 1 }
        if cell(assigned, "outlier", row) != cell(engine, "outlier", other) { c.outlierMismatches += 1 }
        for (name, keyPath) in [("distance", \Comparison.largestDistanceError), ("margin", \Comparison.largestMarginError)] {
            let a = Double(cell(assigned, name, row)) ?? .nan, b = Double(cell(engine, name, other)) ?? .nan
            c[keyPath: keyPath] = max(c[keyPath: keyPath], a == b ? 0 : abs(a - b) / max(abs(a), 1e-300))
        }
        if c.firstMismatch == nil, !persona || cell(assigned, "runner_up", row) != cell(engine, "runner_up", other) {
            c.firstMismatch = "customer \(assigned.columns[0][row]): assign \(cell(assigned, "persona", row))/\(cell(assigned, "runner_up", row)), engine \(cell(engine, "persona", other))/\(cell(engine, "runner_up", other))"
        }
    }
    return c
}

/// DuckDB through Python: load the CSV as DuckDB's reader types it, run the query, write CSV
/// with every float in its shortest round-trip form.
private let duckDBRunner = """
import csv, sys
try:
    import duckdb
except ImportError:
    sys.exit("the Python module duckdb is missing: run Scripts/setup.sh test, or python3 -m pip install --user --break-system-packages duckdb")
data, query, out = sys.argv[1:4]
con = duckdb.connect()
con.execute("CREATE TABLE customers AS SELECT * FROM read_csv(?, header = true)", [data])
cursor = con.execute(open(query).read())
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\\n")
    w.writerow([d[0] for d in cursor.description])
    for row in cursor.fetchall():
        w.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
"""

/// 100,000 customers with missing values, padded categories and unseen categories; a model
/// trained on 4,000 of them; `persona assign`'s CSV for all of them.
private struct EngineFixture {
    let scratch: Scratch
    let data: String
    let model: String
    let assigned: RawTable

    init() throws {
        scratch = try Scratch("export-sql")
        let sample = try scratch.directory("sample")
        try runPersona(["sample", "--out-dir", sample, "--customers", "100000", "--seed", "11", "-q"])
        // Some cells padded with spaces and some categories the model never saw.
        var lines = try String(contentsOfFile: sample + "/customers-2026-q1.csv", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let channel = header.firstIndex(of: "media_preferred_channel")!
        let household = header.firstIndex(of: "lifestyle_household")!
        for i in stride(from: 1, to: lines.count, by: 97) {
            var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[channel] = i % 2 == 0 ? " \(cells[channel])\t" : "hologram"
            cells[household] = i % 3 == 0 ? "" : cells[household]
            lines[i] = cells.joined(separator: ",")
        }
        #expect(lines.count > 100_000)
        data = try scratch.write(lines.joined(separator: "\n") + "\n", to: "customers.csv")
        let training = try scratch.write(lines.prefix(4001).joined(separator: "\n") + "\n", to: "training.csv")
        model = scratch.path("model.json")
        try runPersona(["train", "--data", training, "--k", "6", "--seed", "3", "--out", model, "-q"])
        let assignedPath = scratch.path("assigned.csv")
        try runPersona(["assign", "--model", model, "--data", data, "--out", assignedPath, "-q"])
        assigned = try readCSV(assignedPath)
        #expect(assigned.rowCount == lines.count - 1)
        // Every persona occurs.
        #expect(Set(assigned.columns[1]).count == 6)
    }
}

@Suite("export-sql on SQL engines", .serialized)
struct ExportSQLEngineTests {
    @Test("SQLite gives every one of 100,000 customers the persona assign gives",
          .enabled(if: Engine.sqlite3.runnable, Comment(rawValue: Engine.sqlite3.howToGet)))
    func sqliteAgreesWithAssign() throws {
        let fixture = try EngineFixture()
        let scratch = fixture.scratch, assigned = fixture.assigned
        let sqliteQuery = scratch.path("sqlite.sql")
        try runPersona(["export-sql", "--model", fixture.model, "--dialect", "sqlite", "--out", sqliteQuery])
        let sqlite = try ProgramRun.run("sqlite3", ["-csv", "-header", ":memory:"], input: """
            .import --csv \(fixture.data) customers
            .output \(scratch.path("sqlite.csv"))
            \(try String(contentsOfFile: sqliteQuery, encoding: .utf8))
            """)
        try #require(sqlite.status == 0, "sqlite3 failed (\(Engine.sqlite3.howToGet)): \(sqlite.error)")
        let fromSQLite = try compare(engine: scratch.path("sqlite.csv"), assigned: assigned)
        #expect(fromSQLite.rows == assigned.rowCount && fromSQLite.missing == 0)
        #expect(fromSQLite.personaMismatches == 0, "\(fromSQLite.firstMismatch ?? "")")
        #expect(fromSQLite.runnerUpMismatches == 0 && fromSQLite.outlierMismatches == 0)
        // sqlite3 prints 15 significant digits.
        #expect(fromSQLite.largestDistanceError < 1e-13 && fromSQLite.largestMarginError < 1e-12)
    }

    @Test("DuckDB gives every one of 100,000 customers the persona, distance and margin assign gives",
          .enabled(if: Engine.duckDB.runnable, Comment(rawValue: Engine.duckDB.howToGet)))
    func duckDBAgreesWithAssign() throws {
        let fixture = try EngineFixture()
        let scratch = fixture.scratch, assigned = fixture.assigned
        // Floats printed exactly, so distances and margins must be identical.
        let duckQuery = scratch.path("duckdb.sql")
        try runPersona(["export-sql", "--model", fixture.model, "--dialect", "duckdb", "--out", duckQuery])
        let script = try scratch.write(duckDBRunner, to: "run_duckdb.py")
        let duck = try ProgramRun.run("python3", [script, fixture.data, duckQuery, scratch.path("duckdb.csv")])
        try #require(duck.status == 0, "DuckDB run failed: \(duck.error)")
        let fromDuckDB = try compare(engine: scratch.path("duckdb.csv"), assigned: assigned)
        #expect(fromDuckDB.rows == assigned.rowCount && fromDuckDB.missing == 0)
        #expect(fromDuckDB.personaMismatches == 0, "\(fromDuckDB.firstMismatch ?? "")")
        #expect(fromDuckDB.runnerUpMismatches == 0 && fromDuckDB.outlierMismatches == 0)
        #expect(fromDuckDB.largestDistanceError == 0 && fromDuckDB.largestMarginError == 0)
    }

    @Test("export-sql writes to --out or standard output and rejects an empty table name")
    func commandLine() throws {
        let scratch = try Scratch("export-sql-cli")
        let model = try trainFixtureModel(in: scratch)
        let out = scratch.path("q.sql")
        try runPersona(["export-sql", "--model", model, "--dialect", "spark", "--table", "warehouse.customers", "--out", out])
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("FROM `warehouse`.`customers`"))
        #expect(text.contains("AS `customer_id`"))
        #expect(try strayTemporaryFiles(scratch.url.path).isEmpty)
        if let failure = expectFailure(["export-sql", "--model", model, "--dialect", "postgres", "--table", "a..b", "--out", scratch.path("x.sql")]) {
            expectOneLine(failure.description, mentions: ["a..b", "empty"])
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("x.sql")))
        if let failure = expectFailure(["export-sql", "--model", scratch.path("none.json"), "--dialect", "duckdb"]) {
            expectOneLine(failure.description, mentions: ["none.json"])
        }
    }
}
