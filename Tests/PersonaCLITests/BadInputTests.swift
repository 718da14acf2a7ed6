import Foundation
@testable import PersonaCLI
import PersonaIO
import Testing

// Every bad input must fail with one line that names the file (and the row, column and value
// where they apply), and must leave the output directory exactly as it was: no new output
// file, no temporary file, an older output file unchanged.

/// A command run against a bad input, with or without older outputs already in place.
struct Target: Sendable, CustomTestStringConvertible {
    enum Command: String, Sendable { case train, assign, report }
    let command: Command
    /// Whether older output files exist before the run (they must be left unchanged).
    let preexisting: Bool

    var testDescription: String { "\(command.rawValue)\(preexisting ? " over older outputs" : "")" }

    static let all: [Target] = [.train, .assign, .report].flatMap { c in [false, true].map { Target(command: c, preexisting: $0) } }
    static let modelReaders: [Target] = all.filter { $0.command != .train }
}

/// A prepared run: an input directory (data, model) and a separate output directory.
struct Workspace {
    let scratch: Scratch
    let input: String
    let output: String
    /// A model trained on ``Fixture`` (input directory).
    let model: String

    init(_ target: Target) throws {
        scratch = try Scratch(target.command.rawValue)
        input = try scratch.directory("in")
        output = try scratch.directory("out")
        model = try trainFixtureModel(in: scratch, name: "in/model.json")
        if target.preexisting {
            // An older model, older assignments and an older report.
            try FileManager.default.copyItem(atPath: model, toPath: outModel)
            try Data("customer_id,persona\nOLD,1\n".utf8).write(to: URL(fileURLWithPath: outAssignments))
            try FileManager.default.createDirectory(atPath: outReport, withIntermediateDirectories: true)
            try Data("old personas\n".utf8).write(to: URL(fileURLWithPath: outReport + "/personas.csv"))
            try Data("old attributes\n".utf8).write(to: URL(fileURLWithPath: outReport + "/attributes.csv"))
        }
    }

    var outModel: String { output + "/m.json" }
    var outAssignments: String { output + "/a.csv" }
    var outReport: String { output + "/rep" }

    /// The arguments of `command` on `data`, writing every output it can into the output directory.
    /// `k` is train's `--k` option (pass `[]` to give it in `extra`).
    func arguments(_ command: Target.Command, data: String, extra: [String] = [], k: [String] = ["--k", "2"]) -> [String] {
        switch command {
        case .train:
            ["train", "--data", data] + k + ["--out", outModel, "--assignments", outAssignments,
             "--report-dir", outReport, "-q"] + extra
        case .assign:
            ["assign", "--model", model, "--data", data, "--out", outAssignments, "-q"] + extra
        case .report:
            ["report", "--model", model, "--data", data, "--out-dir", outReport, "-q"] + extra
        }
    }

    /// Runs `arguments`, expects a one-line failure mentioning `fragments` and `rows`, and checks
    /// that the output directory is unchanged and holds no temporary files.
    @discardableResult
    func expectCleanFailure(_ arguments: [String], mentions fragments: [String], rows: [Int] = [],
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandFailure? {
        let before = try snapshot(output)
        let failure = expectFailure(arguments, sourceLocation: sourceLocation)
        if let failure {
            expectOneLine(failure.description, mentions: fragments, rows: rows, sourceLocation: sourceLocation)
        }
        try expectUnchanged(before: before, sourceLocation: sourceLocation)
        return failure
    }

    /// Checks that the output directory matches `before` and that no temporary file was left
    /// anywhere in the workspace.
    func expectUnchanged(before: [String: Data?], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let after = try snapshot(output)
        let added = Set(after.keys).subtracting(before.keys).sorted()
        let removed = Set(before.keys).subtracting(after.keys).sorted()
        let changed = before.keys.filter { after[$0] != nil && after[$0]! != before[$0]! }.sorted()
        #expect(added.isEmpty, "files appeared in the output directory: \(added)", sourceLocation: sourceLocation)
        #expect(removed.isEmpty, "files disappeared from the output directory: \(removed)", sourceLocation: sourceLocation)
        #expect(changed.isEmpty, "older output files were changed: \(changed)", sourceLocation: sourceLocation)
        #expect(try strayTemporaryFiles(scratch.url.path).isEmpty, "temporary files left behind",
                sourceLocation: sourceLocation)
    }
}

/// A bad customer CSV and what its error must mention (besides the file's path).
struct BadData: Sendable, CustomTestStringConvertible {
    let name: String
    /// The file's contents; `nil` for a file that does not exist.
    let contents: String?
    let fragments: [String]
    let rows: [Int]

    var testDescription: String { name }

    static let all: [BadData] = [
        BadData(name: "missing file", contents: nil, fragments: ["no such file"], rows: []),
        BadData(name: "empty file", contents: "", fragments: ["empty"], rows: []),
        BadData(name: "header only", contents: Fixture.header.joined(separator: ",") + "\n", fragments: ["no rows"], rows: []),
        BadData(name: "ragged row",
                contents: Fixture.csv(rows: Fixture.rows.enumerated().map { $0 == 2 ? Array($1.dropLast()) : $1 }),
                fragments: ["expected 7", "found 6"], rows: [4]),
        BadData(name: "unterminated quote", contents: Fixture.csv(replacing: 3, "media_channel", with: "\"tv"),
                fragments: ["quote"], rows: [5]),
        BadData(name: "text in a numeric column", contents: Fixture.csv(replacing: 4, "finance_income_eur", with: "abc"),
                fragments: ["finance_income_eur", "'abc'"], rows: [6]),
        BadData(name: "NaN in a numeric column", contents: Fixture.csv(replacing: 1, "lifestyle_age", with: "NaN"),
                fragments: ["lifestyle_age", "'NaN'"], rows: [3]),
        BadData(name: "inf in a numeric column", contents: Fixture.csv(replacing: 5, "finance_income_eur", with: "inf"),
                fragments: ["finance_income_eur", "'inf'"], rows: [7]),
        BadData(name: "duplicate customer id", contents: Fixture.csv(replacing: 3, "customer_id", with: "C02"),
                fragments: ["customer_id", "'C02'"], rows: [5, 3]),
        BadData(name: "no id column",
                contents: Fixture.csv(header: ["id"] + Fixture.header.dropFirst(), rows: Fixture.rows),
                fragments: ["customer_id"], rows: []),
    ]
}

@Suite("Bad input")
struct BadInputTests {
    // Cases 1–9: bad customer files, for every command that reads one.
    @Test("bad customer data fails cleanly", arguments: BadData.all, Target.all)
    func badData(_ bad: BadData, _ target: Target) throws {
        let workspace = try Workspace(target)
        let data = workspace.input + "/customers.csv"
        if let contents = bad.contents { try Data(contents.utf8).write(to: URL(fileURLWithPath: data)) }
        try workspace.expectCleanFailure(workspace.arguments(target.command, data: data),
                                         mentions: [data] + bad.fragments, rows: bad.rows)
    }

    // Case 9: an --id-column that is not in the data.
    @Test("train with a wrong --id-column", arguments: [false, true])
    func wrongIdColumn(_ preexisting: Bool) throws {
        let workspace = try Workspace(Target(command: .train, preexisting: preexisting))
        let data = try workspace.scratch.write(Fixture.csv(), to: "in/customers.csv")
        try workspace.expectCleanFailure(workspace.arguments(.train, data: data, extra: ["--id-column", "cust"]),
                                         mentions: [data, "'cust'"])
    }

    // Case 10: k below 1.
    @Test("train with k below 1", arguments: [["--k", "0"], ["--k=-1"]], [false, true])
    func kBelowOne(_ k: [String], _ preexisting: Bool) throws {
        let workspace = try Workspace(Target(command: .train, preexisting: preexisting))
        let data = try workspace.scratch.write(Fixture.csv(), to: "in/customers.csv")
        let value = k.joined(separator: " ").replacingOccurrences(of: "=", with: " ")  // "--k 0", "--k -1"
        try workspace.expectCleanFailure(workspace.arguments(.train, data: data, k: k), mentions: [value])
    }

    // Case 10: `--k -1` written with a space, as most people would type it.
    @Test("train --k -1 (separate argument) is rejected with a message about --k")
    func negativeKAsSeparateArgument() throws {
        let workspace = try Workspace(Target(command: .train, preexisting: false))
        let data = try workspace.scratch.write(Fixture.csv(), to: "in/customers.csv")
        let arguments = ["train", "--data", data, "--out", workspace.outModel, "-q", "--k", "-1"]
        let before = try snapshot(workspace.output)
        do {
            try runPersona(arguments)
            Issue.record("`persona train … --k -1` succeeded")
        } catch let failure as CommandFailure {
            expectOneLine(failure.description, mentions: ["--k", "-1"])
        } catch {
            // A parse error: what `persona` would print for it.
            let message = PersonaCommand.message(for: error)
            expectOneLine(message, mentions: ["--k"])
            #expect(message.contains("-1"), "the parse error does not quote the value -1: \(message)")
        }
        try workspace.expectUnchanged(before: before)
    }

    // Case 11: more personas than distinct rows (and than rows).
    @Test("train with k above the number of distinct rows", arguments: [false, true])
    func kAboveDistinctRows(_ preexisting: Bool) throws {
        let workspace = try Workspace(Target(command: .train, preexisting: preexisting))
        let a = ["23", "1800", "5", "social", "1", "120"], b = ["61", "3900", "2", "print", "0", "380"]
        let rows = [["D1"] + a, ["D2"] + b, ["D3"] + a, ["D4"] + b, ["D5"] + a]
        let data = try workspace.scratch.write(Fixture.csv(rows: rows), to: "in/customers.csv")
        let failure = try workspace.expectCleanFailure(workspace.arguments(.train, data: data, k: ["--k", "3"]),
                                                       mentions: [data, "2 distinct", "3"])
        #expect(failure?.description.contains("k=3") == true || failure?.description.contains("--k 3") == true)
    }

    @Test("train with k above the number of rows", arguments: [false, true])
    func kAboveRows(_ preexisting: Bool) throws {
        let workspace = try Workspace(Target(command: .train, preexisting: preexisting))
        let data = try workspace.scratch.write(Fixture.csv(rows: Array(Fixture.rows.prefix(5))), to: "in/customers.csv")
        try workspace.expectCleanFailure(workspace.arguments(.train, data: data, k: ["--k", "6"]),
                                         mentions: [data, "5", "6"])
    }

    // Case 12: data without one of the model's segment columns.
    @Test("data without a segment column of the model", arguments: Target.modelReaders)
    func missingSegmentColumn(_ target: Target) throws {
        let workspace = try Workspace(target)
        let data = try workspace.scratch.write(Fixture.csv(dropping: "wish_quality"), to: "in/customers.csv")
        try workspace.expectCleanFailure(workspace.arguments(target.command, data: data),
                                         mentions: [data, "wish_quality"])
    }

    @Test("assign does not need profile-only columns")
    func missingProfileColumnIsFine() throws {
        let workspace = try Workspace(Target(command: .assign, preexisting: false))
        let data = try workspace.scratch.write(Fixture.csv(dropping: "profile_value"), to: "in/customers.csv")
        try runPersona(workspace.arguments(.assign, data: data) + ["-q"])
        #expect(try readCSV(workspace.outAssignments).rowCount == Fixture.rows.count)
    }

    // Case 13: a category the model never saw.
    @Test("an unseen category is treated as missing by default")
    func unseenCategoryFallsBackToMissing() throws {
        let workspace = try Workspace(Target(command: .assign, preexisting: false))
        let unseen = try workspace.scratch.write(Fixture.csv(replacing: 1, "media_channel", with: "radio"), to: "in/unseen.csv")
        let empty = try workspace.scratch.write(Fixture.csv(replacing: 1, "media_channel", with: ""), to: "in/empty.csv")
        let reference = workspace.output + "/reference.csv"
        try runPersona(["assign", "--model", workspace.model, "--data", unseen, "--out", workspace.outAssignments, "-q"])
        try runPersona(["assign", "--model", workspace.model, "--data", empty, "--out", reference, "-q"])
        // The unseen category gives exactly what a missing value gives.
        #expect(try bytes(workspace.outAssignments) == bytes(reference))
        #expect(try readCSV(workspace.outAssignments).rowCount == Fixture.rows.count)
        #expect(try strayTemporaryFiles(workspace.output).isEmpty)
    }

    @Test("--strict-categories rejects an unseen category", arguments: [false, true])
    func unseenCategoryStrict(_ preexisting: Bool) throws {
        let workspace = try Workspace(Target(command: .assign, preexisting: preexisting))
        let data = try workspace.scratch.write(Fixture.csv(replacing: 1, "media_channel", with: "radio"), to: "in/customers.csv")
        try workspace.expectCleanFailure(workspace.arguments(.assign, data: data, extra: ["--strict-categories"]),
                                         mentions: [data, "media_channel", "'radio'"], rows: [3])
    }

    // Case 14: unusable model files, for both commands that read one.
    enum BadModel: String, CaseIterable, Sendable {
        case newerFormatVersion = "formatVersion 99"
        case truncatedJSON = "truncated JSON"
        case wrongCentroidLength = "centroid of the wrong length"
        case notJSON = "not JSON"
        case missing = "missing model file"
    }

    @Test("an unusable model file fails cleanly", arguments: BadModel.allCases, Target.modelReaders)
    func badModel(_ bad: BadModel, _ target: Target) throws {
        let workspace = try Workspace(target)
        let data = try workspace.scratch.write(Fixture.csv(), to: "in/customers.csv")
        let good = try bytes(workspace.model)
        var fragments = [workspace.model]
        switch bad {
        case .newerFormatVersion:
            var json = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
            json["formatVersion"] = 99
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: workspace.model))
            fragments.append("99")
        case .truncatedJSON:
            try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: workspace.model))
        case .wrongCentroidLength:
            var json = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
            var personas = try #require(json["personas"] as? [[String: Any]])
            var centroid = try #require(personas[0]["centroid"] as? [Any])
            centroid.removeLast()
            personas[0]["centroid"] = centroid
            json["personas"] = personas
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: workspace.model))
            fragments.append("centroid")
        case .notJSON:
            try Data("persona model, honestly\n".utf8).write(to: URL(fileURLWithPath: workspace.model))
        case .missing:
            try FileManager.default.removeItem(atPath: workspace.model)
        }
        try workspace.expectCleanFailure(workspace.arguments(target.command, data: data), mentions: fragments)
    }

    // Case 15: outputs that cannot be written.
    struct BadOutput: Sendable, CustomTestStringConvertible {
        let name: String
        /// The arguments, given the workspace, the data and a path for the bad output.
        let arguments: @Sendable (Workspace, String, String) -> [String]
        /// The bad output path, relative to the output directory.
        let path: String
        var testDescription: String { name }
    }

    static let badOutputs: [BadOutput] = [
        BadOutput(name: "train --out is a directory", arguments: { w, d, p in
            ["train", "--data", d, "--k", "2", "--out", p, "--assignments", w.outAssignments, "--report-dir", w.outReport, "-q"]
        }, path: "a-directory"),
        BadOutput(name: "train --out under a file", arguments: { w, d, p in
            ["train", "--data", d, "--k", "2", "--out", p, "--assignments", w.outAssignments, "--report-dir", w.outReport, "-q"]
        }, path: "a-file/m.json"),
        BadOutput(name: "train --out in a directory that cannot be created", arguments: { w, d, p in
            ["train", "--data", d, "--k", "2", "--out", p, "--assignments", w.outAssignments, "--report-dir", w.outReport, "-q"]
        }, path: "a-file/missing/m.json"),
        BadOutput(name: "train --assignments is a directory", arguments: { w, d, p in
            ["train", "--data", d, "--k", "2", "--out", w.outModel, "--assignments", p, "--report-dir", w.outReport, "-q"]
        }, path: "a-directory"),
        BadOutput(name: "train --assignments in a directory that cannot be created", arguments: { w, d, p in
            ["train", "--data", d, "--k", "2", "--out", w.outModel, "--assignments", p, "--report-dir", w.outReport, "-q"]
        }, path: "a-file/missing/a.csv"),
        BadOutput(name: "train --report-dir is a file", arguments: { w, d, p in
            ["train", "--data", d, "--k", "2", "--out", w.outModel, "--assignments", w.outAssignments, "--report-dir", p, "-q"]
        }, path: "a-file"),
        BadOutput(name: "train --report-dir under a file", arguments: { w, d, p in
            ["train", "--data", d, "--k", "2", "--out", w.outModel, "--assignments", w.outAssignments, "--report-dir", p, "-q"]
        }, path: "a-file/rep"),
        BadOutput(name: "assign --out is a directory", arguments: { w, d, p in
            ["assign", "--model", w.model, "--data", d, "--out", p, "-q"]
        }, path: "a-directory"),
        BadOutput(name: "assign --out in a directory that cannot be created", arguments: { w, d, p in
            ["assign", "--model", w.model, "--data", d, "--out", p, "-q"]
        }, path: "a-file/missing/a.csv"),
        BadOutput(name: "report --out-dir is a file", arguments: { w, d, p in
            ["report", "--model", w.model, "--data", d, "--out-dir", p, "-q"]
        }, path: "a-file"),
        BadOutput(name: "report --out-dir under a file", arguments: { w, d, p in
            ["report", "--model", w.model, "--data", d, "--out-dir", p, "-q"]
        }, path: "a-file/missing/rep"),
    ]

    @Test("an output that cannot be written fails cleanly", arguments: badOutputs, [false, true])
    func badOutput(_ bad: BadOutput, _ preexisting: Bool) throws {
        let workspace = try Workspace(Target(command: .train, preexisting: preexisting))
        let data = try workspace.scratch.write(Fixture.csv(), to: "in/customers.csv")
        try workspace.scratch.directory("out/a-directory")
        try workspace.scratch.write("not a directory\n", to: "out/a-file")
        let path = workspace.output + "/" + bad.path
        try workspace.expectCleanFailure(bad.arguments(workspace, data, path), mentions: [path])
    }

    // Case 15, late failure: the report directory is fine but one report file cannot be
    // replaced (a directory stands in its place). Nothing may be written then either.
    @Test("a report file that cannot be written leaves no other output", arguments: [Target.Command.train, .report], [false, true])
    func reportFileBlocked(_ command: Target.Command, _ preexisting: Bool) throws {
        let workspace = try Workspace(Target(command: command, preexisting: preexisting))
        let data = try workspace.scratch.write(Fixture.csv(), to: "in/customers.csv")
        let blocked = workspace.outReport + "/attributes.csv"
        try? FileManager.default.removeItem(atPath: blocked)
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: true)
        try workspace.expectCleanFailure(workspace.arguments(command, data: data), mentions: [blocked])
    }

    // The advice in an error must be something the command accepts.
    @Test("assign/report: a missing id column does not suggest an option they lack",
          arguments: [Target.Command.assign, .report])
    func missingIdColumnAdvice(_ command: Target.Command) throws {
        let workspace = try Workspace(Target(command: command, preexisting: false))
        let data = try workspace.scratch.write(
            Fixture.csv(header: ["id"] + Fixture.header.dropFirst(), rows: Fixture.rows), to: "in/customers.csv")
        let failure = try workspace.expectCleanFailure(workspace.arguments(command, data: data),
                                                       mentions: [data, "customer_id"])
        if let failure, failure.description.contains("--id-column") {
            // The suggested option must exist.
            #expect(throws: Never.self, "`persona \(command.rawValue)` has no --id-column option, but its error suggests it: \(failure.description)") {
                _ = try PersonaCommand.parseAsRoot(workspace.arguments(command, data: data) + ["--id-column", "id"])
            }
        }
    }

    // A missing output directory is not an error: the commands create it (see
    // CommandSupport.checkWritable), and then write every output.
    @Test("missing output directories are created")
    func missingOutputDirectoriesAreCreated() throws {
        let workspace = try Workspace(Target(command: .train, preexisting: false))
        let data = try workspace.scratch.write(Fixture.csv(), to: "in/customers.csv")
        let out = workspace.output
        try runPersona(["train", "--data", data, "--k", "2", "--out", out + "/new1/m.json",
                        "--assignments", out + "/new2/deeper/a.csv", "--report-dir", out + "/new3/deeper/rep", "-q"])
        try runPersona(["assign", "--model", workspace.model, "--data", data, "--out", out + "/new4/a.csv", "-q"])
        try runPersona(["report", "--model", workspace.model, "--data", data, "--out-dir", out + "/new5/deeper/rep", "-q"])
        let files = try snapshot(out).filter { $0.value != nil }.keys.sorted()
        let report = { (dir: String) in ReportSupport.fileNames.map { "\(dir)/\($0)" } }
        #expect(files == (["new1/m.json", "new2/deeper/a.csv", "new4/a.csv"] + report("new3/deeper/rep")
                          + report("new5/deeper/rep")).sorted())
    }

    @Test("assign and report accept --id-column for data with another identifier column",
          arguments: [Target.Command.assign, .report])
    func otherIdColumn(_ command: Target.Command) throws {
        let workspace = try Workspace(Target(command: command, preexisting: false))
        let data = try workspace.scratch.write(
            Fixture.csv(header: ["id"] + Fixture.header.dropFirst(), rows: Fixture.rows), to: "in/customers.csv")
        try runPersona(workspace.arguments(command, data: data, extra: ["--id-column", "id"]))
        if command == .assign {
            let table = try readCSV(workspace.outAssignments)
            #expect(table.columnNames.first == "id")
            #expect(table.column(named: "id") == Fixture.rows.map { $0[0] })
        } else {
            #expect(try readCSV(workspace.outReport + "/personas.csv").rowCount == 2)
        }
    }

    // The one-line rule also holds when the text quoted in a message holds a line break (a
    // quoted CSV cell may span lines; a file name may contain one).
    enum LineBreak: String, CaseIterable, Sendable {
        case inNumericCell = "line break in a numeric cell"
        case inDuplicateId = "line break in a duplicate id"
        case inUnknownCategory = "line break in an unknown category (assign --strict-categories)"
        case inFileName = "line break in the file name"
    }

    @Test("a quoted line break does not break the one-line message", arguments: LineBreak.allCases)
    func lineBreakInQuotedText(_ variant: LineBreak) throws {
        let command: Target.Command = variant == .inUnknownCategory ? .assign : .train
        let workspace = try Workspace(Target(command: command, preexisting: false))
        var name = "in/customers.csv"
        let csv: String
        var fragments: [String] = []
        var rows: [Int] = []
        switch variant {
        case .inNumericCell:
            csv = Fixture.csv(replacing: 2, "finance_income_eur", with: "\"25\n00\"")
            fragments = ["finance_income_eur"]; rows = [4]
        case .inDuplicateId:
            var table = Fixture.rows
            table[0][0] = "\"C\n1\""; table[3][0] = "\"C\n1\""
            csv = Fixture.csv(rows: table)
            fragments = ["customer_id"]; rows = [5, 2]
        case .inUnknownCategory:
            csv = Fixture.csv(replacing: 1, "media_channel", with: "\"ra\ndio\"")
            fragments = ["media_channel"]; rows = [3]
        case .inFileName:
            name = "in/odd\nname.csv"
            csv = Fixture.csv(replacing: 3, "customer_id", with: "C02")
            fragments = ["name.csv", "'C02'"]; rows = [5]
        }
        let data = try workspace.scratch.write(csv, to: name)
        try workspace.expectCleanFailure(workspace.arguments(command, data: data, extra: command == .assign ? ["--strict-categories"] : []),
                                         mentions: fragments, rows: rows)
    }

    // Two outputs of one run at the same path: one would silently replace the other.
    @Test("train refuses --out and --assignments naming the same file", arguments: [false, true])
    func sameOutputTwice(_ preexisting: Bool) throws {
        let workspace = try Workspace(Target(command: .train, preexisting: preexisting))
        let data = try workspace.scratch.write(Fixture.csv(), to: "in/customers.csv")
        try workspace.expectCleanFailure(["train", "--data", data, "--k", "2", "--out", workspace.outAssignments,
                                          "--assignments", workspace.outAssignments, "-q"],
                                         mentions: [workspace.outAssignments])
    }

    // An output at the input's path would destroy the customer data.
    @Test("an output path that is the input data file is refused", arguments: [Target.Command.train, .assign])
    func outputOverInput(_ command: Target.Command) throws {
        let workspace = try Workspace(Target(command: command, preexisting: false))
        let data = try workspace.scratch.write(Fixture.csv(), to: "out/customers.csv")
        let arguments = command == .train
            ? ["train", "--data", data, "--k", "2", "--out", data, "-q"]
            : ["assign", "--model", workspace.model, "--data", data, "--out", data, "-q"]
        try workspace.expectCleanFailure(arguments, mentions: [data])
        #expect(try String(contentsOfFile: data, encoding: .utf8) == Fixture.csv(), "the input data was overwritten")
    }
}
