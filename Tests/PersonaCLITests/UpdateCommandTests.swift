import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import PersonaStore
import Testing
import TestSupport

// `persona update`: the streaming rule from the command line, its outputs and refusals.

@Suite("persona update", .serialized)
struct UpdateCommandTests {
    /// Sample customers of two periods and a model trained on the first.
    struct Workspace {
        let scratch: Scratch
        let periodOne: String
        let periodTwo: String
        let model: String

        init() throws {
            scratch = try Scratch("update")
            let sample = try scratch.directory("sample")
            try runPersona(["sample", "--out-dir", sample, "--customers", "1500", "--seed", "5", "-q"])
            periodOne = sample + "/customers-2026-q1.csv"
            periodTwo = sample + "/customers-2026-q2.csv"
            model = scratch.path("model.json")
            try runPersona(["train", "--data", periodOne, "--k", "4", "--out", model, "-q"])
        }
    }

    @Test("the updated model follows the rule in encoded space and keeps identities; the outputs agree with it")
    func update() throws {
        let w = try Workspace()
        let out = w.scratch.path("m2.json"), report = w.scratch.path("update.csv"), assigned = w.scratch.path("a2.csv")
        let drift = w.scratch.path("drift"), history = w.scratch.path("h.sqlite")
        try runPersona(["update", "--model", w.model, "--data", w.periodTwo, "--out", out, "--half-life", "2",
                        "--update-out", report, "--assignments", assigned, "--memberships", "--drift-out", drift, "--history", history, "-q"])
        let before = try ModelFile.read(from: URL(fileURLWithPath: w.model))
        let after = try ModelFile.read(from: URL(fileURLWithPath: out))
        #expect(after.personas.map(\.id) == before.personas.map(\.id))
        #expect(after.personas.map(\.name) == before.personas.map(\.name))
        #expect(after.encoder == before.encoder)
        #expect(after.training.updates == 1)

        // The rule, from the batch encoded with the model and assigned with it.
        let batch = try before.read(readCSV(w.periodTwo), profiles: false)
        let matrix = try before.encoder.transform(batch)
        let labels = before.assign(matrix).map(\.persona)
        let a = 0.5.squareRoot()
        for (p, persona) in before.personas.enumerated() {
            let rows = labels.indices.filter { labels[$0] == persona.id }
            let kept = persona.weight * a, total = kept + Double(rows.count)
            #expect(abs(after.personas[p].weight - total) < 1e-9)
            for j in 0..<matrix.columns {
                let sum = rows.reduce(0.0) { $0 + Double(matrix[$1, j]) }
                let expected = rows.isEmpty ? Double(persona.centroid[j]) : (Double(persona.centroid[j]) * kept + sum) / total
                #expect(abs(Double(after.personas[p].centroid[j]) - expected) < 1e-4)
            }
        }

        // update.csv: one row per persona, weights as in the model.
        let table = try readCSV(report)
        #expect(table.columnNames == UpdateTable.header)
        #expect(table.columns[0] == after.personas.map { String($0.id) })
        #expect(table.columns[6].map { Double($0)! } == after.personas.map(\.weight))
        #expect(table.columns[4].map { Int($0)! }.reduce(0, +) == batch.count)
        // The assignments are the updated model's, and the history records them.
        let rows = try readCSV(assigned)
        #expect(rows.columns[1] == after.assign(matrix).map { String($0.persona) })
        #expect(Array(rows.columnNames.dropFirst(7)) == after.personas.map { "membership_\($0.id)" })
        for r in 0..<rows.rowCount {
            let soft = (7..<rows.columnNames.count).map { Double(rows.columns[$0][r])! }
            #expect(abs(soft.reduce(0, +) - 1) < 1e-12)
        }
        #expect(FileManager.default.fileExists(atPath: drift + "/transitions.csv"))
        let store = try HistoryStore(path: history)
        let runs = try store.runs()
        #expect(runs.map(\.command) == ["update"])
        #expect(try store.assignments(ofRun: runs[0].id!).count == batch.count)
    }

    @Test("a batch without a segment column, a bad decay or both decays are refused, and nothing is written")
    func refusals() throws {
        let w = try Workspace()
        let out = w.scratch.path("m2.json")
        // The batch without one of the model's segment columns.
        let model = try ModelFile.read(from: URL(fileURLWithPath: w.model))
        let dropped = try #require(model.schema.attributes.first { $0.role == .segment }).name
        let table = try readCSV(w.periodTwo)
        let keep = table.columnNames.indices.filter { table.columnNames[$0] != dropped }
        let narrow = w.scratch.path("narrow.csv")
        var text = keep.map { table.columnNames[$0] }.joined(separator: ",") + "\n"
        for r in 0..<table.rowCount { text += keep.map { table.columns[$0][r] }.joined(separator: ",") + "\n" }
        try text.write(toFile: narrow, atomically: true, encoding: .utf8)
        if let failure = expectFailure(["update", "--model", w.model, "--data", narrow, "--out", out, "--decay", "0.9", "-q"]) {
            expectOneLine(failure.description, mentions: [narrow, dropped])
        }
        if let failure = expectFailure(["update", "--model", w.model, "--data", w.periodTwo, "--out", out, "--decay", "1.5", "-q"]) {
            expectOneLine(failure.description, mentions: ["--decay", "1.5", "[0, 1]"])
        }
        if let failure = expectFailure(["update", "--model", w.model, "--data", w.periodTwo, "--out", out, "--half-life", "0", "-q"]) {
            expectOneLine(failure.description, mentions: ["--half-life", "0", "positive"])
        }
        #expect(throws: (any Error).self) {
            _ = try PersonaCommand.parseAsRoot(["update", "--model", w.model, "--data", w.periodTwo, "--out", out,
                                                "--decay", "0.5", "--half-life", "2"])
        }
        #expect(throws: (any Error).self) {
            _ = try PersonaCommand.parseAsRoot(["update", "--model", w.model, "--data", w.periodTwo, "--out", out])
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("the same batch gives the same model file on one thread and on two")
    func determinism() throws {
        let w = try Workspace()
        let one = w.scratch.path("one.json"), two = w.scratch.path("two.json")
        try runPersona(["update", "--model", w.model, "--data", w.periodTwo, "--out", one, "--decay", "0.7", "--threads", "1", "-q"])
        try runPersona(["update", "--model", w.model, "--data", w.periodTwo, "--out", two, "--decay", "0.7", "--threads", "2", "-q"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: one)) == Data(contentsOf: URL(fileURLWithPath: two)))
    }
}
