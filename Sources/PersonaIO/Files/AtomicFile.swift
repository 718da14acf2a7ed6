import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe whole-file writes.
///
/// A write goes to a temporary file in the destination's directory (`.<name>.tmp-<16 hex
/// digits>`), is flushed to disk (`fsync`), then renamed over the destination with POSIX
/// `rename`, which is atomic: a reader sees either the old file or the complete new one, never
/// a partial one. On any failure the temporary file is removed and nothing else changes; the
/// temporary file of a process killed mid-write is removed by the next write to the same
/// destination (see `HiddenFile`).
public enum AtomicFile {
    /// Writes `data` to `url` atomically, replacing any existing file.
    ///
    /// An existing destination keeps its permission bits; a new file gets `0666` less the
    /// process umask. A symbolic link at `url` is followed: the file it points to is replaced.
    /// - Throws: `FileError.cannotWrite` naming `url`'s path and the system's reason; no
    ///   temporary file is left behind.
    /// - Complexity: O(data.count).
    public static func write(_ data: Data, to url: URL) throws(FileError) {
        let failure: FileError? = data.withUnsafeBytes { writeBuffer($0, to: url) }
        if let failure { throw failure }
    }

    /// Writes `bytes` to `url` atomically, replacing any existing file.
    ///
    /// Same as the `Data` overload.
    /// - Throws: `FileError.cannotWrite` naming `url`'s path and the system's reason; no
    ///   temporary file is left behind.
    /// - Complexity: O(bytes.count).
    public static func write(_ bytes: [UInt8], to url: URL) throws(FileError) {
        let failure: FileError? = bytes.withUnsafeBytes { writeBuffer($0, to: url) }
        if let failure { throw failure }
    }

    /// Writes `text` as UTF-8 to `url` atomically, replacing any existing file.
    /// - Throws: `FileError.cannotWrite` naming `url`'s path and the system's reason.
    /// - Complexity: O(text.utf8.count).
    public static func write(_ text: String, to url: URL) throws(FileError) {
        var text = text
        let failure: FileError? = text.withUTF8 { writeBuffer(UnsafeRawBufferPointer($0), to: url) }
        if let failure { throw failure }
    }

    /// Creates the directory at `url` and any missing parent directories; an existing
    /// directory is fine.
    /// - Throws: `FileError.cannotCreateDirectory` naming the path and the reason (for example
    ///   "/data/x is not a directory" when a parent is a file).
    public static func createDirectory(_ url: URL) throws(FileError) {
        let path = url.path
        var prefixes: [String] = []
        var current = ""
        for (i, component) in path.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            if i == 0 {
                current = String(component)
                continue
            }
            if component.isEmpty { continue }
            current += "/" + component
            prefixes.append(current)
        }
        for prefix in prefixes {
            if mkdir(prefix, 0o777) == 0 { continue }
            let code = errno
            if code == EEXIST, isDirectory(prefix) { continue }
            let reason = code != EEXIST ? errnoText(code)
                : prefix == path ? "exists and is not a directory" : "\(prefix) is not a directory"
            throw .cannotCreateDirectory(path: path, reason: reason)
        }
    }

    /// Reads the whole file at `url`.
    /// - Throws: `FileError.cannotRead` naming the path: "no such file" for a missing file,
    ///   otherwise the system's reason (for example "Is a directory", "Permission denied").
    /// - Complexity: O(file size).
    public static func readData(at url: URL) throws(FileError) -> Data {
        Data(try readBytes(at: url))
    }

    /// Reads the whole file at `url` as bytes.
    /// - Throws: `FileError.cannotRead` naming the path, as ``readData(at:)``.
    /// - Complexity: O(file size).
    /// Opens a regular file for reading; the caller closes the descriptor.
    /// - Throws: ``FileError/cannotRead(path:reason:)`` ("no such file", "Is a directory", …).
    static func openForReading(_ url: URL) throws(FileError) -> Int32 {
        let path = url.path
        func failure(_ code: Int32) -> FileError {
            .cannotRead(path: path, reason: code == ENOENT ? "no such file" : errnoText(code))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw failure(errno) }
        var info = stat()
        if fstat(fd, &info) != 0 { let code = errno; close(fd); throw failure(code) }
        if info.st_mode & 0o170000 == 0o040000 { close(fd); throw failure(EISDIR) }
        return fd
    }

    /// Reads up to `count` bytes from `fd` into `buffer` (fewer only at the end of the file).
    /// - Returns: the number of bytes read.
    static func read(_ fd: Int32, upTo count: Int, into buffer: UnsafeMutableRawPointer) throws(FileError) -> Int {
        var filled = 0
        while filled < count {
            let n = systemRead(fd, buffer + filled, count - filled)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .cannotRead(path: "descriptor \(fd)", reason: errnoText(code))
            }
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    public static func readBytes(at url: URL) throws(FileError) -> [UInt8] {
        let path = url.path
        func failure(_ code: Int32) -> FileError {
            .cannotRead(path: path, reason: code == ENOENT ? "no such file" : errnoText(code))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw failure(errno) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw failure(errno) }
        if info.st_mode & 0o170000 == 0o040000 { throw failure(EISDIR) }

        // One spare byte so that a file of the announced size ends without a reallocation.
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var count = 0
        while true {
            if count == bytes.count {  // the file grew (or its size was unknown): make room
                bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 65_536)))
            }
            let n = bytes.withUnsafeMutableBytes { buffer in
                systemRead(fd, buffer.baseAddress! + count, buffer.count - count)
            }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw failure(code)
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    // MARK: - Implementation

    /// Writes `buffer` atomically to `url`; returns the error instead of throwing so that it
    /// can run inside the non-throwing `withUnsafeBytes` closures.
    private static func writeBuffer(_ buffer: UnsafeRawBufferPointer, to url: URL) -> FileError? {
        let shownPath = url.path
        let target = url.resolvingSymlinksInPath()
        let directory = target.deletingLastPathComponent().path
        func failure(_ code: Int32) -> FileError { .cannotWrite(path: shownPath, reason: errnoText(code)) }

        // An existing file keeps its permissions.
        var existing = stat()
        let hasExisting = stat(target.path, &existing) == 0 && existing.st_mode & 0o170000 == 0o100000

        // A hidden file, locked until it is renamed or removed (abandoned ones of killed
        // writes are removed first; see HiddenFile).
        let hidden: HiddenFile.Handle
        switch HiddenFile.create(in: directory, for: target.lastPathComponent, kind: .temporary) {
        case .success(let handle): hidden = handle
        case .failure(let error): return failure(error.code)
        }
        let fd = hidden.descriptor, tempPath = hidden.path
        func abandon(_ code: Int32) -> FileError {
            unlink(tempPath)
            close(fd)
            return failure(code)
        }

        if hasExisting, fchmod(fd, existing.st_mode & 0o7777) != 0 { return abandon(errno) }
        var offset = 0
        while offset < buffer.count {
            let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                return abandon(code)
            }
            offset += n
        }
        if fsync(fd) != 0 { return abandon(errno) }
        // Renamed while still locked, so that no clean-up can take it for abandoned.
        if rename(tempPath, target.path) != 0 { return abandon(errno) }
        close(fd)

        // Make the rename itself durable; a failure here does not undo the write.
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
        return nil
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & 0o170000 == 0o040000
    }
}

// The C `read` and `write`, under names that the static `write` methods do not shadow.
#if canImport(Glibc)
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
#elseif canImport(Musl)
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Musl.read(fd, buffer, count) }
func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Musl.write(fd, buffer, count) }
#elseif canImport(Darwin)
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
#endif
