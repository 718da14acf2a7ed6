import PersonaKit

/// Whole records of a CSV file, kept as the file's bytes plus where each field lies; text
/// and numbers are made only from the cells that are read.
///
/// A `CellSource`: `CustomerData`, `SchemaInference` and the encoder read a batch as
/// they read a `RawTable`. Rows are numbered from 0 within the batch; ``firstRow`` is the
/// file row of row 0 (the header is file row 1).
public struct CSVBatch: Sendable, CellSource {
    /// The header's column names.
    public let columnNames: [String]
    /// The number of records.
    public let rowCount: Int
    /// The file row number of the first record (the header is row 1, the first record row 2).
    public let firstRow: Int
    /// The bytes the fields point into.
    let bytes: [UInt8]
    /// `rowCount × columnNames.count` field bounds, row by row.
    let fields: [FieldBounds]

    init(columnNames: [String], firstRow: Int, bytes: [UInt8], fields: [FieldBounds]) {
        self.columnNames = columnNames
        self.rowCount = columnNames.isEmpty ? 0 : fields.count / columnNames.count
        self.firstRow = firstRow
        self.bytes = bytes
        self.fields = fields
    }

    /// The records, as ``count``.
    public var count: Int { rowCount }

    @inline(__always)
    func bounds(_ row: Int, _ column: Int) -> FieldBounds {
        fields[row * columnNames.count + column]
    }

    /// The cell's text exactly as in the file (quotes removed, doubled quotes undoubled).
    /// - Complexity: O(cell length).
    public func text(row: Int, column: Int) -> String {
        rawText(row: row, column: column)
    }

    /// The cell read as a number (trimmed of spaces and tabs), or `nil` when it is empty or
    /// not a number.
    /// - Complexity: O(cell length).
    public func number(row: Int, column: Int) -> Double? {
        if case .number(let value) = numericCell(row: row, column: column) { return value }
        return nil
    }

    public func rawText(row: Int, column: Int) -> String {
        let field = bounds(row, column)
        return bytes.withUnsafeBufferPointer { buffer in
            Self.makeString(buffer.baseAddress!, field.start, field.end, escaped: field.escaped)
        }
    }

    public func trimmedText(row: Int, column: Int) -> String {
        let field = bounds(row, column)
        return bytes.withUnsafeBufferPointer { Self.trimmedString($0.baseAddress!, field) }
    }

    public func numericCell(row: Int, column: Int) -> NumericCell {
        let field = bounds(row, column)
        return bytes.withUnsafeBufferPointer { buffer in
            NumberParser.powers.withUnsafeBufferPointer { Self.numericCell(buffer.baseAddress!, field, powers: $0.baseAddress!) }
        }
    }

    public func numericCells(column: Int) -> [NumericCell] {
        let width = columnNames.count
        return [NumericCell](unsafeUninitializedCapacity: rowCount) { out, initialized in
            bytes.withUnsafeBufferPointer { buffer in
                fields.withUnsafeBufferPointer { fields in
                    NumberParser.powers.withUnsafeBufferPointer { powers in
                        let base = buffer.baseAddress!
                        for row in 0..<rowCount {
                            let cell = Self.numericCell(base, fields[row * width + column], powers: powers.baseAddress!)
                            (out.baseAddress! + row).initialize(to: cell)
                        }
                    }
                }
            }
            initialized = rowCount
        }
    }

    public func finiteNumbers(column: Int) -> (values: [Double], exceptions: [Int]) {
        let width = columnNames.count
        var exceptions = [Int]()
        let values = [Double](unsafeUninitializedCapacity: rowCount) { out, initialized in
            bytes.withUnsafeBufferPointer { buffer in
                fields.withUnsafeBufferPointer { fields in
                    NumberParser.powers.withUnsafeBufferPointer { powers in
                        let base = buffer.baseAddress!
                        for row in 0..<rowCount {
                            var value = Double.nan
                            switch Self.numericCell(base, fields[row * width + column], powers: powers.baseAddress!) {
                            case .empty: break
                            case .number(let v) where v.isFinite: value = v
                            case .number, .text: exceptions.append(row)
                            }
                            (out.baseAddress! + row).initialize(to: value)
                        }
                    }
                }
            }
            initialized = rowCount
        }
        return (values, exceptions)
    }

    public func trimmedTexts(column: Int) -> [String] {
        let width = columnNames.count
        return bytes.withUnsafeBufferPointer { buffer in
            fields.withUnsafeBufferPointer { fields in
                let base = buffer.baseAddress!
                return (0..<rowCount).map { row in Self.trimmedString(base, fields[row * width + column]) }
            }
        }
    }

    /// A field without the spaces and tabs around it.
    @inline(__always)
    static func trimmedString(_ base: UnsafePointer<UInt8>, _ field: FieldBounds) -> String {
        var (start, end) = (field.start, field.end)
        while start < end, base[start] == 0x20 || base[start] == 0x09 { start += 1 }
        while end > start, base[end - 1] == 0x20 || base[end - 1] == 0x09 { end -= 1 }
        return makeString(base, start, end, escaped: field.escaped)
    }

    /// A field read as a number; a quoted cell with quotes inside is never one.
    @inline(__always)
    static func numericCell(_ base: UnsafePointer<UInt8>, _ field: FieldBounds, powers: UnsafePointer<Double>) -> NumericCell {
        if field.escaped { return trimmedString(base, field).isEmpty ? .empty : .text }
        return NumberParser.parse(base, from: field.start, to: field.end, powers: powers)
    }

    @inline(__always)
    static func makeString(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, escaped: Bool) -> String {
        if start >= end { return "" }
        guard escaped else { return String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self) }
        // Keep one quote of each doubled pair.
        var unescaped = [UInt8]()
        unescaped.reserveCapacity(end - start)
        var j = start
        while j < end {
            unescaped.append(base[j])
            j += base[j] == CSVScanner.quote ? 2 : 1
        }
        return String(decoding: unescaped, as: UTF8.self)
    }
}

/// Reads numbers straight from bytes, giving exactly what `Double(String)` gives.
///
/// Plain decimals (`-12`, `3.25`, `1.5e3`) with at most 19 digits are read by
/// the exact fast path of Clinger ("How to read floating point numbers accurately", PLDI
/// 1990): when the digits form an integer below 2^53 and the power of ten is at most 22 in
/// magnitude, one multiplication or division of two exact doubles rounds correctly. Anything
/// else (more digits, larger exponents, `inf`, `nan`, hexadecimal) goes to `Double(String)`.
enum NumberParser {
    /// Exact powers of ten 10^0 … 10^22.
    static let powers: [Double] = (0...22).map { p in (0..<p).reduce(1.0) { r, _ in r * 10 } }

    @inline(__always)
    static func parse(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int,
                      powers: UnsafePointer<Double>) -> NumericCell {
        var i = start, stop = end
        while i < stop, base[i] == 0x20 || base[i] == 0x09 { i += 1 }
        while stop > i, base[stop - 1] == 0x20 || base[stop - 1] == 0x09 { stop -= 1 }
        if i == stop { return .empty }
        let first = i
        var negative = false
        if base[i] == 0x2D || base[i] == 0x2B { negative = base[i] == 0x2D; i += 1 }
        // Every digit goes into the mantissa; more than 19 digits could overflow it and take
        // the exact general path instead.
        var mantissa: UInt64 = 0
        var digits = 0, exponent = 0
        while i < stop, base[i] &- 0x30 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(base[i] &- 0x30)
            digits += 1; i += 1
        }
        if i < stop, base[i] == 0x2E {
            i += 1
            let fractionStart = i
            while i < stop, base[i] &- 0x30 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(base[i] &- 0x30)
                i += 1
            }
            digits += i - fractionStart
            exponent = fractionStart - i
        }
        var fast = digits > 0 && digits <= 19
        if fast, i < stop, base[i] | 0x20 == 0x65 {   // e or E
            i += 1
            var negativeExponent = false
            if i < stop, base[i] == 0x2D || base[i] == 0x2B { negativeExponent = base[i] == 0x2D; i += 1 }
            var e = 0, exponentDigits = 0
            while i < stop, base[i] &- 0x30 < 10, e < 100_000 {
                e = e * 10 + Int(base[i] &- 0x30); i += 1; exponentDigits += 1
            }
            if exponentDigits == 0 { fast = false }
            exponent += negativeExponent ? -e : e
        }
        if fast, i == stop, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent >= 0 ? value * powers[exponent] : value / powers[-exponent]
            return .number(negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + first, count: stop - first), as: UTF8.self)
        return Double(text).map(NumericCell.number) ?? .text
    }
}
