/// One persona of a model: its stable identity, its centre and what training saw of it.
public struct Persona: Sendable, Hashable, Codable {
    /// The stable identifier (never reused for another persona).
    public var id: Int
    /// The display name (suggested from the most distinguishing attributes; may be edited).
    public var name: String
    /// The centre in encoded space (the encoder's columns).
    public var centroid: [Float]
    /// Training customers assigned to it.
    public var size: Int
    /// Their total sample weight (equals ``size`` without weights).
    public var weight: Double
    /// Their share of the total training weight.
    public var share: Double
    /// Mean Euclidean distance of its training customers to the centre.
    public var meanDistance: Double
    /// A customer farther than this from the centre is flagged an outlier: halfway between
    /// the 99th percentile (nearest rank) of its training customers' distances and the next
    /// larger one, so about 1% of training customers are flagged.
    public var outlierDistance: Double
    /// Identifiers of the previous model's personas it came from: its own identifier first
    /// when it continues one, then the other personas it absorbed and the persona it split
    /// from (see ``PersonaMatching``). Empty for a first model and for a persona that emerged.
    public var parents: [Int]

    /// Creates a persona.
    public init(id: Int, name: String, centroid: [Float], size: Int, weight: Double, share: Double,
                meanDistance: Double, outlierDistance: Double, parents: [Int] = []) {
        self.id = id
        self.name = name
        self.centroid = centroid
        self.size = size
        self.weight = weight
        self.share = share
        self.meanDistance = meanDistance
        self.outlierDistance = outlierDistance
        self.parents = parents
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, centroid, size, weight, share, meanDistance, outlierDistance, parents
    }

    /// Decodes a persona; the centroid is stored as exact decimal `Double`s.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        let values = try c.decode([Double].self, forKey: .centroid)
        guard values.allSatisfy({ $0.isFinite && Double(Float($0)) == $0 }) else {
            throw DecodingError.dataCorruptedError(forKey: .centroid, in: c,
                                                   debugDescription: "centroid values must be finite 32-bit floats")
        }
        centroid = values.map { Float($0) }
        size = try c.decode(Int.self, forKey: .size)
        weight = try c.decode(Double.self, forKey: .weight)
        share = try c.decode(Double.self, forKey: .share)
        meanDistance = try c.decode(Double.self, forKey: .meanDistance)
        outlierDistance = try c.decode(Double.self, forKey: .outlierDistance)
        parents = try c.decodeIfPresent([Int].self, forKey: .parents) ?? []
    }

    /// Encodes a persona; the centroid is written as `Double`s, which read back exactly.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(centroid.map { Double($0) }, forKey: .centroid)
        try c.encode(size, forKey: .size)
        try c.encode(weight, forKey: .weight)
        try c.encode(share, forKey: .share)
        try c.encode(meanDistance, forKey: .meanDistance)
        try c.encode(outlierDistance, forKey: .outlierDistance)
        try c.encode(parents, forKey: .parents)
    }
}

/// The persona a customer is assigned to, with how clearly.
public struct PersonaAssignment: Sendable, Hashable {
    /// The assigned persona's identifier.
    public var persona: Int
    /// Euclidean distance to the assigned persona's centre, in encoded space.
    public var distance: Double
    /// The next-nearest persona, or `nil` for a one-persona model.
    public var runnerUp: Int?
    /// Distance to the runner-up.
    public var runnerUpDistance: Double?
    /// Whether the distance exceeds the persona's ``Persona/outlierDistance``.
    public var isOutlier: Bool

    /// Distance to the runner-up minus distance to the assigned persona (≥ 0), or `nil`.
    public var margin: Double? { runnerUpDistance.map { $0 - distance } }

    /// Creates an assignment (as read back from an assignment file, say).
    public init(persona: Int, distance: Double, runnerUp: Int?, runnerUpDistance: Double?, isOutlier: Bool) {
        self.persona = persona
        self.distance = distance
        self.runnerUp = runnerUp
        self.runnerUpDistance = runnerUpDistance
        self.isOutlier = isOutlier
    }

    /// The kernel's raw result for one row, as worker threads write it.
    struct Packed: BitwiseCopyable {
        var first: Int32 = 0
        var firstDistance: Float = 0
        var second: Int32 = -1
        var secondDistance: Float = 0
    }
}

/// Training facts recorded in a model.
public struct TrainingSummary: Sendable, Hashable, Codable {
    /// The k-means configuration used.
    public var configuration: KMeansConfiguration
    /// Final inertia (Σ w × squared distance, encoded space).
    public var inertia: Double
    /// What k-means did.
    public var diagnostics: KMeansDiagnostics
    /// Training rows.
    public var rowCount: Int
    /// Total sample weight.
    public var totalWeight: Double
    /// A hash of the training data, if the caller supplied one.
    public var dataHash: String?
    /// The PersonaKit version that trained the model.
    public var libraryVersion: String
    /// When the model was created (ISO 8601), if the caller supplied it.
    public var createdAt: String?
    /// σ², the spread of the soft memberships (``PersonaModel/memberships(_:threads:)``):
    /// the mean within-persona squared distance per encoded dimension,
    /// ``inertia`` / (``totalWeight`` × encoded width). `nil` in models written before it was
    /// recorded; memberships then estimate it from the personas (see
    /// ``PersonaModel/membershipScale()``).
    public var membershipVariance: Double? = nil
    /// Batches the model was updated with since it was trained
    /// (``PersonaModel/update(with:weights:decay:threads:)``); `nil` for none. After an
    /// update, ``inertia``, ``rowCount``, ``totalWeight`` and ``membershipVariance`` include the
    /// batches, discounted as the personas' weights are.
    public var updates: Int? = nil
}

/// The PersonaKit version written into models.
public let personaKitVersion = "0.1.0"
