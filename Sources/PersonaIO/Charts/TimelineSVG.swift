import Foundation
import PersonaKit

/// Draws a `PersonaTimeline` as an alluvial (Sankey) chart: one column per run, a bar per
/// persona as tall as its customers (the same scale in every run), and between consecutive
/// runs a ribbon per flow of customers from one persona to another, as wide as the customers
/// it carries and coloured as its earlier persona. The part of a bar without a ribbon on its
/// right holds the customers who left before the next run; without a ribbon on its left, the
/// customers new in the run.
///
/// Colours are keyed by persona identifier (``PersonaMapSVG/colour(persona:)``), as in the
/// persona map and the HTML report. Bars of a run are stacked by increasing identifier, so a
/// persona keeps its place while the others stay; a legend below names every persona.
///
/// ```swift
/// let svg = TimelineSVG.render(timeline)
/// ```
public enum TimelineSVG {
    /// The chart as a complete `<svg>` element.
    ///
    /// - Parameters:
    ///   - timeline: the timeline.
    ///   - title: the heading drawn above the chart (also the accessible title).
    ///   - idPrefix: a prefix for the identifiers the drawing defines.
    ///   - minimumCount: tooltips of bars and ribbons of fewer customers say "fewer than N"
    ///     instead of the number (the report's small-cell rule).
    /// - Complexity: O(runs × personas + flows).
    public static func render(_ timeline: PersonaTimeline, title: String = "Personas through the runs",
                              idPrefix: String = "", minimumCount: Int? = nil) -> String {
        let runs = timeline.runs
        let left = 48.0, right = 48.0, barWidth = 16.0, gap = 6.0
        let spacing = runs.count > 1 ? max(110, min(190, 900 / Double(runs.count - 1))) : 0
        let width = max(560, left + right + barWidth + spacing * Double(max(runs.count - 1, 0)))
        let plotTop = 48.0, plotHeight = 320.0
        let x0 = (width - barWidth - spacing * Double(max(runs.count - 1, 0))) / 2
        func columnX(_ r: Int) -> Double { x0 + spacing * Double(r) }

        // Bars: persona by increasing identifier, every run on the same scale.
        var sizes = [Int64: [(persona: Int, customers: Int)]]()
        for entry in timeline.entries where entry.customers > 0 {
            sizes[entry.run, default: []].append((entry.persona, entry.customers))
        }
        let largest = runs.map(\.customers).max() ?? 1
        let mostBars = runs.map { sizes[$0.id]?.count ?? 0 }.max() ?? 1
        let unit = (plotHeight - gap * Double(max(mostBars - 1, 0))) / Double(max(largest, 1))
        var bars = [Int64: [Int: (top: Double, height: Double)]]()
        for run in runs {
            let list = sizes[run.id] ?? []
            let used = Double(run.customers) * unit + gap * Double(max(list.count - 1, 0))
            var y = plotTop + (plotHeight - used) / 2
            var placed = [Int: (top: Double, height: Double)]()
            for bar in list {
                placed[bar.persona] = (y, Double(bar.customers) * unit)
                y += Double(bar.customers) * unit + gap
            }
            bars[run.id] = placed
        }
        let names = Dictionary(timeline.entries.map { ($0.persona, $0.name) }, uniquingKeysWith: { _, last in last })
        func count(_ n: Int) -> String {
            if let minimumCount, n < minimumCount { return "fewer than \(minimumCount) customers" }
            return n == 1 ? "1 customer" : "\(n) customers"
        }

        let legendColumns = max(1, Int((width - 2 * left) / 230))
        let legend = timeline.lineages
        let legendTop = plotTop + plotHeight + 62
        let height = legendTop + Double((legend.count + legendColumns - 1) / legendColumns) * 20 + 8
        var svg = SVGDocument(width: width, height: height, title: title)
        svg.idPrefix = idPrefix
        svg.text(title, x: left - 24, y: 26, size: 15, bold: true)

        // Ribbons, under the bars.
        for (r, step) in timeline.steps.enumerated() {
            let from = bars[step.from] ?? [:], to = bars[step.to] ?? [:]
            var outUsed = [Int: Double](), inUsed = [Int: Double]()
            let xa = columnX(r) + barWidth, xb = columnX(r + 1), xm = (xa + xb) / 2
            for flow in step.flows {
                guard let p = flow.fromPersona, let q = flow.toPersona, let a = from[p], let b = to[q] else { continue }
                let thickness = Double(flow.customers) * unit
                let a0 = a.top + outUsed[p, default: 0], b0 = b.top + inUsed[q, default: 0]
                outUsed[p, default: 0] += thickness
                inUsed[q, default: 0] += thickness
                let n = SVGDocument.number
                let d = "M \(n(xa)) \(n(a0)) C \(n(xm)) \(n(a0)) \(n(xm)) \(n(b0)) \(n(xb)) \(n(b0)) "
                    + "L \(n(xb)) \(n(b0 + thickness)) C \(n(xm)) \(n(b0 + thickness)) \(n(xm)) \(n(a0 + thickness)) "
                    + "\(n(xa)) \(n(a0 + thickness)) Z"
                svg.path(d, fill: PersonaMapSVG.colour(persona: p), opacity: 0.38,
                         tooltip: "run \(step.from) → run \(step.to): persona \(p) → \(q), \(count(flow.customers))")
            }
        }

        // Bars, their labels and the runs.
        for (r, run) in runs.enumerated() {
            let x = columnX(r)
            for bar in sizes[run.id] ?? [] {
                let place = bars[run.id]![bar.persona]!
                let share = run.customers > 0 ? 100 * Double(bar.customers) / Double(run.customers) : 0
                let shareText = minimumCount.map { bar.customers < $0 } == true ? "" : String(format: " (%.1f %%)", share)
                svg.rect(x: x, y: place.top, width: barWidth, height: place.height, fill: PersonaMapSVG.colour(persona: bar.persona),
                         stroke: "#333333",
                         tooltip: "run \(run.id) · \(bar.persona) · \(names[bar.persona] ?? ""): \(count(bar.customers))\(shareText)")
                if place.height >= 12 {
                    svg.text(String(bar.persona), x: x + barWidth / 2, y: place.top + place.height / 2 + 3.5, size: 10,
                             anchor: .middle, fill: "#111111", halo: true)
                }
            }
            svg.text("run \(run.id)", x: x + barWidth / 2, y: plotTop + plotHeight + 22, size: 11.5, anchor: .middle, bold: true)
            svg.text(String(run.time.prefix(10)), x: x + barWidth / 2, y: plotTop + plotHeight + 37, size: 10,
                     anchor: .middle, fill: "#555555")
        }

        // Legend: every persona of any run.
        let columnWidth = (width - 2 * left) / Double(legendColumns)
        for (i, lineage) in legend.enumerated() {
            let x = left + Double(i % legendColumns) * columnWidth, y = legendTop + Double(i / legendColumns) * 20
            svg.rect(x: x, y: y - 10, width: 12, height: 12, fill: PersonaMapSVG.colour(persona: lineage.persona),
                     stroke: "#333333")
            let span = lineage.firstRun == lineage.lastRun ? "run \(lineage.firstRun)"
                : "runs \(lineage.firstRun)–\(lineage.lastRun)"
            svg.text(PersonaMapSVG.shorten("\(lineage.persona) · \(lineage.name) (\(span))", to: Int(columnWidth / 6.2) - 4),
                     x: x + 18, y: y, size: 11)
        }
        return svg.render()
    }
}
