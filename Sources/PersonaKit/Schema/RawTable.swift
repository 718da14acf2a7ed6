/// Customer data as text cells, column by column, exactly as a source (a CSV file, a
/// database query, a service request) delivered it.
///
/// An empty cell is a missing value. Rows are numbered from 0 in errors (`row`); a file
/// reader adds its own offset (the header line) when it reports them to a person.
public struct RawTable: Sendable, Equatable {
    /// Column names, in source order.
    public let columnNames: [String]
    /// The cells, `columns[c][r]` for column `c` and row `r`.
    public let columns: [[String]]

    /// The number of rows.
    public var rowCount: Int { columns.first?.count ?? 0 }

    /// Creates a table from columns of equal length.
    /// - Precondition: `columnNames.count == columns.count`, all columns of equal length.
    /// - Complexity: O(number of columns).
    public init(columnNames: [String], columns: [[String]]) {
        precondition(columnNames.count == columns.count, "one name per column")
        precondition(Set(columns.map(\.count)).count <= 1, "columns must have equal length")
        self.columnNames = columnNames
        self.columns = columns
    }

    /// Creates a table from rows of cells.
    /// - Precondition: every row has `columnNames.count` cells.
    /// - Complexity: O(rows × columns).
    public init(columnNames: [String], rows: [[String]]) {
        var columns = Array(repeating: [String](), count: columnNames.count)
        for c in columns.indices { columns[c].reserveCapacity(rows.count) }
        for row in rows {
            precondition(row.count == columnNames.count, "every row needs one cell per column")
            for (c, cell) in row.enumerated() { columns[c].append(cell) }
        }
        self.init(columnNames: columnNames, columns: columns)
    }

    /// The index of the column named `name`, if present.
    /// - Complexity: O(number of columns).
    public func columnIndex(named name: String) -> Int? {
        columnNames.firstIndex(of: name)
    }

    /// The cells of the column named `name`, if present.
    /// - Complexity: O(number of columns).
    public func column(named name: String) -> [String]? {
        columnIndex(named: name).map { columns[$0] }
    }

    /// The cells of row `row`, in column order.
    /// - Complexity: O(number of columns).
    public func row(_ row: Int) -> [String] {
        columns.map { $0[row] }
    }

    /// A table holding only the given rows, in the given order.
    /// - Complexity: O(rows.count × columns).
    public func selecting(rows: some Sequence<Int>) -> RawTable {
        let rows = Array(rows)
        return RawTable(columnNames: columnNames, columns: columns.map { col in rows.map { col[$0] } })
    }
}
