/// A cell read as a number.
public enum NumericCell: Sendable, Equatable {
    /// The cell is empty (or only spaces and tabs): a missing value.
    case empty
    /// The cell holds a number (possibly infinite or NaN when spelled so).
    case number(Double)
    /// The cell holds text that is not a number.
    case text
}

/// Rows of text cells, column by column: what customer data is read from.
///
/// ``RawTable`` is one (cells held as strings); a streaming file reader's batch of records is
/// another (cells kept as bytes and converted on demand). Everything that reads customer
/// data — schema inference, ``CustomerData``, encoder statistics — goes through this
/// protocol, so a file is read the same way whether it is held whole or streamed in batches.
///
/// Rows are numbered from 0 within the source.
public protocol CellSource {
    /// Column names, in source order.
    var columnNames: [String] { get }
    /// The number of rows.
    var rowCount: Int { get }
    /// The cell exactly as delivered (for error messages).
    func rawText(row: Int, column: Int) -> String
    /// The cell with ASCII spaces and tabs around it removed.
    func trimmedText(row: Int, column: Int) -> String
    /// The trimmed cell read as a number, exactly as `Double(String)` reads it.
    func numericCell(row: Int, column: Int) -> NumericCell
    /// Every cell of a column read as ``numericCell(row:column:)`` does (a source may do it
    /// faster in one go).
    func numericCells(column: Int) -> [NumericCell]
    /// Every cell of a column as ``trimmedText(row:column:)`` gives it.
    func trimmedTexts(column: Int) -> [String]
    /// Every cell of a column as a number, NaN where ``numericCell(row:column:)`` is not a
    /// finite number, with the rows where it is text or a non-finite number (to be looked at
    /// one by one); the rows left out are empty.
    func finiteNumbers(column: Int) -> (values: [Double], exceptions: [Int])
}

extension CellSource {
    /// Every cell of a column, one by one.
    public func numericCells(column: Int) -> [NumericCell] {
        (0..<rowCount).map { numericCell(row: $0, column: column) }
    }

    /// Every cell of a column, one by one.
    public func finiteNumbers(column: Int) -> (values: [Double], exceptions: [Int]) {
        var exceptions = [Int]()
        let values = numericCells(column: column).enumerated().map { row, cell -> Double in
            switch cell {
            case .empty: return .nan
            case .number(let v) where v.isFinite: return v
            case .number, .text: exceptions.append(row); return .nan
            }
        }
        return (values, exceptions)
    }

    /// Every cell of a column, one by one.
    public func trimmedTexts(column: Int) -> [String] {
        (0..<rowCount).map { trimmedText(row: $0, column: column) }
    }

    /// The index of the column named `name`, if present.
    /// - Complexity: O(number of columns).
    public func columnIndex(named name: String) -> Int? {
        columnNames.firstIndex(of: name)
    }
}

extension RawTable: CellSource {
    /// The cell exactly as delivered.
    public func rawText(row: Int, column: Int) -> String { columns[column][row] }

    /// The cell without surrounding spaces and tabs.
    public func trimmedText(row: Int, column: Int) -> String { String(trimmed(columns[column][row])) }

    /// The trimmed cell read as a number.
    public func numericCell(row: Int, column: Int) -> NumericCell {
        let text = trimmed(columns[column][row])
        if text.isEmpty { return .empty }
        return Double(text).map(NumericCell.number) ?? .text
    }
}
