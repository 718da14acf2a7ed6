import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit
import PersonaStore
import TestSupport
import Testing

@Suite("retrain and drift commands")
struct RetrainTests {
    static func write(_ table: RawTable, _ name: String, in scratch: Scratch) throws -> String {
        try scratch.write(Data(CSVWriter.encode(header: table.columnNames, rows: (0..<table.rowCount).map { table.row($0) })), to: name)
    }

    @Test("three retrains on unchanged data keep every id and name, report only survivals and no major shift")
    func identitiesSurviveUnchangedData() throws {
        let scratch = try Scratch("retrain-same")
        let (first, _, _) = DriftScenario(configuration: .init(customerCount: 1_500, personaCount: 4, seed: 5, events: [])).generate()
        let data = try Self.write(first, "p.csv", in: scratch)
        try runPersona(["train", "--data", data, "--k", "4", "--out", scratch.path("m0.json"), "--assignments", scratch.path("a0.csv"), "-q"])
        let original = try ModelFile.read(from: URL(fileURLWithPath: scratch.path("m0.json")))
        for step in 1...3 {
            try runPersona(["retrain", "--previous", scratch.path("m\(step - 1).json"), "--data", data,
                            "--previous-assignments", scratch.path("a\(step - 1).csv"),
                            "--out", scratch.path("m\(step).json"), "--assignments", scratch.path("a\(step).csv"),
                            "--drift-out", scratch.path("drift\(step)"), "--fail-on-major-shift", "-q"])
            let model = try ModelFile.read(from: URL(fileURLWithPath: scratch.path("m\(step).json")))
            #expect(Set(model.personas.map(\.id)) == Set(original.personas.map(\.id)))
            for persona in model.personas {
                #expect(persona.name == original.persona(id: persona.id)?.name)
                #expect(persona.parents == [persona.id])
            }
            let events = try readCSV(scratch.path("drift\(step)/events.csv"))
            #expect(events.column(named: "event") == Array(repeating: "survival", count: 4))
            #expect(try readCSV(scratch.path("drift\(step)/movers.csv")).rowCount == 0)
        }
    }

    @Test("--previous-data alone gives the drift --previous-assignments gives: the previous data assigned with the previous model")
    func previousDataAlone() throws {
        let scratch = try Scratch("retrain-previous-data")
        let scenario = DriftScenario(configuration: .init(customerCount: 1_200, personaCount: 4, seed: 4,
                                                          events: [.switching(fraction: 0.15)]))
        let (first, second, _) = scenario.generate()
        let p1 = try Self.write(first, "p1.csv", in: scratch), p2 = try Self.write(second, "p2.csv", in: scratch)
        try runPersona(["train", "--data", p1, "--k", "4", "--out", scratch.path("m1.json"), "--assignments", scratch.path("a1.csv"), "-q"])
        for (name, extra) in [("given", ["--previous-assignments", scratch.path("a1.csv")]), ("derived", [])] {
            try runPersona(["retrain", "--previous", scratch.path("m1.json"), "--data", p2, "--previous-data", p1,
                            "--out", scratch.path("m2-\(name).json"), "--assignments", scratch.path("a2-\(name).csv"),
                            "--drift-out", scratch.path("drift-\(name)"), "-q"] + extra)
        }
        func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: scratch.path(path))) }
        #expect(try bytes("a2-given.csv") == bytes("a2-derived.csv"))
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.path("drift-given")).sorted()
        #expect(files.contains("transitions.csv") && files.contains("movers.csv"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("drift-derived")).sorted() == files)
        for file in files { #expect(try bytes("drift-given/\(file)") == bytes("drift-derived/\(file)"), "\(file)") }
        #expect(try readCSV(scratch.path("drift-derived/movers.csv")).rowCount > 0)
    }

    @Test("a planted split is reported with its persona, movers are found, and --fail-on-major-shift exits with status 3")
    func plantedSplit() throws {
        let scratch = try Scratch("retrain-split")
        let scenario = DriftScenario(configuration: .init(customerCount: 2_400, personaCount: 4, seed: 9,
                                                          events: [.switching(fraction: 0.1), .split(persona: 1, parts: 3)]))
        let (first, second, truth) = scenario.generate()
        let p1 = try Self.write(first, "p1.csv", in: scratch), p2 = try Self.write(second, "p2.csv", in: scratch)
        let history = scratch.path("history.sqlite")
        try runPersona(["train", "--data", p1, "--k", "4", "--restarts", "8", "--out", scratch.path("m1.json"),
                        "--assignments", scratch.path("a1.csv"), "--history", history, "-q"])
        var status: Int32? = nil
        do {
            try runPersona(["retrain", "--previous", scratch.path("m1.json"), "--data", p2, "--k", "6", "--start", "fresh",
                            "--out", scratch.path("m2.json"), "--assignments", scratch.path("a2.csv"),
                            "--drift-out", scratch.path("drift"), "--history", history, "--fail-on-major-shift", "-q"])
        } catch let exit as ExitCode {
            status = exit.rawValue
        }
        #expect(status == 3)
        // Outputs are written before the status is reported.
        let events = try readCSV(scratch.path("drift/events.csv"))
        let kinds = events.column(named: "event")!
        #expect(kinds.filter { $0 == "split" }.count == 1)
        #expect(kinds.filter { $0 == "survival" }.count == 3)   // the other three personas

        // The persona that split is the one the planted persona's customers were in.
        let a1 = try readCSV(scratch.path("a1.csv"))
        guard case .split(let planted, _)? = truth.events.first(where: { if case .split = $0 { return true } else { return false } }) else {
            Issue.record("no split planted"); return
        }
        var votes = [String: Int]()
        for r in 0..<a1.rowCount where truth.firstPersonas[r] == planted { votes[a1.columns[1][r], default: 0] += 1 }
        let splitRow = kinds.firstIndex(of: "split")!
        #expect(events.column(named: "before")![splitRow] == votes.max { $0.value < $1.value }!.key)

        // Movers among the customers outside the split: precision and recall against the truth.
        let movers = try readCSV(scratch.path("drift/movers.csv"))
        let splitIDs = Set((0..<a1.rowCount).filter { truth.firstPersonas[$0] == planted }.map { a1.columns[0][$0] })
        let found = Set(movers.columns[0]).subtracting(splitIDs)
        let planted2 = truth.movedIDs.subtracting(splitIDs)
        let hits = found.intersection(planted2).count
        #expect(Double(hits) / Double(max(found.count, 1)) >= 0.95)
        #expect(Double(hits) / Double(max(planted2.count, 1)) >= 0.95)

        // The history holds both runs, and `persona drift` over them finds the same split.
        #expect(try HistoryStore(path: history).runs().map(\.command) == ["train", "retrain"])
        try runPersona(["drift", "--history", history, "--drift-out", scratch.path("drift-history"), "-q"])
        #expect(try readCSV(scratch.path("drift-history/events.csv")).column(named: "event")!.filter { $0 == "split" }.count == 1)
    }
}
