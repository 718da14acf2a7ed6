import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PersonaIO
import PersonaKit

@Suite struct HTMLReportTests {
    @Test func escapesEveryTextAndCleansIdentifiersAndColours() {
        var report = HTMLReport(title: "A <b>&</b> title", subtitle: "\"quoted\" 'x'")
        report.append(.init(id: "Personas & <profiles>", title: "<script>alert(1)</script>", intro: "1 < 2", blocks: [
            .paragraph("a & b"),
            .table(.init(header: ["<h>"], rows: [[.swatch("<i>", colour: "red;background:url(http://x)")]])),
            .preformatted("<pre> & </pre>"),
        ]))
        report.append(.init(id: "personas-profiles", title: "Again"))
        report.append(.init(id: "42", title: "Digits"))
        let html = report.render()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>") && !html.contains("<i>") && !html.contains("<h>"))
        #expect(html.contains("A &lt;b&gt;&amp;&lt;/b&gt; title"))
        #expect(html.contains("background:#888888"))
        #expect(!html.contains("http://x"))
        #expect(report.sectionIDs == ["personas-profiles", "personas-profiles-2", "section-3-42"])
        #expect(html.contains("<a href=\"#personas-profiles-2\">Again</a>"))
    }

    @Test func tablesAlignNumbersRightAndDrawShareBars() {
        let table = HTMLReport.Table(header: ["Name", "Customers", "Share", "Note"], rows: [
            [.persona("Savers", id: 2), .integer(12_345), .share(0.256), .text("x")],
            [.text("Other"), .number(nil, decimals: 1), .share(1.2), .empty],
        ])
        let html = HTMLReport.render(table)
        #expect(html.contains("<th scope=\"col\">Name</th><th scope=\"col\" class=\"num\">Customers</th>"))
        #expect(html.contains("<th scope=\"col\">Note</th>"))
        #expect(html.contains("<td class=\"num\">12\u{2009}345</td>"))
        #expect(html.contains("25.6 %") && html.contains("width:25.6%"))
        #expect(html.contains("width:100.0%"))          // clamped
        #expect(html.contains("background:#E69F00"))    // palette[1]
        #expect(HTMLReport.format(-1234567.891, decimals: 2) == "\u{2212}1\u{2009}234\u{2009}567.89")
        #expect(HTMLReport.format(-0.001, decimals: 1) == "0.0")
    }

    @Test func rendersTheMarkdownSubset() {
        let markdown = """
        # Persona drift

        - Customers in both periods: 10; **stayed** with their persona.
        - Persona 2: most moved: fear_financial_loss (PSI 0.300, mean shift +0.52 SD).
          continued on the next line
        1. first
        2. second

        A paragraph with `code`, *emphasis*, _also_ and [a link](https://example.com) <raw>.
        | persona | share |
        |---|--:|
        | Savers | 12.5 % |
        | A \\| B | 3 |

        ```
        <kept as text>
        ```
        """
        let html = HTMLReport.markdownHTML(markdown, headingLevel: 3)
        #expect(html.contains("<h3>Persona drift</h3>"))
        #expect(html.contains("<ul>\n<li>Customers in both periods: 10; <strong>stayed</strong> with their persona.</li>"))
        #expect(html.contains("fear_financial_loss (PSI 0.300, mean shift +0.52 SD). continued on the next line</li>"))
        #expect(html.contains("<ol>\n<li>first</li>\n<li>second</li>\n</ol>"))
        #expect(html.contains("<code>code</code>, <em>emphasis</em>, <em>also</em> and a link &lt;raw&gt;."))
        #expect(!html.contains("example.com"))
        #expect(html.contains("<th>persona</th><th class=\"num\">share</th>"))
        #expect(html.contains("<td>A | B</td><td class=\"num\">3</td>"))
        #expect(html.contains("<pre><code>&lt;kept as text&gt;</code></pre>"))
    }

    @Test func mapSVGIsWellFormedWithAxesLegendAndArrows() throws {
        let demo = try HTMLReportDemo.build(customers: 1_200)
        let svg = PersonaMapSVG.render(demo.map, title: "Map & <moves>")
        let document = try XMLDocument(data: Data(svg.utf8))
        #expect(document.rootElement()?.name == "svg")
        let texts = try document.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
        #expect(texts.contains { $0.hasPrefix("PC1 (") && $0.hasSuffix(" % of variance)") })
        #expect(texts.contains { $0.hasPrefix("PC2 (") })
        #expect(texts.contains("Map & <moves>"))
        for centre in demo.map.centres {   // a legend entry per persona
            #expect(texts.contains { $0.hasPrefix("\(centre.persona) · ") })
        }
        let continuing = demo.map.previousCentres.filter { $0.fate == .continues }.count
        let retired = demo.map.previousCentres.filter { $0.fate == .retired }.count
        #expect(retired >= 1)
        #expect(texts.contains { $0.hasSuffix("(retired)") })
        // One dot per sampled customer, a marker per centre, a ring per previous centre, legend swatches.
        let circles = try document.nodes(forXPath: "//*[local-name()='circle']").count
        #expect(circles == demo.map.points.count + 2 * demo.map.centres.count + continuing + 2 * retired + 1)
        let arrows = try document.nodes(forXPath: "//*[local-name()='line'][@marker-end]").count
        #expect(arrows >= 1 && arrows <= continuing + 1)
        #expect(svg.contains("id=\"map-arrow-"))
    }

    @Test func demoReportIsSelfContained() throws {
        let html = try HTMLReportDemo.build(customers: 1_200).report.render()
        for id in HTMLReportDemo.sectionIDs { #expect(html.contains("<section id=\"\(id)\"")) }
        // Nothing to fetch: no scripts, images, style sheets, fonts or URLs other than the SVG namespace.
        for needle in ["<script", "<img", "<link", "<iframe", "@import", "@font-face", "url(http", "src=", "href=\"http"] {
            #expect(!html.contains(needle), "found \(needle)")
        }
        let urls = html.components(separatedBy: "http").dropFirst().map { String($0.prefix(30)) }
        #expect(urls.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg\"") }, "\(urls)")
        // Identifiers are unique on the page.
        let ids = html.components(separatedBy: " id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(Set(ids).count == ids.count)
    }
}
