import Foundation

/// One line of the input: its number (from 1) and its bytes, without the line end.
struct InputLine {
    var number: Int
    var bytes: ArraySlice<UInt8>
}

/// Reads lines from a file descriptor in batches of whatever has arrived.
///
/// A batch holds the complete lines of one or more reads, up to a maximum: a file piped in
/// whole comes in large batches, customers sent one at a time come in batches of one and are
/// answered at once.
final class LineReader {
    private let fileDescriptor: Int32
    private var buffer = [UInt8]()
    /// Where the unread part of `buffer` starts.
    private var start = 0
    private var atEnd = false
    private var lineNumber = 0

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// The next lines, at most `maxLines`; `nil` at the end of the input.
    func nextBatch(maxLines: Int) -> [InputLine]? {
        var lines = [InputLine]()
        while lines.isEmpty {
            takeLines(into: &lines, maxLines: maxLines)
            if !lines.isEmpty { break }
            if atEnd {
                // A last line without a line end.
                guard start < buffer.count else { return nil }
                lineNumber += 1
                lines.append(InputLine(number: lineNumber, bytes: buffer[start...]))
                start = buffer.count
                break
            }
            fill()
        }
        return lines
    }

    /// Moves complete lines from the buffer into `lines`.
    private func takeLines(into lines: inout [InputLine], maxLines: Int) {
        while lines.count < maxLines, let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            lineNumber += 1
            var bytes = buffer[start..<end]
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            lines.append(InputLine(number: lineNumber, bytes: bytes))
            start = end + 1
        }
    }

    /// Reads what is available (waiting for at least one byte), or notes the end.
    private func fill() {
        if start > 0 {
            buffer.removeSubrange(..<start)
            start = 0
        }
        let chunk = 64 * 1024
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        var got = -1
        while got < 0 {
            got = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress! + old, chunk) }
            if got < 0 && errno != EINTR {
                FileHandle.standardError.write(Data("persona-worker: cannot read standard input (errno \(errno))\n".utf8))
                got = 0
            }
        }
        buffer.removeSubrange((old + got)...)
        if got == 0 { atEnd = true }
    }
}
