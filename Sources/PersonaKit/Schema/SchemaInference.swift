/// Infers a ``PersonaSchema`` from customer rows, fed in one piece or in batches.
///
/// Rules (also in `Docs/Schema.md`):
/// - the group comes from the column prefix (`lifestyle_`, `media_`, `online_`, `wish_`,
///   `need_`, `fear_`, `finance_`, `health_`; anything else is `other`);
/// - columns starting with `profile_` are profile-only, all others are segment attributes;
/// - a column is numeric when more than half of its non-empty cells are numbers; then only 0
///   and 1 make it binary, only whole numbers 1–5 make it ordinal (levels 1–5), anything else
///   continuous;
/// - other columns are categorical over their distinct values (sorted, numeric-looking cells
///   included); with more than ``PersonaSchema/maximumInferredCategories`` values a segment
///   column is ignored instead.
///
/// ```swift
/// var inference = try SchemaInference(columnNames: header, idColumn: "customer_id")
/// for batch in batches { inference.add(batch) }
/// // Rarely: a mostly-text column had numbers before its first text cell.
/// for column in inference.columnsNeedingNumericTexts { for batch in batches { inference.addNumericTexts(batch, column: column) } }
/// let schema = try inference.schema()
/// ```
///
/// Memory stays bounded by the distinct texts kept: at most
/// ``PersonaSchema/maximumInferredCategories`` + 1 per segment column (a segment column with
/// more is ignored anyway), every distinct text of a profile column.
public struct SchemaInference: Sendable {
    /// What is known about one column so far.
    struct ColumnState: Sendable {
        var nonEmpty = 0
        var numeric = 0
        var allBinary = true
        var allLikert = true
        /// Distinct non-numeric texts (capped for segment columns).
        var texts = Set<String>()
        /// Distinct numeric texts, collected once the column has shown text (a column that
        /// ends up categorical lists them as categories too).
        var numericTexts = Set<String>()
        /// Numeric cells seen before the first text cell, whose texts were not collected.
        var numericBeforeText = 0
        var textCap: Int?
        /// Whether ``addNumericTexts(_:column:)`` has collected every numeric text.
        var numericTextsComplete = false
    }

    let columnNames: [String]
    let idColumn: String
    let weightColumn: String?
    /// Indices of the attribute columns (all but the identifier and weight).
    let attributeColumns: [Int]
    var states: [ColumnState]
    var rows = 0

    /// Starts an inference for a header.
    /// - Throws: ``PersonaDataError/duplicateColumn(name:)``,
    ///   ``PersonaDataError/missingIdColumn(name:available:)`` or
    ///   ``PersonaDataError/missingColumn(name:)`` (the weight column).
    public init(columnNames: [String], idColumn: String = "customer_id", weightColumn: String? = nil) throws(PersonaDataError) {
        try PersonaSchema.checkHeader(columnNames, idColumn: idColumn, weightColumn: weightColumn)
        self.columnNames = columnNames
        self.idColumn = idColumn
        self.weightColumn = weightColumn
        attributeColumns = columnNames.indices.filter { columnNames[$0] != idColumn && columnNames[$0] != weightColumn }
        states = columnNames.map { name in
            var state = ColumnState()
            if Self.role(of: name) == .segment { state.textCap = PersonaSchema.maximumInferredCategories + 1 }
            return state
        }
    }

    /// Adds rows (a whole table or the next batch of a file, with the same columns).
    /// - Complexity: O(rows × columns).
    public mutating func add(_ cells: some CellSource) {
        precondition(cells.columnNames == columnNames, "every batch has the header's columns")
        rows += cells.rowCount
        for column in attributeColumns {
            var state = states[column]
            for (row, cell) in cells.numericCells(column: column).enumerated() {
                switch cell {
                case .empty:
                    continue
                case .number(let value):
                    state.nonEmpty += 1
                    state.numeric += 1
                    if value != 0 && value != 1 { state.allBinary = false }
                    if !(value >= 1 && value <= 5 && value == value.rounded()) { state.allLikert = false }
                    if state.texts.isEmpty {
                        state.numericBeforeText += 1
                    } else if !state.numericTextsComplete {
                        state.numericTexts.insert(cells.trimmedText(row: row, column: column))
                    }
                case .text:
                    state.nonEmpty += 1
                    if let cap = state.textCap, state.texts.count >= cap { continue }
                    state.texts.insert(cells.trimmedText(row: row, column: column))
                }
            }
            states[column] = state
        }
    }

    /// Columns that will be categorical but saw numbers before their first text: their
    /// numeric texts must be collected with ``addNumericTexts(_:column:)`` over all rows
    /// again before ``schema()``.
    public var columnsNeedingNumericTexts: [Int] {
        attributeColumns.filter { column in
            let state = states[column]
            return state.numeric * 2 <= state.nonEmpty && state.numericBeforeText > 0 && !state.numericTextsComplete
                && !exceedsCap(state)
        }
    }

    /// Collects every numeric text of `column` (a second look at all rows, for a column listed
    /// by ``columnsNeedingNumericTexts``).
    /// - Complexity: O(rows).
    public mutating func addNumericTexts(_ cells: some CellSource, column: Int) {
        if !states[column].numericTextsComplete {
            states[column].numericTextsComplete = true
            states[column].numericTexts = []
        }
        for (row, cell) in cells.numericCells(column: column).enumerated() {
            if case .number = cell {
                states[column].numericTexts.insert(cells.trimmedText(row: row, column: column))
            }
        }
    }

    /// The inferred schema.
    /// - Throws: ``PersonaDataError/noRows`` when no row was added.
    public func schema() throws(PersonaDataError) -> PersonaSchema {
        if rows == 0 { throw .noRows }
        var attributes: [Attribute] = []
        for column in attributeColumns {
            let name = columnNames[column]
            let role = Self.role(of: name)
            var attribute = Attribute(name: name, kind: kind(states[column]), role: role)
            if case .categorical(let categories) = attribute.kind,
               categories.count > PersonaSchema.maximumInferredCategories || exceedsCap(states[column]), role == .segment {
                attribute.role = .ignore
                attribute.kind = .categorical(categories: [])   // not stored: it is never read
            }
            attributes.append(attribute)
        }
        return PersonaSchema(idColumn: idColumn, weightColumn: weightColumn, attributes: attributes)
    }

    static func role(of name: String) -> AttributeRole {
        name.hasPrefix(AttributeRole.profile.columnPrefix!) ? .profile : .segment
    }

    /// Whether a segment column's texts alone passed the category limit (then it is ignored
    /// whatever its numbers).
    private func exceedsCap(_ state: ColumnState) -> Bool {
        state.textCap.map { state.texts.count >= $0 } ?? false
    }

    private func kind(_ state: ColumnState) -> AttributeKind {
        if state.nonEmpty == 0 { return .continuous }
        if state.numeric * 2 > state.nonEmpty {
            if state.numeric == state.nonEmpty && state.allBinary { return .binary }
            if state.numeric == state.nonEmpty && state.allLikert { return .ordinal(levels: [1, 2, 3, 4, 5]) }
            return .continuous
        }
        if exceedsCap(state) { return .categorical(categories: []) }
        return .categorical(categories: state.texts.union(state.numericTexts).sorted())
    }
}
