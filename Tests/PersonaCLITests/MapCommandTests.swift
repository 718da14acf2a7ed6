import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing

@Suite struct MapCommandTests {
    @Test("map draws the sample and the movement from the previous model")
    func mapWithPreviousModel() throws {
        let workspace = try SampleWorkspace(customers: 600)
        let first = try workspace.train("m1.json", ["--assignments", workspace.scratch.path("a1.csv")], k: 4)
        let second = workspace.scratch.path("m2.json")
        try runPersona(["retrain", "--previous", first, "--data", workspace.periodTwo, "--out", second,
                        "--previous-assignments", workspace.scratch.path("a1.csv"), "--k", "3", "-q"])
        let svg = workspace.scratch.path("maps/map.svg"), points = workspace.scratch.path("maps/points.csv")
        try runPersona(["map", "--model", second, "--data", workspace.periodTwo, "--previous-model", first,
                        "--out", svg, "--coordinates", points, "--sample", "200", "--seed", "3", "-q"])
        let document = try XMLDocument(data: Data(contentsOf: URL(fileURLWithPath: svg)))
        let texts = try document.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
        #expect(texts.contains { $0.hasPrefix("PC1 (") && $0.hasSuffix("% of variance)") })
        #expect(texts.contains { $0.hasSuffix("(retired)") })
        let table = try readCSV(points)
        #expect(table.rowCount == 200)
        #expect(Array(table.columnNames.prefix(5)) == ["customer_id", "persona", "persona_name", "pc1", "pc2"])
        #expect(table.columnNames.dropFirst(5).allSatisfy { $0.hasPrefix("encoded:") })

        // The same seed draws the same customers.
        let again = workspace.scratch.path("maps/again.svg")
        try runPersona(["map", "--model", second, "--data", workspace.periodTwo, "--previous-model", first,
                        "--out", again, "--sample", "200", "--seed", "3", "-q"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: again)) == Data(contentsOf: URL(fileURLWithPath: svg)))
    }

    @Test("map refuses bad options and leaves nothing behind")
    func badInput() throws {
        let workspace = try SampleWorkspace(customers: 200)
        let model = try workspace.train("m.json", k: 3)
        let out = workspace.scratch.path("map.svg")
        #expect(throws: (any Error).self) {
            try runPersona(["map", "--model", model, "--data", workspace.periodOne, "--out", out, "--sample", "0"])
        }
        let failure = expectFailure(["map", "--model", model, "--data", workspace.periodOne, "--out", workspace.periodOne])
        expectOneLine(failure?.description ?? "", mentions: ["refusing to write", workspace.periodOne])
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
