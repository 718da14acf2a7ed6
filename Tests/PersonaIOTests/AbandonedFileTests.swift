import Foundation
@testable import PersonaIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Regression tests: a process killed between staging its outputs and renaming them into
/// place used to leave `.<name>.staged-…` (and `.<name>.tmp-…`) files beside the destination
/// for ever. Now each hidden file is locked while its writer lives, and the next write to the
/// same destination removes those nobody holds.
@Suite("abandoned hidden files")
struct AbandonedFileTests {
    final class Directory {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("persona-hidden-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }
        @discardableResult
        func touch(_ name: String) -> String {
            let path = self.path(name)
            FileManager.default.createFile(atPath: path, contents: Data("partial".utf8))
            return path
        }
    }

    /// Hidden files as a killed writer of `model.json` leaves them, and bystanders that must stay.
    static let abandoned = [".model.json.staged-00000000000000ab", ".model.json.tmp-0123456789abcdef"]
    static let bystanders = [".other.json.staged-00000000000000ab", ".model.json.staged-notours", "model.json.staged-00000000000000ab",
                             ".model.json.staged-00000000000000ab.bak"]

    enum Writer: String, CaseIterable, Sendable { case atomicFile, stagedFile, outputSet }

    static func write(_ writer: Writer, _ text: String, to url: URL) throws {
        switch writer {
        case .atomicFile: try AtomicFile.write(text, to: url)
        case .stagedFile:
            let file = try StagedFile(destination: url)
            try file.write(Array(text.utf8))
            try file.commit()
        case .outputSet:
            var outputs = OutputSet()
            try outputs.stage(Array(text.utf8), at: url)
            try outputs.commit()
        }
    }

    @Test("the next write to a destination removes the hidden files a killed writer left, and nothing else", arguments: Writer.allCases)
    func removesAbandoned(writer: Writer) throws {
        let directory = try Directory()
        for name in Self.abandoned + Self.bystanders { directory.touch(name) }
        try Self.write(writer, "new", to: directory.url.appendingPathComponent("model.json"))
        #expect(try directory.names() == (Self.bystanders + ["model.json"]).sorted())
        #expect(try String(contentsOfFile: directory.path("model.json"), encoding: .utf8) == "new")
    }

    @Test("a hidden file whose writer still holds its lock is left alone", arguments: Writer.allCases)
    func keepsLiveWriters(writer: Writer) throws {
        let directory = try Directory()
        let live = directory.touch(".model.json.staged-00000000000000cd")
        let fd = open(live, O_RDONLY)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        defer { close(fd) }
        try Self.write(writer, "new", to: directory.url.appendingPathComponent("model.json"))
        #expect(try directory.names() == [".model.json.staged-00000000000000cd", "model.json"])
    }

    @Test("a staged file is locked until it is renamed, so a concurrent write does not remove it")
    func stagedFilesAreLocked() throws {
        let directory = try Directory()
        let url = directory.url.appendingPathComponent("a.csv")
        let first = try StagedFile(destination: url)
        try first.write(Array("first".utf8))
        var outputs = OutputSet()
        try outputs.stage(Array("second".utf8), at: directory.url.appendingPathComponent("a.csv"))
        #expect(try directory.names().count == 2)   // both staged files
        try first.commit()
        #expect(try String(contentsOf: url, encoding: .utf8) == "first")
        try outputs.commit()
        #expect(try String(contentsOf: url, encoding: .utf8) == "second")
        #expect(try directory.names() == ["a.csv"])
    }

    @Test("hidden names are recognised exactly: the destination's own prefix and 16 hex digits")
    func names() {
        #expect(HiddenFile.isHidden(".m.json.tmp-0123456789abcdef", of: "m.json"))
        #expect(HiddenFile.isHidden(".m.json.staged-0000000000000000", of: "m.json"))
        #expect(!HiddenFile.isHidden(".m.json.staged-000000000000000", of: "m.json"))
        #expect(!HiddenFile.isHidden(".m.json.staged-0123456789ABCDEF", of: "m.json"))
        #expect(!HiddenFile.isHidden(".x.m.json.tmp-0123456789abcdef", of: "m.json"))
        #expect(!HiddenFile.isHidden(".m.json.tmp-0123456789abcdef", of: "m.jso"))
    }

    @Test("a destination name near NAME_MAX still gets a hidden file (its stem is shortened)")
    func longNames() throws {
        let directory = try Directory()
        let name = String(repeating: "n", count: 250) + ".csv"
        for writer in Writer.allCases {
            try Self.write(writer, writer.rawValue, to: directory.url.appendingPathComponent(name))
        }
        #expect(try directory.names() == [name])
    }
}
