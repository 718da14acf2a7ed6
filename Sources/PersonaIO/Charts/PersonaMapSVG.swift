import Foundation
import PersonaKit

/// Draws a `PersonaMap` as an SVG scatter plot: sampled customers as small dots coloured by
/// persona, each persona's centre as a larger outlined marker labelled with its name, and —
/// when the map has a previous model — an arrow from each continuing persona's previous centre
/// to its current one, retired personas as faded rings. Axes read "PC1 (xx.x % of variance)";
/// a legend below the plot lists every persona with its colour and customer count.
///
/// The persona with identifier *i* gets `SVGDocument.palette[(i − 1) % 10]` in every period,
/// the colour the HTML report uses for the same persona. The two axes are scaled independently to fill
/// the plot.
///
/// ```swift
/// let map = try PersonaMap(model: model, matrix: encoded, personas: assignments.map(\.persona))
/// let svg = PersonaMapSVG.render(map)
/// ```
public enum PersonaMapSVG {
    /// The colour of the persona with identifier `persona`: `SVGDocument.palette[(persona − 1) % 10]`.
    /// Keyed by identifier, not by position, so a persona that continues through a retrain keeps
    /// its colour in every later map and report.
    public static func colour(persona: Int) -> String {
        let count = SVGDocument.palette.count
        return SVGDocument.palette[((persona - 1) % count + count) % count]
    }

    /// The map as a complete `<svg>` element.
    ///
    /// - Parameters:
    ///   - map: the map.
    ///   - title: the heading drawn above the plot (also the accessible title).
    ///   - width: the image width; the height follows from the legend.
    ///   - idPrefix: prefix of the identifiers the drawing defines (see ``SVGDocument/idPrefix``).
    /// - Complexity: O(points + personas²).
    public static func render(_ map: PersonaMap, title: String = "Persona map", width: Double = 960,
                              idPrefix: String = "map-") -> String {
        let hasPrevious = !map.previousCentres.isEmpty
        let retired = map.previousCentres.filter { $0.fate == .retired }
        let legendEntries = map.centres.count + retired.count + (hasPrevious ? 1 : 0)
        let legendColumns = map.centres.count + retired.count > 12 ? 2 : 1   // names are long: one column while it fits
        let legendRows = (legendEntries + legendColumns - 1) / legendColumns
        let plot = (left: 74.0, top: 58.0, right: width - 24, bottom: 58.0 + min(560, width * 0.6))
        let height = plot.bottom + 56 + Double(legendRows) * 20 + 14

        var svg = SVGDocument(width: width, height: height, title: title)
        svg.idPrefix = idPrefix
        svg.text(title, x: plot.left, y: 24, size: 16, bold: true)
        let sampleNote = map.points.count < map.rowCount
            ? "\(map.points.count) of \(map.rowCount) customers (sample stratified by persona)"
            : "all \(map.rowCount) customers"
        let basisNote = map.basis == .data ? "PCA of these customers' encoded features" : "the model's PCA of its training data"
        svg.text("\(sampleNote); \(basisNote)", x: plot.left, y: 42, size: 11, fill: "#555555")

        // Scales: every drawn position inside the plot with a margin.
        var xs = map.points.map(\.x) + map.centres.map(\.x) + map.previousCentres.map(\.x)
        var ys = map.points.map(\.y) + map.centres.map(\.y) + map.previousCentres.map(\.y)
        if xs.isEmpty { xs = [0]; ys = [0] }
        let xAxis = Axis(values: xs), yAxis = Axis(values: ys)
        func px(_ x: Double) -> Double { plot.left + (x - xAxis.low) / (xAxis.high - xAxis.low) * (plot.right - plot.left) }
        func py(_ y: Double) -> Double { plot.bottom - (y - yAxis.low) / (yAxis.high - yAxis.low) * (plot.bottom - plot.top) }

        // Frame, grid, ticks, zero lines.
        svg.rect(x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top,
                 fill: "#fbfbfb", stroke: "#bbbbbb")
        for tick in xAxis.ticks {
            svg.line(x1: px(tick), y1: plot.top, x2: px(tick), y2: plot.bottom, stroke: "#e6e6e6")
            svg.text(Axis.label(tick, step: xAxis.step), x: px(tick), y: plot.bottom + 16, size: 10, anchor: .middle, fill: "#555555")
        }
        for tick in yAxis.ticks {
            svg.line(x1: plot.left, y1: py(tick), x2: plot.right, y2: py(tick), stroke: "#e6e6e6")
            svg.text(Axis.label(tick, step: yAxis.step), x: plot.left - 6, y: py(tick) + 3.5, size: 10, anchor: .end, fill: "#555555")
        }
        if xAxis.low < 0 && xAxis.high > 0 {
            svg.line(x1: px(0), y1: plot.top, x2: px(0), y2: plot.bottom, stroke: "#aaaaaa", dashed: true)
        }
        if yAxis.low < 0 && yAxis.high > 0 {
            svg.line(x1: plot.left, y1: py(0), x2: plot.right, y2: py(0), stroke: "#aaaaaa", dashed: true)
        }
        svg.text(axisTitle(1, map.explainedVarianceRatio.0), x: (plot.left + plot.right) / 2, y: plot.bottom + 36,
                 size: 12, anchor: .middle, bold: true)
        svg.text(axisTitle(2, map.explainedVarianceRatio.1), x: 20, y: (plot.top + plot.bottom) / 2,
                 size: 12, anchor: .middle, bold: true, rotate: -90)

        // Customers.
        for point in map.points {
            svg.circle(cx: px(point.x), cy: py(point.y), r: 2.3, fill: colour(persona: point.persona), opacity: 0.45)
        }

        // Movement: previous centres, arrows to the current ones, retired personas.
        let current = Dictionary(uniqueKeysWithValues: map.centres.map { ($0.persona, $0) })
        for previous in map.previousCentres {
            let x = px(previous.x), y = py(previous.y)
            if let now = current[previous.persona] {
                let c = colour(persona: now.persona)
                svg.circle(cx: x, cy: y, r: 4.5, fill: "#ffffff", stroke: c, tooltip: "\(previous.name) before")
                let (tx, ty) = (px(now.x), py(now.y))
                let length = ((tx - x) * (tx - x) + (ty - y) * (ty - y)).squareRoot()
                if length > 14 {   // stop at the centre marker's edge
                    let f = (length - 9) / length
                    svg.line(x1: x, y1: y, x2: x + (tx - x) * f, y2: y + (ty - y) * f, stroke: c, width: 2, arrow: true)
                }
            } else {
                svg.circle(cx: x, cy: y, r: 6.5, fill: "none", stroke: "#7F7F7F", opacity: 0.7,
                           tooltip: "\(previous.name) (retired)")
            }
        }

        // Centres and their labels, placed where they do not cover one another.
        var taken = [Box]()
        for centre in map.centres {
            taken.append(Box(x: px(centre.x) - 8, y: py(centre.y) - 8, width: 16, height: 16))
        }
        let newPersonas = Set(map.newPersonas)
        for centre in map.centres {
            svg.circle(cx: px(centre.x), cy: py(centre.y), r: 7.5, fill: colour(persona: centre.persona), stroke: "#222222",
                       tooltip: "\(centre.name): \(centre.customers) customers")
        }
        var labels: [(text: String, x: Double, y: Double, anchor: SVGDocument.TextAnchor, fill: String)] = []
        let plotBox = Box(x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top)
        for centre in map.centres {
            let text = "\(centre.persona) · " + shorten(centre.name) + (newPersonas.contains(centre.persona) ? " (new)" : "")
            let place = placeLabel(text, at: (px(centre.x), py(centre.y)), size: 11.5, within: plotBox, avoiding: &taken)
            labels.append((text, place.x, place.y, place.anchor, "#111111"))
        }
        for previous in retired {
            let text = "\(previous.persona) · " + shorten(previous.name, to: 26) + " (retired)"
            let place = placeLabel(text, at: (px(previous.x), py(previous.y)), size: 10.5, within: plotBox, avoiding: &taken)
            labels.append((text, place.x, place.y, place.anchor, "#666666"))
        }
        for label in labels {
            svg.text(label.text, x: label.x, y: label.y, size: label.fill == "#111111" ? 11.5 : 10.5, anchor: label.anchor,
                     fill: label.fill, bold: label.fill == "#111111", halo: true)
        }

        // Legend.
        var entries: [(draw: (inout SVGDocument, Double, Double) -> Void, text: String)] = map.centres.map { centre in
            ({ svg, x, y in svg.circle(cx: x + 6, cy: y - 4, r: 6, fill: colour(persona: centre.persona), stroke: "#222222") },
             "\(centre.persona) · \(centre.name) — \(centre.customers) customers")
        }
        for previous in retired {
            entries.append(({ svg, x, y in svg.circle(cx: x + 6, cy: y - 4, r: 5.5, fill: "none", stroke: "#7F7F7F") },
                            "\(previous.persona) · \(previous.name) — retired"))
        }
        if hasPrevious {
            entries.append(({ svg, x, y in
                svg.circle(cx: x + 3, cy: y - 4, r: 3, fill: "#ffffff", stroke: "#444444")
                svg.line(x1: x + 6, y1: y - 4, x2: x + 22, y2: y - 4, stroke: "#444444", width: 2, arrow: true)
            }, "previous centre → current centre"))
        }
        let columnWidth = (width - plot.left - 24) / Double(legendColumns)
        let legendTop = plot.bottom + 66
        for (i, entry) in entries.enumerated() {
            let x = plot.left + Double(i % legendColumns) * columnWidth, y = legendTop + Double(i / legendColumns) * 20
            entry.draw(&svg, x, y)
            svg.text(shorten(entry.text, to: Int(columnWidth / 6.2) - 5), x: x + 28, y: y, size: 11)
        }
        return svg.render()
    }

    /// "PC1 (34.5 % of variance)".
    static func axisTitle(_ component: Int, _ ratio: Double) -> String {
        String(format: "PC%d (%.1f %% of variance)", component, ratio * 100)
    }

    /// At most `limit` characters, with an ellipsis when cut.
    static func shorten(_ text: String, to limit: Int = 34) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
    }

    /// An axis covering `values` with a margin, and round tick positions.
    struct Axis {
        var low: Double, high: Double, step: Double
        var ticks: [Double] {
            var out = [Double]()
            var t = (low / step).rounded(.up) * step
            while t <= high + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
            return out
        }

        init(values: [Double]) {
            var lo = values.min()!, hi = values.max()!
            if !(hi - lo > 1e-12) { lo -= 1; hi += 1 }
            let pad = (hi - lo) * 0.06
            low = lo - pad
            high = hi + pad
            let raw = (high - low) / 6
            let magnitude = pow(10, floor(log10(raw)))
            let unit = raw / magnitude
            step = (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10) * magnitude
        }

        static func label(_ value: Double, step: Double) -> String {
            let decimals = max(0, -Int(floor(log10(step))))
            return String(format: "%.\(decimals)f", value)
        }
    }

    /// A rectangle in drawing units.
    struct Box {
        var x: Double, y: Double, width: Double, height: Double
        func overlaps(_ other: Box) -> Bool {
            x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
        }
        func inside(_ other: Box) -> Bool {
            x >= other.x && y >= other.y && x + width <= other.x + other.width && y + height <= other.y + other.height
        }
    }

    /// The first of right, left, above, below (then further out) where the label fits in the
    /// plot and covers no earlier label or marker; its box is added to `taken`.
    static func placeLabel(_ text: String, at point: (Double, Double), size: Double, within plot: Box,
                           avoiding taken: inout [Box]) -> (x: Double, y: Double, anchor: SVGDocument.TextAnchor) {
        let w = Double(text.count) * size * 0.58 + 4, h = size + 3
        let (cx, cy) = point
        var candidates = [(x: Double, y: Double, anchor: SVGDocument.TextAnchor, box: Box)]()
        for distance in [11.0, 24.0, 40.0] {
            candidates += [
                (cx + distance, cy + size * 0.35, .start, Box(x: cx + distance - 2, y: cy - h / 2, width: w, height: h)),
                (cx - distance, cy + size * 0.35, .end, Box(x: cx - distance - w + 2, y: cy - h / 2, width: w, height: h)),
                (cx, cy - distance + 3, .middle, Box(x: cx - w / 2, y: cy - distance - h + 6, width: w, height: h)),
                (cx, cy + distance + size * 0.7, .middle, Box(x: cx - w / 2, y: cy + distance - 2, width: w, height: h)),
            ]
        }
        let choice = candidates.first { c in c.box.inside(plot) && !taken.contains { $0.overlaps(c.box) } }
            ?? candidates.first { $0.box.inside(plot) } ?? candidates[0]
        taken.append(choice.box)
        return (choice.x, choice.y, choice.anchor)
    }
}
