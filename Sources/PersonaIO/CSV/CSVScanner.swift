#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one field lies in a buffer, packed in 64 bits: start (high 32 bits), end (next 31)
/// and whether it was quoted with doubled quotes inside, to be unescaped when read (lowest
/// bit). For a quoted field the range excludes the enclosing quotes.
struct FieldBounds {
    let packed: UInt64

    @inline(__always) init(start: Int, end: Int, escaped: Bool) {
        packed = UInt64(start) << 32 | UInt64(end) << 1 | (escaped ? 1 : 0)
    }

    @inline(__always) var start: Int { Int(packed >> 32) }
    @inline(__always) var end: Int { Int((packed >> 1) & 0x7FFF_FFFF) }
    @inline(__always) var escaped: Bool { packed & 1 != 0 }
}

/// Finds the records and fields of CSV bytes (RFC 4180) without copying them: each record's
/// field bounds are appended to an array, text is made only when a cell is read.
///
/// Works on a whole file or on a chunk of one: when `isFinal` is false, a record cut by the
/// end of the buffer is reported as ``Outcome/needMore`` (nothing consumed), and the caller
/// supplies the rest with more bytes. Every byte is examined once; non-ASCII fields are
/// checked to be UTF-8 as they are found, so errors name the row.
struct CSVScanner {
    enum Outcome { case record, needMore, done }

    static let quote: UInt8 = 0x22
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D

    let base: UnsafePointer<UInt8>
    let end: Int
    let isFinal: Bool
    let file: String
    let separator: UInt8
    /// Every byte above this one is ordinary field content.
    let fastLimit: UInt8
    /// The next byte to read.
    var position: Int
    /// The row number of the last record read (1 = header).
    var row: Int
    /// The header's names, for errors.
    var columnNames: [String]
    /// Records for ``scanPlainRecords(width:limit:into:)`` to leave to ``scanRecord(width:into:)``
    /// without looking (after it could not read one: a file of quoted records does not pay for
    /// it on every record).
    var plainRecordsSkipped = 0

    init(base: UnsafePointer<UInt8>, start: Int, end: Int, isFinal: Bool, file: String, separator: UInt8,
         row: Int, columnNames: [String]) {
        self.base = base
        self.end = end
        self.isFinal = isFinal
        self.file = file
        self.separator = separator
        self.fastLimit = max(separator, Self.quote)
        self.position = start
        self.row = row
        self.columnNames = columnNames
    }

    /// Whether everything from `position` on is line breaks.
    func restIsBlank() -> Bool {
        var i = position
        while i < end, base[i] == Self.lf || base[i] == Self.cr { i += 1 }
        return i == end
    }

    func columnLabel(_ c: Int) -> String {
        c < columnNames.count ? columnNames[c] : "#\(c + 1)"
    }

    /// Reads the record at `position`, appending its fields to `fields`.
    ///
    /// - Parameter width: the number of fields a record must have (`nil` for the header).
    /// - Returns: `.record` when a record was read; `.done` at the end of the data (only
    ///   blank lines left) when `isFinal`; `.needMore` when the buffer ends inside a record, or
    ///   leaves open whether what remains is blank, and more bytes follow.
    /// - Throws: ``CSVError`` for a ragged row, a misplaced or unterminated quote, or text
    ///   that is not UTF-8.
    mutating func scanRecord(width: Int?, into fields: inout [FieldBounds]) throws(CSVError) -> Outcome {
        if position >= end { return isFinal ? .done : .needMore }
        if base[position] == Self.lf || base[position] == Self.cr, restIsBlank() {
            return isFinal ? .done : .needMore
        }
        let start = position, firstField = fields.count
        row += 1
        var c = 0
        while true {
            guard let terminator = try scanField(column: c, into: &fields) else {
                position = start
                row -= 1
                fields.removeSubrange(firstField...)
                return .needMore
            }
            c += 1
            if !terminator { break }
        }
        if let width, c != width { throw .raggedRow(file: file, row: row, expected: width, found: c) }
        return .record
    }

    /// Reads records of plain fields (unquoted, separated by the separator, ended by LF or
    /// CRLF, of `width` fields) 64 bytes at a time, up to `limit` of them: a mask marks the
    /// bytes that may end a field, and only those are looked at.
    ///
    /// Stops at the start of the first record it cannot read so (a quote, a lone CR, invalid
    /// UTF-8, a blank line, a ragged row, the last 64 bytes of the buffer), for
    /// ``scanRecord(width:into:)`` to read or report; records read here are exactly those it
    /// would have read.
    /// - Returns: the number of records read.
    mutating func scanPlainRecords(width: Int, limit: Int, into fields: inout [FieldBounds]) -> Int {
        if plainRecordsSkipped > 0 {
            plainRecordsSkipped -= 1
            return 0
        }
        // The fields found in a block are gathered here and appended to `fields` together.
        let records = withUnsafeTemporaryAllocation(of: FieldBounds.self, capacity: 64) { pending in
            scanPlainRecords(width: width, limit: limit, into: &fields, pending: pending.baseAddress!)
        }
        if records == 0 { plainRecordsSkipped = 15 }
        return records
    }

    @inline(__always)
    private mutating func scanPlainRecords(width: Int, limit: Int, into fields: inout [FieldBounds],
                                           pending: UnsafeMutablePointer<FieldBounds>) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        let separatorWord = ones &* UInt64(separator), belowQuote = ones &* UInt64(Self.quote + 1)
        let separator = separator
        var records = 0
        var recordStart = position, recordFields = fields.count   // counting the pending fields
        var fieldStart = position, column = 0
        var nonASCII = false   // the current field has bytes above 0x7F, to be checked as UTF-8
        var found = 0          // pending fields
        var block = position
        scanning: while records < limit, block + 64 <= end {
            // One bit per byte that is below 0x23 (line breaks, the quote, spaces, …), the
            // separator, or above 0x7F; exact byte by byte (no borrow crosses bytes).
            var mask: UInt64 = 0
            for j in 0..<8 {
                let w = UInt64(littleEndian: UnsafeRawPointer(base + block + 8 * j).loadUnaligned(as: UInt64.self))
                let below = ~((w | high) &- belowQuote) & ~w & high
                let x = w ^ separatorWord
                let equal = ~(((x & ~high) &+ ~high) | x) & high
                let m = below | equal | (w & high)
                mask |= (((m >> 7) &* 0x0102_0408_1020_4080) >> 56) << UInt64(8 * j)
            }
            while mask != 0 {
                let i = block &+ mask.trailingZeroBitCount
                mask &= mask &- 1
                let b = base[i]
                var next = i &+ 1
                if b == separator {
                    if nonASCII {
                        guard isValidUTF8(UnsafeBufferPointer(start: base + fieldStart, count: i - fieldStart)) else { break scanning }
                        nonASCII = false
                    }
                    pending[found] = FieldBounds(start: fieldStart, end: i, escaped: false)
                    found &+= 1
                    fieldStart = next
                    column &+= 1
                    continue
                }
                if b >= 0x80 { nonASCII = true; continue }
                if b == Self.cr {
                    guard i + 1 < end, base[i + 1] == Self.lf else { break scanning }
                    next = i + 2
                } else if b == Self.lf {
                    if i < fieldStart { continue }   // the LF of a CRLF
                } else if b == Self.quote {
                    break scanning
                } else {
                    continue   // other bytes below the quote are field content
                }
                // The end of a record.
                if i == recordStart { break scanning }   // a blank line
                if nonASCII {
                    guard isValidUTF8(UnsafeBufferPointer(start: base + fieldStart, count: i - fieldStart)) else { break scanning }
                    nonASCII = false
                }
                pending[found] = FieldBounds(start: fieldStart, end: i, escaped: false)
                found &+= 1
                guard column + 1 == width else { break scanning }
                records += 1
                row += 1
                fieldStart = next
                recordStart = next
                recordFields = fields.count + found
                column = 0
                if records == limit { break scanning }
            }
            fields.append(contentsOf: UnsafeBufferPointer(start: pending, count: found))
            found = 0
            block += 64
        }
        fields.append(contentsOf: UnsafeBufferPointer(start: pending, count: found))
        if fields.count > recordFields { fields.removeSubrange(recordFields...) }
        position = recordStart
        return records
    }

    /// Reads one field and the separator or line break after it. Returns whether a
    /// separator followed (another field of the same record comes), or `nil` when the
    /// buffer ends before the field is complete and more bytes follow.
    @inline(__always)
    mutating func scanField(column c: Int, into fields: inout [FieldBounds]) throws(CSVError) -> Bool? {
        var i = position
        if i < end, base[i] == Self.quote { return try scanQuotedField(column: c, into: &fields) }
        let start = i
        var bits: UInt8 = 0  // the OR of the field's bytes: below 0x80 means ASCII
        var wide: UInt64 = 0
        let low = 0x0101_0101_0101_0101 &* UInt64(fastLimit + 1), high: UInt64 = 0x8080_8080_8080_8080
        while i < end {
            // Eight bytes at a time while none is at or below `fastLimit` (SWAR: a byte below
            // n sets its high bit in (w − n·0x01…) & ~w; the lowest such byte is exact).
            while i + 8 <= end {
                let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                let flagged = (w &- low) & ~w & high
                if flagged != 0 {
                    let ordinary = flagged.trailingZeroBitCount / 8
                    for j in 0..<ordinary { bits |= base[i + j] }
                    i += ordinary
                    break
                }
                wide |= w
                i += 8
            }
            guard i < end else { break }
            let b = base[i]
            if b > fastLimit || (b != separator && b != Self.lf && b != Self.cr && b != Self.quote) {
                bits |= b
                i += 1
                continue
            }
            break
        }
        for shift in stride(from: 0, to: 64, by: 8) { bits |= UInt8(truncatingIfNeeded: wide >> UInt64(shift)) }
        let fieldEnd = i
        guard let more = try terminator(at: &i, column: c) else { return nil }
        if bits >= 0x80, !isValidUTF8(UnsafeBufferPointer(start: base + start, count: fieldEnd - start)) {
            throw .invalidUTF8(file: file, row: row)
        }
        fields.append(FieldBounds(start: start, end: fieldEnd, escaped: false))
        position = i
        return more
    }

    /// Consumes the separator or line break at `i`: `true` after a separator, `false` at the
    /// end of the record, `nil` when the buffer ends first and more bytes follow (a CR as the
    /// last byte counts as cut: its LF may follow). Anything else is a misplaced quote.
    @inline(__always)
    func terminator(at i: inout Int, column c: Int) throws(CSVError) -> Bool? {
        if i == end { return isFinal ? false : nil }
        let b = base[i]
        if b == separator { i += 1; return true }
        if b == Self.lf { i += 1; return false }
        if b == Self.cr {
            if i + 1 == end && !isFinal { return nil }
            i += 1
            if i < end, base[i] == Self.lf { i += 1 }
            return false
        }
        throw .malformedQuote(file: file, row: row, column: columnLabel(c))
    }

    mutating func scanQuotedField(column c: Int, into fields: inout [FieldBounds]) throws(CSVError) -> Bool? {
        var i = position + 1
        let start = i
        var escaped = false
        while true {
            guard let hit = memchr(base + i, Int32(Self.quote), end - i) else {
                if !isFinal { return nil }
                throw .unterminatedQuote(file: file, row: row)
            }
            i = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            if i + 1 == end && !isFinal { return nil }   // a doubled quote may be cut in two
            if i + 1 < end, base[i + 1] == Self.quote {
                escaped = true
                i += 2
                continue
            }
            break
        }
        let contentEnd = i
        i += 1
        guard let more = try terminator(at: &i, column: c) else { return nil }
        if !isValidUTF8(UnsafeBufferPointer(start: base + start, count: contentEnd - start)) {
            throw .invalidUTF8(file: file, row: row)
        }
        fields.append(FieldBounds(start: start, end: contentEnd, escaped: escaped))
        position = i
        return more
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
