/// The thresholds of the MONIC transitions (see ``PersonaEvents``).
public struct TransitionThresholds: Sendable, Hashable, Codable {
    /// τ: a previous persona survives into (or is absorbed by) the current persona that holds
    /// at least this share of its continuing customers. In (0, 1]; default 0.5. Retraining
    /// also uses it to decide which personas keep their identity (see ``PersonaMatching``).
    public var survival: Double
    /// τ_split: the least share of a previous persona's continuing customers that a part of a
    /// split must hold. In (0, `survival`]; default 0.1.
    public var split: Double
    /// The least share of a previous persona's customers still present in the current period
    /// for it to survive, be absorbed or split: a persona whose customers have (almost) all
    /// left disappears, wherever the few who stayed went. In [0, 1]; default 0.1.
    public var retention: Double
    /// A survivor grew when its size ratio (current / previous customers) is at least
    /// `1 + sizeChange`, shrank when it is at most `1 / (1 + sizeChange)`. ≥ 0; default 0.2.
    public var sizeChange: Double
    /// A survivor became more diffuse when its mean distance to the centre grew by the factor
    /// `1 + compactnessChange` or more, more compact when it fell by that factor. ≥ 0;
    /// default 0.2.
    public var compactnessChange: Double
    /// A survivor's centre shifted when it moved by at least this multiple of the previous
    /// persona's mean distance (its radius). ≥ 0; default 0.25.
    public var locationShift: Double

    /// Creates thresholds; the defaults are MONIC's τ = 0.5 and τ_split = 0.1.
    public init(survival: Double = 0.5, split: Double = 0.1, retention: Double = 0.1, sizeChange: Double = 0.2,
                compactnessChange: Double = 0.2, locationShift: Double = 0.25) {
        self.survival = survival
        self.split = split
        self.retention = retention
        self.sizeChange = sizeChange
        self.compactnessChange = compactnessChange
        self.locationShift = locationShift
    }

    /// Checks every threshold's range.
    /// - Throws: ``DriftError/invalidOption(name:value:expected:)`` naming the first bad one.
    public func validate() throws(DriftError) {
        guard survival > 0 && survival <= 1 else { throw .invalidOption(name: "survival", value: survival, expected: "in (0, 1]") }
        guard split > 0 && split <= survival else {
            throw .invalidOption(name: "split", value: split, expected: "in (0, survival=\(survival)]")
        }
        guard retention >= 0 && retention <= 1 else { throw .invalidOption(name: "retention", value: retention, expected: "in [0, 1]") }
        for (name, value) in [("sizeChange", sizeChange), ("compactnessChange", compactnessChange),
                              ("locationShift", locationShift)] where !(value >= 0 && value.isFinite) {
            throw .invalidOption(name: name, value: value, expected: "finite and ≥ 0")
        }
    }
}

/// A change inside a surviving persona (MONIC's internal transitions).
public enum InternalTransition: String, Sendable, Hashable, Codable, CaseIterable {
    /// More customers than before (by ``TransitionThresholds/sizeChange``).
    case grew
    /// Fewer customers than before.
    case shrank
    /// Its customers sit closer to the centre (by ``TransitionThresholds/compactnessChange``).
    case moreCompact
    /// Its customers sit farther from the centre.
    case moreDiffuse
    /// The centre moved (by ``TransitionThresholds/locationShift`` radii or more).
    case shifted
}

/// A previous persona that lives on as one current persona, and how it changed.
public struct PersonaSurvival: Sendable, Hashable {
    /// The previous persona.
    public var previous: Int
    /// The current persona it survives as.
    public var current: Int
    /// The share of the previous persona's continuing customers now in the current one.
    public var overlap: Double
    /// The previous persona's customers (all of them, including those who left since).
    public var previousSize: Int
    /// The current persona's customers (all of them, including new ones).
    public var currentSize: Int
    /// The mean distance of the previous persona's customers to its centre, in the previous
    /// model's encoded units.
    public var previousMeanDistance: Double
    /// The same for the current persona, converted to the previous model's encoded units
    /// (``FeatureEncoder/lengthRatio(from:)``), so that a change in how the population is
    /// standardised does not read as a change of compactness.
    public var currentMeanDistance: Double
    /// How far the centre moved, in the previous model's encoded units (the current centre
    /// re-encoded, see ``FeatureEncoder/reencode(_:from:)``).
    public var centreShift: Double

    /// Creates a survival record.
    public init(previous: Int, current: Int, overlap: Double, previousSize: Int, currentSize: Int,
                previousMeanDistance: Double, currentMeanDistance: Double, centreShift: Double) {
        self.previous = previous
        self.current = current
        self.overlap = overlap
        self.previousSize = previousSize
        self.currentSize = currentSize
        self.previousMeanDistance = previousMeanDistance
        self.currentMeanDistance = currentMeanDistance
        self.centreShift = centreShift
    }

    /// `currentSize / previousSize`.
    public var sizeRatio: Double { Double(currentSize) / Double(previousSize) }
    /// `currentMeanDistance / previousMeanDistance` (below 1: more compact), or `nil` when the
    /// previous mean distance is 0.
    public var compactnessRatio: Double? { previousMeanDistance > 0 ? currentMeanDistance / previousMeanDistance : nil }
    /// ``centreShift`` in radii of the previous persona (its mean distance), or `nil` when
    /// that is 0.
    public var relativeShift: Double? { previousMeanDistance > 0 ? centreShift / previousMeanDistance : nil }

    /// The internal transitions beyond `thresholds`, in ``InternalTransition`` order.
    public func changes(_ thresholds: TransitionThresholds = TransitionThresholds()) -> [InternalTransition] {
        var changes = [InternalTransition]()
        let size = 1 + thresholds.sizeChange
        if sizeRatio >= size && currentSize != previousSize { changes.append(.grew) }
        if sizeRatio <= 1 / size && currentSize != previousSize { changes.append(.shrank) }
        if let ratio = compactnessRatio, ratio != 1 {
            if ratio <= 1 / (1 + thresholds.compactnessChange) { changes.append(.moreCompact) }
            if ratio >= 1 + thresholds.compactnessChange { changes.append(.moreDiffuse) }
        }
        if centreShift > 0 && centreShift >= thresholds.locationShift * previousMeanDistance { changes.append(.shifted) }
        return changes
    }
}

/// What happened to personas between two periods (MONIC's external transitions).
public enum PersonaEvent: Sendable, Hashable {
    /// A previous persona lives on as one current persona.
    case survival(PersonaSurvival)
    /// Several previous personas merged into one current persona; `overlaps[i]` is the share
    /// of `sources[i]`'s continuing customers now in `into`.
    case absorption(sources: [Int], into: Int, overlaps: [Double])
    /// A previous persona split into several current personas; `overlaps[i]` is the share of
    /// its continuing customers now in `into[i]`.
    case split(source: Int, into: [Int], overlaps: [Double])
    /// A previous persona faded: its customers left, or scattered so that no current persona
    /// holds τ of them and the parts holding τ_split or more add up to less than τ.
    /// `largestOverlap` is the largest share that went to one current persona (0 when none of
    /// its customers continues).
    case disappearance(persona: Int, largestOverlap: Double)
    /// A current persona that continues no previous one; `size` customers, of whom
    /// `newCustomerShare` are new customers (`nil` when it has none).
    case emergence(persona: Int, size: Int, newCustomerShare: Double?)

    /// The kinds of event.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// ``PersonaEvent/survival(_:)``.
        case survival
        /// ``PersonaEvent/absorption(sources:into:overlaps:)``.
        case absorption
        /// ``PersonaEvent/split(source:into:overlaps:)``.
        case split
        /// ``PersonaEvent/disappearance(persona:largestOverlap:)``.
        case disappearance
        /// ``PersonaEvent/emergence(persona:size:newCustomerShare:)``.
        case emergence
    }

    /// This event's kind.
    public var kind: Kind {
        switch self {
        case .survival: .survival
        case .absorption: .absorption
        case .split: .split
        case .disappearance: .disappearance
        case .emergence: .emergence
        }
    }

    /// The previous personas involved.
    public var previousPersonas: [Int] {
        switch self {
        case .survival(let s): [s.previous]
        case .absorption(let sources, _, _): sources
        case .split(let source, _, _): [source]
        case .disappearance(let persona, _): [persona]
        case .emergence: []
        }
    }

    /// The current personas involved.
    public var currentPersonas: [Int] {
        switch self {
        case .survival(let s): [s.current]
        case .absorption(_, let into, _): [into]
        case .split(_, let into, _): into
        case .disappearance: []
        case .emergence(let persona, _, _): [persona]
        }
    }
}

/// MONIC: the transitions of personas between two periods, from the customers they share.
///
/// For a previous persona X and a current persona Y, `overlap(X, Y)` is the share of X's
/// *continuing* customers (those present in both periods) that are in Y. With the thresholds
/// τ (``TransitionThresholds/survival``) and τ_split (``TransitionThresholds/split``):
///
/// - X **survives** as Y when Y holds the largest share of X, `overlap(X, Y) ≥ τ`, and no
///   other previous persona reaches τ in Y;
/// - X and others are **absorbed** by Y when two or more previous personas reach τ in Y;
/// - X **splits** into Y₁ … Yₚ when no current persona reaches τ, each `overlap(X, Yᵢ) ≥
///   τ_split`, and together `Σ overlap(X, Yᵢ) ≥ τ`;
/// - X **disappears** otherwise, and whenever fewer than ``TransitionThresholds/retention``
///   (default 0.1) of its customers are still present (its customers left);
/// - Y **emerges** when it is neither a survivor, an absorber nor a part of a split.
///
/// Survivors also report MONIC's internal transitions (``PersonaSurvival``): size, compactness
/// and location. Customers who left and new customers do not count in the overlaps (as
/// records that left MONIC's window), so churn alone never turns a survival into a
/// disappearance.
///
/// Reference: M. Spiliopoulou, I. Ntoutsi, Y. Theodoridis & R. Schult, "MONIC – Modeling and
/// Monitoring Cluster Transitions", KDD 2006.
public enum PersonaEvents {
    /// The MONIC events between two models' personas.
    ///
    /// - Parameters:
    ///   - previous: the previous model.
    ///   - current: the current model (its personas identified as you want them reported).
    ///   - previousMembers: customer identifier → previous persona.
    ///   - currentMembers: customer identifier → current persona.
    ///   - thresholds: τ, τ_split and the internal-transition thresholds.
    /// - Returns: one event per previous persona (an absorption once, at its first source),
    ///   in the previous model's persona order, then the emergences in the current model's
    ///   order.
    /// - Throws: ``DriftError`` when a customer's persona is not in its model, the
    ///   thresholds are out of range, or the models share no attribute.
    /// - Complexity: O(n log n + k_previous × k_current × (k_previous + k_current + width))
    ///   for n customers.
    public static func detect(previous: PersonaModel, current: PersonaModel,
                              previousMembers: [String: Int], currentMembers: [String: Int],
                              thresholds: TransitionThresholds = TransitionThresholds()) throws(DriftError) -> [PersonaEvent] {
        try thresholds.validate()
        try checkMembers(previousMembers, of: previous, period: .previous)
        try checkMembers(currentMembers, of: current, period: .current)
        guard previous.encoder.sharesAttributes(with: current.encoder) else { throw .noCommonAttributes }
        let transitions = PersonaTransitions(previous: previousMembers, current: currentMembers,
                                             previousPersonas: previous.personas.map(\.id),
                                             currentPersonas: current.personas.map(\.id))
        return detect(transitions, previous: previous, current: current, thresholds: thresholds)
    }

    /// The events from a transition matrix whose rows and columns are exactly the models'
    /// personas, in model order; inputs already checked.
    static func detect(_ t: PersonaTransitions, previous: PersonaModel, current: PersonaModel,
                       thresholds: TransitionThresholds) -> [PersonaEvent] {
        let from = t.previousPersonas, to = t.currentPersonas
        precondition(from == previous.personas.map(\.id) && to == current.personas.map(\.id), "rows and columns in model order")
        var sources = [[Int]](repeating: [], count: to.count)      // survival candidates per current persona
        var outcome = [Outcome](repeating: .disappearance(largest: 0), count: from.count)
        var reached = [Bool](repeating: false, count: to.count)
        for x in from.indices {
            guard let overlaps = t.overlaps(row: x, retention: thresholds.retention) else { continue }
            let best = overlaps.indices.max { overlaps[$0] < overlaps[$1] || (overlaps[$0] == overlaps[$1] && $0 > $1) }!
            if overlaps[best] >= thresholds.survival {
                sources[best].append(x)
                outcome[x] = .survival(into: best, overlap: overlaps[best])
                continue
            }
            let parts = overlaps.indices.filter { overlaps[$0] >= thresholds.split }
            if parts.map({ overlaps[$0] }).reduce(0, +) >= thresholds.survival {
                outcome[x] = .split(parts: parts, overlaps: parts.map { overlaps[$0] })
                for y in parts { reached[y] = true }
            } else {
                outcome[x] = .disappearance(largest: overlaps[best])
            }
        }

        var events = [PersonaEvent]()
        for x in from.indices {
            switch outcome[x] {
            case .survival(let y, let overlap):
                reached[y] = true
                if sources[y].count == 1 {
                    events.append(.survival(survival(x, y, overlap, t, previous, current)))
                } else if sources[y].first == x {
                    let overlaps = sources[y].map { s -> Double in
                        guard case .survival(_, let o) = outcome[s] else { preconditionFailure("a source survives") }
                        return o
                    }
                    events.append(.absorption(sources: sources[y].map { from[$0] }, into: to[y], overlaps: overlaps))
                }
            case .split(let parts, let overlaps):
                events.append(.split(source: from[x], into: parts.map { to[$0] }, overlaps: overlaps))
            case .disappearance(let largest):
                events.append(.disappearance(persona: from[x], largestOverlap: largest))
            }
        }
        for y in to.indices where !reached[y] {
            let size = t.total(to: .persona(to[y]))
            let new = t.count(from: .absent, to: .persona(to[y]))
            events.append(.emergence(persona: to[y], size: size, newCustomerShare: size > 0 ? Double(new) / Double(size) : nil))
        }
        return events
    }

    private enum Outcome {
        case survival(into: Int, overlap: Double)
        case split(parts: [Int], overlaps: [Double])
        case disappearance(largest: Double)
    }

    private static func survival(_ x: Int, _ y: Int, _ overlap: Double, _ t: PersonaTransitions,
                                 _ previous: PersonaModel, _ current: PersonaModel) -> PersonaSurvival {
        let p = previous.personas[x], c = current.personas[y]
        return PersonaSurvival(previous: p.id, current: c.id, overlap: overlap,
                               previousSize: t.total(from: .persona(p.id)), currentSize: t.total(to: .persona(c.id)),
                               previousMeanDistance: p.meanDistance,
                               currentMeanDistance: c.meanDistance * previous.encoder.lengthRatio(from: current.encoder),
                               centreShift: centreDistance(c, of: current, to: p, of: previous))
    }

    /// The distance between a current persona's centre and a previous persona's, in the
    /// previous model's encoded units.
    static func centreDistance(_ c: Persona, of current: PersonaModel, to p: Persona, of previous: PersonaModel) -> Double {
        let moved = previous.encoder.reencode(c.centroid, from: current.encoder)
        return zip(moved, p.centroid).reduce(0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) }.squareRoot()
    }

    /// Checks that every customer's persona belongs to `model`.
    static func checkMembers(_ members: [String: Int], of model: PersonaModel, period: DriftPeriod) throws(DriftError) {
        let known = Set(model.personas.map(\.id))
        // The smallest offending identifier, so that the message does not depend on hashing.
        if let (customer, persona) = members.filter({ !known.contains($0.value) }).min(by: { $0.key < $1.key }) {
            throw .unknownPersona(customer: customer, persona: persona, period: period, known: known.sorted())
        }
    }
}

extension PersonaTransitions {
    /// Customers of row `row` (a previous persona) present in both periods.
    func continuing(row: Int) -> Int {
        let width = currentPersonas.count + 1
        return counts[row * width ..< (row + 1) * width - 1].reduce(0, +)
    }

    /// MONIC's overlap of row `row` (a previous persona) with every current persona: the
    /// share of its continuing customers in each; `nil` when fewer than `retention` of its
    /// customers (or none) continue.
    func overlaps(row: Int, retention: Double) -> [Double]? {
        let width = currentPersonas.count + 1
        let continuing = continuing(row: row), all = continuing + counts[row * width + width - 1]
        guard continuing > 0, Double(continuing) >= retention * Double(all) else { return nil }
        return (0..<width - 1).map { Double(counts[row * width + $0]) / Double(continuing) }
    }
}
