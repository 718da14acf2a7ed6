import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file written in pieces to a hidden file beside its destination
/// (`.<name>.staged-<16 hex digits>`), which appears under its real name only when
/// ``commit()`` renames it: a long streamed output (millions of assignments) is never seen
/// half-written. Dropped without a commit, or on any write error, the hidden file is removed;
/// one left by a killed process is removed by the next write to the same destination (the
/// hidden file is locked while its writer lives; see `HiddenFile`).
///
/// ```swift
/// let out = try StagedFile(destination: url)
/// for piece in pieces { try out.write(piece) }
/// try out.commit()
/// ```
public final class StagedFile {
    /// Where the file appears on commit.
    public let destination: URL
    private let temporaryPath: String
    private var descriptor: Int32
    private var finished = false

    /// Creates the hidden file (and the destination's directory if needed), removing hidden
    /// files that killed writes to the same destination left behind.
    /// - Throws: ``FileError`` naming the destination.
    public init(destination: URL) throws(FileError) {
        self.destination = destination
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FileError.cannotWrite(path: destination.path, reason: "Is a directory")
        }
        let directory = destination.deletingLastPathComponent()
        try AtomicFile.createDirectory(directory)
        switch HiddenFile.create(in: directory.path, for: destination.lastPathComponent, kind: .staged) {
        case .success(let handle):
            temporaryPath = handle.path
            descriptor = handle.descriptor
        case .failure(let error):
            throw FileError.cannotWrite(path: destination.path, reason: errnoText(error.code))
        }
    }

    deinit { discard() }

    /// Appends bytes.
    /// - Throws: ``FileError``; the hidden file is then removed.
    public func write(_ bytes: [UInt8]) throws(FileError) {
        precondition(!finished, "write after commit or discard")
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        if let failure {
            discard()
            throw FileError.cannotWrite(path: destination.path, reason: errnoText(failure))
        }
    }

    /// Flushes the file to disk and renames it to its destination.
    /// - Throws: ``FileError``; the hidden file is then removed and the destination unchanged.
    public func commit() throws(FileError) {
        precondition(!finished, "commit after commit or discard")
        func fail(_ code: Int32) -> FileError {
            discard()
            return FileError.cannotWrite(path: destination.path, reason: errnoText(code))
        }
        if fsync(descriptor) != 0 { throw fail(errno) }
        // Renamed while still locked, so that no clean-up can take it for abandoned.
        if rename(temporaryPath, destination.path) != 0 { throw fail(errno) }
        finished = true
        close(descriptor)
        descriptor = -1
    }

    /// Removes the hidden file; the destination is unchanged.
    public func discard() {
        guard !finished else { return }
        finished = true
        unlink(temporaryPath)
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}
