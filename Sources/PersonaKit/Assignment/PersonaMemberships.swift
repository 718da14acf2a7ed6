/// The spread σ² of a model's soft memberships, and where it came from.
///
/// A customer's membership of persona p is the softmax of −d²ₚ / (2σ²) over the personas
/// (see ``PersonaModel/memberships(_:scale:threads:)``): the posterior of a mixture of
/// isotropic Gaussians with equal weights, one per persona, each of variance σ² in every
/// encoded dimension.
public struct MembershipScale: Sendable, Hashable {
    /// Where σ² came from.
    public enum Source: String, Sendable, Hashable {
        /// Recorded at training (``TrainingSummary/membershipVariance``): the mean
        /// within-persona squared distance per encoded dimension.
        case training
        /// Estimated from the personas' mean distances (a model written before σ² was
        /// recorded); see ``PersonaModel/membershipScale()``.
        case personaDistances
    }

    /// σ², in squared encoded units (≥ 0, finite).
    public var variance: Double
    /// Where it came from.
    public var source: Source

    /// Creates a scale.
    /// - Precondition: `variance` is finite and ≥ 0.
    public init(variance: Double, source: Source) {
        precondition(variance.isFinite && variance >= 0, "σ² must be finite and ≥ 0")
        self.variance = variance
        self.source = source
    }

    /// σ, in encoded units.
    public var sigma: Double { variance.squareRoot() }

    /// 1 / (2σ²), the factor of the squared-distance differences in the exponent; +∞ when
    /// σ² = 0 (memberships then put everything on the nearest personas).
    public var rate: Double { 0.5 / variance }
}

/// Why a model cannot give soft memberships.
public enum MembershipError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model records no σ² (it was written before σ² was recorded) and none of its
    /// personas has training customers with a mean distance to estimate σ² from.
    case noSpread

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .noSpread:
            "the model records no within-persona spread to compute memberships with (no training.membershipVariance, "
                + "and no persona with training customers to estimate it from); retrain it with this version of persona"
        }
    }
}

/// Soft memberships of a batch of customers: per customer, one value per persona of the
/// model, in [0, 1] and summing to 1, the largest on the assigned persona.
///
/// Values are stored row-major, one row per customer and one column per persona in model
/// order (``personas``).
public struct PersonaMemberships: Sendable, Hashable {
    /// The personas' identifiers, in model order: the columns.
    public let personas: [Int]
    /// The spread the memberships were computed with.
    public let scale: MembershipScale
    /// rows × personas values, row-major.
    public let values: [Double]

    /// Memberships from their parts.
    /// - Precondition: `values.count` is a multiple of `personas.count` (> 0).
    public init(personas: [Int], scale: MembershipScale, values: [Double]) {
        precondition(!personas.isEmpty && values.count % personas.count == 0, "one value per persona and row")
        self.personas = personas
        self.scale = scale
        self.values = values
    }

    /// Customers.
    public var rows: Int { values.count / personas.count }

    /// The name of persona `id`'s membership column, in the assignment CSV and the SQL
    /// export alike: `membership_<id>`.
    public static func columnName(persona id: Int) -> String { "membership_\(id)" }

    /// Customer `row`'s memberships, in model order.
    /// - Complexity: O(1).
    public subscript(row: Int) -> ArraySlice<Double> {
        precondition((0..<rows).contains(row), "row \(row) out of range 0..<\(rows)")
        return values[row * personas.count ..< (row + 1) * personas.count]
    }

    /// Customer `row`'s membership of persona `id`, or `nil` when the model has no such persona.
    /// - Complexity: O(personas).
    public func membership(row: Int, persona id: Int) -> Double? {
        precondition((0..<rows).contains(row), "row \(row) out of range 0..<\(rows)")
        return personas.firstIndex(of: id).map { values[row * personas.count + $0] }
    }
}
