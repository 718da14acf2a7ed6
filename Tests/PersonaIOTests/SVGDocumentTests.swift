import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import PersonaIO

@Suite struct SVGDocumentTests {
    @Test func rendersWellFormedXMLWithEscapedText() throws {
        var svg = SVGDocument(width: 120, height: 80, title: "Fears & <wishes>")
        svg.rect(x: 1, y: 2, width: 30, height: 40.256, fill: SVGDocument.palette[0], tooltip: "A \"quoted\" persona")
        svg.circle(cx: 10, cy: 10, r: 3, fill: "#E69F00", opacity: 0.5)
        svg.line(x1: 0, y1: 0, x2: 50, y2: 50, stroke: "#009E73", arrow: true)
        svg.polyline([(0, 0), (10, 5.5), (20, 1)], stroke: "#000000")
        svg.text("Savers <55 & 'thrifty'", x: 5, y: 70, anchor: .middle, rotate: -90)
        let text = svg.render()
        let document = try XMLDocument(data: Data(text.utf8))
        let root = try #require(document.rootElement())
        #expect(root.name == "svg")
        #expect(try document.nodes(forXPath: "//*[local-name()='rect']").count == 2)  // background + bar
        #expect(try document.nodes(forXPath: "//*[local-name()='marker']").count == 1)
        let texts = try document.nodes(forXPath: "//*[local-name()='text']").map { $0.stringValue ?? "" }
        #expect(texts == ["Savers <55 & 'thrifty'"])
        #expect(text.contains("height=\"40.26\""))
        #expect(text == svg.render())
    }

    @Test func formatsNumbersShortAndFinite() {
        #expect(SVGDocument.number(3) == "3")
        #expect(SVGDocument.number(2.5) == "2.5")
        #expect(SVGDocument.number(-0.001) == "0")
        #expect(SVGDocument.number(1.005001) == "1.01")
        #expect(SVGDocument.number(.nan) == "0")
        #expect(SVGDocument.number(-.infinity) == "0")
    }
}
