import ArgumentParser
import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing

// `--separator`, `--decimal` and `--missing-values` on the commands that read customers: the
// bundled sample written as a Dutch spreadsheet exports it (`;`, decimal commas, `NA` for an
// empty cell) gives the model, assignments and report the plain file gives.

/// The sample data, and the same customers with `;`, decimal commas and `NA`/`NULL`.
private struct DialectWorkspace {
    let scratch: Scratch
    let plain: String
    let european: String
    static let europeanOptions = ["--separator", "auto", "--decimal", "comma", "--missing-values", "NA,NULL"]

    init() throws {
        scratch = try Scratch("dialect")
        let source = ExampleWorker.packageRoot.appendingPathComponent("SampleData/customers-2026-q1.csv")
        let table = try CSVReader.read(contentsOf: source)
        plain = try scratch.write(try String(contentsOf: source, encoding: .utf8), to: "plain.csv")
        var lines = [table.columnNames.joined(separator: ";")]
        var missing = 0
        for r in 0..<table.rowCount {
            var cells = [String]()
            for (c, cell) in table.row(r).enumerated() {
                if cell.isEmpty {
                    missing += 1
                    cells.append(missing % 2 == 0 ? "NA" : " NULL")
                } else if c > 0, Double(cell) != nil {
                    cells.append(cell.replacingOccurrences(of: ".", with: ","))
                } else {
                    cells.append(cell)
                }
            }
            lines.append(cells.joined(separator: ";"))
        }
        #expect(missing > 0, "the sample has empty cells")
        european = try scratch.write(lines.joined(separator: "\r\n") + "\r\n", to: "european.csv")
    }
}

/// The model file as JSON with sorted keys, without what depends on the file's bytes or the
/// clock (`training.dataHash`, `training.createdAt`).
private func modelWithoutFileFields(_ path: String) throws -> Data {
    var model = try #require(try JSONSerialization.jsonObject(with: bytes(path)) as? [String: Any])
    var training = try #require(model["training"] as? [String: Any])
    training.removeValue(forKey: "dataHash")
    training.removeValue(forKey: "createdAt")
    model["training"] = training
    return try JSONSerialization.data(withJSONObject: model, options: [.sortedKeys])
}

@Suite("customer file dialects on the command line")
struct InputDialectTests {
    @Test("train: the same model (but for the file's hash) and the same assignment bytes")
    func train() throws {
        let w = try DialectWorkspace()
        let s = w.scratch
        try runPersona(["train", "--data", w.plain, "--k", "6", "--seed", "2", "--out", s.path("a.json"),
                        "--assignments", s.path("a.csv"), "--report-dir", s.path("ra"), "-q"])
        try runPersona(["train", "--data", w.european, "--k", "6", "--seed", "2", "--out", s.path("b.json"),
                        "--assignments", s.path("b.csv"), "--report-dir", s.path("rb"), "-q"] + DialectWorkspace.europeanOptions)
        #expect(try bytes(s.path("a.csv")) == bytes(s.path("b.csv")))
        let a = try ModelFile.read(from: URL(fileURLWithPath: s.path("a.json")))
        let b = try ModelFile.read(from: URL(fileURLWithPath: s.path("b.json")))
        #expect(a.training.dataHash != b.training.dataHash)
        #expect(a.encoder == b.encoder && a.personas == b.personas && a.schema == b.schema)
        #expect(try modelWithoutFileFields(s.path("a.json")) == modelWithoutFileFields(s.path("b.json")))
        for name in ["personas.csv", "attributes.csv"] {
            #expect(try bytes(s.path("ra/\(name)")) == bytes(s.path("rb/\(name)")), "\(name)")
        }
    }

    @Test("assign, report and choose-k read the dialect as train does")
    func otherCommands() throws {
        let w = try DialectWorkspace()
        let s = w.scratch
        try runPersona(["train", "--data", w.plain, "--k", "4", "--out", s.path("m.json"), "-q"])
        try runPersona(["assign", "--model", s.path("m.json"), "--data", w.plain, "--out", s.path("a.csv"), "-q"])
        try runPersona(["assign", "--model", s.path("m.json"), "--data", w.european, "--out", s.path("b.csv"), "-q"]
                       + DialectWorkspace.europeanOptions)
        #expect(try bytes(s.path("a.csv")) == bytes(s.path("b.csv")))
        try runPersona(["report", "--model", s.path("m.json"), "--data", w.plain, "--out-dir", s.path("ra"), "-q"])
        try runPersona(["report", "--model", s.path("m.json"), "--data", w.european, "--out-dir", s.path("rb"), "-q"]
                       + DialectWorkspace.europeanOptions)
        #expect(try bytes(s.path("ra/personas.csv")) == bytes(s.path("rb/personas.csv")))
        let k = ["--k-range", "2...3", "--bootstrap", "2", "--restarts", "1", "-q"]
        try runPersona(["choose-k", "--data", w.plain, "--out-dir", s.path("ka")] + k)
        try runPersona(["choose-k", "--data", w.european, "--out-dir", s.path("kb")] + k + DialectWorkspace.europeanOptions)
        #expect(try bytes(s.path("ka/choose-k.csv")) == bytes(s.path("kb/choose-k.csv")))
    }

    @Test("without the options the European file is refused with the reason; bad option values are usage errors")
    func refusals() throws {
        let w = try DialectWorkspace()
        if let failure = expectFailure(["train", "--data", w.european, "--k", "3", "--out", w.scratch.path("x.json"), "-q"]) {
            expectOneLine(failure.description, mentions: [w.european, "';'-separated"])
        }
        for arguments in [["--separator", "pipe"], ["--decimal", "dot"], ["--missing-values", " , "]] {
            #expect(throws: (any Error).self) {
                _ = try PersonaCommand.parseAsRoot(["train", "--data", w.plain, "--k", "3", "--out", "m.json"] + arguments)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: w.scratch.path("x.json")))
    }
}
