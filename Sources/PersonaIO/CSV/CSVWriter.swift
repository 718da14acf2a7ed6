import Foundation

/// Builds CSV text (UTF-8, `\n` line endings) row by row into a byte buffer.
///
/// A cell is quoted when it contains the separator, a quote, CR or LF, or begins or ends with
/// a space or a tab; quotes inside are doubled. A row made of one empty cell is written as
/// `""` so that it is not read back as a blank line. The output reads back unchanged with
/// ``CSVReader`` and the same separator.
///
/// ```swift
/// var writer = CSVWriter(header: ["id", "name"], separator: ";")
/// writer.appendRow(["1", "Müller; Anna"])
/// try AtomicFile.write(writer.bytes, to: url)
/// ```
public struct CSVWriter: Sendable {
    /// The field separator.
    public let separator: Character
    /// The number of cells every row must have (the header's).
    public let columnCount: Int
    /// The CSV text so far, as UTF-8 bytes.
    public private(set) var bytes: [UInt8] = []

    private let separatorByte: UInt8

    /// Starts a CSV text with its header line.
    /// - Parameters:
    ///   - header: The column names.
    ///   - separator: The field separator (`,` by default, `;` for European spreadsheets): an
    ///     ASCII character other than `"`, CR and LF.
    ///   - reservingCapacity: Bytes to reserve up front, when the final size is known roughly.
    /// - Complexity: O(header size).
    public init(header: [String], separator: Character = ",", reservingCapacity: Int = 0) {
        self.separator = separator
        self.separatorByte = CSVReader.separatorByte(separator)
        self.columnCount = header.count
        bytes.reserveCapacity(max(reservingCapacity, 64))
        appendLine(header)
    }

    /// Starts a CSV text that continues another one: rows only, no header (for writing a
    /// long file in pieces).
    /// - Complexity: O(1).
    public init(continuing header: [String], separator: Character = ",", reservingCapacity: Int = 0) {
        self.separator = separator
        self.separatorByte = CSVReader.separatorByte(separator)
        self.columnCount = header.count
        bytes.reserveCapacity(max(reservingCapacity, 64))
    }

    /// Appends one row.
    /// - Precondition: `cells.count == columnCount`.
    /// - Complexity: amortised O(size of the cells).
    public mutating func appendRow(_ cells: [String]) {
        precondition(cells.count == columnCount, "a CSV row needs \(columnCount) cells, got \(cells.count)")
        appendLine(cells)
    }

    /// Appends one row cell by cell, for writers that format numbers straight into the bytes:
    /// `body` gets a ``RowBuilder`` and must give it exactly ``columnCount`` cells.
    /// - Complexity: amortised O(size of the cells).
    public mutating func appendRow(_ body: (inout RowBuilder) -> Void) {
        // The buffer moves into the builder and back (swapped, never copied).
        var row = RowBuilder(bytes: [], separator: separatorByte)
        swap(&row.bytes, &bytes)
        body(&row)
        swap(&row.bytes, &bytes)
        precondition(row.cells == columnCount, "a CSV row needs \(columnCount) cells, got \(row.cells)")
        if columnCount == 1, row.lastCellWasEmpty {
            bytes.append(0x22)
            bytes.append(0x22)
        }
        bytes.append(0x0A)
    }

    /// One row under construction (see ``appendRow(_:)-(RowBuilder)``): cells are quoted as
    /// ``CSVWriter`` quotes them, numbers written as ``CSVWriter/format(_:)`` writes them.
    public struct RowBuilder: TextOutputStream {
        fileprivate var bytes: [UInt8]
        fileprivate let separator: UInt8
        fileprivate var cells = 0
        fileprivate var lastCellWasEmpty = false

        fileprivate init(bytes: [UInt8], separator: UInt8) {
            self.bytes = bytes
            self.separator = separator
        }

        private mutating func beginCell() {
            if cells > 0 { bytes.append(separator) }
            cells += 1
            lastCellWasEmpty = false
        }

        /// A text cell, quoted when needed.
        public mutating func cell(_ text: String) {
            beginCell()
            lastCellWasEmpty = text.isEmpty
            CSVWriter.appendCell(text, separator: separator, to: &bytes)
        }

        /// A cell whose bytes are already encoded (see ``CSVWriter/encodedCell(_:separator:)``).
        public mutating func encoded(_ cell: [UInt8]) {
            beginCell()
            lastCellWasEmpty = cell.isEmpty
            bytes.append(contentsOf: cell)
        }

        /// An integer cell.
        public mutating func cell(_ value: Int) {
            beginCell()
            appendInteger(Int64(value))
        }

        /// A number cell, as ``CSVWriter/format(_:)`` writes it (empty for NaN).
        public mutating func cell(_ value: Double) {
            beginCell()
            if value.isNaN {
                lastCellWasEmpty = true
            } else if let integer = CSVWriter.integer(value) {
                appendInteger(integer)
            } else {
                // Shortest round-trip digits, as `description`, without building a String.
                value.write(to: &self)
            }
        }

        /// The decimal digits of `value`, as `String(value)` writes them.
        private mutating func appendInteger(_ value: Int64) {
            if value < 0 { bytes.append(0x2D) }
            var magnitude = value.magnitude
            guard magnitude >= 10 else { bytes.append(0x30 + UInt8(magnitude)); return }
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // up to 20 digits, reversed
            let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
                var n = 0
                while magnitude > 0 {
                    buffer[n] = 0x30 + UInt8(magnitude % 10)
                    magnitude /= 10
                    n += 1
                }
                return n
            }
            withUnsafeBytes(of: &digits) { buffer in
                for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
            }
        }

        /// An empty cell.
        public mutating func empty() {
            beginCell()
            lastCellWasEmpty = true
        }

        public mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
        // The standard library writes numbers through this when a stream provides it.
        public mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
    }

    /// The bytes of one cell as a row would hold them (quoted when needed), for cells written
    /// many times with ``RowBuilder/encoded(_:)``.
    public static func encodedCell(_ cell: String, separator: Character = ",") -> [UInt8] {
        var bytes = [UInt8]()
        appendCell(cell, separator: CSVReader.separatorByte(separator), to: &bytes)
        return bytes
    }

    /// The CSV text so far as `Data`.
    /// - Complexity: O(bytes.count) (one copy).
    public var data: Data { Data(bytes) }

    /// The CSV text so far as a `String`.
    /// - Complexity: O(bytes.count) (one copy).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: - One-call helpers

    /// The CSV text of a header and rows.
    /// - Precondition: every row has `header.count` cells.
    /// - Complexity: O(total size of the cells).
    public static func render(header: [String], rows: some Sequence<[String]>, separator: Character = ",") -> String {
        String(decoding: encode(header: header, rows: rows, separator: separator), as: UTF8.self)
    }

    /// The CSV text of a header and rows, as UTF-8 bytes.
    /// - Precondition: every row has `header.count` cells.
    /// - Complexity: O(total size of the cells).
    public static func encode(header: [String], rows: some Sequence<[String]>, separator: Character = ",") -> [UInt8] {
        var writer = CSVWriter(header: header, separator: separator)
        for row in rows { writer.appendRow(row) }
        return writer.bytes
    }

    /// Writes a header and rows as a CSV file, atomically (see ``AtomicFile``).
    /// - Precondition: every row has `header.count` cells.
    /// - Throws: `FileError.cannotWrite` naming the path; an existing file is then unchanged.
    /// - Complexity: O(total size of the cells).
    public static func write(header: [String], rows: some Sequence<[String]>, to url: URL, separator: Character = ",") throws(FileError) {
        try AtomicFile.write(encode(header: header, rows: rows, separator: separator), to: url)
    }

    /// A number as a CSV cell: the shortest text that reads back as the same `Double`
    /// (Swift's `description`), integers without ".0" (`3`, not `3.0`; `-0.0` gives `0`), and
    /// the empty cell (a missing value) for NaN. Infinities give `inf` and `-inf`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "" }
        if let integer = integer(value) { return String(integer) }
        return value.description
    }

    /// `value` as the integer it is written as: an integral value below 2^53 in magnitude
    /// (every such `Double` is an exact `Int64`), else `nil`.
    private static func integer(_ value: Double) -> Int64? {
        value.rounded(.towardZero) == value && abs(value) < 9_007_199_254_740_992 ? Int64(value) : nil
    }

    // MARK: - Implementation

    private mutating func appendLine(_ cells: [String]) {
        if cells.count == 1, cells[0].isEmpty {
            bytes.append(0x22)
            bytes.append(0x22)
        } else {
            for (i, cell) in cells.enumerated() {
                if i > 0 { bytes.append(separatorByte) }
                appendCell(cell)
            }
        }
        bytes.append(0x0A)
    }

    private mutating func appendCell(_ cell: String) {
        Self.appendCell(cell, separator: separatorByte, to: &bytes)
    }

    fileprivate static func appendCell(_ cell: String, separator: UInt8, to bytes: inout [UInt8]) {
        var cell = cell
        cell.withUTF8 { utf8 in
            guard needsQuotes(utf8, separator: separator) else {
                bytes.append(contentsOf: utf8)
                return
            }
            bytes.append(0x22)
            var runStart = 0
            for (i, byte) in utf8.enumerated() where byte == 0x22 {
                // Copy up to and including the quote, then start the next run at it again,
                // which writes it twice.
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...i]))
                runStart = i
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            bytes.append(0x22)
        }
    }

    private static func needsQuotes(_ utf8: UnsafeBufferPointer<UInt8>, separator sep: UInt8) -> Bool {
        guard let first = utf8.first, let last = utf8.last else { return false }
        if first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 { return true }
        let limit = max(sep, 0x22)
        for byte in utf8 where byte <= limit {
            if byte == sep || byte == 0x22 || byte == 0x0A || byte == 0x0D { return true }
        }
        return false
    }
}
