import Foundation
import Testing
import PersonaIO
import PersonaKit
import TestSupport

/// Renders the demo report in a real browser — headless Chromium — and checks what it built:
/// every section, every figure with all its drawn elements, every table row; and that the
/// screenshot is a real page. Chromium is required (`Scripts/setup.sh test` installs it; set
/// `PERSONA_CHROMIUM` to use another binary); without it the suite is skipped, unless `CI=true`.
@Suite(.serialized, .enabled(if: Engine.chromium.runnable, Comment(rawValue: Engine.chromium.howToGet)))
struct HTMLReportBrowserTests {
    static func chromium() throws -> String {
        guard let found = Engine.chromium.chromiumPath else { throw BrowserMissing() }
        return found
    }

    struct BrowserMissing: Error, CustomStringConvertible {
        var description: String { Engine.chromium.howToGet }
    }

    /// Runs Chromium headless on `arguments`; returns standard output.
    static func run(_ chromium: String, _ arguments: [String], profile: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--hide-scrollbars", "--user-data-dir=\(profile.path)"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice   // D-Bus and GPU chatter
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "chromium exited with \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }

    /// How often `needle` occurs in `text`.
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func reportRendersCompletelyInHeadlessChromium() throws {
        let chromium = try Self.chromium()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("persona-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try HTMLReportDemo.build()
        let file = directory.appendingPathComponent(HTMLReport.fileName)
        let html = demo.report.render()
        try AtomicFile.write(Array(html.utf8), to: file)
        let profile = directory.appendingPathComponent("profile")

        // The DOM Chromium built from the file.
        let dom = try Self.run(chromium, ["--dump-dom", file.absoluteString], profile: profile)
        #expect(dom.contains("</html>"))
        for id in HTMLReportDemo.sectionIDs {
            #expect(dom.contains("<section id=\"\(id)\" class=\"report-section\">"), "section \(id) missing")
            #expect(dom.contains("<a href=\"#\(id)\">"), "contents entry for \(id) missing")
        }
        // Nothing was dropped or re-parented: the same elements as written.
        for element in ["<section", "<table", "<tr>", "<svg", "<circle", "<text", "<line", "<figure", "<li>", "<h3>"] {
            #expect(Self.count(element, in: dom) == Self.count(element, in: html), "\(element) count differs")
        }
        #expect(Self.count("<tr>", in: dom) > demo.model.personas.count * 5)
        #expect(Self.count("<circle", in: dom) >= demo.map.points.count)
        #expect(dom.contains("PC1 (") && dom.contains("% of variance)"))
        #expect(dom.contains("Persona drift"))
        // The SVG stayed SVG (foreign content), not text.
        #expect(!dom.contains("&lt;svg") && !dom.contains("&lt;circle"))

        // A screenshot: a PNG of the requested size with real content.
        let png = directory.appendingPathComponent("report.png")
        _ = try Self.run(chromium, ["--screenshot=\(png.path)", "--window-size=1280,4000", file.absoluteString], profile: profile)
        let bytes = try [UInt8](Data(contentsOf: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
        func be32(_ offset: Int) -> Int { bytes[offset ..< offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(bytes.count > 33 && be32(16) == 1280 && be32(20) == 4000, "unexpected image size")
        // An all-white 1280 × 4000 page compresses to a few kilobytes; this report draws far more.
        #expect(bytes.count > 100_000, "screenshot is only \(bytes.count) bytes: the page looks empty")
        if let keep = ProcessInfo.processInfo.environment["PERSONA_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: keep))
            try FileManager.default.copyItem(at: file, to: URL(fileURLWithPath: keep + ".html"))
        }
    }
}
