// CSV reading: a hand-written, byte-level RFC 4180 parser.
//
// Deliberately not a third-party CSV library: the Swift CSV libraries in the package mirror
// read too slowly for customer exports of hundreds of megabytes. Measured on this project's
// 2-core development machine (release builds, Swift 6.3.1), reading a 19.5 MB file of
// 200,000 customers × 30 integer attributes and converting every cell with `Double(_:)`:
// SwiftCSV 0.10.0 7.3 MB/s, yaslab/CSV.swift 2.5.2 12.2 MB/s. This reader does the same at
// several hundred MB/s on one core (see `Docs/Performance.md`).
//
// How: `CSVScanner` walks the raw bytes once (eight at a time through ordinary field
// content), recording where each field starts and ends; nothing is copied. Text is made only
// for the cells that are read (one `String(decoding:as:)` over the field's bytes, after a UTF-8
// check done during the scan only for fields with non-ASCII bytes), numbers are read straight
// from the bytes (`NumberParser`), and a quoted field is copied only to undouble its quotes.
// `CSVStreamReader` feeds the scanner a chunk at a time, so memory stays bounded; this file's
// `CSVReader` parses a whole buffer into a `RawTable` for small inputs and tests.

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

/// Reads comma-separated values (RFC 4180) into a `RawTable`.
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
        return try parse(try bytes(of: url, name: name), file: name, separator: separator)
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

    /// Reads a CSV file written in `dialect`: its separator (``CSVDialect/Separator/auto``
    /// decides from the header), and every cell rewritten so that the table reads as the
    /// dialect's batches do (a missing-value text becomes the empty cell, a decimal-comma
    /// number gets a decimal point).
    /// - Throws: as `read(contentsOf:displayName:separator:)`.
    public static func read(contentsOf url: URL, displayName: String? = nil, dialect: CSVDialect) throws(CSVError) -> RawTable {
        let name = displayName ?? url.lastPathComponent
        return try parse(try bytes(of: url, name: name), file: name, dialect: dialect)
    }

    /// Parses CSV bytes written in `dialect`, as `read(contentsOf:displayName:dialect:)`.
    public static func parse(_ bytes: [UInt8], file: String, dialect: CSVDialect) throws(CSVError) -> RawTable {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let separator = dialect.separatorByte(forFileStartingWith: bytes[start...])
        var table = try parse(bytes, file: file, separator: Character(Unicode.Scalar(separator)))
        let reading = dialect.reading
        guard !reading.isStandard else { return table }
        table = RawTable(columnNames: table.columnNames, columns: table.columns.map { $0.map(reading.normalized) })
        return table
    }

    // MARK: - Implementation

    /// The file's bytes, or ``CSVError/cannotRead(file:reason:)`` naming it.
    private static func bytes(of url: URL, name: String) throws(CSVError) -> [UInt8] {
        do { return try AtomicFile.readBytes(at: url) } catch { throw .cannotRead(file: name, reason: error.reason) }
    }

    static func separatorByte(_ separator: Character) -> UInt8 {
        guard let byte = separator.asciiValue, byte != 0x22, byte != 0x0A, byte != 0x0D else {
            preconditionFailure("the CSV separator must be an ASCII character other than a quote or a line break")
        }
        return byte
    }

    static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>, file: String, separator: UInt8) throws(CSVError) -> RawTable {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { throw .emptyFile(file: file) }
        let bom = buffer.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF
        var scanner = CSVScanner(base: base, start: bom ? 3 : 0, end: buffer.count, isFinal: true, file: file,
                                 separator: separator, row: 0, columnNames: [])
        var fields = [FieldBounds]()
        if try scanner.scanRecord(width: nil, into: &fields) == .done { throw .emptyFile(file: file) }
        let names = fields.map { CSVBatch.makeString(base, $0.start, $0.end, escaped: $0.escaped) }
        try validateHeader(names, file: file)
        scanner.columnNames = names

        // Data records: field bounds first, then the columns' strings.
        let width = names.count
        fields.removeAll(keepingCapacity: true)
        repeat {
            _ = scanner.scanPlainRecords(width: width, limit: .max, into: &fields)
        } while try scanner.scanRecord(width: width, into: &fields) == .record
        let rows = fields.count / width
        var columns = Array(repeating: [String](), count: width)
        for c in 0..<width {
            columns[c].reserveCapacity(rows)
            for r in 0..<rows {
                let field = fields[r * width + c]
                columns[c].append(CSVBatch.makeString(base, field.start, field.end, escaped: field.escaped))
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
