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

    /// Infers a schema from a table (see ``DataSurvey`` for the rules and for reading a file
    /// in batches).
    ///
    /// - Throws: ``PersonaDataError/missingIdColumn(name:available:)``,
    ///   ``PersonaDataError/duplicateColumn(name:)``, ``PersonaDataError/noRows``,
    ///   ``PersonaDataError/invalidWeight(row:column:value:)``.
    /// - Complexity: O(rows × columns).
    public static func infer(from table: RawTable, idColumn: String = "customer_id",
                             weightColumn: String? = nil) throws(PersonaDataError) -> PersonaSchema {
        var survey = try DataSurvey(columnNames: table.columnNames, idColumn: idColumn, weightColumn: weightColumn)
        try survey.add(table)
        for column in survey.columnsNeedingNumericTexts { try survey.addNumericTexts(table, column: column) }
        return try survey.schema()
    }

    static func checkHeader(_ columnNames: [String], idColumn: String, weightColumn: String?) throws(PersonaDataError) {
        var seen = Set<String>()
        for name in columnNames where !seen.insert(name).inserted {
            throw .duplicateColumn(name: name)
        }
        guard seen.contains(idColumn) else {
            throw .missingIdColumn(name: idColumn, available: columnNames)
        }
        if let weightColumn, !seen.contains(weightColumn) { throw .missingColumn(name: weightColumn) }
    }

    /// The schema for reading a new period's data with this (a trained model's) schema: the
    /// same attributes, groups, kinds, roles and weights, with every categorical attribute's
    /// categories left to be taken from the new data, so that a category first seen in the
    /// new period is read rather than refused.
    public var forNewPeriod: PersonaSchema {
        var schema = self
        for i in schema.attributes.indices {
            if case .categorical = schema.attributes[i].kind { schema.attributes[i].kind = .categorical(categories: []) }
        }
        return schema
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
