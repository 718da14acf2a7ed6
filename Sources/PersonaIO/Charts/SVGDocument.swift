import Foundation

/// A small builder for standalone SVG images: the persona map and the charts of the reports.
///
/// Coordinates are in user units with the origin at the top left, as in SVG. The builder
/// escapes every text and attribute value and writes numbers with at most two decimals, so the
/// same drawing always gives the same bytes. The result is a complete `<svg>` element that can
/// be saved as a `.svg` file or placed inline in an HTML page.
///
/// ```swift
/// var svg = SVGDocument(width: 200, height: 100, title: "Shares")
/// svg.rect(x: 10, y: 10, width: 50, height: 80, fill: SVGDocument.palette[0])
/// svg.text("A", x: 35, y: 98, anchor: .middle)
/// let bytes = Array(svg.render().utf8)
/// ```
public struct SVGDocument: Sendable {
    /// Horizontal alignment of a text relative to its position.
    public enum TextAnchor: String, Sendable {
        case start, middle, end
    }

    /// The image width in user units.
    public let width: Double
    /// The image height in user units.
    public let height: Double
    /// A prefix for the identifiers the drawing defines (arrow heads), so that several
    /// drawings can sit in one HTML page without clashing identifiers. Default empty.
    public var idPrefix: String = ""
    private var title: String
    private var body: [String] = []

    /// Ten colours that stay distinguishable for the common forms of colour blindness
    /// (Okabe & Ito's eight, then two darker greys). Persona *i* (its identifier) uses `palette[(i − 1) % 10]`.
    public static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                                 "#D55E00", "#F0E442", "#000000", "#7F7F7F", "#4D4D4D"]

    /// Creates an empty drawing.
    /// - Parameters:
    ///   - width: The image width in user units (pixels when shown at 100 %).
    ///   - height: The image height in user units.
    ///   - title: The accessible title of the image (`<title>`), read by screen readers.
    public init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        self.title = title
    }

    /// Adds a rectangle.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                              stroke: String? = nil, opacity: Double? = nil, tooltip: String? = nil) {
        element("rect", ["x": x, "y": y, "width": max(0, width), "height": max(0, height)],
                ["fill": fill, "stroke": stroke], opacity: opacity, tooltip: tooltip)
    }

    /// Adds a circle.
    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String,
                                stroke: String? = nil, opacity: Double? = nil, tooltip: String? = nil) {
        element("circle", ["cx": cx, "cy": cy, "r": max(0, r)], ["fill": fill, "stroke": stroke],
                opacity: opacity, tooltip: tooltip)
    }

    /// Adds a straight line; `arrow` puts an arrow head at its end.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                              width: Double = 1, dashed: Bool = false, arrow: Bool = false) {
        let attributes = ["x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke-width": width]
        var strings: [String: String?] = ["stroke": stroke, "stroke-dasharray": dashed ? "4 3" : nil]
        if arrow {
            strings["marker-end"] = "url(#\(idPrefix)arrow-\(Self.markerID(stroke)))"
            markers.insert(stroke)
        }
        element("line", attributes, strings)
    }

    /// Adds an open polyline through `points`.
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 1.5) {
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        body.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(Self.escape(stroke))\" stroke-width=\"\(Self.number(width))\"/>")
    }

    /// Adds a path: `d` is SVG path data (write its numbers with ``number(_:)`` so that the
    /// same drawing gives the same bytes).
    public mutating func path(_ d: String, fill: String, stroke: String? = nil, opacity: Double? = nil,
                              tooltip: String? = nil) {
        element("path", [:], ["d": d, "fill": fill, "stroke": stroke], opacity: opacity, tooltip: tooltip)
    }

    /// Adds a text; `halo` draws a white outline behind the letters so that a label stays
    /// readable over points and lines.
    public mutating func text(_ text: String, x: Double, y: Double, size: Double = 11,
                              anchor: TextAnchor = .start, fill: String = "#222222", bold: Bool = false,
                              rotate: Double? = nil, halo: Bool = false) {
        var extra = ""
        if bold { extra += " font-weight=\"bold\"" }
        if halo { extra += " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"" }
        if let rotate { extra += " transform=\"rotate(\(Self.number(rotate)) \(Self.number(x)) \(Self.number(y)))\"" }
        body.append("<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" "
                    + "text-anchor=\"\(anchor.rawValue)\" fill=\"\(Self.escape(fill))\"\(extra)>\(Self.escape(text))</text>")
    }

    /// The complete `<svg>` element.
    /// - Complexity: O(number of elements).
    public func render() -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
            + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" role=\"img\" "
            + "font-family=\"Helvetica, Arial, sans-serif\">\n<title>\(Self.escape(title))</title>\n"
        if !markers.isEmpty {
            out += "<defs>\n"
            for colour in markers.sorted() {
                out += "<marker id=\"\(Self.escape(idPrefix))arrow-\(Self.markerID(colour))\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                    + "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
                    + "<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"\(Self.escape(colour))\"/></marker>\n"
            }
            out += "</defs>\n"
        }
        out += "<rect x=\"0\" y=\"0\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"#ffffff\"/>\n"
        for element in body { out += element + "\n" }
        return out + "</svg>\n"
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for use in XML text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// `value` with at most two decimals and no trailing zeros; non-finite values become 0.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    private var markers: Set<String> = []

    private static func markerID(_ colour: String) -> String {
        String(colour.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    private mutating func element(_ name: String, _ numbers: [String: Double], _ strings: [String: String?],
                                  opacity: Double? = nil, tooltip: String? = nil) {
        var out = "<\(name)"
        for (key, value) in numbers.sorted(by: { $0.key < $1.key }) { out += " \(key)=\"\(Self.number(value))\"" }
        for (key, value) in strings.sorted(by: { $0.key < $1.key }) {
            if let value { out += " \(key)=\"\(Self.escape(value))\"" }
        }
        if let opacity { out += " opacity=\"\(Self.number(opacity))\"" }
        if let tooltip {
            out += "><title>\(Self.escape(tooltip))</title></\(name)>"
        } else {
            out += "/>"
        }
        body.append(out)
    }
}
