/// What to do with a categorical cell whose category the schema or model does not list.
public enum UnknownCategoryPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Throw ``PersonaDataError/unknownCategory(row:column:value:known:)``.
    case reject
    /// Treat the cell as missing (see ``FeatureEncoder`` for how missing values are encoded)
    /// and count it in ``CustomerData/unknownCategories``.
    case treatAsMissing
}

/// One column of typed attribute values.
public enum AttributeValues: Sendable, Equatable {
    /// Numbers (continuous, ordinal, binary); `.nan` marks a missing value.
    case numbers([Double])
    /// Indices into the attribute's categories; `-1` marks a missing value.
    case categories([Int32])

    /// The number of rows.
    public var count: Int {
        switch self {
        case .numbers(let v): v.count
        case .categories(let v): v.count
        }
    }
}

/// A categorical cell holding a category the model does not know, kept when the policy is
/// ``UnknownCategoryPolicy/treatAsMissing``.
public struct UnknownCategory: Sendable, Equatable {
    /// The data row (from 0).
    public var row: Int
    /// The column.
    public var column: String
    /// The cell.
    public var value: String
}

/// Customer data checked against a schema and converted to typed values.
public struct CustomerData: Sendable {
    /// The schema the data was read with; categorical attributes declared without categories
    /// list the categories found in the data, sorted.
    public let schema: PersonaSchema
    /// The customer identifiers, unique and non-empty.
    public let ids: [String]
    /// Sample weights, when the schema names a weight column.
    public let weights: [Double]?
    /// Values of every attribute of the schema whose role is not `ignore`, keyed by name.
    public let values: [String: AttributeValues]
    /// Unknown categories treated as missing (at most the first 100).
    public let unknownCategories: [UnknownCategory]
    /// The number of cells with unknown categories treated as missing.
    public let unknownCategoryCount: Int

    /// The number of customers.
    public var count: Int { ids.count }

    /// Reads a table with a schema.
    ///
    /// - Parameters:
    ///   - table: the raw cells.
    ///   - schema: the schema; categorical attributes with no categories take the sorted
    ///     distinct values of the data.
    ///   - policy: what to do with a category the schema lists no place for (the
    ///     `unknownCategories` argument).
    ///   - requireAllColumns: when `false`, profile-only attributes missing from the table are
    ///     skipped instead of rejected (assignment needs only the segment attributes).
    /// - Throws: ``PersonaDataError`` naming the row, column and value of the first bad cell.
    /// - Complexity: O(rows × columns).
    public init(table: RawTable, schema: PersonaSchema,
                unknownCategories policy: UnknownCategoryPolicy = .reject,
                requireAllColumns: Bool = true) throws(PersonaDataError) {
        try self.init(cells: table, schema: schema, unknownCategories: policy, requireAllColumns: requireAllColumns)
    }

    /// Reads rows of cells with a schema: a whole table, or one batch of a streamed file.
    ///
    /// - Parameters:
    ///   - cells: the rows; errors name rows from 0 within them.
    ///   - schema: the schema; categorical attributes with no categories take the sorted
    ///     distinct values of these rows.
    ///   - policy: what to do with a category the schema lists no place for (the
    ///     `unknownCategories` argument).
    ///   - requireAllColumns: when `false`, profile-only attributes missing from the source
    ///     are skipped instead of rejected.
    ///   - checkWeightTotal: when `false`, rows whose weights are all zero are accepted (a
    ///     batch of a larger file; the caller checks the total).
    /// - Throws: ``PersonaDataError`` naming the row, column and value of the first bad cell.
    /// - Complexity: O(rows × columns).
    public init(cells: some CellSource, schema: PersonaSchema,
                unknownCategories policy: UnknownCategoryPolicy = .reject,
                requireAllColumns: Bool = true, checkWeightTotal: Bool = true) throws(PersonaDataError) {
        try schema.validate()
        try PersonaSchema.checkHeader(cells.columnNames, idColumn: schema.idColumn, weightColumn: schema.weightColumn)
        let rowCount = cells.rowCount
        if rowCount == 0 { throw .noRows }

        // Identifiers.
        let idColumn = cells.columnIndex(named: schema.idColumn)!
        var firstRow = [String: Int](minimumCapacity: rowCount)
        var ids = [String]()
        ids.reserveCapacity(rowCount)
        for (row, id) in cells.trimmedTexts(column: idColumn).enumerated() {
            if id.isEmpty { throw .emptyId(row: row, column: schema.idColumn) }
            if let first = firstRow.updateValue(row, forKey: id) {
                throw .duplicateId(id: id, firstRow: first, row: row, column: schema.idColumn)
            }
            ids.append(id)
        }

        // Weights.
        var weights: [Double]? = nil
        if let weightColumn = schema.weightColumn {
            let column = cells.columnIndex(named: weightColumn)!
            weights = try Self.readWeights(cells, column: column, name: weightColumn, checkTotal: checkWeightTotal)
        }

        // Every required column, named at once.
        let missing = schema.attributes.filter { attribute in
            (attribute.role == .segment || (attribute.role == .profile && requireAllColumns))
                && cells.columnIndex(named: attribute.name) == nil
        }.map(\.name)
        if missing.count == 1 { throw .missingColumn(name: missing[0]) }
        if missing.count > 1 { throw .missingColumns(names: missing) }

        // Attributes.
        var resolved = schema
        var values = [String: AttributeValues]()
        var unknown = [UnknownCategory]()
        var unknownCount = 0
        for (index, attribute) in schema.attributes.enumerated() where attribute.role != .ignore {
            guard let column = cells.columnIndex(named: attribute.name) else {
                if attribute.role == .profile && !requireAllColumns { continue }
                throw .missingColumn(name: attribute.name)
            }
            switch attribute.kind {
            case .categorical(var categories):
                let texts = cells.trimmedTexts(column: column)
                if categories.isEmpty {
                    categories = Array(Set(texts.lazy.filter { !$0.isEmpty })).sorted()
                    resolved.attributes[index].kind = .categorical(categories: categories)
                }
                var code = [String: Int32](minimumCapacity: categories.count)
                for (i, c) in categories.enumerated() { code[c] = Int32(i) }
                var codes = [Int32]()
                codes.reserveCapacity(rowCount)
                for (row, text) in texts.enumerated() {
                    if text.isEmpty { codes.append(-1); continue }
                    if let c = code[text] { codes.append(c); continue }
                    let cell = cells.rawText(row: row, column: column)
                    switch policy {
                    case .reject:
                        throw .unknownCategory(row: row, column: attribute.name, value: cell, known: categories)
                    case .treatAsMissing:
                        unknownCount += 1
                        if unknown.count < 100 { unknown.append(UnknownCategory(row: row, column: attribute.name, value: cell)) }
                        codes.append(-1)
                    }
                }
                values[attribute.name] = .categories(codes)
            case .continuous, .binary, .ordinal:
                let (numbers, exceptions) = cells.finiteNumbers(column: column)
                // The first bad cell is the error: text, a non-finite number, or a number
                // outside a binary or ordinal attribute's values.
                var firstBad = exceptions.first ?? rowCount
                switch attribute.kind {
                case .binary:
                    if let row = numbers[..<firstBad].firstIndex(where: { !$0.isNaN && $0 != 0 && $0 != 1 }) { firstBad = row }
                case .ordinal(let levels):
                    if let row = numbers[..<firstBad].firstIndex(where: { !$0.isNaN && !levels.contains($0) }) { firstBad = row }
                case .continuous, .categorical: break
                }
                if firstBad < rowCount {
                    _ = try Self.number(cells.numericCell(row: firstBad, column: column), cells, row: firstBad, column: column,
                                        attribute: attribute)
                }
                values[attribute.name] = .numbers(numbers)
            }
        }
        self.schema = resolved
        self.ids = ids
        self.weights = weights
        self.values = values
        self.unknownCategories = unknown
        self.unknownCategoryCount = unknownCount
    }

    /// Reads a weight column: every cell a finite number ≥ 0 whose total is finite (and, with
    /// `checkTotal`, positive).
    static func readWeights(_ cells: some CellSource, column: Int, name: String,
                            checkTotal: Bool) throws(PersonaDataError) -> [Double] {
        var w = [Double]()
        w.reserveCapacity(cells.rowCount)
        var total = 0.0
        for (row, cell) in cells.numericCells(column: column).enumerated() {
            guard case .number(let value) = cell, value.isFinite, value >= 0 else {
                throw .invalidWeight(row: row, column: name, value: cells.rawText(row: row, column: column))
            }
            w.append(value)
            total += value
        }
        if checkTotal && total == 0 { throw .zeroTotalWeight(column: name) }
        if !total.isFinite, let row = w.indices.max(by: { w[$0] < w[$1] }) {
            throw .invalidWeight(row: row, column: name, value: cells.rawText(row: row, column: column))   // the sum overflows
        }
        return w
    }

    /// One numeric cell checked against its attribute's kind (NaN for an empty cell).
    @inline(__always)
    static func number(_ cell: NumericCell, _ cells: some CellSource, row: Int, column: Int,
                       attribute: Attribute) throws(PersonaDataError) -> Double {
        let value: Double
        switch cell {
        case .empty: return .nan
        case .text: throw .notANumber(row: row, column: attribute.name, value: cells.rawText(row: row, column: column))
        case .number(let v): value = v
        }
        guard value.isFinite else { throw .notFinite(row: row, column: attribute.name, value: cells.rawText(row: row, column: column)) }
        switch attribute.kind {
        case .binary:
            guard value == 0 || value == 1 else { throw .notBinary(row: row, column: attribute.name, value: cells.rawText(row: row, column: column)) }
        case .ordinal(let levels):
            guard levels.contains(value) else {
                throw .notALevel(row: row, column: attribute.name, value: cells.rawText(row: row, column: column), levels: levels)
            }
        case .continuous, .categorical: break
        }
        return value
    }
}
