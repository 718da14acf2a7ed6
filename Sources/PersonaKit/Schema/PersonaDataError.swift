/// A problem with customer data or a schema, carrying the row, column and value involved.
///
/// Rows are data rows numbered from 0; readers of files add the header line when they tell
/// a person (see ``RawTable``).
public enum PersonaDataError: Error, Equatable, Sendable {
    /// The data has no rows.
    case noRows
    /// The identifier column is not in the data.
    case missingIdColumn(name: String, available: [String])
    /// A column the schema or model needs is not in the data.
    case missingColumn(name: String)
    /// Several columns the schema or model needs are not in the data.
    case missingColumns(names: [String])
    /// Two columns share a name.
    case duplicateColumn(name: String)
    /// An identifier cell is empty.
    case emptyId(row: Int, column: String)
    /// Two rows share an identifier.
    case duplicateId(id: String, firstRow: Int, row: Int, column: String)
    /// A cell of a numeric attribute is not a number.
    case notANumber(row: Int, column: String, value: String)
    /// A cell of a numeric attribute is NaN or infinite.
    case notFinite(row: Int, column: String, value: String)
    /// A cell of a binary attribute is not 0 or 1.
    case notBinary(row: Int, column: String, value: String)
    /// A cell of an ordinal attribute is not one of its levels.
    case notALevel(row: Int, column: String, value: String, levels: [Double])
    /// A categorical cell holds a category the model was not trained on (strict mode only).
    case unknownCategory(row: Int, column: String, value: String, known: [String])
    /// A sample weight is missing, negative or not finite.
    case invalidWeight(row: Int, column: String, value: String)
    /// Every sample weight is zero.
    case zeroTotalWeight(column: String)
    /// A value is so far from the training values that it cannot be encoded (beyond `Float`).
    case valueOutOfRange(row: Int, column: String, value: Double)
    /// A column's values span more than can be standardised.
    case valuesTooLarge(column: String)
    /// The sample weights leave a categorical column's categories so unevenly weighted that
    /// its standardised indicators exceed the `Float` range.
    case categoriesTooUneven(column: String)
    /// The schema is unusable.
    case invalidSchema(reason: String)
    /// No attribute is left to form personas with.
    case noSegmentAttributes
}

extension PersonaDataError: CustomStringConvertible {
    /// A one-line description quoting the row, column and value.
    public var description: String { describe(rowOffset: 0) }

    /// A one-line description whose row numbers are shifted by `rowOffset` (a CSV reader
    /// passes 2: data row 0 is line 2, after the header).
    public func describe(rowOffset: Int) -> String {
        func r(_ row: Int) -> String { "row \(row + rowOffset)" }
        func levelList(_ levels: [Double]) -> String { levels.map(formatNumber).joined(separator: ", ") }
        switch self {
        case .noRows:
            return "the data has no rows (only a header, or nothing)"
        case .missingIdColumn(let name, let available):
            if available.count == 1, let separator = [";", "\t", "|"].first(where: { available[0].contains($0) }) {
                let shownSeparator = separator == "\t" ? "tab" : "'\(separator)'"
                return "the header has a single column; the file looks \(shownSeparator)-separated: read it with that separator, or have the separator detected from the header"
            }
            let shown = available.prefix(8).map { $0.count > 40 ? $0.prefix(40) + "…" : Substring($0) }.joined(separator: ", ")
            return "identifier column '\(name)' not found (columns: \(shown)\(available.count > 8 ? ", …" : ""))"
        case .missingColumn(let name):
            return "column '\(name)' is missing"
        case .missingColumns(let names):
            let shown = names.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
            return "\(names.count) columns are missing: \(shown)\(names.count > 8 ? ", …" : "")"
        case .duplicateColumn(let name):
            return "column '\(name)' appears more than once in the header"
        case .emptyId(let row, let column):
            return "\(r(row)), column '\(column)': the identifier is empty"
        case .duplicateId(let id, let firstRow, let row, let column):
            return "\(r(row)), column '\(column)': identifier '\(id)' already used on \(r(firstRow))"
        case .notANumber(let row, let column, let value):
            return "\(r(row)), column '\(column)': '\(value)' is not a number"
        case .notFinite(let row, let column, let value):
            return "\(r(row)), column '\(column)': '\(value)' is not a finite number"
        case .notBinary(let row, let column, let value):
            return "\(r(row)), column '\(column)': '\(value)' is not 0 or 1"
        case .notALevel(let row, let column, let value, let levels):
            return "\(r(row)), column '\(column)': '\(value)' is not one of the levels \(levelList(levels))"
        case .unknownCategory(let row, let column, let value, let known):
            return "\(r(row)), column '\(column)': category '\(value)' was not seen in training (known: \(known.prefix(8).joined(separator: ", ")))"
        case .invalidWeight(let row, let column, let value):
            return "\(r(row)), column '\(column)': weight '\(value)' must be a finite number ≥ 0"
        case .zeroTotalWeight(let column):
            return "column '\(column)': all weights are zero"
        case .valueOutOfRange(let row, let column, let value):
            return "\(r(row)), column '\(column)': \(value) is too far from the training values to encode"
        case .valuesTooLarge(let column):
            return "column '\(column)': the values are too large to standardise (rescale the column, e.g. to thousands)"
        case .categoriesTooUneven(let column):
            return "column '\(column)': the sample weights make some categories so rare that their indicators cannot be standardised (use less extreme weights, or leave the attributes unscaled)"
        case .invalidSchema(let reason):
            return "invalid schema: \(reason)"
        case .noSegmentAttributes:
            return "no attribute is left to form personas with (every column is the identifier, profile-only, ignored or has weight 0)"
        }
    }
}

/// Formats a number the shortest way that reads back exactly ("3", "0.25").
func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}
