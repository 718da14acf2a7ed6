import Foundation
import PersonaKit

/// The chart of a ``ChooseKResult``: six small panels against k — inertia (the elbow),
/// silhouette, Calinski–Harabasz, Davies–Bouldin, stability (min and mean Jaccard over
/// personas, with Hennig's 0.6 and 0.75 lines) and prediction strength (with its threshold
/// line) — with the recommended k marked in each, the panel of the measure that decided
/// framed and titled "decides", and the recommendation written beside them.
///
/// Every point is a circle whose tooltip names its series, k and value (`silhouette k=4:
/// 0.612`), so the chart can be read without the CSV. A sampled silhouette has a ±2
/// standard-error bar.
public enum ChooseKChart {
    /// The series drawn, in panel order; the stability panel has two.
    public static let series = ["inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "jaccard_min", "jaccard_mean",
                                "prediction_strength"]

    /// The title suffix of the panel of the deciding measure.
    public static let decidesMark = " — decides"

    /// The complete `<svg>` element (a standalone file, or inline in an HTML page).
    /// - Complexity: O(number of k).
    public static func svg(_ result: ChooseKResult) -> String {
        let width = 1280.0, height = 600.0
        var svg = SVGDocument(width: width, height: height, title: "Choosing the number of personas: k = "
                              + "\(result.candidates.first?.k ?? 0)…\(result.candidates.last?.k ?? 0), recommended k = \(result.recommendation.k)")
        let ks = result.candidates.map(\.k)
        let recommended = result.recommendation.k
        let panelWidth = width / 4, panelHeight = height / 2
        func frame(_ index: Int, span: Int = 1) -> Frame {
            Frame(x: Double(index % 4) * panelWidth, y: Double(index / 4) * panelHeight, width: panelWidth * Double(span),
                  height: panelHeight)
        }
        let c = result.candidates
        // The panels of the deciding measure: both the silhouette and the prediction strength
        // when the silhouette chose among the k that prediction strength (and stability) kept.
        let decision = result.recommendation.criterion
        let decides: Set<ChooseKCriterion> = decision == .reproducibleSilhouette ? [.silhouette, .predictionStrength] : [decision]
        func title(_ text: String, _ criterion: ChooseKCriterion?) -> (String, Bool) {
            criterion.map(decides.contains) == true ? (text + decidesMark, true) : (text, false)
        }
        panel(&svg, frame(0), title: title("Inertia (elbow; lower, look for the bend)", nil), ks: ks, recommended: recommended,
              lines: [Line(name: "inertia", values: c.map(\.inertia), colour: SVGDocument.palette[0])])
        panel(&svg, frame(1), title: title("Silhouette (higher is better)", .silhouette), ks: ks, recommended: recommended,
              lines: [Line(name: "silhouette", values: c.map(\.silhouette.mean), colour: SVGDocument.palette[2],
                           errors: c.map { $0.silhouette.isExact ? 0 : 2 * $0.silhouette.standardError })])
        panel(&svg, frame(2), title: title("Calinski–Harabasz (higher is better)", .calinskiHarabasz), ks: ks, recommended: recommended,
              lines: [Line(name: "calinski_harabasz", values: c.map(\.calinskiHarabasz), colour: SVGDocument.palette[5])])
        panel(&svg, frame(3), title: title("Davies–Bouldin (lower is better)", nil), ks: ks, recommended: recommended,
              lines: [Line(name: "davies_bouldin", values: c.map(\.daviesBouldin), colour: SVGDocument.palette[3])])
        panel(&svg, frame(4), title: title("Stability: Jaccard over personas", .stability), ks: ks, recommended: recommended,
              lines: [Line(name: "jaccard_min", values: c.map(\.stability.minimum), colour: SVGDocument.palette[0]),
                      Line(name: "jaccard_mean", values: c.map(\.stability.mean), colour: SVGDocument.palette[1])],
              fixedRange: 0...1, references: [(StabilityScore.unstableBelow, "0.6 unstable below"),
                                               (StabilityScore.stableFrom, "0.75 stable from")])
        let threshold = result.configuration.predictionStrengthThreshold
        panel(&svg, frame(5), title: title("Prediction strength (higher is better)", .predictionStrength), ks: ks,
              recommended: recommended,
              lines: [Line(name: "prediction_strength", values: c.map(\.predictionStrength.mean), colour: SVGDocument.palette[4],
                           errors: c.map { 2 * $0.predictionStrength.standardError })],
              fixedRange: 0...1, references: [(threshold, "\(threshold) threshold")])
        summary(&svg, frame(6, span: 2), result)
        return svg.render()
    }

    // MARK: - Drawing

    private struct Frame {
        var x, y, width, height: Double
    }

    private struct Line {
        var name: String
        var values: [Double]
        var colour: String
        var errors: [Double]? = nil
    }

    private static func panel(_ svg: inout SVGDocument, _ frame: Frame, title: (text: String, decides: Bool), ks: [Int], recommended: Int,
                              lines: [Line], fixedRange: ClosedRange<Double>? = nil,
                              references: [(value: Double, label: String)] = []) {
        let left = frame.x + 58, right = frame.x + frame.width - 14
        let top = frame.y + 34, bottom = frame.y + frame.height - 36
        svg.text(title.text, x: frame.x + 12, y: frame.y + 20, size: 12, fill: title.decides ? "#D55E00" : "#222222", bold: true)
        svg.rect(x: left, y: top, width: right - left, height: bottom - top, fill: "#FAFAFA",
                 stroke: title.decides ? "#D55E00" : "#DDDDDD")

        var low = Double.infinity, high = -Double.infinity
        for line in lines {
            for (i, v) in line.values.enumerated() where v.isFinite {
                let e = line.errors?[i] ?? 0
                low = min(low, v - e); high = max(high, v + e)
            }
        }
        if let fixedRange { low = fixedRange.lowerBound; high = fixedRange.upperBound }
        if !low.isFinite || !high.isFinite { low = 0; high = 1 }
        if high - low < 1e-12 { low -= 0.5; high += 0.5 } else if fixedRange == nil {
            let pad = (high - low) * 0.08
            low -= pad; high += pad
        }
        let kLow = Double(ks.first ?? 0), kHigh = Double(ks.last ?? 1)
        func px(_ k: Int) -> Double {
            kHigh > kLow ? left + 10 + (Double(k) - kLow) / (kHigh - kLow) * (right - left - 20) : (left + right) / 2
        }
        func py(_ v: Double) -> Double { bottom - (v - low) / (high - low) * (bottom - top) }

        // Axes: every k (every other one when there are many), three values.
        let step = ks.count > 16 ? 2 : 1
        for (i, k) in ks.enumerated() where i % step == 0 {
            svg.text("\(k)", x: px(k), y: bottom + 14, size: 10, anchor: .middle, fill: "#555555")
        }
        svg.text("k", x: (left + right) / 2, y: bottom + 28, size: 10, anchor: .middle, fill: "#555555")
        for fraction in [0.0, 0.5, 1.0] {
            let v = low + fraction * (high - low)
            svg.line(x1: left - 3, y1: py(v), x2: left, y2: py(v), stroke: "#999999")
            svg.text(label(v), x: left - 5, y: py(v) + 3, size: 9, anchor: .end, fill: "#555555")
        }
        for reference in references {
            svg.line(x1: left, y1: py(reference.value), x2: right, y2: py(reference.value), stroke: "#999999", dashed: true)
            svg.text(reference.label, x: right - 3, y: py(reference.value) - 3, size: 9, anchor: .end, fill: "#777777")
        }
        if ks.contains(recommended) {
            svg.line(x1: px(recommended), y1: top, x2: px(recommended), y2: bottom, stroke: "#D55E00", width: 1.5, dashed: true)
            svg.text("k=\(recommended)", x: px(recommended) + 3, y: top + 11, size: 9, fill: "#D55E00")
        }
        for line in lines {
            let points = zip(ks, line.values).filter { $0.1.isFinite }.map { (x: px($0.0), y: py($0.1)) }
            if points.count > 1 { svg.polyline(points, stroke: line.colour) }
            for (i, (k, v)) in zip(ks, line.values).enumerated() {
                if let e = line.errors?[i], e > 0 {
                    svg.line(x1: px(k), y1: py(v - e), x2: px(k), y2: py(v + e), stroke: line.colour)
                }
                svg.circle(cx: px(k), cy: v.isFinite ? py(v) : bottom, r: k == recommended ? 4.5 : 3, fill: line.colour,
                           stroke: k == recommended ? "#D55E00" : nil, tooltip: "\(line.name) k=\(k): \(label(v, precise: true))")
            }
        }
        if lines.count > 1 {
            for (i, line) in lines.enumerated() {
                let x = left + 8 + Double(i) * 90
                svg.line(x1: x, y1: bottom - 10, x2: x + 14, y2: bottom - 10, stroke: line.colour, width: 2)
                svg.text(line.name.replacingOccurrences(of: "jaccard_", with: ""), x: x + 18, y: bottom - 7, size: 9)
            }
        }
    }

    private static func summary(_ svg: inout SVGDocument, _ frame: Frame, _ result: ChooseKResult) {
        let r = result.recommendation
        var y = frame.y + 24
        svg.text("Recommended: k = \(r.k)", x: frame.x + 12, y: y, size: 14, fill: "#D55E00", bold: true)
        y += 20
        svg.text("decided by \(r.criterion.rawValue); structure: \(r.structure.rawValue); "
                 + (r.isStable ? "every persona stable" : "not stable"), x: frame.x + 12, y: y, size: 11)
        y += 18
        for line in wrap(r.reason + (r.warnings.isEmpty ? "" : ". " + r.warnings.joined(separator: ". ")), width: 105) {
            guard y < frame.y + frame.height - 40 else { break }
            svg.text(line, x: frame.x + 12, y: y, size: 10, fill: "#333333")
            y += 14
        }
        let c = result.configuration
        svg.text("\(result.rows) rows; \(2 * c.splits) refits on halves of \(c.splits) splits; silhouette "
                 + (result.rows <= c.silhouetteSample ? "exact" : "on \(c.silhouetteSample) sampled rows (bars ±2 SE)"),
                 x: frame.x + 12, y: frame.y + frame.height - 20, size: 9, fill: "#777777")
    }

    /// Words of `text` in lines of at most `width` characters.
    private static func wrap(_ text: String, width: Int) -> [String] {
        var lines = [String](), current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + 1 + word.count > width { lines.append(current); current = "" }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// A short axis or tooltip label.
    private static func label(_ v: Double, precise: Bool = false) -> String {
        guard v.isFinite else { return "n/a" }
        let magnitude = abs(v)
        if magnitude >= 10_000 { return String(format: precise ? "%.1f" : "%.3g", v) }
        if magnitude >= 100 { return String(format: precise ? "%.2f" : "%.0f", v) }
        return String(format: precise ? "%.4f" : "%.2f", v)
    }
}
