import Foundation
import PersonaKit

/// A problem reading an order log, naming the file and, for a bad cell, its row, column and
/// value.
public enum OrderLogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file's format (unreadable, ragged rows, quotes …).
    case csv(CSVError)
    /// A column the options name is not in the header.
    case missingColumn(file: String, option: String, name: String, available: [String])
    /// The same column is named for two roles.
    case sameColumn(file: String, name: String)
    /// A cell that cannot be read: `reason` says why (empty, not a number, not a date …).
    case badCell(file: String, row: Int, column: String, value: String, reason: String)

    /// One line, e.g. `orders.csv: row 17, column order_date: "2026-02-30" is no such day`.
    public var description: String {
        switch self {
        case .csv(let error):
            return error.description
        case .missingColumn(let file, let option, let name, let available):
            let shown = available.prefix(12).joined(separator: ", ") + (available.count > 12 ? ", …" : "")
            return "\(file): no column \"\(name)\" (\(option)); the header has \(shown)"
        case .sameColumn(let file, let name):
            return "\(file): column \"\(name)\" is named for two roles"
        case .badCell(let file, let row, let column, let value, let reason):
            return "\(file): row \(row), column \(column): \"\(value)\" \(reason)"
        }
    }
}

/// Which columns of an order log hold what, and how dates are written.
public struct OrderLogColumns: Sendable, Hashable {
    /// The customer identifier column.
    public var customer: String
    /// The order date column.
    public var date: String
    /// The order amount column.
    public var amount: String
    /// The optional units column.
    public var quantity: String?
    /// How dates are written.
    public var dateFormat: OrderDateFormat

    /// Creates a description of the columns.
    public init(customer: String, date: String, amount: String, quantity: String? = nil, dateFormat: OrderDateFormat = .iso) {
        self.customer = customer
        self.date = date
        self.amount = amount
        self.quantity = quantity
        self.dateFormat = dateFormat
    }
}

/// Reads an order log (one row per order) in batches with ``CSVStreamReader``, handing every
/// order to a ``CustomerFeatureBuilder``: memory holds one batch plus the builder's
/// per-customer, per-period sums, whatever the log's length.
public enum OrderLog {
    /// Streams the orders of `url` into `builder`.
    /// - Parameters:
    ///   - url: the order log (CSV with a header row).
    ///   - displayName: the name used in errors.
    ///   - columns: the columns to read and the date format.
    ///   - dialect: separator, decimal mark and missing-value texts.
    ///   - builder: receives every order, in file order.
    ///   - rowsRead: called after each batch with the number of orders read so far.
    /// - Throws: ``OrderLogError`` for the first problem in file order; a missing amount,
    ///   date, quantity or customer is an error, not a skipped row.
    /// - Complexity: O(file bytes).
    public static func read(_ url: URL, displayName: String, columns: OrderLogColumns, dialect: CSVDialect = .standard,
                            into builder: inout CustomerFeatureBuilder,
                            rowsRead: (Int) -> Void = { _ in }) throws(OrderLogError) {
        let reader: CSVStreamReader
        do { reader = try CSVStreamReader(contentsOf: url, displayName: displayName, dialect: dialect) } catch {
            throw .csv(error)
        }
        let header = reader.header
        func column(_ name: String, _ option: String) throws(OrderLogError) -> Int {
            guard let index = header.firstIndex(of: name) else {
                throw .missingColumn(file: displayName, option: option, name: name, available: header)
            }
            return index
        }
        let customerColumn = try column(columns.customer, "--customer-column")
        let dateColumn = try column(columns.date, "--date-column")
        let amountColumn = try column(columns.amount, "--amount-column")
        let quantityColumn = try columns.quantity.map { name throws(OrderLogError) in try column(name, "--quantity-column") }
        let named = [columns.customer, columns.date, columns.amount] + (columns.quantity.map { [$0] } ?? [])
        if let repeated = named.enumerated().first(where: { named[..<$0.offset].contains($0.element) }) {
            throw .sameColumn(file: displayName, name: repeated.element)
        }
        var rows = 0
        while true {
            let next: CSVBatch?
            do { next = try reader.nextBatch() } catch { throw .csv(error) }
            guard let batch = next else { break }
            for row in 0..<batch.count {
                let fileRow = batch.firstRow + row
                func bad(_ column: Int, _ reason: String) -> OrderLogError {
                    .badCell(file: displayName, row: fileRow, column: header[column], value: batch.text(row: row, column: column), reason: reason)
                }
                func number(_ column: Int) throws(OrderLogError) -> Double {
                    switch batch.numericCell(row: row, column: column) {
                    case .empty: throw bad(column, "is empty")
                    case .text: throw bad(column, "is not a number")
                    case .number(let value):
                        guard value.isFinite else { throw bad(column, "is not a finite number") }
                        return value
                    }
                }
                let customer = batch.trimmedText(row: row, column: customerColumn)
                if customer.isEmpty || batch.numericCell(row: row, column: customerColumn) == .empty {
                    throw bad(customerColumn, "is empty: every order needs a customer")
                }
                let date: CalendarDate
                do { date = try columns.dateFormat.parse(batch.trimmedText(row: row, column: dateColumn)) } catch {
                    switch error {
                    case .malformed(let expected):
                        let hint = columns.dateFormat == .iso ? "; --date-format day-first or month-first reads DD/MM/YYYY or MM/DD/YYYY" : ""
                        throw bad(dateColumn, "is not a date of the form \(expected) (--date-format \(columns.dateFormat.rawValue)\(hint))")
                    case .noSuchDay: throw bad(dateColumn, "is no such day")
                    }
                }
                let amount = try number(amountColumn)
                let units = try quantityColumn.map { column throws(OrderLogError) in try number(column) }
                builder.add(Order(customer: customer, date: date, amount: amount, units: units))
            }
            rows += batch.count
            rowsRead(rows)
        }
    }
}
