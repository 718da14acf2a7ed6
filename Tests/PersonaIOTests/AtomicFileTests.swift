import Foundation
import PersonaIO
import Testing

/// A new empty directory under the system's temporary directory; the caller removes it.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("persona-io-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The names of AtomicFile's temporary files (`.<name>.tmp-…`) left in `directory`.
func leftoverTemporaryFiles(in directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }
}

@Suite("AtomicFile")
struct AtomicFileTests {
    @Test func writesANewFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("new.csv")
        try AtomicFile.write(Data("hello\n".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "hello\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["new.csv"])
    }

    @Test func replacesAnExistingFileAndKeepsItsPermissions() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.json")
        try Data("old contents that are longer".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: url.path)

        try AtomicFile.write(Array("new".utf8), to: url)
        #expect(try AtomicFile.readBytes(at: url) == Array("new".utf8))
        let permissions = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(permissions == 0o640)
        #expect(try leftoverTemporaryFiles(in: dir).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.json"])
    }

    @Test func writesStringsAndEmptyFiles() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("report.md")
        try AtomicFile.write("# Personas 🙂\n", to: url)
        #expect(try AtomicFile.readData(at: url) == Data("# Personas 🙂\n".utf8))
        try AtomicFile.write(Data(), to: url)
        #expect(try AtomicFile.readData(at: url).isEmpty)
    }

    @Test func followsASymbolicLink() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = dir.appendingPathComponent("real.csv")
        let link = dir.appendingPathComponent("link.csv")
        try Data("old".utf8).write(to: real)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        try AtomicFile.write(Data("new".utf8), to: link)
        #expect(try String(contentsOf: real, encoding: .utf8) == "new")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == real.path)
    }

    @Test func missingDirectoryThrowsWithThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/x.csv")
        let error = #expect(throws: FileError.self) { try AtomicFile.write(Data("x".utf8), to: url) }
        #expect(error == .cannotWrite(path: "/nonexistent/x.csv", reason: "No such file or directory"))
        #expect(error?.description == "cannot write /nonexistent/x.csv: No such file or directory")
    }

    @Test func pathUnderAFileThrowsAndLeavesNothing() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("plain.txt")
        try Data("x".utf8).write(to: file)
        let url = file.appendingPathComponent("out.csv")
        let error = #expect(throws: FileError.self) { try AtomicFile.write(Data("y".utf8), to: url) }
        #expect(error == .cannotWrite(path: url.path, reason: "Not a directory"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["plain.txt"])
    }

    @Test func failedRenameRemovesTheTemporaryFile() throws {
        // The destination is a non-empty directory: the temporary file is written, the
        // rename fails, and the temporary file must be gone afterwards.
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data("x".utf8).write(to: target.appendingPathComponent("inside"))

        let error = #expect(throws: FileError.self) { try AtomicFile.write(Data("y".utf8), to: target) }
        #expect(error?.path == target.path)
        #expect(error?.description.hasPrefix("cannot write \(target.path): ") == true)
        #expect(try leftoverTemporaryFiles(in: dir).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["taken"])
    }

    @Test func createDirectoryWithParents() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let nested = dir.appendingPathComponent("a/b/c", isDirectory: true)
        try AtomicFile.createDirectory(nested)
        try AtomicFile.createDirectory(nested)  // existing: fine
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: nested.path, isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
    }

    @Test func createDirectoryUnderAFileThrows() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("plain.txt")
        try Data("x".utf8).write(to: file)

        let target = file.appendingPathComponent("sub")
        let error = #expect(throws: FileError.self) { try AtomicFile.createDirectory(target) }
        #expect(error == .cannotCreateDirectory(path: target.path, reason: "\(file.path) is not a directory"))

        let error2 = #expect(throws: FileError.self) { try AtomicFile.createDirectory(file) }
        #expect(error2 == .cannotCreateDirectory(path: file.path, reason: "exists and is not a directory"))
    }

    @Test func readMissingFileNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/in.csv")
        let error = #expect(throws: FileError.self) { try AtomicFile.readData(at: url) }
        #expect(error == .cannotRead(path: "/nonexistent/in.csv", reason: "no such file"))
        #expect(error?.description == "cannot read /nonexistent/in.csv: no such file")
    }

    @Test func readsALargeFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("big.bin")
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(bytes, to: url)
        #expect(try AtomicFile.readBytes(at: url) == bytes)
    }
}
