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
    /// The dialect's decimal mark and missing-value texts.
    let reading: CellReading

    init(columnNames: [String], firstRow: Int, bytes: [UInt8], fields: [FieldBounds], reading: CellReading = .standard) {
        self.reading = reading
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
        let text = bytes.withUnsafeBufferPointer { Self.trimmedString($0.baseAddress!, field) }
        return reading.text(text)
    }

    public func numericCell(row: Int, column: Int) -> NumericCell {
        let field = bounds(row, column)
        return bytes.withUnsafeBufferPointer { Self.numericCell($0.baseAddress!, field, readable: $0.count, reading: reading) }
    }

    public func numericCells(column: Int) -> [NumericCell] {
        let width = columnNames.count
        return [NumericCell](unsafeUninitializedCapacity: rowCount) { out, initialized in
            bytes.withUnsafeBufferPointer { buffer in
                fields.withUnsafeBufferPointer { fields in
                    let base = buffer.baseAddress!
                    for row in 0..<rowCount {
                        (out.baseAddress! + row).initialize(to: Self.numericCell(base, fields[row * width + column],
                                                                                  readable: buffer.count, reading: reading))
                    }
                }
            }
            initialized = rowCount
        }
    }

    public func finiteNumbers(column: Int) -> (values: [Double], exceptions: [Int]) {
        let width = columnNames.count, rows = rowCount, reading = reading, plain = reading.isStandard
        var exceptions = [Int]()
        let values = [Double](unsafeUninitializedCapacity: rows) { out, initialized in
            bytes.withUnsafeBufferPointer { buffer in
                fields.withUnsafeBufferPointer { fields in
                    let base = buffer.baseAddress!, out = out.baseAddress!, limit = base + buffer.count
                    var field = fields.baseAddress! + column
                    for row in 0..<rows {
                        let bounds = field.pointee
                        field += width
                        // Plain decimals straight from the bytes; anything else cell by cell.
                        if plain, !bounds.escaped, bounds.start < bounds.end,
                           let value = NumberParser.parseDecimal(base + bounds.start, base + bounds.end, readable: limit) {
                            out[row] = value
                            continue
                        }
                        out[row] = Self.finiteNumber(base, bounds, readable: buffer.count, reading: reading, row: row,
                                                     exceptions: &exceptions)
                    }
                }
            }
            initialized = rows
        }
        return (values, exceptions)
    }

    /// A cell that is not a plain decimal as ``finiteNumbers(column:)`` gives it: NaN, with
    /// `row` added to `exceptions` when the cell is text or a non-finite number.
    @inline(never)
    static func finiteNumber(_ base: UnsafePointer<UInt8>, _ field: FieldBounds, readable: Int, reading: CellReading,
                             row: Int, exceptions: inout [Int]) -> Double {
        switch numericCell(base, field, readable: readable, reading: reading) {
        case .empty: return .nan
        case .number(let v) where v.isFinite: return v
        case .number, .text:
            exceptions.append(row)
            return .nan
        }
    }

    public func trimmedTexts(column: Int) -> [String] {
        let width = columnNames.count
        return bytes.withUnsafeBufferPointer { buffer in
            fields.withUnsafeBufferPointer { fields in
                let base = buffer.baseAddress!
                let reading = reading
                return (0..<rowCount).map { row in reading.text(Self.trimmedString(base, fields[row * width + column])) }
            }
        }
    }

    /// A field without the spaces and tabs around it.
    @inline(__always)
    static func trimmedString(_ base: UnsafePointer<UInt8>, _ field: FieldBounds) -> String {
        let (start, end) = CellReading.trim(base, field.start, field.end)
        return makeString(base, start, end, escaped: field.escaped)
    }

    /// A field read as a number; a quoted cell with quotes inside is never one.
    @inline(__always)
    static func numericCell(_ base: UnsafePointer<UInt8>, _ field: FieldBounds, readable: Int,
                            reading: CellReading = .standard) -> NumericCell {
        if field.escaped {
            return reading.text(trimmedString(base, field)).isEmpty ? .empty : .text
        }
        if !reading.isStandard { return reading.numericCell(base, field.start, field.end, readable: readable) }
        return NumberParser.parse(base, from: field.start, to: field.end, readable: readable)
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
