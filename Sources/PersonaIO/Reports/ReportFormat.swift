/// How report CSV files are written: separator and decimal mark, and small-cell suppression.
public struct ReportFormat: Sendable, Hashable {
    /// The field separator, which also decides the decimal mark.
    public enum Separator: String, Sendable, Hashable, CaseIterable {
        /// `,` between fields, `.` as decimal point, no byte-order mark (for scripts and
        /// English-locale spreadsheets).
        case comma
        /// `;` between fields, `,` as decimal mark and a UTF-8 byte-order mark, as spreadsheet
        /// applications in most European locales expect (the mark makes them read UTF-8).
        case semicolon

        /// The separator character.
        public var character: Character { self == .comma ? "," : ";" }
    }

    /// The field separator. Default ``Separator/comma``.
    public var separator: Separator
    /// Cells describing fewer customers than this are replaced by ``suppressionMarker``;
    /// `nil` (the default) suppresses nothing.
    public var minimumCellSize: Int?

    /// Creates a format.
    /// - Precondition: `minimumCellSize`, when given, is at least 1.
    public init(separator: Separator = .comma, minimumCellSize: Int? = nil) {
        precondition(minimumCellSize.map { $0 >= 1 } ?? true, "a minimum cell size is at least 1")
        self.separator = separator
        self.minimumCellSize = minimumCellSize
    }

    /// The text that replaces a suppressed cell: `<N` (for example `<10`), so a reader sees
    /// that the cell was withheld and why, and never mistakes it for a missing value (empty).
    public var suppressionMarker: String { "<\(minimumCellSize ?? 1)" }

    /// Whether a cell describing `customers` customers is withheld.
    public func suppresses(_ customers: Int) -> Bool {
        guard let minimumCellSize else { return false }
        return customers < minimumCellSize
    }

    /// A number as a cell: ``CSVWriter/format(_:)`` with `,` as decimal mark for
    /// ``Separator/semicolon``; NaN and `nil` give the empty cell.
    public func number(_ value: Double?) -> String {
        guard let value else { return "" }
        let text = CSVWriter.format(value)
        return separator == .semicolon ? text.replacingOccurrences(of: ".", with: ",") : text
    }

    /// A statistic describing `customers` customers: its text, or the marker when suppressed.
    public func cell(_ text: String, customers: Int) -> String {
        suppresses(customers) ? suppressionMarker : text
    }

    /// A number describing `customers` customers (see ``cell(_:customers:)``).
    public func number(_ value: Double?, customers: Int) -> String {
        cell(number(value), customers: customers)
    }

    /// A count of customers, itself subject to suppression.
    public func count(_ customers: Int) -> String {
        cell(String(customers), customers: customers)
    }

    /// The bytes written before the header: a UTF-8 byte-order mark for ``Separator/semicolon``.
    public var preamble: [UInt8] { separator == .semicolon ? [0xEF, 0xBB, 0xBF] : [] }
}
