/// A trained persona model: the schema, the encoder, the personas' centres and identities.
///
/// Immutable and `Sendable`: share one model between any number of tasks. Only a trained
/// (or decoded) model exists, so "not fitted" cannot happen.
///
/// ```swift
/// let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
/// let trained = try PersonaModel.train(data, options: TrainingOptions(clusterCount: 6))
/// let assignments = try trained.model.assign(table: newCustomers)
/// ```
public struct PersonaModel: Sendable, Hashable, Codable {
    /// The model file format this version writes and the newest it reads.
    public static let formatVersion = 1

    /// The format version of this model.
    public let formatVersion: Int
    /// The schema the model reads customers with.
    public let schema: PersonaSchema
    /// The feature encoder fitted on the training data.
    public let encoder: FeatureEncoder
    /// The personas, largest first as training ordered them. Identifiers are stable across
    /// retrains (see ``PersonaMatching``), so after one they need not increase along the list.
    public let personas: [Persona]
    /// The smallest identifier no persona of this model or its predecessors has used.
    public let nextPersonaID: Int
    /// Identifiers of personas retired by earlier retrains.
    public let retiredPersonaIDs: [Int]
    /// Principal components of the training data (for persona maps), when computed.
    public let projection: PrincipalComponents?
    /// Training facts.
    public let training: TrainingSummary
    /// The parts assigning one customer at a time needs, derived from the above once.
    let customerEncoding: CustomerEncoding

    /// Creates a model from its parts.
    /// - Precondition: every centroid has `encoder.width` values and identifiers are unique.
    public init(schema: PersonaSchema, encoder: FeatureEncoder, personas: [Persona], nextPersonaID: Int? = nil,
                retiredPersonaIDs: [Int] = [], projection: PrincipalComponents?, training: TrainingSummary) {
        precondition(!personas.isEmpty, "a model has at least one persona")
        precondition(personas.allSatisfy { $0.centroid.count == encoder.width }, "centroid width must match the encoder")
        precondition(Set(personas.map(\.id)).count == personas.count, "persona identifiers must be unique")
        self.formatVersion = Self.formatVersion
        self.schema = schema
        self.encoder = encoder
        self.personas = personas
        self.nextPersonaID = nextPersonaID ?? ((personas.map(\.id).max() ?? 0) + 1)
        self.retiredPersonaIDs = retiredPersonaIDs
        self.projection = projection
        self.training = training
        self.customerEncoding = CustomerEncoding(schema: schema, encoder: encoder, personas: personas)
    }

    private enum CodingKeys: String, CodingKey {
        case formatVersion, schema, encoder, personas, nextPersonaID, retiredPersonaIDs, projection, training
    }

    /// Decodes a model.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        schema = try c.decode(PersonaSchema.self, forKey: .schema)
        encoder = try c.decode(FeatureEncoder.self, forKey: .encoder)
        personas = try c.decode([Persona].self, forKey: .personas)
        nextPersonaID = try c.decode(Int.self, forKey: .nextPersonaID)
        retiredPersonaIDs = try c.decode([Int].self, forKey: .retiredPersonaIDs)
        projection = try c.decodeIfPresent(PrincipalComponents.self, forKey: .projection)
        training = try c.decode(TrainingSummary.self, forKey: .training)
        customerEncoding = CustomerEncoding(schema: schema, encoder: encoder, personas: personas)
    }

    /// The persona with identifier `id`.
    public func persona(id: Int) -> Persona? { personas.first { $0.id == id } }

    /// Reads raw customer rows with the model's schema.
    ///
    /// Only the segment attributes (and the identifier, named `idColumn` or as in training)
    /// are required; categories the model does not know follow `unknownCategories`. Profile
    /// columns present are read too, unless `profiles` is false (assignment alone needs none).
    /// - Throws: ``PersonaDataError`` naming the row, column and value.
    /// - Complexity: O(rows × columns).
    public func read(_ cells: some CellSource, idColumn: String? = nil,
                     unknownCategories: UnknownCategoryPolicy = .treatAsMissing,
                     profiles: Bool = true) throws(PersonaDataError) -> CustomerData {
        var schema = self.schema
        schema.weightColumn = nil
        if let idColumn { schema.idColumn = idColumn }
        // Profile columns are optional at assignment time; ignored ones are never read.
        schema.attributes = schema.attributes.filter { attribute in
            attribute.role == .segment
                || (profiles && attribute.role == .profile && cells.columnIndex(named: attribute.name) != nil)
        }
        return try CustomerData(cells: cells, schema: schema, unknownCategories: unknownCategories,
                                requireAllColumns: false)
    }

    /// Assigns encoded rows to their nearest persona.
    ///
    /// - Parameters:
    ///   - matrix: rows encoded with ``encoder``.
    ///   - threads: worker threads, or `nil` for every core; results do not depend on it.
    /// - Complexity: O(rows × k × width).
    public func assign(_ matrix: FeatureMatrix, threads: Int? = nil) -> [PersonaAssignment] {
        precondition(matrix.columns == encoder.width, "matrix width must match the encoder")
        let n = matrix.rows, d = matrix.columns
        let encoding = customerEncoding
        let out = WorkBuffer<PersonaAssignment.Packed>(repeating: .init(), count: n)
        ChunkedParallel(rows: n, threads: threads).forEachChunk { _, rows in
            matrix.withValues { x in
                encoding.nearest(rows: x + rows.lowerBound * d, count: rows.count, into: out.base + rows.lowerBound)
            }
        }
        return (0..<n).map { encoding.assignment(out[$0]) }
    }

    /// Encodes and assigns customers.
    /// - Throws: ``PersonaDataError/missingColumn(name:)`` when a segment attribute is absent.
    /// - Complexity: O(rows × k × width).
    public func assign(_ data: CustomerData, threads: Int? = nil) throws(PersonaDataError) -> [PersonaAssignment] {
        assign(try encoder.transform(data), threads: threads)
    }

    /// Reads, encodes and assigns raw customer rows.
    /// - Throws: ``PersonaDataError`` naming the row, column and value of the first bad cell.
    /// - Complexity: O(rows × (columns + k × width)).
    public func assign(table: RawTable, unknownCategories: UnknownCategoryPolicy = .treatAsMissing,
                       threads: Int? = nil) throws(PersonaDataError) -> [PersonaAssignment] {
        try assign(read(table, unknownCategories: unknownCategories), threads: threads)
    }
}
