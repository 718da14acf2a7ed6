import PersonaKit

/// One batch of a customer file parsed once into typed columns: every column's numbers
/// (packed losslessly once surveyed), the cells that are text or non-finite numbers, and the
/// trimmed texts of the columns that may be read as text. Training surveys a batch and later
/// encodes it from this, without reading the file again.
///
/// A `CellSource` that gives back exactly what its ``CSVBatch`` gives for what is kept: the
/// numbers of every column, each cell's ``NumericCell``, and the trimmed texts of a column
/// that holds them. A column holds its texts when the caller asks (the identifier column, say)
/// or when a cell of it in this batch is text; ``holdsTexts(column:)`` tells. The texts of a
/// number-only column are not kept: ``trimmedText(row:column:)`` then spells the number,
/// which need not be how the file wrote it, and ``rawText(row:column:)`` is the trimmed text.
/// A caller that needs the file's own text — an error message — reads the batch again.
struct TypedBatch: Sendable, CellSource {
    enum Numbers: Sendable {
        /// As parsed (what the survey reads).
        case loose([Double])
        /// Packed after the survey (what waits for the encoding).
        case packed(PackedNumbers)
    }

    struct Column: Sendable {
        var numbers: Numbers
        /// Rows whose cell is text or a non-finite number, ascending, and those cells; empty
        /// when every cell is text (an identifier column, say: ``allText``).
        let exceptions: [Int]
        let exceptionCells: [NumericCell]
        let allText: Bool
        /// The trimmed texts of every row, when kept.
        let texts: [String]?
    }

    let columnNames: [String]
    let rowCount: Int
    /// The file row of row 0.
    let firstRow: Int
    private(set) var columns: [Column]

    /// Parses every column of `batch`, keeping the texts of `textColumns` and of any column
    /// with a text cell.
    init(_ batch: CSVBatch, textColumns: Set<Int>) {
        columnNames = batch.columnNames
        rowCount = batch.rowCount
        firstRow = batch.firstRow
        columns = batch.columnNames.indices.map { c in
            let (values, exceptions) = batch.finiteNumbers(column: c)
            let cells = exceptions.map { batch.numericCell(row: $0, column: c) }
            let keepTexts = textColumns.contains(c) || cells.contains(.text)
            let texts = keepTexts ? batch.trimmedTexts(column: c) : nil
            if cells.count == batch.rowCount, cells.allSatisfy({ $0 == .text }) {
                return Column(numbers: .loose([]), exceptions: [], exceptionCells: [], allText: true, texts: texts)
            }
            return Column(numbers: .loose(values), exceptions: exceptions, exceptionCells: cells, allText: false, texts: texts)
        }
    }

    /// Packs every column's numbers (once surveyed: from here on they are read rarely and whole).
    mutating func pack() {
        for c in columns.indices {
            if case .loose(let values) = columns[c].numbers { columns[c].numbers = .packed(PackedNumbers(values)) }
        }
    }

    /// The numbers of `column` as packed by ``pack()``, if it was.
    func packedNumbers(column: Int) -> PackedNumbers? {
        guard !columns[column].allText, case .packed(let packed) = columns[column].numbers else { return nil }
        return packed
    }

    /// Whether the trimmed texts of `column` are kept.
    func holdsTexts(column: Int) -> Bool { columns[column].texts != nil }

    private func values(_ column: Int) -> [Double] {
        if columns[column].allText { return Array(repeating: .nan, count: rowCount) }
        switch columns[column].numbers {
        case .loose(let values): return values
        case .packed(let packed): return packed.unpacked()
        }
    }

    private func exception(row: Int, column: Int) -> NumericCell? {
        let rows = columns[column].exceptions
        guard !rows.isEmpty else { return nil }
        var low = 0, high = rows.count
        while low < high {
            let mid = (low + high) / 2
            if rows[mid] < row { low = mid + 1 } else { high = mid }
        }
        return low < rows.count && rows[low] == row ? columns[column].exceptionCells[low] : nil
    }

    // MARK: CellSource

    func rawText(row: Int, column: Int) -> String { trimmedText(row: row, column: column) }

    func trimmedText(row: Int, column: Int) -> String {
        if let texts = columns[column].texts { return texts[row] }
        return Self.spelled(numericCell(row: row, column: column))
    }

    func numericCell(row: Int, column: Int) -> NumericCell {
        if columns[column].allText { return .text }
        if let cell = exception(row: row, column: column) { return cell }
        let value: Double
        switch columns[column].numbers {
        case .loose(let values): value = values[row]
        case .packed(let packed): value = packed[row]
        }
        return value.isNaN ? .empty : .number(value)
    }

    func numericCells(column: Int) -> [NumericCell] {
        if columns[column].allText { return Array(repeating: .text, count: rowCount) }
        var cells = values(column).map { $0.isNaN ? NumericCell.empty : .number($0) }
        for (row, cell) in zip(columns[column].exceptions, columns[column].exceptionCells) { cells[row] = cell }
        return cells
    }

    func finiteNumbers(column: Int) -> (values: [Double], exceptions: [Int]) {
        (values(column), columns[column].allText ? Array(0..<rowCount) : columns[column].exceptions)
    }

    func trimmedTexts(column: Int) -> [String] {
        columns[column].texts ?? numericCells(column: column).map(Self.spelled)
    }

    private static func spelled(_ cell: NumericCell) -> String {
        switch cell {
        case .empty, .text: ""
        case .number(let value): "\(value)"
        }
    }
}
