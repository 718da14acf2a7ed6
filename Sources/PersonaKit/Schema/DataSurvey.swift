/// One look at every cell of customer rows, fed in one piece or in batches: infers a
/// ``PersonaSchema`` (or completes a declared one) and gathers the statistics the encoder is
/// fitted with (per column: weighted moments of its numbers, weighted counts of its texts).
///
/// Inference rules (also in `Docs/Schema.md`):
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
/// var survey = try DataSurvey(columnNames: header, idColumn: "customer_id")
/// for batch in batches { try survey.add(batch) }
/// // Rarely: a mostly-text column had numbers before its first text cell.
/// for column in survey.columnsNeedingNumericTexts { for batch in batches { try survey.addNumericTexts(batch, column: column) } }
/// let schema = try survey.schema()
/// let encoder = try FeatureEncoder(survey: survey, schema: schema)
/// ```
///
/// Memory stays bounded by the distinct texts kept: when inferring, at most
/// ``PersonaSchema/maximumInferredCategories`` + 1 per segment column (a segment column with
/// more is ignored anyway); every distinct text of a profile or declared categorical column.
public struct DataSurvey: Sendable {
    /// What is known about one column so far.
    struct ColumnState: Sendable {
        var nonEmpty = 0
        var numeric = 0
        var allBinary = true
        var allLikert = true
        /// Distinct non-numeric texts and their total weight (capped for inferred segment columns).
        var texts = [String: Double]()
        /// Distinct numeric texts and their weight, collected once the column has shown text
        /// (a column that ends up categorical lists them as categories too).
        var numericTexts = [String: Double]()
        /// The weighted moments of the column's finite numbers.
        var moments = ScaledMoments()
        /// Numeric cells seen before the first text cell, whose texts were not collected.
        var numericBeforeText = 0
        var textCap: Int?
        /// Whether ``addNumericTexts(_:column:)`` has collected every numeric text.
        var numericTextsComplete = false
    }

    let columnNames: [String]
    let idColumn: String
    let weightColumn: String?
    let declared: PersonaSchema?
    /// The sum of the weights of the rows added (their number without a weight column).
    public private(set) var totalWeight = 0.0
    /// Indices of the attribute columns (all but the identifier and weight).
    let attributeColumns: [Int]
    var states: [ColumnState]
    /// The number of rows added.
    public private(set) var rowCount = 0

    /// Starts a survey for a header: inferring the schema, or completing `declared` (the
    /// identifier and weight columns are then the declared ones).
    /// - Throws: ``PersonaDataError/duplicateColumn(name:)``,
    ///   ``PersonaDataError/missingIdColumn(name:available:)`` or
    ///   ``PersonaDataError/missingColumn(name:)`` (the weight column).
    public init(columnNames: [String], idColumn: String = "customer_id", weightColumn: String? = nil,
                declared: PersonaSchema? = nil) throws(PersonaDataError) {
        let idColumn = declared?.idColumn ?? idColumn
        let weightColumn = declared == nil ? weightColumn : declared!.weightColumn
        try PersonaSchema.checkHeader(columnNames, idColumn: idColumn, weightColumn: weightColumn)
        self.columnNames = columnNames
        self.idColumn = idColumn
        self.weightColumn = weightColumn
        self.declared = declared
        attributeColumns = columnNames.indices.filter { c in
            let name = columnNames[c]
            guard name != idColumn && name != weightColumn else { return false }
            guard let declared else { return true }
            return declared.attribute(named: name).map { $0.role != .ignore } ?? false
        }
        states = columnNames.map { name in
            var state = ColumnState()
            if declared == nil, Self.role(of: name) == .segment { state.textCap = PersonaSchema.maximumInferredCategories + 1 }
            return state
        }
    }

    /// Adds rows (a whole table or the next batch of a file, with the same columns).
    /// - Throws: ``PersonaDataError/invalidWeight(row:column:value:)`` (rows counted from 0
    ///   within `cells`).
    /// - Complexity: O(rows × columns).
    public mutating func add(_ cells: some CellSource) throws(PersonaDataError) {
        precondition(cells.columnNames == columnNames, "every batch has the header's columns")
        rowCount += cells.rowCount
        var weights: [Double]? = nil
        if let weightColumn {
            weights = try CustomerData.readWeights(cells, column: columnNames.firstIndex(of: weightColumn)!,
                                                   name: weightColumn, checkTotal: false)
            totalWeight += weights!.reduce(0, +)
        } else {
            totalWeight += Double(cells.rowCount)
        }
        for column in attributeColumns {
            var state = states[column]
            let (numbers, exceptions) = cells.finiteNumbers(column: column)
            // Exceptions are text or non-finite numbers; every other non-NaN value is a number.
            var textRows = [Int]()
            var nonFinite = Set<Int>()
            for row in exceptions {
                if case .text = cells.numericCell(row: row, column: column) {
                    textRows.append(row)
                } else {
                    nonFinite.insert(row)
                    state.allBinary = false
                    state.allLikert = false
                }
            }
            var finite = 0
            var allBinary = state.allBinary, allLikert = state.allLikert
            for value in numbers where !value.isNaN {
                finite += 1
                // Once false, a flag is not looked at again (most columns are neither).
                if allBinary, value != 0 && value != 1 { allBinary = false }
                if allLikert, !(value >= 1 && value <= 5 && value == value.rounded()) { allLikert = false }
            }
            state.allBinary = allBinary
            state.allLikert = allLikert
            let numericCount = finite + exceptions.count - textRows.count
            state.numeric += numericCount
            state.nonEmpty += numericCount + textRows.count
            func isNumber(_ row: Int) -> Bool { !numbers[row].isNaN || (!nonFinite.isEmpty && nonFinite.contains(row)) }
            // Numeric texts are collected once the column has shown text (rarely needed).
            if numericCount > 0 && !state.numericTextsComplete {
                let collectFrom = state.texts.isEmpty ? (textRows.first ?? cells.rowCount) : 0
                if collectFrom >= cells.rowCount {
                    state.numericBeforeText += numericCount   // every number came before any text
                } else {
                    for row in 0..<cells.rowCount where isNumber(row) {
                        if row < collectFrom {
                            state.numericBeforeText += 1
                        } else {
                            state.numericTexts[cells.trimmedText(row: row, column: column), default: 0] += weights?[row] ?? 1
                        }
                    }
                }
            }
            for row in textRows {
                let text = cells.trimmedText(row: row, column: column)
                if let cap = state.textCap, state.texts.count >= cap, state.texts[text] == nil { continue }
                state.texts[text, default: 0] += weights?[row] ?? 1
            }
            state.moments.add(numbers, weights: weights)
            states[column] = state
        }
    }

    /// A survey of no rows with the same header and settings, to fill with one batch and
    /// ``merge(_:)`` into this one (batches surveyed in parallel, merged in file order).
    public func emptyCopy() -> DataSurvey {
        var copy = self
        copy.states = states.map { state in
            var fresh = ColumnState()
            fresh.textCap = state.textCap
            return fresh
        }
        copy.rowCount = 0
        copy.totalWeight = 0
        return copy
    }

    /// Adds the rows another survey of the same header saw after this one's.
    public mutating func merge(_ other: DataSurvey) {
        precondition(other.columnNames == columnNames, "surveys of the same header")
        rowCount += other.rowCount
        totalWeight += other.totalWeight
        for column in attributeColumns {
            var a = states[column]
            let b = other.states[column]
            // Numbers the later rows saw before their own first text were not collected.
            a.numericBeforeText += b.numericBeforeText
            if a.texts.isEmpty && !b.texts.isEmpty { a.numericTexts = b.numericTexts } else {
                a.numericTexts.merge(b.numericTexts, uniquingKeysWith: +)
            }
            for (text, weight) in b.texts {
                if let cap = a.textCap, a.texts.count >= cap, a.texts[text] == nil { continue }
                a.texts[text, default: 0] += weight
            }
            a.nonEmpty += b.nonEmpty
            a.numeric += b.numeric
            a.allBinary = a.allBinary && b.allBinary
            a.allLikert = a.allLikert && b.allLikert
            a.moments.merge(b.moments)
            states[column] = a
        }
    }

    /// Columns that will be categorical but saw numbers before their first text: their
    /// numeric texts must be collected with ``addNumericTexts(_:column:)`` over all rows
    /// again before ``schema()``.
    public var columnsNeedingNumericTexts: [Int] {
        attributeColumns.filter { column in
            let state = states[column]
            guard state.numericBeforeText > 0, !state.numericTextsComplete, !exceedsCap(state) else { return false }
            if let declared {
                guard case .categorical = declared.attribute(named: columnNames[column])?.kind else { return false }
                return true
            }
            return state.numeric * 2 <= state.nonEmpty
        }
    }

    /// Collects every numeric text of `column` (a second look at all rows, for a column listed
    /// by ``columnsNeedingNumericTexts``).
    /// - Complexity: O(rows).
    /// - Throws: ``PersonaDataError/invalidWeight(row:column:value:)``.
    public mutating func addNumericTexts(_ cells: some CellSource, column: Int) throws(PersonaDataError) {
        if !states[column].numericTextsComplete {
            states[column].numericTextsComplete = true
            states[column].numericTexts = [:]
        }
        let weights = try weightColumn.map { name throws(PersonaDataError) in
            try CustomerData.readWeights(cells, column: columnNames.firstIndex(of: name)!, name: name, checkTotal: false)
        }
        for (row, cell) in cells.numericCells(column: column).enumerated() {
            if case .number = cell {
                states[column].numericTexts[cells.trimmedText(row: row, column: column), default: 0] += weights?[row] ?? 1
            }
        }
    }

    /// The inferred schema, or the declared one with the categories of categorical attributes
    /// that list none filled in (sorted distinct values).
    /// - Throws: ``PersonaDataError/noRows`` when no row was added.
    public func schema() throws(PersonaDataError) -> PersonaSchema {
        if rowCount == 0 { throw .noRows }
        if var schema = declared {
            for (index, attribute) in schema.attributes.enumerated() {
                guard case .categorical(let categories) = attribute.kind, categories.isEmpty, attribute.role != .ignore,
                      let column = columnNames.firstIndex(of: attribute.name) else { continue }
                let state = states[column]
                let all = Set(state.texts.keys).union(state.numericTexts.keys)
                schema.attributes[index].kind = .categorical(categories: all.sorted())
            }
            return schema
        }
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
        return .categorical(categories: Set(state.texts.keys).union(state.numericTexts.keys).sorted())
    }

    /// What the survey gathered for the encoder about the attribute `attribute`, read with
    /// the schema's kind: the moments of its numbers, or the weight of each category.
    func statistics(of attribute: Attribute) -> AttributeStatistics? {
        guard let column = columnNames.firstIndex(of: attribute.name), attributeColumns.contains(column) else { return nil }
        let state = states[column]
        switch attribute.kind {
        case .categorical(let categories):
            return .categories(categories.map { state.texts[$0] ?? state.numericTexts[$0] ?? 0 })
        case .continuous, .binary, .ordinal:
            return .numbers(state.moments)
        }
    }
}
