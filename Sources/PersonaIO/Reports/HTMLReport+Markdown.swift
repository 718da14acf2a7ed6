import Foundation

extension HTMLReport {
    /// HTML for the subset of Markdown the reports write (`summary.md` of a drift report and
    /// similar): ATX headings (`#` … `######`, shifted so that `#` becomes `headingLevel`),
    /// paragraphs, bullet lists (`-`, `*`, `+`), numbered lists (`1.`), pipe tables (a header
    /// row, a `|---|:--:|` separator row, body rows; numeric columns right-aligned), fenced code
    /// blocks, and inline `**bold**`, `*emphasis*` / `_emphasis_`, `` `code` `` and links
    /// `[text](target)` (shown as their text only: the report links nowhere). Everything else
    /// is text; every text is escaped, raw HTML included.
    /// - Complexity: O(length of `text`).
    static func markdownHTML(_ text: String, headingLevel: Int) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        var out = ""
        var paragraph = [String]()
        var list: (ordered: Bool, items: [String])? = nil

        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            out += "<p>\(inline(paragraph.joined(separator: " ")))</p>\n"
            paragraph = []
        }
        func flushList() {
            guard let current = list else { return }
            let tag = current.ordered ? "ol" : "ul"
            out += "<\(tag)>\n" + current.items.map { "<li>\(inline($0))</li>\n" }.joined() + "</\(tag)>\n"
            list = nil
        }
        func flush() { flushParagraph(); flushList() }

        var i = 0
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                flush()
                i += 1
                continue
            }
            if trimmed.hasPrefix("```") {   // fenced code, to the closing fence or the end
                flush()
                var code = [String]()
                i += 1
                while i < lines.count, !lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                    code.append(lines[i])
                    i += 1
                }
                out += "<pre><code>\(escape(code.joined(separator: "\n")))</code></pre>\n"
                i += 1
                continue
            }
            if let heading = Self.heading(trimmed) {
                flush()
                let level = min(6, headingLevel + heading.level - 1)
                out += "<h\(level)>\(inline(heading.text))</h\(level)>\n"
                i += 1
                continue
            }
            if trimmed.hasPrefix("|"), i + 1 < lines.count, let alignments = Self.tableSeparator(lines[i + 1]) {
                flush()
                var rows = [Self.tableCells(trimmed)]
                i += 2
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
                    rows.append(Self.tableCells(lines[i].trimmingCharacters(in: .whitespaces)))
                    i += 1
                }
                out += Self.markdownTable(header: rows[0], body: Array(rows.dropFirst()), alignments: alignments)
                continue
            }
            if let item = Self.listItem(trimmed) {
                flushParagraph()
                if list == nil || list!.ordered != item.ordered { flushList(); list = (item.ordered, []) }
                list!.items.append(item.text)
                i += 1
                continue
            }
            if list != nil, line.first == " " || line.first == "\t" {   // a list item's continuation
                list!.items[list!.items.count - 1] += " " + trimmed
                i += 1
                continue
            }
            flushList()
            paragraph.append(trimmed)
            i += 1
        }
        flush()
        return out
    }

    /// `# Title` → (1, "Title").
    private static func heading(_ line: String) -> (level: Int, text: String)? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " else { return nil }
        var text = rest.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("#") { text.removeLast() }   // closing hashes
        return (hashes, text.trimmingCharacters(in: .whitespaces))
    }

    /// `- item`, `* item`, `+ item` or `12. item`.
    private static func listItem(_ line: String) -> (ordered: Bool, text: String)? {
        if let first = line.first, "-*+".contains(first), line.dropFirst().first == " " {
            return (false, String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces))
        }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 9 {
            let rest = line.dropFirst(digits.count)
            if rest.hasPrefix(". ") || rest.hasPrefix(") ") {
                return (true, String(rest.dropFirst(2)).trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }

    /// The cells of `| a | b |` (a `\|` stays inside its cell).
    private static func tableCells(_ line: String) -> [String] {
        var body = Substring(line)
        if body.hasPrefix("|") { body = body.dropFirst() }
        if body.hasSuffix("|") && !body.hasSuffix("\\|") { body = body.dropLast() }
        var cells = [String](), current = "", escaped = false
        for character in body {
            if escaped { current.append(character == "|" ? "|" : "\\"); if character != "|" { current.append(character) }; escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == "|" { cells.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
            current.append(character)
        }
        if escaped { current.append("\\") }
        cells.append(current.trimmingCharacters(in: .whitespaces))
        return cells
    }

    /// The alignments of a separator row `|---|:--:|--:|`, or `nil` when `line` is not one.
    private static func tableSeparator(_ line: String) -> [String?]? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.contains("-"), trimmed.allSatisfy({ "|:- ".contains($0) }) else { return nil }
        return tableCells(trimmed).map { cell in
            switch (cell.hasPrefix(":"), cell.hasSuffix(":")) {
            case (true, true): "center"
            case (false, true): "right"
            case (true, false): "left"
            case (false, false): nil
            }
        }
    }

    private static func markdownTable(header: [String], body: [[String]], alignments: [String?]) -> String {
        let width = header.count
        let rows = body.map { row in Array((row + Array(repeating: "", count: max(0, width - row.count))).prefix(width)) }
        let numeric = (0..<width).map { c in
            !rows.isEmpty && rows.allSatisfy { Self.looksNumeric($0[c]) } && rows.contains { !$0[c].isEmpty }
        }
        func open(_ tag: String, _ c: Int) -> String {
            let align = c < alignments.count ? alignments[c] : nil
            if let align, align != "right" { return "<\(tag) style=\"text-align:\(align)\">" }
            return align == "right" || numeric[c] ? "<\(tag) class=\"num\">" : "<\(tag)>"
        }
        var out = "<div class=\"table-wrap\">\n<table class=\"report-table\">\n<thead><tr>"
        for (c, title) in header.enumerated() { out += open("th", c) + inline(title) + "</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>" + row.enumerated().map { open("td", $0.offset) + inline($0.element) + "</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</div>\n"
    }

    /// A number, possibly signed, with a `%` or thousands separators; or empty.
    private static func looksNumeric(_ cell: String) -> Bool {
        var text = cell.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "\u{2009}", with: "")
            .replacingOccurrences(of: "\u{2212}", with: "-").trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("%") { text = String(text.dropLast()).trimmingCharacters(in: .whitespaces) }
        return text.isEmpty || Double(text) != nil
    }

    /// Inline Markdown of one block's text, escaped.
    static func inline(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        var i = 0
        /// The index of the next `marker` at or after `from` (not followed by itself when the
        /// marker is a single `*` or `_`), or nil.
        func find(_ marker: String, from: Int) -> Int? {
            let m = Array(marker)
            var j = from
            while j + m.count <= characters.count {
                if Array(characters[j ..< j + m.count]) == m { return j }
                j += 1
            }
            return nil
        }
        // `_` marks emphasis only at word boundaries, so `fear_of_loss` stays a name.
        func opens(_ marker: Character, at j: Int) -> Bool {
            marker == "*" || j == 0 || !(characters[j - 1].isLetter || characters[j - 1].isNumber)
        }
        func closes(_ marker: Character, after j: Int) -> Bool {
            marker == "*" || j + 1 >= characters.count || !(characters[j + 1].isLetter || characters[j + 1].isNumber)
        }
        while i < characters.count {
            let c = characters[i]
            if c == "\\", i + 1 < characters.count, "\\`*_[]()#|-+.!".contains(characters[i + 1]) {
                out += escape(String(characters[i + 1]))
                i += 2
                continue
            }
            if c == "`", let end = find("`", from: i + 1) {
                out += "<code>\(escape(String(characters[i + 1 ..< end])))</code>"
                i = end + 1
                continue
            }
            if (c == "*" || c == "_"), i + 1 < characters.count, characters[i + 1] == c, opens(c, at: i),
               let end = find(String([c, c]), from: i + 2), end > i + 2, closes(c, after: end + 1) {
                out += "<strong>\(inline(String(characters[i + 2 ..< end])))</strong>"
                i = end + 2
                continue
            }
            if (c == "*" || c == "_"), i + 1 < characters.count, characters[i + 1] != " ", opens(c, at: i),
               let end = find(String(c), from: i + 1), end > i + 1, characters[end - 1] != " ", closes(c, after: end) {
                out += "<em>\(inline(String(characters[i + 1 ..< end])))</em>"
                i = end + 1
                continue
            }
            if c == "[", let close = find("](", from: i + 1), let end = find(")", from: close + 2) {
                out += inline(String(characters[i + 1 ..< close]))
                i = end + 1
                continue
            }
            out += escape(String(c))
            i += 1
        }
        return out
    }
}
