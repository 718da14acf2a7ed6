import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing

/// `report.html` of `persona report`: the same figures as the CSV files, the persona map, the
/// choose-k chart and the drift summary when given, and the same small-cell suppression.
@Suite("report.html")
struct ReportHTMLTests {
    static func html(_ dir: String) throws -> String {
        try String(decoding: bytes("\(dir)/\(HTMLReport.fileName)"), as: UTF8.self)
    }

    @Test("sizes, shares and the accounts agree with personas.csv and accounts.csv; the map is drawn")
    func agreesWithTheCSVFiles() throws {
        let w = try ReportWorkspace()
        let dir = try w.report("plain")
        let html = try Self.html(dir)
        for id in ["personas", "profiles", "cross-tables", "accounts", "map"] {
            #expect(html.contains("<section id=\"\(id)\""), "section \(id) missing")
        }
        #expect(!html.contains("<section id=\"choose-k\"") && !html.contains("<section id=\"drift\""))
        // Every persona's size from personas.csv, in the personas table, and its members counted from the assignments.
        for row in try ReportTable("\(dir)/personas.csv").rows {
            let id = Int(row["persona"]!)!
            let size = w.personas.filter { $0 == id }.count
            #expect(row["size"] == String(size))
            #expect(html.contains("<td class=\"num\">\(size)</td>"), "size \(size) of persona \(id) missing")
        }
        // Every account of accounts.csv is listed with its customer count.
        for row in try ReportTable("\(dir)/accounts.csv").rows {
            #expect(html.contains("<td>\(row["account"]!)</td><td class=\"num\">\(row["customers"]!)</td>"))
        }
        #expect(html.contains("<svg") && html.contains("% of variance)"))
    }

    @Test("the choose-k chart, the previous model's arrows and the drift summary are included when given")
    func includesExtras() throws {
        let w = try ReportWorkspace()
        let chooseK = try w.scratch.directory("choose-k")
        let chart = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><title>Choosing k</title>"
            + "<circle cx=\"5\" cy=\"5\" r=\"2\" fill=\"#0072B2\"/></svg>\n"
        _ = try w.scratch.write("<?xml version=\"1.0\"?>\n" + chart, to: "choose-k/choose-k.svg")
        let drift = try w.scratch.directory("drift")
        _ = try w.scratch.write("# Persona drift\n\n- Events: 2 survivals; **nothing else**.\n", to: "drift/summary.md")
        let dir = try w.report("extras", ["--previous-model", w.model, "--choose-k", chooseK, "--drift", drift])
        let html = try Self.html(dir)
        #expect(html.contains("<section id=\"choose-k\""))
        #expect(html.contains(chart.trimmingCharacters(in: .newlines)))
        #expect(!html.contains("<?xml"))
        #expect(html.contains("<section id=\"drift\""))
        #expect(html.contains("<strong>nothing else</strong>"))
        #expect(html.contains("marker-end"), "no arrows from the previous model")
    }

    @Test("cells of fewer than N customers are withheld as in the CSV files")
    func suppression() throws {
        let w = try ReportWorkspace()
        let dir = try w.report("small", ["--min-cell-size", "3"])
        let html = try Self.html(dir)
        #expect(html.contains("figures for fewer than 3 customers withheld"))
        // Accounts of one or two customers show the marker instead of their count.
        for row in try ReportTable("\(dir)/accounts.csv").rows where row["customers"] == "<3" {
            #expect(html.contains("<td>\(row["account"]!)</td><td>&lt;3</td>"))
        }
        #expect(try ReportTable("\(dir)/accounts.csv").rows.contains { $0["customers"] == "<3" })
    }

    @Test("a chart that is not SVG, or a missing summary, is refused naming the file")
    func badExtras() throws {
        let w = try ReportWorkspace()
        let notSVG = try w.scratch.write("k,inertia\n2,10\n", to: "chart.csv")
        let failure = expectFailure(["report", "--model", w.model, "--data", w.data, "--out-dir", w.scratch.path("bad"),
                                     "--choose-k", notSVG])
        #expect(failure?.description.contains(notSVG) == true)
        #expect(failure?.description.contains("SVG") == true)
        let missing = expectFailure(["report", "--model", w.model, "--data", w.data, "--out-dir", w.scratch.path("bad2"),
                                     "--drift", w.scratch.path("nowhere.md")])
        #expect(missing?.description.contains("nowhere.md") == true)
        #expect(!FileManager.default.fileExists(atPath: w.scratch.path("bad")))
    }
}
