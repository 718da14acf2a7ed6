import Foundation

/// A self-contained HTML5 report: a title, a table of contents, and sections holding
/// paragraphs, tables, inline SVG figures and Markdown text.
///
/// The page needs nothing but itself: the style sheet is inline, there are no scripts, no web
/// fonts, no images to fetch and no external links — it opens offline, from an e-mail
/// attachment or a file share, and prints cleanly (tables keep their header on every page,
/// figures are not split). Every text is escaped; colours are accepted only as `#rgb` /
/// `#rrggbb` hex.
///
/// Sections are generic, so any report can be assembled from them:
///
/// ```swift
/// var report = HTMLReport(title: "Personas — Q2 2026", subtitle: "model m2.json · 5,050 customers")
/// report.append(.init(id: "personas", title: "Personas", intro: "One row per persona.", blocks: [
///     .table(.init(header: ["Persona", "Customers", "Share"], rows: [
///         [.persona("Young urban savers", id: 1), .integer(1_204), .share(0.24)],
///     ])),
/// ]))
/// report.append(.init(id: "map", title: "Persona map", blocks: [.figure(svg: mapSVG, caption: "PC1 × PC2")]))
/// report.append(.init(id: "drift", title: "Drift", blocks: [.markdown(driftReport.summary())]))
/// try AtomicFile.write(report.bytes, to: url)
/// ```
public struct HTMLReport: Sendable {
    /// The file name the report is written under by convention.
    public static let fileName = "report.html"

    /// The page title and main heading.
    public var title: String
    /// A line under the title (data, model, date), if any.
    public var subtitle: String?
    /// The sections, in order; each gets an entry in the table of contents.
    public var sections: [Section]
    /// A closing line (for example the version that wrote the report), if any.
    public var footer: String?

    /// One section: an `<h2>` heading, an optional introduction, then its blocks.
    public struct Section: Sendable {
        /// The fragment identifier (`#id`); made of lower-case letters, digits and `-` on
        /// output, and unique within the report (a repeated one gets `-2`, `-3`, …).
        public var id: String
        /// The heading.
        public var title: String
        /// A paragraph under the heading, if any.
        public var intro: String?
        /// The contents.
        public var blocks: [Block]

        /// Creates a section.
        public init(id: String, title: String, intro: String? = nil, blocks: [Block] = []) {
            self.id = id
            self.title = title
            self.intro = intro
            self.blocks = blocks
        }
    }

    /// A piece of a section.
    public indirect enum Block: Sendable {
        /// A paragraph of plain text.
        case paragraph(String)
        /// A table.
        case table(Table)
        /// An inline SVG image (a complete `<svg>` element, e.g. from ``SVGDocument``), with
        /// an optional caption. Give each figure's drawing its own ``SVGDocument/idPrefix``.
        case figure(svg: String, caption: String?)
        /// Markdown text: headings, paragraphs, bullet and numbered lists, pipe tables, fenced
        /// code, `**bold**`, `*emphasis*` and backquoted code (see `HTMLReport+Markdown.swift`).
        case markdown(String)
        /// Text shown as is, in a monospaced box.
        case preformatted(String)
        /// A titled group of blocks (an `<h3>`), e.g. one persona's profile.
        case group(title: String, blocks: [Block])
    }

    /// A table: a header row and body rows of cells.
    public struct Table: Sendable {
        /// The column titles.
        public var header: [String]
        /// The rows; each has `header.count` cells.
        public var rows: [[Cell]]
        /// A title shown above the table, if any.
        public var caption: String?

        /// Creates a table.
        /// - Precondition: every row has `header.count` cells.
        public init(header: [String], rows: [[Cell]], caption: String? = nil) {
            precondition(rows.allSatisfy { $0.count == header.count }, "every row needs one cell per column")
            self.header = header
            self.rows = rows
            self.caption = caption
        }
    }

    /// A table cell. Numbers, shares and bars are right-aligned, and a column whose cells are
    /// all numeric (or empty) gets a right-aligned title.
    public enum Cell: Sendable, Hashable {
        /// Text.
        case text(String)
        /// A number with `decimals` decimals (thousands separated by thin spaces); `nil` is
        /// shown as empty.
        case number(Double?, decimals: Int)
        /// A whole number (thousands separated by thin spaces).
        case integer(Int)
        /// A share 0…1 shown as a percentage with one decimal and a bar.
        case share(Double)
        /// A bar `fraction` (0…1) of the cell's bar width long, labelled `label`, in `colour`
        /// (default the report's accent).
        case bar(label: String, fraction: Double, colour: String?)
        /// A colour swatch then a name, e.g. a persona.
        case swatch(String, colour: String)
        /// Nothing.
        case empty

        /// A persona's name with its map colour (`PersonaMapSVG.colour(persona:)` of its
        /// identifier, the same in every period).
        public static func persona(_ name: String, id: Int) -> Cell {
            .swatch(name, colour: PersonaMapSVG.colour(persona: id))
        }

        var isNumeric: Bool {
            switch self {
            case .number, .integer, .share, .bar, .empty: true
            case .text, .swatch: false
            }
        }
    }

    /// Creates a report.
    public init(title: String, subtitle: String? = nil, sections: [Section] = [], footer: String? = nil) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.footer = footer
    }

    /// Adds a section at the end.
    public mutating func append(_ section: Section) { sections.append(section) }

    /// The section identifiers as written (cleaned and made unique), in order.
    public var sectionIDs: [String] {
        var used = Set<String>()
        return sections.enumerated().map { index, section in
            var base = String(section.id.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
            while base.contains("--") { base = base.replacingOccurrences(of: "--", with: "-") }
            base = base.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
            if base.isEmpty || !(base.first!.isLetter) { base = "section-\(index + 1)" + (base.isEmpty ? "" : "-" + base) }
            var candidate = base, n = 2
            while used.contains(candidate) { candidate = "\(base)-\(n)"; n += 1 }
            used.insert(candidate)
            return candidate
        }
    }

    /// The complete HTML document.
    /// - Complexity: O(size of the contents).
    public func render() -> String {
        let ids = sectionIDs
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light">
        <title>\(Self.escape(title))</title>
        <style>
        \(Self.styleSheet)</style>
        </head>
        <body>
        <main>
        <header class="report-header">
        <h1>\(Self.escape(title))</h1>

        """
        if let subtitle { out += "<p class=\"subtitle\">\(Self.escape(subtitle))</p>\n" }
        out += "</header>\n"
        if !sections.isEmpty {
            out += "<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n"
            for (section, id) in zip(sections, ids) {
                out += "<li><a href=\"#\(id)\">\(Self.escape(section.title))</a></li>\n"
            }
            out += "</ol>\n</nav>\n"
        }
        for (section, id) in zip(sections, ids) {
            out += "<section id=\"\(id)\" class=\"report-section\">\n<h2>\(Self.escape(section.title))</h2>\n"
            if let intro = section.intro { out += "<p class=\"intro\">\(Self.escape(intro))</p>\n" }
            for block in section.blocks { out += Self.render(block, level: 3) }
            out += "</section>\n"
        }
        if let footer { out += "<footer>\(Self.escape(footer))</footer>\n" }
        return out + "</main>\n</body>\n</html>\n"
    }

    /// The document as UTF-8 bytes.
    public var bytes: [UInt8] { Array(render().utf8) }

    // MARK: - Blocks

    static func render(_ block: Block, level: Int) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(escape(text))</p>\n"
        case .table(let table):
            return render(table)
        case .figure(let svg, let caption):
            var out = "<figure class=\"report-figure\">\n\(inlineSVG(svg))\n"
            if let caption { out += "<figcaption>\(escape(caption))</figcaption>\n" }
            return out + "</figure>\n"
        case .markdown(let text):
            return "<div class=\"markdown\">\n\(markdownHTML(text, headingLevel: level))</div>\n"
        case .preformatted(let text):
            return "<pre>\(escape(text))</pre>\n"
        case .group(let title, let blocks):
            let h = min(level, 6)
            return "<div class=\"group\">\n<h\(h)>\(escape(title))</h\(h)>\n"
                + blocks.map { render($0, level: level + 1) }.joined() + "</div>\n"
        }
    }

    static func render(_ table: Table) -> String {
        let numeric = table.header.indices.map { c in
            !table.rows.isEmpty && table.rows.allSatisfy { $0[c].isNumeric } && !table.rows.allSatisfy { $0[c] == .empty }
        }
        var out = ""
        if let caption = table.caption { out += "<p class=\"table-caption\">\(escape(caption))</p>\n" }
        out += "<div class=\"table-wrap\">\n<table class=\"report-table\">\n<thead><tr>"
        for (c, title) in table.header.enumerated() {
            out += numeric[c] ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">"
            out += escape(title) + "</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out += "<tr>" + row.map(render).joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</div>\n"
    }

    static func render(_ cell: Cell) -> String {
        switch cell {
        case .text(let text):
            return "<td>\(escape(text))</td>"
        case .number(let value, let decimals):
            guard let value, value.isFinite else { return "<td class=\"num\"></td>" }
            return "<td class=\"num\">\(format(value, decimals: decimals))</td>"
        case .integer(let value):
            return "<td class=\"num\">\(format(Double(value), decimals: 0))</td>"
        case .share(let value):
            return bar(label: value.isFinite ? format(value * 100, decimals: 1) + " %" : "", fraction: value, colour: nil)
        case .bar(let label, let fraction, let colour):
            return bar(label: escape(label), fraction: fraction, colour: colour)
        case .swatch(let text, let colour):
            return "<td><span class=\"swatch\" style=\"background:\(safeColour(colour))\"></span>\(escape(text))</td>"
        case .empty:
            return "<td></td>"
        }
    }

    static func bar(label: String, fraction: Double, colour: String?) -> String {
        let width = fraction.isFinite ? min(100, max(0, fraction * 100)) : 0
        let fill = colour.map { " background:\(safeColour($0));" } ?? ""
        return "<td class=\"num bar-cell\"><span class=\"bar\"><span class=\"bar-label\">\(label)</span>"
            + "<span class=\"bar-track\"><span class=\"bar-fill\" style=\"width:\(String(format: "%.1f", width))%;\(fill)\"></span></span></span></td>"
    }

    /// `value` with `decimals` decimals, a minus sign and thin-space thousands separators.
    static func format(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(max(0, decimals))f", abs(value))
        let parts = text.split(separator: ".", maxSplits: 1)
        var whole = String(parts[0])
        var grouped = ""
        while whole.count > 3 {
            grouped = "\u{2009}" + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        grouped = whole + grouped
        let negative = value < 0 && text.contains(where: { $0 != "0" && $0 != "." })
        return (negative ? "\u{2212}" : "") + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// An SVG element ready to sit inside the page: any XML declaration or doctype removed.
    static func inlineSVG(_ svg: String) -> String {
        var text = Substring(svg)
        while let start = text.firstIndex(of: "<"), text[start...].hasPrefix("<?") || text[start...].hasPrefix("<!") {
            guard let end = text[start...].firstIndex(of: ">") else { break }
            text = text[text.index(after: end)...]
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `colour` when it is `#rgb`, `#rrggbb` or `#rrggbbaa` hex, otherwise a neutral grey.
    static func safeColour(_ colour: String) -> String {
        let digits = colour.dropFirst()
        guard colour.hasPrefix("#"), [3, 6, 8].contains(digits.count), digits.allSatisfy(\.isHexDigit) else { return "#888888" }
        return colour
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
    public static func escape(_ text: String) -> String { SVGDocument.escape(text) }

    static let styleSheet = """
    :root { --ink: #1d1d1f; --muted: #5f6368; --rule: #d5d8dd; --head: #f1f3f5; --accent: #0072B2; }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { margin: 0; background: #ffffff; color: var(--ink);
      font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
    main { max-width: 1160px; margin: 0 auto; padding: 28px 32px 64px; }
    h1 { font-size: 28px; line-height: 1.2; margin: 0 0 4px; }
    h2 { font-size: 21px; margin: 0 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--rule); }
    h3 { font-size: 17px; margin: 24px 0 8px; }
    h4, h5, h6 { font-size: 15px; margin: 18px 0 6px; }
    p { margin: 8px 0; max-width: 78ch; }
    .subtitle, .intro, figcaption, footer, .table-caption { color: var(--muted); }
    .subtitle { margin: 0; }
    .table-caption { font-weight: 600; margin: 16px 0 4px; }
    nav.toc { margin: 20px 0 8px; padding: 10px 20px 12px; background: #fafafb;
      border: 1px solid var(--rule); border-radius: 6px; }
    nav.toc h2 { font-size: 15px; border: 0; margin: 0 0 4px; padding: 0; }
    nav.toc ol { margin: 0; padding-left: 22px; columns: 2; column-gap: 40px; }
    nav.toc a { color: var(--accent); text-decoration: none; }
    nav.toc a:hover { text-decoration: underline; }
    section.report-section { margin-top: 36px; }
    .table-wrap { max-height: 80vh; overflow: auto; margin: 8px 0 18px;
      border: 1px solid var(--rule); border-radius: 4px; }
    table { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 13.5px;
      font-variant-numeric: tabular-nums; }
    th, td { padding: 5px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid #e9ebee; }
    thead th { position: sticky; top: 0; z-index: 1; background: var(--head); font-weight: 600;
      border-bottom: 1px solid var(--rule); white-space: nowrap; }
    th.num, td.num { text-align: right; white-space: nowrap; }
    tbody tr:nth-child(even) { background: #fafbfc; }
    tbody tr:hover { background: #eef5fb; }
    tbody tr:last-child td { border-bottom: 0; }
    .swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.5em; border-radius: 50%;
      vertical-align: -0.05em; border: 1px solid rgba(0, 0, 0, 0.35); }
    .bar { display: inline-flex; align-items: center; justify-content: flex-end; gap: 8px; }
    .bar-track { display: inline-block; width: 90px; height: 10px; background: #e9ebee; border-radius: 2px;
      overflow: hidden; }
    .bar-fill { display: block; height: 100%; background: var(--accent); }
    figure.report-figure { margin: 12px 0 20px; }
    figure.report-figure svg { display: block; max-width: 100%; height: auto;
      border: 1px solid var(--rule); border-radius: 4px; }
    figcaption { font-size: 13px; margin-top: 6px; }
    pre, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
    pre { background: #f6f8fa; padding: 10px 12px; border-radius: 4px; overflow: auto; }
    code { background: #f1f3f5; padding: 0 3px; border-radius: 3px; }
    .markdown { max-width: 900px; }
    .markdown ul, .markdown ol { padding-left: 24px; }
    .markdown li { margin: 3px 0; }
    .group { margin-top: 8px; }
    footer { margin-top: 48px; padding-top: 8px; border-top: 1px solid var(--rule); font-size: 13px; }
    @media print {
      body { font-size: 10.5pt; }
      main { max-width: none; padding: 0; }
      nav.toc { break-after: page; }
      .table-wrap { max-height: none; overflow: visible; border: 0; }
      thead { display: table-header-group; }
      thead th { position: static; }
      tr, figure, .bar { break-inside: avoid; }
      h2, h3 { break-after: avoid; }
      tbody tr:hover { background: none; }
      a { color: inherit; text-decoration: none; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }

    """
}
