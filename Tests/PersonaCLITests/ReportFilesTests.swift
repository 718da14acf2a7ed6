import ArgumentParser
import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing

/// The CLI fixture with a journey phase and an account per customer.
enum AccountFixture {
    static let phases = ["awareness", "purchase", "purchase", "retention", "awareness", "", "purchase", "retention",
                         "purchase", "awareness", "retention", "purchase"]
    static let accounts = ["A1", "A1", "A2", "A2", "A2", "A3", "A1", "A4", "A2", "", "A2", "A1"]
    static let header = Fixture.header + ["profile_phase", "profile_account_id"]
    static let rows = Fixture.rows.indices.map { Fixture.rows[$0] + [phases[$0], accounts[$0]] }
    static func csv() -> String { Fixture.csv(header: header, rows: rows) }
}

/// A trained fixture model, its data and its assignments, in a scratch directory.
struct ReportWorkspace {
    let scratch: Scratch
    let data: String
    let model: String
    /// The persona of every fixture row, from `train --assignments`.
    let personas: [Int]
    let order: [Int]

    init() throws {
        scratch = try Scratch("report")
        data = try scratch.write(AccountFixture.csv(), to: "data.csv")
        model = scratch.path("model.json")
        let assignments = scratch.path("assignments.csv")
        try runPersona(["train", "--data", data, "--k", "2", "--out", model, "--assignments", assignments, "-q"])
        personas = try #require(readCSV(assignments).column(named: "persona")).map { Int($0)! }
        order = try ModelFile.read(from: URL(fileURLWithPath: model)).personas.map(\.id)
    }

    /// Runs `persona report` with `extra` options into `name` and returns the directory.
    func report(_ name: String, _ extra: [String] = []) throws -> String {
        let dir = scratch.path(name)
        try runPersona(["report", "--model", model, "--data", data, "--out-dir", dir, "-q"] + extra)
        return dir
    }
}

/// A report file as rows of cells keyed by column name.
struct ReportTable {
    let table: RawTable
    init(_ path: String, separator: Character = ",") throws {
        table = try CSVReader.read(contentsOf: URL(fileURLWithPath: path), separator: separator)
    }
    var rows: [[String: String]] {
        (0..<table.rowCount).map { r in Dictionary(uniqueKeysWithValues: zip(table.columnNames, table.row(r))) }
    }
}

@Suite("report files")
struct ReportFilesTests {
    @Test("train --report-dir, built from what training read, writes the bytes persona report writes from the files",
          arguments: [[], ["--account-column", "profile_account_id", "--report-separator", "semicolon"]])
    func trainReportEqualsReportCommand(_ extra: [String]) throws {
        let w = try ReportWorkspace()
        let trained = w.scratch.path("trained")
        let model = w.scratch.path("model-again.json")
        try runPersona(["train", "--data", w.data, "--k", "2", "--out", model, "--report-dir", trained, "-q"] + extra)
        #expect(try modelJSONWithoutCreatedAt(model) == modelJSONWithoutCreatedAt(w.model))
        let reported = try w.report("reported", extra)
        for name in ReportWriter.fileNames {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(trained)/\(name)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(reported)/\(name)"))
            #expect(a == b, "\(name)")
        }
    }

    @Test("value shares, cross-tables, account mixes and level counts agree with the assignments")
    func agreesWithAssignments() throws {
        let w = try ReportWorkspace()
        let dir = try w.report("rep")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ReportSupport.fileNames.sorted())
        let rows = AccountFixture.rows
        let value = rows.map { Double($0[Fixture.column("profile_value")])! }
        let total = value.reduce(0, +)

        // personas.csv: size and value share.
        for row in try ReportTable(dir + "/personas.csv").rows {
            let p = Int(row["persona"]!)!
            let members = w.personas.indices.filter { w.personas[$0] == p }
            #expect(Int(row["size"]!) == members.count)
            let personaValue = members.reduce(0.0) { $0 + value[$1] }
            #expect(abs(Double(row["value_total"]!)! - personaValue) < 1e-9)
            #expect(abs(Double(row["value_share"]!)! - personaValue / total) < 1e-12)
        }

        // crosstabs.csv: persona × phase counts.
        let crosstabs = try ReportTable(dir + "/crosstabs.csv").rows
        #expect(Set(crosstabs.map { $0["column"]! }) == ["profile_phase"])
        for row in crosstabs where row["persona"] != "all" {
            let p = Int(row["persona"]!)!
            let expected = zip(AccountFixture.phases, w.personas).filter { $0.0 == row["category"]! && $0.1 == p }.count
            #expect(Int(row["customers"]!) == expected, "\(row)")
        }
        #expect(crosstabs.count == 4 * (w.order.count + 1))  // three phases and the missing row

        // accounts.csv: each account's customers per persona.
        let accounts = try ReportTable(dir + "/accounts.csv").rows
        #expect(Set(accounts.map { $0["account"]! }) == ["A1", "A2", "A3", "A4"])
        for row in accounts {
            let members = AccountFixture.accounts.indices.filter { AccountFixture.accounts[$0] == row["account"]! }
            #expect(Int(row["customers"]!) == members.count)
            for p in w.order {
                let n = members.filter { w.personas[$0] == p }.count
                #expect(Int(row["persona_\(p)"]!) == n)
                #expect(abs(Double(row["persona_\(p)_share"]!)! - Double(n) / Double(members.count)) < 1e-12)
            }
        }

        // levels.csv: the ordinal wish_quality levels per persona.
        let levels = try ReportTable(dir + "/levels.csv").rows.filter { $0["attribute"] == "wish_quality" }
        #expect(levels.count == 5 * w.order.count)
        for row in levels {
            let p = Int(row["persona"]!)!
            let expected = rows.indices.filter { rows[$0][Fixture.column("wish_quality")] == row["level"]! && w.personas[$0] == p }.count
            #expect(Int(row["customers"]!) == expected, "\(row)")
        }

        // value_pyramid.csv: the top 20% (2 of 12 customers) are the two highest values.
        let top = try ReportTable(dir + "/value_pyramid.csv").rows.filter { $0["band"] == "top 20%" }
        let ranked = value.indices.sorted { value[$0] != value[$1] ? value[$0] > value[$1] : $0 < $1 }.prefix(2)
        for row in top where row["persona"] != "all" {
            let p = Int(row["persona"]!)!
            #expect(Int(row["customers"]!) == ranked.filter { w.personas[$0] == p }.count)
        }
        #expect(top.first { $0["persona"] == "all" }?["customers"] == "2")
    }

    @Test("semicolon files carry a byte-order mark and decimal commas and read back to the same numbers")
    func semicolonReadsBack() throws {
        let w = try ReportWorkspace()
        let comma = try w.report("comma")
        let semicolon = try w.report("semicolon", ["--report-separator", "semicolon"])
        var decimals = 0
        for name in ReportWriter.fileNames {
            let raw = try bytes(semicolon + "/" + name)
            #expect(raw.starts(with: [0xEF, 0xBB, 0xBF]), "\(name) has no byte-order mark")
            let a = try ReportTable(comma + "/" + name).table
            let b = try ReportTable(semicolon + "/" + name, separator: ";").table
            #expect(a.columnNames == b.columnNames)
            #expect(a.rowCount == b.rowCount)
            for (x, y) in zip(a.columns, b.columns) {
                for (cell, other) in zip(x, y) where cell != other {
                    // Only numbers differ, and only by the decimal mark.
                    #expect(!cell.contains(","), "\(name): '\(cell)' vs '\(other)'")
                    #expect(Double(other.replacingOccurrences(of: ",", with: ".")) == Double(cell), "\(name): '\(cell)' vs '\(other)'")
                    decimals += 1
                }
            }
        }
        #expect(decimals > 100)
    }

    @Test("--min-cell-size replaces exactly the cells describing fewer customers", arguments: [2, 3, 5])
    func suppression(n: Int) throws {
        let w = try ReportWorkspace()
        let open = try w.report("open")
        let closed = try w.report("closed", ["--min-cell-size", String(n)])
        let marker = "<\(n)"
        // The customer count behind each row of the count-carrying files.
        for (name, countColumn) in [("crosstabs.csv", "customers"), ("levels.csv", "customers"),
                                    ("value_pyramid.csv", "customers"), ("attributes.csv", "customers"),
                                    ("distinguishing.csv", "customers")] {
            let a = try ReportTable(open + "/" + name).rows, b = try ReportTable(closed + "/" + name).rows
            #expect(a.count == b.count)
            for (x, y) in zip(a, b) {
                let count = Int(x[countColumn]!)!
                #expect((y[countColumn] == marker) == (count < n), "\(name) \(x)")
                for (column, cell) in y where cell != x[column] {
                    #expect(cell == marker, "\(name): \(column) '\(x[column]!)' became '\(cell)'")
                }
                if count >= n {
                    for column in ["share", "share_of_persona", "value", "persona_mean", "index"] where x[column] != nil {
                        #expect(y[column] == x[column], "\(name): \(column) suppressed at \(count) customers")
                    }
                }
            }
        }
        // Accounts: a small account is withheld whole; a persona cell by its own count.
        let a = try ReportTable(open + "/accounts.csv").rows, b = try ReportTable(closed + "/accounts.csv").rows
        for (x, y) in zip(a, b) {
            let customers = Int(x["customers"]!)!
            #expect(y["account"] == x["account"])
            for p in try ReportWorkspace.ids(open) {
                let cell = Int(x["persona_\(p)"]!)!
                #expect((y["persona_\(p)"] == marker) == (min(customers, cell) < n))
            }
            if customers < n {
                #expect(y.filter { $0.key != "account" }.allSatisfy { $0.value == marker }, "\(y)")
            }
        }
        // Personas: the size and every figure of a small persona.
        for (x, y) in zip(try ReportTable(open + "/personas.csv").rows, try ReportTable(closed + "/personas.csv").rows) {
            #expect((y["size"] == marker) == (Int(x["size"]!)! < n))
        }
    }

    @Test("bad report options give one-line errors naming the option, file and column")
    func badOptions() throws {
        let w = try ReportWorkspace()
        let out = w.scratch.path("bad")
        let base = ["report", "--model", w.model, "--data", w.data, "--out-dir", out, "-q"]
        let value = expectFailure(base + ["--value-column", "profile_revenue"])
        expectOneLine(value?.description ?? "", mentions: [w.data, "--value-column", "profile_revenue"])
        let notNumeric = expectFailure(base + ["--value-column", "media_channel"])
        expectOneLine(notNumeric?.description ?? "", mentions: [w.data, "media_channel", "numeric"])
        let crosstab = expectFailure(base + ["--crosstab-column", "lifestyle_age"])
        expectOneLine(crosstab?.description ?? "", mentions: [w.data, "lifestyle_age", "categorical"])
        let account = expectFailure(base + ["--account-column", "company"])
        expectOneLine(account?.description ?? "", mentions: [w.data, "--account-column", "company"])
        for arguments in [base + ["--min-cell-size", "0"], base + ["--report-separator", "tab"],
                          base + ["--crosstab-column", "profile_phase", "--crosstab-column", "profile_phase"]] {
            #expect(throws: (any Error).self) { _ = try PersonaCommand.parseAsRoot(arguments) }
            do { _ = try PersonaCommand.parseAsRoot(arguments) } catch {
                let message = PersonaCommand.message(for: error)
                #expect(!message.contains("\n"), "\(message)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("train --report-dir writes the same files as report, with the same options")
    func trainReportDirMatches() throws {
        let w = try ReportWorkspace()
        let options = ["--report-separator", "semicolon", "--min-cell-size", "2", "--crosstab-column", "media_channel"]
        let trainDir = w.scratch.path("train-rep")
        try runPersona(["train", "--data", w.data, "--k", "2", "--out", w.scratch.path("again.json"),
                        "--report-dir", trainDir, "-q"] + options)
        let reportDir = try w.report("rep", options)
        for name in ReportSupport.fileNames {
            #expect(try bytes(trainDir + "/" + name) == bytes(reportDir + "/" + name), "\(name)")
        }
    }
}

extension ReportWorkspace {
    /// The persona identifiers of a report, from its personas.csv.
    static func ids(_ dir: String) throws -> [Int] {
        try ReportTable(dir + "/personas.csv").rows.map { Int($0["persona"]!)! }
    }
}

@Suite("explain")
struct ExplainCommandTests {
    @Test("explain names the assigned persona and runner-up, and the pulls add up to the squared-distance gap",
          arguments: [0, 4, 11])
    func explainsCustomer(row: Int) throws {
        let w = try ReportWorkspace()
        let assignments = try ReportTable(w.scratch.path("assignments.csv")).rows
        let id = Fixture.rows[row][0]
        let assigned = assignments[row]
        #expect(assigned["customer_id"] == id)

        let text = w.scratch.path("explain.txt")
        try runPersona(["explain", "--model", w.model, "--data", w.data, "--customer", id, "--out", text])
        let first = try #require(String(decoding: bytes(text), as: UTF8.self).split(separator: "\n").first)
        #expect(first.hasPrefix("customer \(id): persona \(assigned["persona"]!) \"\(assigned["persona_name"]!)\""))

        let csv = w.scratch.path("explain.csv")
        try runPersona(["explain", "--model", w.model, "--data", w.data, "--customer", id, "--format", "csv", "--out", csv])
        let rows = try ReportTable(csv).rows
        #expect(Set(rows.map { $0["attribute"]! }) == ["lifestyle_age", "finance_income_eur", "wish_quality", "media_channel", "online_mobile"])
        #expect(rows.allSatisfy { $0["persona"] == assigned["persona"] && $0["runner_up"] == assigned["runner_up"] })
        let d = Double(assigned["distance"]!)!, r = Double(assigned["runner_up_distance"] ?? "") ?? (d + Double(assigned["margin"]!)!)
        let assignedSum = rows.reduce(0.0) { $0 + Double($1["persona_squared_distance"]!)! }
        let runnerUpSum = rows.reduce(0.0) { $0 + Double($1["runner_up_squared_distance"]!)! }
        let pullSum = rows.reduce(0.0) { $0 + Double($1["pull"]!)! }
        #expect(abs(assignedSum.squareRoot() - d) < 1e-4 * max(1, d))
        #expect(abs(runnerUpSum.squareRoot() - r) < 1e-4 * max(1, r))
        #expect(abs(pullSum - (runnerUpSum - assignedSum)) < 1e-9 * max(1, runnerUpSum))
        // The customer's value in original units.
        let age = try #require(rows.first { $0["attribute"] == "lifestyle_age" })
        #expect(age["customer_value"] == Fixture.rows[row][Fixture.column("lifestyle_age")])

        let json = w.scratch.path("explain.json")
        try runPersona(["explain", "--model", w.model, "--data", w.data, "--customer", id, "--format", "json", "--out", json])
        let object = try #require(try JSONSerialization.jsonObject(with: bytes(json)) as? [String: Any])
        #expect(object["persona"] as? Int == Int(assigned["persona"]!))
        #expect((object["attributes"] as? [Any])?.count == 5)
    }

    @Test("an unknown customer is named with the file")
    func unknownCustomer() throws {
        let w = try ReportWorkspace()
        let failure = expectFailure(["explain", "--model", w.model, "--data", w.data, "--customer", "C99"])
        expectOneLine(failure?.description ?? "", mentions: [w.data, "C99", "customer_id"])
    }
}

@Suite("report options")
struct ReportOptionTests {
    @Test("the account column cannot be cross-tabulated, and train's report options need --report-dir")
    func accountColumnAndTrainOptions() throws {
        let w = try ReportWorkspace()
        let failure = expectFailure(["report", "--model", w.model, "--data", w.data, "--out-dir", w.scratch.path("x"), "-q",
                                     "--account-column", "profile_phase", "--crosstab-column", "profile_phase"])
        expectOneLine(failure?.description ?? "", mentions: [w.data, "--crosstab-column", "profile_phase"])
        let train = expectFailure(["train", "--data", w.data, "--k", "2", "--out", w.scratch.path("m2.json"), "-q",
                                   "--min-cell-size", "5"])
        expectOneLine(train?.description ?? "", mentions: ["--report-dir"])
        #expect(!FileManager.default.fileExists(atPath: w.scratch.path("m2.json")))
    }
}
