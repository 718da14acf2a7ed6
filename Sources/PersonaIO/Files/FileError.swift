#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or directory that could not be read, written or created, naming its path and the
/// reason the operating system gave.
public enum FileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file at `path` could not be read (missing, not readable, a directory, …).
    case cannotRead(path: String, reason: String)
    /// The file at `path` could not be written (missing directory, no permission, disk full, …).
    case cannotWrite(path: String, reason: String)
    /// The directory at `path` could not be created.
    case cannotCreateDirectory(path: String, reason: String)

    /// A one-line description, e.g. `cannot write /nonexistent/x.csv: No such file or directory`.
    public var description: String {
        switch self {
        case .cannotRead(let path, let reason):
            return "cannot read \(oneLine(path)): \(oneLine(reason))"
        case .cannotWrite(let path, let reason):
            return "cannot write \(oneLine(path)): \(oneLine(reason))"
        case .cannotCreateDirectory(let path, let reason):
            return "cannot create directory \(oneLine(path)): \(oneLine(reason))"
        }
    }

    /// The path the error is about.
    public var path: String {
        switch self {
        case .cannotRead(let path, _), .cannotWrite(let path, _), .cannotCreateDirectory(let path, _):
            return path
        }
    }

    /// The reason the operating system gave.
    public var reason: String {
        switch self {
        case .cannotRead(_, let reason), .cannotWrite(_, let reason), .cannotCreateDirectory(_, let reason):
            return reason
        }
    }
}

/// The operating system's text for an `errno` value, e.g. "No such file or directory".
func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// `text` with line breaks and tabs written as `\n`, `\r` and `\t`, so that a message
/// quoting it stays on one line.
func oneLine(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 8)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
