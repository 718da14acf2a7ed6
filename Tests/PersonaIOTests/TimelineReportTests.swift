import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PersonaIO
import PersonaKit
import TestSupport
import Testing

@Suite("timeline files")
struct TimelineReportTests {
    private func files() throws -> [String: String] {
        let report = TimelineReport(try PersonaTimeline(runs: try TimelineFixture.runs()))
        return Dictionary(uniqueKeysWithValues: report.render().map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) })
    }

    private func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test("the five files, in order")
    func names() throws {
        let report = TimelineReport(try PersonaTimeline(runs: try TimelineFixture.runs()))
        #expect(report.render().map(\.name) == TimelineReport.fileNames)
        #expect(TimelineReport.fileNames == ["timeline.csv", "flows.csv", "lineage.csv", "paths.csv", "timeline.svg"])
    }

    @Test("timeline.csv: one row per run and persona, retired personas once with no customers")
    func timelineCSV() throws {
        let rows = lines(try files()["timeline.csv"]!)
        #expect(rows.first == "run,time,persona,persona_name,customers,share,status")
        let share = { (n: Double, d: Double) in CSVWriter.format(n / d) }
        #expect(Array(rows.dropFirst()) == [
            "1,2026-03-31,1,P1,6,\(share(6, 14)),new", "1,2026-03-31,2,P2,6,\(share(6, 14)),new",
            "1,2026-03-31,3,P3,2,\(share(2, 14)),new",
            "2,2026-06-30,1,P1,8,\(share(8, 12)),continuing", "2,2026-06-30,2,P2,0,0,retired",
            "2,2026-06-30,3,P3,0,0,retired", "2,2026-06-30,4,P4,2,\(share(2, 12)),new",
            "2,2026-06-30,5,P5,2,\(share(2, 12)),new",
            "3,2026-09-30,1,P1,6,\(share(6, 13)),continuing", "3,2026-09-30,4,P4,4,\(share(4, 13)),continuing",
            "3,2026-09-30,5,P5,0,0,retired", "3,2026-09-30,6,P6,3,\(share(3, 13)),new",
        ])
    }

    @Test("flows.csv: new customers and leavers with an empty persona")
    func flowsCSV() throws {
        let rows = lines(try files()["flows.csv"]!)
        #expect(rows == ["from_run,to_run,from_persona,to_persona,customers",
                         "1,2,1,1,6", "1,2,2,1,1", "1,2,2,4,2", "1,2,2,5,2", "1,2,2,,1", "1,2,3,,2", "1,2,,1,1",
                         "2,3,1,1,6", "2,3,1,6,1", "2,3,1,,1", "2,3,4,4,2", "2,3,5,4,2", "2,3,,6,2"])
    }

    @Test("lineage.csv: parents, events as RUN KIND BEFORE>AFTER, lifetime and retirement")
    func lineageCSV() throws {
        let rows = lines(try files()["lineage.csv"]!)
        #expect(rows == [
            "persona,persona_name,first_run,last_run,retired_run,lifetime,parents,events",
            "1,P1,1,3,,3,,2 survival 1>1; 2 split 2>1+4+5; 3 survival 1>1",
            "2,P2,1,1,2,1,,2 split 2>1+4+5",
            "3,P3,1,1,2,1,,2 disappearance 3>",
            "4,P4,2,3,,2,2,2 split 2>1+4+5; 3 absorption 4+5>4",
            "5,P5,2,2,3,1,2,2 split 2>1+4+5; 3 absorption 4+5>4",
            "6,P6,3,3,,1,,3 emergence >6",
        ])
    }

    @Test("paths.csv: customers by number of changes, then the common paths with '.' for absence")
    func pathsCSV() throws {
        let rows = lines(try files()["paths.csv"]!)
        let share = { (n: Double) in CSVWriter.format(n / 17) }
        #expect(rows == [
            "kind,value,customers,share",
            "changes,0,11,\(share(11))", "changes,1,4,\(share(4))", "changes,2,2,\(share(2))",
            "path,1>1>1,5,\(share(5))", "path,.>.>6,2,\(share(2))", "path,2>4>4,2,\(share(2))",
            "path,2>5>4,2,\(share(2))", "path,3>.>.,2,\(share(2))", "path,.>1>.,1,\(share(1))",
            "path,1>1>6,1,\(share(1))", "path,2>.>.,1,\(share(1))", "path,2>1>1,1,\(share(1))",
        ])
    }

    @Test("timeline.svg: valid XML; a bar per persona with customers, a ribbon per flow between personas, on one scale")
    func chart() throws {
        let svg = try files()["timeline.svg"]!
        let document = try XMLDocument(data: Data(svg.utf8))
        #expect(document.rootElement()?.name == "svg")
        let ribbons = try document.nodes(forXPath: "//*[local-name()='path']")
        #expect(ribbons.count == 8)   // 4 flows between personas in each step
        // Bars: the rects whose tooltip names a run; height / customers is the same for all.
        var scales = [Double]()
        var bars = 0
        for node in try document.nodes(forXPath: "//*[local-name()='rect']") {
            guard let rect = node as? XMLElement,
                  let tip = try rect.nodes(forXPath: "*[local-name()='title']").first?.stringValue,
                  tip.hasPrefix("run ") else { continue }
            bars += 1
            let customers = try #require(Double(tip.split(separator: ": ")[1].split(separator: " ")[0]))
            let height = try #require(Double(try rect.nodes(forXPath: "@height").first?.stringValue ?? ""))
            scales.append(height / customers)
        }
        #expect(bars == 9)
        #expect(scales.max()! - scales.min()! < 0.01)
        // Colours by persona identifier, as in the other charts.
        #expect(svg.contains("fill=\"\(PersonaMapSVG.colour(persona: 6))\""))
    }

    @Test("the same runs give the same bytes, however the members were built")
    func deterministic() throws {
        let runs = try TimelineFixture.runs()
        var shuffled = runs
        var rng = SeededGenerator(seed: 7)
        for r in shuffled.indices {
            var members = [String: Int](minimumCapacity: 1_000)
            for (key, value) in runs[r].members.shuffled(using: &rng) { members[key] = value }
            shuffled[r].members = members
        }
        let a = TimelineReport(try PersonaTimeline(runs: runs)).render()
        let b = TimelineReport(try PersonaTimeline(runs: shuffled)).render()
        #expect(a.map(\.bytes) == b.map(\.bytes))
    }

    @Test("with a minimum cell size, small counts are left out of the chart's tooltips")
    func withheldCounts() throws {
        let svg = TimelineSVG.render(try PersonaTimeline(runs: try TimelineFixture.runs()), minimumCount: 3)
        #expect(svg.contains("fewer than 3 customers"))
        #expect(!svg.contains(": 2 customers"))
        #expect(svg.contains(": 6 customers"))
    }
}
