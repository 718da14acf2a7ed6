import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Several output files written as one: every file is first staged completely (flushed
/// to a hidden file `.<name>.staged-<16 hex digits>` beside its destination), and only when
/// all are staged are they renamed into place. If staging any file fails, every staged file
/// is removed and no destination changes — a job never leaves a model without its
/// assignments or half a report.
///
/// Each hidden file stays locked until it is renamed or removed, so the hidden files of a
/// process killed before its commit are recognised as abandoned and removed by the next
/// write to the same destination (see `HiddenFile`).
///
/// ```swift
/// var outputs = OutputSet()
/// try outputs.stage(assignmentBytes, at: assignmentsURL)
/// try outputs.stage(modelData, at: modelURL)
/// try outputs.commit()
/// ```
public struct OutputSet {
    private var staged: [(temporary: String, descriptor: Int32, destination: URL)] = []

    /// Creates an empty set.
    public init() {}

    /// The destinations staged so far.
    public var destinations: [URL] { staged.map(\.destination) }

    /// Stages `bytes` for `destination`, creating its directory if needed.
    /// - Throws: ``FileError`` naming the path; everything staged so far is discarded.
    public mutating func stage(_ bytes: [UInt8], at destination: URL) throws(FileError) {
        try stage(pieces: [bytes], at: destination)
    }

    /// Stages the concatenation of `pieces` for `destination`, written piece by piece (a
    /// large file rendered in parts is never joined in memory).
    /// - Throws: ``FileError`` naming the path; everything staged so far is discarded.
    public mutating func stage(pieces: [[UInt8]], at destination: URL) throws(FileError) {
        do { try stageOne(pieces, at: destination) } catch {
            discard()
            throw error
        }
    }

    /// Stages `data` for `destination`, creating its directory if needed.
    /// - Throws: ``FileError`` naming the path; everything staged so far is discarded.
    public mutating func stage(_ data: Data, at destination: URL) throws(FileError) {
        try stage([UInt8](data), at: destination)
    }

    private mutating func stageOne(_ pieces: [[UInt8]], at destination: URL) throws(FileError) {
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
        let handle: HiddenFile.Handle
        switch HiddenFile.create(in: directory.path, for: destination.lastPathComponent, kind: .staged) {
        case .success(let created): handle = created
        case .failure(let error): throw FileError.cannotWrite(path: destination.path, reason: errnoText(error.code))
        }
        func abandon(_ code: Int32) -> FileError {
            unlink(handle.path)
            close(handle.descriptor)
            return FileError.cannotWrite(path: destination.path, reason: errnoText(code))
        }
        func write(_ bytes: [UInt8]) -> Int32? {
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = systemWrite(handle.descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += n
                }
                return nil
            }
        }
        let failure: Int32? = pieces.lazy.compactMap(write).first ?? (fsync(handle.descriptor) == 0 ? nil : errno)
        if let failure { throw abandon(failure) }
        staged.append((handle.path, handle.descriptor, destination))
    }

    /// Renames every staged file into place.
    /// - Throws: ``FileError`` if a rename fails (then the remaining staged files are removed).
    public mutating func commit() throws(FileError) {
        let files = staged
        staged = []
        // Each file is renamed while still locked, then every lock is released.
        defer { for file in files { close(file.descriptor) } }
        for (index, file) in files.enumerated() where rename(file.temporary, file.destination.path) != 0 {
            let reason = errnoText(errno)
            for rest in files[index...] { unlink(rest.temporary) }
            throw FileError.cannotWrite(path: file.destination.path, reason: reason)
        }
    }

    /// Removes every staged file; no destination changes.
    public mutating func discard() {
        for file in staged {
            unlink(file.temporary)
            close(file.descriptor)
        }
        staged = []
    }
}
