/// The persona attributes of a customer table: which column identifies a customer, which
/// holds sample weights, and how each other column is used.
///
/// Build one with ``infer(from:idColumn:weightColumn:)`` from a table's header and contents,
/// or decode one from a schema file (JSON, see `Docs/FileFormats.md`).
public struct PersonaSchema: Sendable, Hashable, Codable {
    /// The column holding the customer identifier.
    public var idColumn: String
    /// The column holding sample weights, if any.
    public var weightColumn: String?
    /// The attributes, in column order.
    public var attributes: [Attribute]

    /// Creates a schema.
    public init(idColumn: String = "customer_id", weightColumn: String? = nil, attributes: [Attribute]) {
        self.idColumn = idColumn
        self.weightColumn = weightColumn
        self.attributes = attributes
    }

    private enum CodingKeys: String, CodingKey { case idColumn, weightColumn, attributes }

    /// Decodes a schema file: `{"idColumn"?, "weightColumn"?, "attributes": [...]}`
    /// (`idColumn` defaults to `customer_id`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        idColumn = try c.decodeIfPresent(String.self, forKey: .idColumn) ?? "customer_id"
        weightColumn = try c.decodeIfPresent(String.self, forKey: .weightColumn)
        attributes = try c.decode([Attribute].self, forKey: .attributes)
    }

    /// The attributes personas are formed on (role `segment` with a positive weight).
    public var segmentAttributes: [Attribute] {
        attributes.filter { $0.role == .segment && $0.weight > 0 }
    }

    /// The profile-only attributes.
    public var profileAttributes: [Attribute] { attributes.filter { $0.role == .profile } }

    /// The attribute named `name`.
    public func attribute(named name: String) -> Attribute? { attributes.first { $0.name == name } }

    /// The largest attribute weight a schema may give (weights are relative; larger ones
    /// would only push encoded values out of `Float` range).
    public static let maximumWeight = 1_000_000.0

    /// Categorical attributes with more distinct values than this are ignored by inference.
    public static let maximumInferredCategories = 50

    /// Infers a schema from a table.
    ///
    /// Rules (also in `Docs/Schema.md`):
    /// - the group comes from the column prefix (`lifestyle_`, `media_`, `online_`, `wish_`,
    ///   `need_`, `fear_`, `finance_`, `health_`; anything else is `other`);
    /// - columns starting with `profile_` are profile-only, all others are segment attributes;
    /// - a column is numeric when more than half of its non-empty cells are numbers; then
    ///   only 0 and 1 make it binary, only whole numbers 1–5 make it ordinal (levels 1–5),
    ///   anything else continuous;
    /// - other columns are categorical over their distinct values (sorted); with more than
    ///   ``maximumInferredCategories`` values a segment column is ignored instead.
    ///
    /// - Throws: ``PersonaDataError/missingIdColumn(name:available:)``,
    ///   ``PersonaDataError/duplicateColumn(name:)``, ``PersonaDataError/noRows``.
    /// - Complexity: O(rows × columns).
    public static func infer(from table: RawTable, idColumn: String = "customer_id",
                             weightColumn: String? = nil) throws(PersonaDataError) -> PersonaSchema {
        try checkHeader(table, idColumn: idColumn, weightColumn: weightColumn)
        if table.rowCount == 0 { throw .noRows }
        var attributes: [Attribute] = []
        for (name, cells) in zip(table.columnNames, table.columns) where name != idColumn && name != weightColumn {
            let role: AttributeRole = name.hasPrefix(AttributeRole.profile.columnPrefix!) ? .profile : .segment
            var attribute = Attribute(name: name, kind: inferKind(cells), role: role)
            if case .categorical(let categories) = attribute.kind,
               categories.count > maximumInferredCategories, role == .segment {
                attribute.role = .ignore
                attribute.kind = .categorical(categories: [])   // not stored: it is never read
            }
            attributes.append(attribute)
        }
        return PersonaSchema(idColumn: idColumn, weightColumn: weightColumn, attributes: attributes)
    }

    static func checkHeader(_ table: RawTable, idColumn: String, weightColumn: String?) throws(PersonaDataError) {
        var seen = Set<String>()
        for name in table.columnNames where !seen.insert(name).inserted {
            throw .duplicateColumn(name: name)
        }
        guard seen.contains(idColumn) else {
            throw .missingIdColumn(name: idColumn, available: table.columnNames)
        }
        if let weightColumn, !seen.contains(weightColumn) { throw .missingColumn(name: weightColumn) }
    }

    private static func inferKind(_ cells: [String]) -> AttributeKind {
        var nonEmpty = 0, numeric = 0
        var allBinary = true, allLikert = true
        var categories = Set<String>()
        for cell in cells {
            let text = trimmed(cell)
            if text.isEmpty { continue }
            nonEmpty += 1
            if let value = Double(text) {
                numeric += 1
                if value != 0 && value != 1 { allBinary = false }
                if !(value >= 1 && value <= 5 && value == value.rounded()) { allLikert = false }
            } else {
                categories.insert(String(text))
            }
        }
        if nonEmpty == 0 { return .continuous }
        if numeric * 2 > nonEmpty {
            if numeric == nonEmpty && allBinary { return .binary }
            if numeric == nonEmpty && allLikert { return .ordinal(levels: [1, 2, 3, 4, 5]) }
            return .continuous
        }
        // Numeric-looking cells of a text column are categories too.
        for cell in cells {
            let text = trimmed(cell)
            if !text.isEmpty, Double(text) != nil { categories.insert(String(text)) }
        }
        return .categorical(categories: categories.sorted())
    }

    /// Checks the schema on its own: names unique, weights between 0 and ``maximumWeight``, ordinal levels
    /// increasing, at least one segment attribute.
    /// - Throws: ``PersonaDataError/invalidSchema(reason:)``, ``PersonaDataError/noSegmentAttributes``.
    public func validate() throws(PersonaDataError) {
        var names: Set<String> = [idColumn]
        if let weightColumn, !names.insert(weightColumn).inserted {
            throw .invalidSchema(reason: "the weight column '\(weightColumn)' is also the identifier column")
        }
        for attribute in attributes {
            guard names.insert(attribute.name).inserted else {
                throw .invalidSchema(reason: "attribute '\(attribute.name)' is declared twice or is the identifier/weight column")
            }
            guard attribute.weight.isFinite, attribute.weight >= 0, attribute.weight <= Self.maximumWeight else {
                throw .invalidSchema(reason: "attribute '\(attribute.name)': weight \(attribute.weight) must be between 0 and \(formatNumber(Self.maximumWeight))")
            }
            switch attribute.kind {
            case .ordinal(let levels):
                guard !levels.isEmpty, levels.allSatisfy(\.isFinite), zip(levels, levels.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw .invalidSchema(reason: "attribute '\(attribute.name)': ordinal levels must be finite and strictly increasing")
                }
            case .categorical(let categories):
                guard Set(categories).count == categories.count else {
                    throw .invalidSchema(reason: "attribute '\(attribute.name)': categories must be distinct")
                }
            case .continuous, .binary: break
            }
        }
        if segmentAttributes.isEmpty { throw .noSegmentAttributes }
    }
}

/// Trims ASCII spaces and tabs around a cell.
@inline(__always)
func trimmed(_ cell: String) -> Substring {
    var s = Substring(cell)
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return s
}
