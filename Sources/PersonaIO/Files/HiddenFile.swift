#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The hidden files a write goes to before it is renamed over its destination —
/// `.<name>.tmp-<16 hex digits>` (``AtomicFile``) and `.<name>.staged-<16 hex digits>`
/// (``StagedFile``, ``OutputSet``) in the destination's directory — and the removal of those
/// that a killed process left behind.
///
/// A process killed outright (`SIGKILL`, power loss) cannot remove its hidden file, so the
/// next write to the same destination does. To tell an abandoned file from one that another
/// write is still filling, the writer holds an exclusive `flock` on its hidden file from the
/// moment it creates it until it has renamed or removed it. The kernel drops the lock when
/// the process ends, however it ends; a hidden file on which a lock can be taken therefore
/// has no writer any more, and only such files are removed. A running write — in this
/// process or another — is never disturbed. (On a file system without `flock`, nothing is
/// removed.)
enum HiddenFile {
    /// Which writer the hidden file belongs to.
    enum Kind: String {
        /// A whole-file write of ``AtomicFile``.
        case temporary = "tmp"
        /// A staged output of ``StagedFile`` or ``OutputSet``.
        case staged = "staged"
    }

    /// A created, locked hidden file.
    struct Handle {
        let path: String
        let descriptor: Int32
    }

    /// The destination name as it appears inside hidden names: long names are shortened so
    /// that the hidden name stays within `NAME_MAX`.
    static func stem(of name: String) -> String {
        var stem = name
        while stem.utf8.count > 200 { stem.removeLast() }
        return stem
    }

    /// Removes the abandoned hidden files of `name` in `directory`, then creates a new hidden
    /// file for it, opened for writing and locked.
    /// - Returns: the handle, or the `errno` of the failure.
    static func create(in directory: String, for name: String, kind: Kind) -> Result<Handle, SystemError> {
        let stem = stem(of: name)
        removeAbandoned(in: directory, stem: stem)
        let prefix = (directory.hasSuffix("/") ? directory : directory + "/") + "." + stem + "." + kind.rawValue + "-"
        for _ in 0..<16 {
            let random = String(UInt64.random(in: .min ... .max), radix: 16)
            let path = prefix + String(repeating: "0", count: 16 - random.count) + random
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd < 0 {
                if errno == EEXIST { continue }
                return .failure(SystemError(code: errno))
            }
            // Blocks only while a clean-up that found the file before it was locked looks at
            // it; that clean-up removes it, and the check below notices.
            var result: Int32
            repeat { result = flock(fd, LOCK_EX) } while result != 0 && errno == EINTR
            if result == 0, !refersTo(fd, path) {
                close(fd)
                continue
            }
            return .success(Handle(path: path, descriptor: fd))
        }
        return .failure(SystemError(code: EEXIST))
    }

    /// Removes every hidden file of `stem` in `directory` that no process holds a lock on.
    /// Errors are ignored: clean-up is best effort and never fails a write.
    static func removeAbandoned(in directory: String, stem: String) {
        guard let stream = opendir(directory.isEmpty ? "." : directory) else { return }
        defer { closedir(stream) }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        var candidates = [String]()
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if isHidden(name, of: stem) { candidates.append(base + name) }
        }
        for path in candidates {
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            if fd < 0 { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0, refersTo(fd, path) { unlink(path) }
            close(fd)
        }
    }

    /// Whether `name` is a hidden file of `stem`: `.<stem>.tmp-` or `.<stem>.staged-`
    /// followed by 16 hex digits.
    static func isHidden(_ name: String, of stem: String) -> Bool {
        for kind in [Kind.temporary, .staged] {
            let prefix = "." + stem + "." + kind.rawValue + "-"
            guard name.hasPrefix(prefix) else { continue }
            let suffix = name.utf8.dropFirst(prefix.utf8.count)
            return suffix.count == 16 && suffix.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        }
        return false
    }

    /// Whether `path` still names the file open as `fd` (a regular file).
    private static func refersTo(_ fd: Int32, _ path: String) -> Bool {
        var open = stat(), named = stat()
        guard fstat(fd, &open) == 0, lstat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino && named.st_mode & 0o170000 == 0o100000
    }
}

/// An `errno` value.
struct SystemError: Error {
    let code: Int32
}
