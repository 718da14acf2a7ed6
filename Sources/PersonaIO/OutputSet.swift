import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Several output files written as one: every file is first staged completely (flushed
/// to a hidden file beside its destination), and only when all are staged are they renamed
/// into place. If staging any file fails, every staged file is removed and no destination
/// changes — a job never leaves a model without its assignments or half a report.
///
/// ```swift
/// var outputs = OutputSet()
/// try outputs.stage(assignmentBytes, at: assignmentsURL)
/// try outputs.stage(modelData, at: modelURL)
/// try outputs.commit()
/// ```
public struct OutputSet {
    private var staged: [(temporary: URL, destination: URL)] = []

    /// Creates an empty set.
    public init() {}

    /// The destinations staged so far.
    public var destinations: [URL] { staged.map(\.destination) }

    /// Stages `bytes` for `destination`, creating its directory if needed.
    /// - Throws: ``FileError`` naming the path; everything staged so far is discarded.
    public mutating func stage(_ bytes: [UInt8], at destination: URL) throws(FileError) {
        do { try stageOne(bytes, at: destination) } catch {
            discard()
            throw error
        }
    }

    /// Stages `data` for `destination`, creating its directory if needed.
    /// - Throws: ``FileError`` naming the path; everything staged so far is discarded.
    public mutating func stage(_ data: Data, at destination: URL) throws(FileError) {
        try stage([UInt8](data), at: destination)
    }

    private mutating func stageOne(_ bytes: [UInt8], at destination: URL) throws(FileError) {
        let key = destination.standardizedFileURL.path
        if staged.contains(where: { $0.destination.standardizedFileURL.path == key }) {
            throw FileError.cannotWrite(path: destination.path, reason: "the same file is already an output of this command")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FileError.cannotWrite(path: destination.path, reason: "Is a directory")
        }
        let directory = destination.deletingLastPathComponent()
        try AtomicFile.createDirectory(directory)
        let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).staged-\(UInt64.random(in: 0 ... .max))")
        try AtomicFile.write(bytes, to: temporary)
        staged.append((temporary, destination))
    }

    /// Renames every staged file into place.
    /// - Throws: ``FileError`` if a rename fails (then the remaining staged files are removed).
    public mutating func commit() throws(FileError) {
        let files = staged
        staged = []
        for (index, file) in files.enumerated() where rename(file.temporary.path, file.destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            for rest in files[index...] { unlink(rest.temporary.path) }
            throw FileError.cannotWrite(path: file.destination.path, reason: reason)
        }
    }

    /// Removes every staged file; no destination changes.
    public mutating func discard() {
        for file in staged { unlink(file.temporary.path) }
        staged = []
    }
}
