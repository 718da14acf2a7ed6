import Foundation
import PersonaKit

extension PersonaReportHTML {
    /// The section of a history's timeline: the alluvial chart, each persona's customers per
    /// run, the events between consecutive runs and how often customers changed persona.
    /// Counts go through `format`, so small cells are withheld as everywhere in the report.
    /// - Complexity: O(personas × runs + events).
    static func timelineSection(_ timeline: PersonaTimeline, format: ReportFormat) -> HTMLReport.Section {
        func count(_ customers: Int) -> HTMLReport.Cell {
            format.suppresses(customers) ? .text(format.suppressionMarker) : .integer(customers)
        }
        var cells = [Int64: [Int: PersonaTimeline.Entry]]()
        for entry in timeline.entries { cells[entry.run, default: [:]][entry.persona] = entry }
        let header = ["Persona"] + timeline.runs.map { "Run \($0.id)" } + ["Runs"]
        let rows: [[HTMLReport.Cell]] = timeline.lineages.map { lineage in
            [.persona("\(lineage.persona) · \(lineage.name)", id: lineage.persona)]
                + timeline.runs.map { run -> HTMLReport.Cell in
                    guard let entry = cells[run.id]?[lineage.persona] else { return .empty }
                    return entry.status == .retired ? .text("retired") : count(entry.customers)
                }
                + [.integer(lineage.lifetime)]
        }
        let totals: [HTMLReport.Cell] = [.text("All customers")] + timeline.runs.map { count($0.customers) } + [.empty]
        let events: [[HTMLReport.Cell]] = timeline.steps.map { step in
            let survivals = step.events.filter { $0.kind == .survival }.count
            var parts = survivals > 0 ? ["\(survivals) survival" + (survivals == 1 ? "" : "s")] : []
            parts += step.events.filter { $0.kind != .survival }.map { event in
                "\(event.kind.rawValue) \(event.previousPersonas.map(String.init).joined(separator: "+"))"
                    + ">\(event.currentPersonas.map(String.init).joined(separator: "+"))"
            }
            return [.text("\(step.from) → \(step.to)"), .text(parts.joined(separator: ", "))]
        }
        var blocks: [HTMLReport.Block] = [
            .figure(svg: TimelineSVG.render(timeline, idPrefix: "timeline", minimumCount: format.minimumCellSize),
                    caption: nil),
            .table(.init(header: header, rows: rows + [totals], caption: "Customers of each persona in each run")),
        ]
        if !events.isEmpty {
            blocks.append(.table(.init(header: ["Runs", "MONIC events"], rows: events,
                                       caption: "What happened to the personas between consecutive runs")))
        }
        let changeRows: [[HTMLReport.Cell]] = timeline.changeCounts.enumerated().map { changes, customers in
            [.integer(changes), count(customers),
             format.suppresses(customers) ? .text(format.suppressionMarker)
                : .share(Double(customers) / Double(max(timeline.customers, 1)))]
        }
        blocks.append(.table(.init(header: ["Changes of persona", "Customers", "Share"], rows: changeRows,
                                   caption: "How often customers changed persona between the runs that saw them")))
        let first = timeline.runs.first!, last = timeline.runs.last!
        return .init(id: "timeline", title: "Personas through the runs",
                     intro: "\(timeline.runs.count) run\(timeline.runs.count == 1 ? "" : "s") of the history, from run "
                         + "\(first.id) (\(first.time)) to run \(last.id) (\(last.time)): the customers of each persona "
                         + "per run, the customers flowing between consecutive runs, the MONIC events and how often "
                         + "customers changed persona. persona timeline writes every figure as CSV (see Docs/Drift.md).",
                     blocks: blocks)
    }
}
