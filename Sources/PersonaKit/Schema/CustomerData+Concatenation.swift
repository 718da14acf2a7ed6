extension CustomerData {
    /// The rows of several parts, in order: the batches of one file, read with the same
    /// schema (categorical attributes must list their categories, so that every part codes
    /// them alike).
    ///
    /// - Throws: ``PersonaDataError/noRows`` for no rows, ``PersonaDataError/duplicateId(id:firstRow:row:column:)``
    ///   when an identifier repeats across parts, ``PersonaDataError/zeroTotalWeight(column:)``
    ///   when every weight is zero.
    /// - Parameters:
    ///   - parts: the parts, in row order.
    ///   - checkedIdentifiers: the parts' identifiers in order, when the caller has already
    ///     checked them for repeats (a file reader that keeps them anyway); `nil` to check here.
    /// - Complexity: O(rows × attributes).
    public init(concatenating parts: [CustomerData], checkedIdentifiers: [String]? = nil) throws(PersonaDataError) {
        guard let first = parts.first else { throw .noRows }
        precondition(parts.allSatisfy { $0.schema == first.schema }, "parts read with one schema")
        var ids = [String]()
        if let checkedIdentifiers {
            precondition(checkedIdentifiers.count == parts.reduce(0) { $0 + $1.count }, "one identifier per row")
            ids = checkedIdentifiers
        } else {
            ids.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            var firstRow = [String: Int](minimumCapacity: ids.capacity)
            for part in parts {
                for id in part.ids {
                    if let earlier = firstRow.updateValue(ids.count, forKey: id) {
                        throw .duplicateId(id: id, firstRow: earlier, row: ids.count, column: first.schema.idColumn)
                    }
                    ids.append(id)
                }
            }
        }
        var weights: [Double]? = nil
        if let column = first.schema.weightColumn {
            weights = parts.flatMap { $0.weights ?? [] }
            if !(weights!.reduce(0, +) > 0) { throw .zeroTotalWeight(column: column) }
        }
        // Each column in one allocation of its final size, the columns on every core.
        let total = parts.reduce(0) { $0 + $1.count }
        let names = Array(first.values.keys)
        let joined = TaskResults<AttributeValues>(count: names.count)
        /// One column of every part, in one array of `total` values.
        @Sendable func join<Value>(_ name: String, _ column: (AttributeValues) -> [Value]?) -> [Value] {
            var out = [Value]()
            out.reserveCapacity(total)
            for part in parts {
                guard let values = column(part.values[name]!) else { preconditionFailure("one kind per attribute") }
                out.append(contentsOf: values)
            }
            return out
        }
        TaskPool.run(count: names.count, threads: nil) { c in
            let name = names[c]
            switch first.values[name]! {
            case .numbers:
                joined[c] = .numbers(join(name) { if case .numbers(let v) = $0 { v } else { nil } })
            case .categories:
                joined[c] = .categories(join(name) { if case .categories(let v) = $0 { v } else { nil } })
            }
        }
        var values = [String: AttributeValues](minimumCapacity: names.count)
        for (c, name) in names.enumerated() { values[name] = joined[c]! }
        var unknown = [UnknownCategory]()
        var offset = 0
        for part in parts {
            for u in part.unknownCategories where unknown.count < 100 {
                unknown.append(UnknownCategory(row: u.row + offset, column: u.column, value: u.value))
            }
            offset += part.count
        }
        self.init(schema: first.schema, ids: ids, weights: weights, values: values, unknownCategories: unknown,
                  unknownCategoryCount: parts.reduce(0) { $0 + $1.unknownCategoryCount })
    }

    init(schema: PersonaSchema, ids: [String], weights: [Double]?, values: [String: AttributeValues],
         unknownCategories: [UnknownCategory], unknownCategoryCount: Int) {
        self.schema = schema
        self.ids = ids
        self.weights = weights
        self.values = values
        self.unknownCategories = unknownCategories
        self.unknownCategoryCount = unknownCategoryCount
    }
}
