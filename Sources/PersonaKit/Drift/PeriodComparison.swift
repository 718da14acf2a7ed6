/// What is known of one period for a drift comparison: its model, its customers' personas
/// and distances, and its customers' data with their personas, each when known.
public struct PeriodSnapshot: Sendable {
    /// The period's model.
    public var model: PersonaModel?
    /// Each customer's persona.
    public var members: [String: Int]?
    /// Each customer's distance to it.
    public var distances: [String: Double]?
    /// The period's customers as read, with the persona of each row (in row order).
    public var data: (customers: CustomerData, personas: [Int])?

    /// A period.
    public init(model: PersonaModel? = nil, members: [String: Int]? = nil, distances: [String: Double]? = nil,
                data: (customers: CustomerData, personas: [Int])? = nil) {
        self.model = model
        self.members = members
        self.distances = distances
        self.data = data
    }
}

/// Two periods compared with everything their snapshots allow: customer transitions (both
/// periods' members), MONIC events (both models and members, or the events a retraining's
/// matching found), distribution drift (both periods' data), and from these the major
/// shifts. What `persona drift` and `persona retrain` report.
public struct PeriodComparison: Sendable {
    /// Customer transitions, when both periods' members are known.
    public let transitions: PersonaTransitions?
    /// MONIC events.
    public let events: [PersonaEvent]?
    /// Attribute and share drift, when both periods' data are known.
    public let distribution: DistributionDrift?

    /// Compares two periods.
    /// - Parameters:
    ///   - events: events already found (a retraining's matching); otherwise detected from
    ///     both models and members with `thresholds`.
    /// - Throws: ``DriftError`` from event detection.
    public init(previous: PeriodSnapshot, current: PeriodSnapshot, thresholds: TransitionThresholds = TransitionThresholds(),
                events: [PersonaEvent]? = nil) throws(DriftError) {
        if let before = previous.members, let after = current.members {
            transitions = PersonaTransitions(previous: before, current: after,
                                             previousDistances: previous.distances, currentDistances: current.distances,
                                             previousPersonas: previous.model?.personas.map(\.id),
                                             currentPersonas: current.model?.personas.map(\.id))
        } else {
            transitions = nil
        }
        if let events {
            self.events = events
        } else if let p = previous.model, let c = current.model, let before = previous.members, let after = current.members {
            self.events = try PersonaEvents.detect(previous: p, current: c, previousMembers: before, currentMembers: after,
                                                   thresholds: thresholds)
        } else {
            self.events = nil
        }
        if let before = previous.data, let after = current.data {
            distribution = DistributionDrift(previous: before.customers, previousPersonas: before.personas,
                                             current: after.customers, currentPersonas: after.personas)
        } else {
            distribution = nil
        }
    }
}
