/// Options of ``PersonaMatching``.
public struct MatchingOptions: Sendable, Hashable, Codable {
    /// The MONIC thresholds. ``TransitionThresholds/survival`` (τ, default 0.5) is also the
    /// least share of a previous persona's continuing customers a current persona must hold
    /// to continue its identity.
    public var thresholds: TransitionThresholds
    /// Without members: a current persona can continue a previous one only when its centre
    /// lies within this multiple of the previous persona's mean distance (its radius) from
    /// the previous centre. > 0; default 0.5.
    public var radius: Double

    /// Creates options.
    public init(thresholds: TransitionThresholds = TransitionThresholds(), radius: Double = 0.5) {
        self.thresholds = thresholds
        self.radius = radius
    }

    /// Checks every option's range.
    /// - Throws: ``DriftError/invalidOption(name:value:expected:)``.
    public func validate() throws(DriftError) {
        try thresholds.validate()
        guard radius > 0 && radius.isFinite else { throw .invalidOption(name: "radius", value: radius, expected: "finite and > 0") }
    }
}

/// The identities of a model's personas carried over from an earlier model: which persona
/// continues which, which are new, which retired, and the model with identities applied.
///
/// **By shared members** (both periods' customer → persona maps known): the match matrix
/// counts the customers each pair of personas shares (customers present in both periods).
/// A pair is eligible when the current persona holds at least τ
/// (``TransitionThresholds/survival``, default 0.5) of the previous persona's continuing
/// customers and at least ``TransitionThresholds/retention`` of its customers continue —
/// exactly MONIC's survival or absorption (see ``PersonaEvents``). The Hungarian method then pairs
/// previous and current personas one-to-one so that the eligible pairs share as many
/// customers as possible. So a survivor always keeps its identity; of personas absorbed into
/// one, the one that brought the most customers lends its identity; the parts of a split and
/// emerging personas get new identities.
///
/// **By centres** (members unknown): each current centre is re-encoded into the previous
/// model's units (``FeatureEncoder/reencode(_:from:)``), a pair is eligible when the centres
/// lie within ``MatchingOptions/radius`` × the previous persona's mean distance, and the
/// Hungarian method pairs as many eligible personas as possible at the least total distance.
///
/// A continuing persona keeps its identifier **and its name** (names are for people, who
/// learn them: a persona that drifted is still reported under its name; ``PersonaEvents`` and
/// ``DistributionDrift`` say how it changed). New personas get identifiers from the
/// previous model's ``PersonaModel/nextPersonaID`` on, in the current model's order, and keep
/// their suggested names (with " (2)", … against a name already taken). Previous personas not
/// continued are appended to ``PersonaModel/retiredPersonaIDs``. Every persona's
/// ``Persona/parents`` lists the previous personas it came from: its own identifier first
/// when it continues one, then (by members) the other personas it absorbed and the persona it
/// split from.
public struct PersonaMatching: Sendable {
    /// What the matching compared.
    public enum Basis: String, Sendable, Hashable, Codable, CaseIterable {
        /// The customers the personas share.
        case members
        /// The distance between centres.
        case centroids
    }

    /// A current persona that continues a previous one.
    public struct Match: Sendable, Hashable {
        /// The previous persona, whose identity continues.
        public var previous: Int
        /// The persona's identifier in the current model as it was given (before matching).
        public var current: Int
        /// By members: the customers both share.
        public var sharedCustomers: Int?
        /// By members: the share of the previous persona's continuing customers in the
        /// current one.
        public var overlap: Double?
        /// The distance between the centres in the previous model's encoded units.
        public var distance: Double
    }

    /// What was compared.
    public let basis: Basis
    /// The continuations, in the current model's persona order.
    public let matches: [Match]
    /// The current model's identifiers as given → the identifiers they now carry.
    public let identities: [Int: Int]
    /// Previous personas that did not continue (now retired), in the previous model's order.
    public let retired: [Int]
    /// Identifiers given to new personas, increasing.
    public let introduced: [Int]
    /// The MONIC events, with the identifiers now carried (by members only; `nil` by centres).
    public let events: [PersonaEvent]?
    /// The current model with the identities, names and parents applied, and the previous
    /// model's ``PersonaModel/nextPersonaID`` and retired identifiers carried on.
    public let model: PersonaModel

    /// Matches the personas of `current` to those of `previous`.
    ///
    /// - Parameters:
    ///   - previous: the earlier model.
    ///   - current: a model trained on later data, with identities of its own (for example
    ///     freshly trained, identifiers from 1).
    ///   - previousMembers: customer identifier → previous persona, or `nil` when unknown.
    ///   - currentMembers: customer identifier → current persona (the current model's
    ///     identifiers as given), or `nil` when unknown. Matching is by members when both
    ///     maps are given, by centres otherwise.
    ///   - options: thresholds and the radius multiple.
    /// - Throws: ``DriftError`` when a customer's persona is not in its model, an option is
    ///   out of range or the models share no attribute; ``ModelValidationError`` when the
    ///   result would not load again.
    /// - Complexity: O(n log n + k³ + k² × width) for n customers and k personas.
    public static func match(previous: PersonaModel, current: PersonaModel,
                             previousMembers: [String: Int]?, currentMembers: [String: Int]?,
                             options: MatchingOptions = MatchingOptions()) throws -> PersonaMatching {
        try options.validate()
        guard previous.encoder.sharesAttributes(with: current.encoder) else { throw DriftError.noCommonAttributes }
        let from = previous.personas, to = current.personas
        var distances = [Double](repeating: 0, count: from.count * to.count)
        for (i, p) in from.enumerated() {
            for (j, c) in to.enumerated() {
                distances[i * to.count + j] = PersonaEvents.centreDistance(c, of: current, to: p, of: previous)
            }
        }

        // Pairs (previous index, current index) that continue an identity.
        var pairs = [(previous: Int, current: Int)]()
        var transitions: PersonaTransitions? = nil
        if let previousMembers, let currentMembers {
            try PersonaEvents.checkMembers(previousMembers, of: previous, period: .previous)
            try PersonaEvents.checkMembers(currentMembers, of: current, period: .current)
            let t = PersonaTransitions(previous: previousMembers, current: currentMembers,
                                       previousPersonas: from.map(\.id), currentPersonas: to.map(\.id))
            // The shared customers of eligible pairs (MONIC survival or absorption), else 0.
            var shared = [Double](repeating: 0, count: from.count * to.count)
            for i in from.indices {
                guard let overlaps = t.overlaps(row: i, retention: options.thresholds.retention) else { continue }
                for j in to.indices where overlaps[j] >= options.thresholds.survival {
                    shared[i * to.count + j] = Double(t.count(from: .persona(from[i].id), to: .persona(to[j].id)))
                }
            }
            pairs = Hungarian.maximumWeight(shared, rows: from.count, columns: to.count).pairs
                .filter { shared[$0.row * to.count + $0.column] > 0 }
                .map { ($0.row, $0.column) }
            transitions = t
        } else {
            var eligible = [Bool](repeating: false, count: distances.count)
            var total = 0.0
            for i in from.indices {
                for j in to.indices where distances[i * to.count + j] <= options.radius * from[i].meanDistance {
                    eligible[i * to.count + j] = true
                    total += distances[i * to.count + j]
                }
            }
            // An ineligible pair costs more than all eligible ones together: as many
            // continuations as possible first, then the least total distance.
            let costs = distances.indices.map { eligible[$0] ? distances[$0] : total + 1 }
            pairs = Hungarian.minimumCost(costs, rows: from.count, columns: to.count).pairs
                .filter { eligible[$0.row * to.count + $0.column] }
                .map { ($0.row, $0.column) }
        }

        // Identities: continued, then new ones in the current model's order.
        let continued = Dictionary(uniqueKeysWithValues: pairs.map { ($0.current, $0.previous) })
        var identities = [Int: Int]()
        var introduced = [Int]()
        var next = previous.nextPersonaID
        for (j, c) in to.enumerated() {
            if let i = continued[j] {
                identities[c.id] = from[i].id
            } else {
                identities[c.id] = next
                introduced.append(next)
                next += 1
            }
        }
        let matchedPrevious = Set(pairs.map(\.previous))
        let retired = from.indices.filter { !matchedPrevious.contains($0) }.map { from[$0].id }

        // Names: continuing personas keep theirs; new ones keep their own unless taken.
        var personas = to
        var used = Set(to.indices.compactMap { continued[$0].map { from[$0].name } })
        for j in personas.indices {
            personas[j].id = identities[to[j].id]!
            if let i = continued[j] {
                personas[j].name = from[i].name
                personas[j].parents = [from[i].id]
            } else {
                personas[j].name = PersonaModel.uniqueName(to[j].name, used: &used)
                personas[j].parents = []
            }
        }
        var model = current.replacing(personas: personas, nextPersonaID: next,
                                      retiredPersonaIDs: previous.retiredPersonaIDs + retired)

        // Events with the new identities; merges and splits add parents.
        var events: [PersonaEvent]? = nil
        if let transitions {
            let relabelled = PersonaTransitions(
                previous: previousMembers!, current: currentMembers!.mapValues { identities[$0]! },
                previousPersonas: transitions.previousPersonas, currentPersonas: personas.map(\.id))
            let detected = PersonaEvents.detect(relabelled, previous: previous, current: model, thresholds: options.thresholds)
            var extra = [Int: Set<Int>]()
            for event in detected where event.kind == .absorption || event.kind == .split {
                for c in event.currentPersonas { extra[c, default: []].formUnion(event.previousPersonas) }
            }
            for j in personas.indices {
                let others = extra[personas[j].id, default: []].subtracting(personas[j].parents).sorted()
                personas[j].parents += others
            }
            model = model.replacing(personas: personas, nextPersonaID: next, retiredPersonaIDs: model.retiredPersonaIDs)
            events = detected
        }
        try model.validate()

        let matches = pairs.sorted { $0.current < $1.current }.map { pair in
            let count = transitions.map { $0.counts[pair.previous * (to.count + 1) + pair.current] }
            let continuing = transitions.map { $0.continuing(row: pair.previous) }
            return Match(previous: from[pair.previous].id, current: to[pair.current].id, sharedCustomers: count,
                         overlap: count.flatMap { c in continuing.map { Double(c) / Double($0) } },
                         distance: distances[pair.previous * to.count + pair.current])
        }
        return PersonaMatching(basis: transitions == nil ? .centroids : .members, matches: matches,
                               identities: identities, retired: retired, introduced: introduced,
                               events: events, model: model)
    }

    /// Assignments made with the current model as given, with the identities now carried
    /// (persona and runner-up).
    /// - Complexity: O(n).
    public func relabel(_ assignments: [PersonaAssignment]) -> [PersonaAssignment] {
        assignments.map { a in
            var a = a
            a.persona = identities[a.persona] ?? a.persona
            a.runnerUp = a.runnerUp.map { identities[$0] ?? $0 }
            return a
        }
    }

    /// A customer → persona map of the current model as given, with the identities now
    /// carried.
    /// - Complexity: O(n).
    public func relabel(_ members: [String: Int]) -> [String: Int] {
        members.mapValues { identities[$0] ?? $0 }
    }
}

extension PersonaModel {
    /// The same model with other personas (same centres, in the same order) and identity
    /// bookkeeping.
    func replacing(personas: [Persona], nextPersonaID: Int, retiredPersonaIDs: [Int]) -> PersonaModel {
        PersonaModel(schema: schema, encoder: encoder, personas: personas, nextPersonaID: nextPersonaID,
                     retiredPersonaIDs: retiredPersonaIDs, projection: projection, training: training)
    }
}
