/// What a ``PersonaReport`` reports beyond the per-attribute profiles: which profile column
/// holds customer value, which columns to cross-tabulate against the personas, how many
/// distinguishing attributes to list and where to cut the value pyramid.
public struct PersonaReportOptions: Sendable, Hashable {
    /// The numeric attribute holding each customer's value (revenue, margin, lifetime value),
    /// or `nil` for no value figures and no value pyramid.
    public var valueColumn: String?
    /// Categorical attributes to cross-tabulate against the personas (journey phase, channel).
    public var crossTabColumns: [String]
    /// The name of the account column, when account ids are supplied (a label only: the ids
    /// come in separately, since an account column is usually not an attribute of the model).
    public var accountColumn: String?
    /// How many distinguishing segment attributes to list per persona and attribute group.
    /// Default 3.
    public var distinguishingPerGroup: Int
    /// The value pyramid's bands. Default ``ValueBand/Definition/standard``: the top 20% and
    /// the ten deciles.
    public var valueBands: [ValueBand.Definition]

    /// Creates options.
    /// - Precondition: `distinguishingPerGroup ≥ 1`.
    public init(valueColumn: String? = nil, crossTabColumns: [String] = [], accountColumn: String? = nil,
                distinguishingPerGroup: Int = 3, valueBands: [ValueBand.Definition] = ValueBand.Definition.standard) {
        precondition(distinguishingPerGroup >= 1, "list at least one distinguishing attribute per group")
        self.valueColumn = valueColumn
        self.crossTabColumns = crossTabColumns
        self.accountColumn = accountColumn
        self.distinguishingPerGroup = distinguishingPerGroup
        self.valueBands = valueBands
    }

    /// The defaults for a schema: the value column is the first continuous profile attribute
    /// whose name contains `value` (such as `profile_customer_value`); every categorical
    /// profile attribute is cross-tabulated.
    /// - Complexity: O(attributes).
    public static func defaults(for schema: PersonaSchema) -> PersonaReportOptions {
        let profile = schema.profileAttributes
        let value = profile.first { $0.kind == .continuous && $0.name.lowercased().contains("value") }
        let crossTabs = profile.filter { if case .categorical = $0.kind { true } else { false } }.map(\.name)
        return PersonaReportOptions(valueColumn: value?.name, crossTabColumns: crossTabs)
    }

    /// The account columns looked for when none is named.
    public static let defaultAccountColumns = ["profile_account_id", "account_id"]

    /// The options a report of a file with `columnNames` uses: each choice given, else its
    /// default (``defaults(for:)``; the account column the first of ``defaultAccountColumns``
    /// the file has, which then is not also cross-tabulated).
    /// - Throws: ``PersonaReportError/accountColumnCrossTabulated(name:)`` when the account
    ///   column is also named for a cross-table, ``PersonaReportError/unknownAccountColumn(name:columns:)``
    ///   when the file lacks it.
    public static func resolved(for schema: PersonaSchema, columnNames: [String], valueColumn: String? = nil,
                                crossTabColumns: [String] = [], accountColumn: String? = nil) throws(PersonaReportError) -> PersonaReportOptions {
        let account: String?
        if let name = accountColumn {
            guard !crossTabColumns.contains(name) else { throw .accountColumnCrossTabulated(name: name) }
            guard columnNames.contains(name) else { throw .unknownAccountColumn(name: name, columns: columnNames) }
            account = name
        } else {
            account = defaultAccountColumns.first { columnNames.contains($0) }
        }
        var options = defaults(for: schema)
        if let valueColumn { options.valueColumn = valueColumn }
        if !crossTabColumns.isEmpty {
            options.crossTabColumns = crossTabColumns
        } else {
            options.crossTabColumns.removeAll { $0 == account }
        }
        options.accountColumn = account
        return options
    }
}

/// Why a report cannot be built with the options given.
public enum PersonaReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What a report column is for.
    public enum ColumnUse: String, Sendable, Equatable {
        /// The value column (``PersonaReportOptions/valueColumn``).
        case value = "value column"
        /// A cross-tabulated column (``PersonaReportOptions/crossTabColumns``).
        case crossTab = "cross-tab column"
    }

    /// The column is not an attribute the data was read with.
    case unknownColumn(use: ColumnUse, name: String, available: [String])
    /// The value column is categorical.
    case valueColumnNotNumeric(name: String, kind: String)
    /// A cross-tab column is not categorical.
    case crossTabColumnNotCategorical(name: String, kind: String)
    /// The account ids do not match the rows.
    case accountCountMismatch(rows: Int, accounts: Int)
    /// The account column is also named for a cross-table.
    case accountColumnCrossTabulated(name: String)
    /// The file has no such account column.
    case unknownAccountColumn(name: String, columns: [String])

    /// The column the error is about and what it is for, if it is about one.
    public var column: (use: ColumnUse, name: String)? {
        switch self {
        case .unknownColumn(let use, let name, _): (use, name)
        case .valueColumnNotNumeric(let name, _): (.value, name)
        case .crossTabColumnNotCategorical(let name, _): (.crossTab, name)
        case .accountCountMismatch, .accountColumnCrossTabulated, .unknownAccountColumn: nil
        }
    }

    /// A one-line description naming the column.
    public var description: String {
        switch self {
        case .unknownColumn(let use, let name, let available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "\(use.rawValue) '\(name)': no such attribute (available: \(list))"
        case .valueColumnNotNumeric(let name, let kind):
            return "value column '\(name)': the value column must be numeric, but it is \(kind)"
        case .crossTabColumnNotCategorical(let name, let kind):
            return "cross-tab column '\(name)': a cross-table needs a categorical column, but it is \(kind)"
        case .accountCountMismatch(let rows, let accounts):
            return "\(accounts) account ids for \(rows) customers"
        case .accountColumnCrossTabulated(let name):
            return "account column '\(name)' is also a cross-tab column: an account column is reported as account mixes, not cross-tabulated"
        case .unknownAccountColumn(let name, let columns):
            return "account column '\(name)': no such column (columns: \(columns.joined(separator: ", ")))"
        }
    }
}
