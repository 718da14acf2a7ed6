// CSV reading: a hand-written, byte-level RFC 4180 parser.
//
// Deliberately not a third-party CSV library: the Swift CSV libraries available here read at
// under 10 MB/s, too slow for customer exports of hundreds of megabytes. This parser works on
// the raw bytes through an unsafe buffer, never looks at Characters, builds each cell with one
// `String(decoding:as:)` over its byte range (after a UTF-8 check, skipped when the scan saw
// only ASCII), and copies a field only to unescape it when it was quoted and held doubled
// quotes ("").
//
// Measured speed (release build, one core of the 2-core AMD EPYC dev machine, Swift 6.3.1):
// about 220 MB/s for `parse` and about 190 MB/s for `read(contentsOf:)` including the file
// read, on a generated 50 MB customer file (549k rows x 12 columns: ids, integers, decimals,
// short strings, e-mails, one row in three with non-ASCII text, some quoted cells with commas
// and doubled quotes), best of 5 runs. Reserving the columns' capacity from the first 32
// records' average length is worth about 10% of that.
// The first version, which used the generic `String(validating:as:)` per cell, ran at 82 MB/s
// (metadata look-ups); hence the ASCII fast path and the own UTF-8 check below.

import Foundation
import PersonaKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A CSV file that cannot be read as a table, naming the file and, where it applies, the row
/// (the header is row 1, the first data record row 2; a record whose quoted cells span several
/// lines counts as one row) and the column.
public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case cannotRead(file: String, reason: String)
    /// The file holds nothing (not even a header row): no bytes, only a byte order mark, or
    /// only blank lines.
    case emptyFile(file: String)
    /// A record has a different number of fields than the header.
    case raggedRow(file: String, row: Int, expected: Int, found: Int)
    /// A quoted field is never closed; `row` is the row where the field started.
    case unterminatedQuote(file: String, row: Int)
    /// A quote inside an unquoted field, or text between a closing quote and the next
    /// separator. `column` is the header name, or `#n` (1-based position) in the header row
    /// itself and past the header's last column.
    case malformedQuote(file: String, row: Int, column: String)
    /// A cell is not valid UTF-8.
    case invalidUTF8(file: String, row: Int)
    /// The header row has an empty or a duplicate column name.
    case badHeader(file: String, reason: String)

    /// A one-line description naming the file, the row and the column, e.g.
    /// `customers.csv: row 17: expected 12 fields, found 11`.
    public var description: String {
        switch self {
        case .cannotRead(let file, let reason):
            return "\(oneLine(file)): cannot read the file: \(oneLine(reason))"
        case .emptyFile(let file):
            return "\(oneLine(file)): the file is empty (a header row is required)"
        case .raggedRow(let file, let row, let expected, let found):
            return "\(oneLine(file)): row \(row): expected \(expected) field\(expected == 1 ? "" : "s"), found \(found)"
        case .unterminatedQuote(let file, let row):
            return "\(oneLine(file)): row \(row): a quoted field is never closed (missing closing \")"
        case .malformedQuote(let file, let row, let column):
            return "\(oneLine(file)): row \(row), column '\(oneLine(column))': misplaced quote (a \" inside an unquoted field, or text after a closing quote)"
        case .invalidUTF8(let file, let row):
            return "\(oneLine(file)): row \(row): the text is not valid UTF-8 (save the file as UTF-8)"
        case .badHeader(let file, let reason):
            return "\(oneLine(file)): row 1 (header): \(oneLine(reason))"
        }
    }
}

/// Reads comma-separated values (RFC 4180) into a ``RawTable``.
///
/// The first record is the header and is required; its names must be non-empty and unique.
/// Fields may be quoted, with `""` for a quote and separators and line breaks inside quotes.
/// Lines end in LF or CRLF (a lone CR also ends a line); a UTF-8 byte order mark is skipped;
/// the last line may lack its line break; blank lines at the end are ignored (a blank line
/// elsewhere is a record with one empty field). Cells are not trimmed; an empty cell is a
/// missing value. A file with only a header gives a table with zero rows.
public enum CSVReader {
    /// Reads and parses the whole file at `url`.
    /// - Parameters:
    ///   - url: The file to read.
    ///   - displayName: The name used in errors; the file's last path component by default.
    ///   - separator: The field separator: an ASCII character other than `"`, CR and LF.
    /// - Throws: `CSVError.cannotRead` when the file cannot be read, otherwise as
    ///   `parse(_:file:separator:)`.
    /// - Complexity: O(file size).
    public static func read(contentsOf url: URL, displayName: String? = nil, separator: Character = ",") throws(CSVError) -> RawTable {
        let name = displayName ?? url.lastPathComponent
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.readBytes(at: url)
        } catch {
            throw .cannotRead(file: name, reason: error.reason)
        }
        return try parse(bytes, file: name, separator: separator)
    }

    /// Parses CSV bytes (UTF-8) into a table.
    /// - Parameters:
    ///   - bytes: The file's contents; contiguous storage (`[UInt8]`, `Data`, an unsafe
    ///     buffer) is parsed in place, anything else is copied first.
    ///   - file: The name used in errors.
    ///   - separator: The field separator: an ASCII character other than `"`, CR and LF.
    /// - Throws: `CSVError.emptyFile`, `.badHeader`, `.raggedRow`, `.unterminatedQuote`,
    ///   `.malformedQuote` or `.invalidUTF8`, for the first problem in the file.
    /// - Complexity: O(bytes.count).
    public static func parse(_ bytes: some Collection<UInt8>, file: String, separator: Character = ",") throws(CSVError) -> RawTable {
        let sep = separatorByte(separator)
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(CSVError) in try parseBuffer(buffer, file: file, separator: sep) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(CSVError) in
            try parseBuffer(buffer, file: file, separator: sep)
        }
    }

    /// Parses CSV text into a table.
    /// - Throws: as `parse(_:file:separator:)`.
    /// - Complexity: O(text.utf8.count).
    public static func parse(_ text: String, file: String, separator: Character = ",") throws(CSVError) -> RawTable {
        try parse(text.utf8, file: file, separator: separator)
    }

    // MARK: - Implementation

    static func separatorByte(_ separator: Character) -> UInt8 {
        guard let byte = separator.asciiValue, byte != 0x22, byte != 0x0A, byte != 0x0D else {
            preconditionFailure("the CSV separator must be an ASCII character other than a quote or a line break")
        }
        return byte
    }

    /// The number of records whose average length estimates a file's row count.
    static let sampleRecords = 32

    static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>, file: String, separator: UInt8) throws(CSVError) -> RawTable {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { throw .emptyFile(file: file) }
        var parser = CSVParser(base: base, end: buffer.count, file: file, separator: separator)
        if buffer.count >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { parser.position = 3 }
        if parser.restIsBlank() { throw .emptyFile(file: file) }

        // Header: row 1.
        var names: [String] = []
        while true {
            let (name, terminator) = try parser.nextField(column: names.count)
            names.append(name)
            if terminator != .separator { break }
        }
        try validateHeader(names, file: file)
        parser.columnNames = names

        // Data records, written straight into the columns.
        let width = names.count
        var columns = Array(repeating: [String](), count: width)
        let dataStart = parser.position
        while parser.position < parser.end {
            if parser.atLineBreak, parser.restIsBlank() { break }
            parser.row += 1
            var c = 0
            while true {
                let (cell, terminator) = try parser.nextField(column: c)
                if c < width { columns[c].append(cell) }
                c += 1
                if terminator != .separator { break }
            }
            if c != width { throw .raggedRow(file: file, row: parser.row, expected: width, found: c) }
            if parser.row == 1 + sampleRecords {
                // Estimate the row count from the first records' average length to spare the
                // columns most of their reallocations.
                let averageLength = max((parser.position - dataStart) / sampleRecords, 1)
                let estimate = (parser.end - dataStart) / averageLength * 21 / 20 + 16
                for i in columns.indices { columns[i].reserveCapacity(estimate) }
            }
        }
        return RawTable(columnNames: names, columns: columns)
    }

    static func validateHeader(_ names: [String], file: String) throws(CSVError) {
        if names.count == 1, names[0].isEmpty {
            throw .badHeader(file: file, reason: "the first line is blank; it must name the columns")
        }
        var seen: [String: Int] = [:]
        seen.reserveCapacity(names.count)
        for (i, name) in names.enumerated() {
            if name.allSatisfy(\.isWhitespace) {
                throw .badHeader(file: file, reason: "column \(i + 1) has no name")
            }
            if let first = seen[name] {
                throw .badHeader(file: file, reason: "column name '\(name)' appears twice (columns \(first + 1) and \(i + 1))")
            }
            seen[name] = i
        }
    }
}

/// The parsing state over one buffer. Offsets are indices into `base[0..<end]`.
struct CSVParser {
    enum Terminator { case separator, endOfRecord, endOfFile }

    static let quote: UInt8 = 0x22
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D

    let base: UnsafePointer<UInt8>
    let end: Int
    let file: String
    let separator: UInt8
    /// Every byte above this one is ordinary field content.
    let fastLimit: UInt8
    /// The next byte to read.
    var position = 0
    /// The row number of the record being read (1 = header).
    var row = 1
    /// The header's names, for errors.
    var columnNames: [String] = []
    /// An offset known to hold a non-blank byte; from `position` before it the rest is not blank.
    private var nonBlankAt = 0

    init(base: UnsafePointer<UInt8>, end: Int, file: String, separator: UInt8) {
        self.base = base
        self.end = end
        self.file = file
        self.separator = separator
        self.fastLimit = max(separator, Self.quote)
    }

    /// Whether the next byte starts a line break (so the line from here is blank).
    var atLineBreak: Bool {
        position < end && (base[position] == Self.lf || base[position] == Self.cr)
    }

    /// Whether everything from `position` on is line breaks. Amortised O(1) per call over a
    /// run of blank lines.
    mutating func restIsBlank() -> Bool {
        if position < nonBlankAt { return false }
        var i = position
        while i < end, base[i] == Self.lf || base[i] == Self.cr { i += 1 }
        if i == end { return true }
        nonBlankAt = i
        return false
    }

    func columnLabel(_ c: Int) -> String {
        c < columnNames.count ? columnNames[c] : "#\(c + 1)"
    }

    /// Reads the field at `position` (column `c` of the current record) and the separator or
    /// line break after it.
    @inline(__always)
    mutating func nextField(column c: Int) throws(CSVError) -> (String, Terminator) {
        var i = position
        if i < end, base[i] == Self.quote { return try quotedField(column: c) }
        let start = i
        var bits: UInt8 = 0  // the OR of the field's bytes: below 0x80 means ASCII
        while i < end {
            let b = base[i]
            if b > fastLimit || (b != separator && b != Self.lf && b != Self.cr && b != Self.quote) {
                bits |= b
                i += 1
                continue
            }
            break
        }
        let fieldEnd = i
        let terminator = try terminator(at: &i, column: c)
        position = i
        return (try makeString(from: start, to: fieldEnd, ascii: bits < 0x80), terminator)
    }

    /// Consumes the separator or line break at `i`; anything else there is a misplaced quote.
    @inline(__always)
    func terminator(at i: inout Int, column c: Int) throws(CSVError) -> Terminator {
        if i == end { return .endOfFile }
        let b = base[i]
        i += 1
        if b == separator { return .separator }
        if b == Self.lf { return .endOfRecord }
        if b == Self.cr {
            if i < end, base[i] == Self.lf { i += 1 }
            return .endOfRecord
        }
        throw .malformedQuote(file: file, row: row, column: columnLabel(c))
    }

    mutating func quotedField(column c: Int) throws(CSVError) -> (String, Terminator) {
        var i = position + 1
        let start = i
        var escaped = false
        while true {
            guard let hit = memchr(base + i, Int32(Self.quote), end - i) else {
                throw .unterminatedQuote(file: file, row: row)
            }
            i = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            if i + 1 < end, base[i + 1] == Self.quote {
                escaped = true
                i += 2
                continue
            }
            break
        }
        let contentEnd = i
        i += 1
        let terminator = try terminator(at: &i, column: c)
        position = i
        if !escaped { return (try makeString(from: start, to: contentEnd, ascii: false), terminator) }

        // Unescape: keep one quote of each doubled pair.
        var bytes = [UInt8]()
        bytes.reserveCapacity(contentEnd - start)
        var j = start
        while j < contentEnd {
            bytes.append(base[j])
            j += base[j] == Self.quote ? 2 : 1
        }
        let text = try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
            guard isValidUTF8(buffer) else { throw .invalidUTF8(file: file, row: row) }
            return String(decoding: buffer, as: UTF8.self)
        }
        return (text, terminator)
    }

    /// The bytes `start..<stop` as a String; `ascii` tells that they are known to be ASCII.
    @inline(__always)
    func makeString(from start: Int, to stop: Int, ascii: Bool) throws(CSVError) -> String {
        if start == stop { return "" }
        let bytes = UnsafeBufferPointer(start: base + start, count: stop - start)
        // `String(decoding:)` would silently replace invalid bytes, so check them first.
        // (`String(validating:)` does both but is generic and far slower per call.)
        if !ascii, !isValidUTF8(bytes) { throw .invalidUTF8(file: file, row: row) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Whether `bytes` are well-formed UTF-8 (Unicode table 3-7: no overlong forms, no
/// surrogates, nothing above U+10FFFF).
/// - Complexity: O(bytes.count).
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let p = bytes.baseAddress else { return true }
    let n = bytes.count
    var i = 0
    while i < n {
        let b0 = p[i]
        if b0 < 0x80 {
            i += 1
        } else if b0 < 0xC2 {
            return false
        } else if b0 < 0xE0 {
            guard i + 1 < n, p[i + 1] & 0xC0 == 0x80 else { return false }
            i += 2
        } else if b0 < 0xF0 {
            guard i + 2 < n else { return false }
            let b1 = p[i + 1]
            let low: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
            let high: UInt8 = b0 == 0xED ? 0x9F : 0xBF
            guard b1 >= low, b1 <= high, p[i + 2] & 0xC0 == 0x80 else { return false }
            i += 3
        } else if b0 < 0xF5 {
            guard i + 3 < n else { return false }
            let b1 = p[i + 1]
            let low: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
            guard b1 >= low, b1 <= high, p[i + 2] & 0xC0 == 0x80, p[i + 3] & 0xC0 == 0x80 else { return false }
            i += 4
        } else {
            return false
        }
    }
    return true
}
