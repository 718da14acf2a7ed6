import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import TestSupport
import Testing

@Suite struct ChooseKCommandTests {
    /// A customer CSV of three well-separated groups.
    static func blobsCSV(in scratch: Scratch) throws -> String {
        let (x, _) = Fixtures.blobs(n: 240, d: 3, k: 3, spread: 1, separation: 12, seed: 21)
        var lines = ["customer_id,lifestyle_a,finance_b,health_c"]
        for r in 0..<x.rows { lines.append("C\(r)," + (0..<3).map { "\(x[r, $0])" }.joined(separator: ",")) }
        return try scratch.write(lines.joined(separator: "\n") + "\n", to: "blobs.csv")
    }

    @Test func writesTableAndChartAndRecommendsThree() throws {
        let scratch = try Scratch("choose-k")
        let data = try Self.blobsCSV(in: scratch)
        let out = scratch.path("out")
        try runPersona(["choose-k", "--data", data, "--k-range", "2-5", "--bootstrap", "4", "--restarts", "2",
                        "--out-dir", out, "-q"])
        let table = try readCSV("\(out)/choose-k.csv")
        #expect(table.columnNames == ChooseKTable.header)
        #expect(table.columns[0] == ["2", "3", "4", "5"])
        let recommended = table.columnIndex(named: "recommended")!
        #expect(table.columns[recommended] == ["0", "1", "0", "0"])
        let svg = try XMLDocument(data: try bytes("\(out)/choose-k.svg"))
        #expect(svg.rootElement()?.name == "svg")
        #expect(try strayTemporaryFiles(out).isEmpty)
    }

    @Test(arguments: ["2...4", "2..4", "2-4", " 2 .. 4 "])
    func acceptsRangeSpellings(_ spelling: String) throws {
        #expect(try KRange(parsing: spelling).range == 2...4)
    }

    @Test func rejectsBadRangesInOneLine() throws {
        let scratch = try Scratch("choose-k-bad")
        let data = try Self.blobsCSV(in: scratch)
        let out = scratch.path("out")
        for (range, fragment) in [("1...4", "at least 2"), ("5-3", "exceeds"), ("two-five", "whole numbers"), ("2...240", "240 rows")] {
            let failure = expectFailure(["choose-k", "--data", data, "--k-range", range, "--bootstrap", "2", "--out-dir", out, "-q"])
            expectOneLine(failure?.description ?? "", mentions: ["--k-range", fragment])
        }
        let failure = expectFailure(["choose-k", "--data", data, "--resamples", "0", "-q"])
        expectOneLine(failure?.description ?? "", mentions: ["--resamples"])
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
