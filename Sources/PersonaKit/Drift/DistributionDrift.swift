import Foundation

/// How far a distribution moved, by its Population Stability Index, in the usual bands.
public enum DriftBand: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// PSI < 0.1: no meaningful change.
    case stable
    /// 0.1 ≤ PSI ≤ 0.25: a moderate change, worth watching.
    case moderate
    /// PSI > 0.25: a major change; the personas may no longer describe the customers.
    case major

    /// The band of a PSI value.
    public init(psi: Double) {
        self = psi < 0.1 ? .stable : psi <= 0.25 ? .moderate : .major
    }

    /// Stable < moderate < major.
    public static func < (a: DriftBand, b: DriftBand) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One bin of a compared distribution, with its share in each period.
public struct DriftBin: Sendable, Hashable {
    /// What the bin holds.
    public enum Kind: Sendable, Hashable {
        /// Numbers `x` with `lower < x ≤ upper` (`nil`: unbounded on that side).
        case range(lower: Double?, upper: Double?)
        /// One category of a categorical attribute.
        case category(String)
        /// Missing values.
        case missing
    }

    /// What the bin holds.
    public var kind: Kind
    /// Its share (of weight) in the previous period.
    public var previousShare: Double
    /// Its share in the current period.
    public var currentShare: Double
}

/// The change of one attribute's distribution between two periods, for one group of
/// customers (a persona, or everyone).
public struct AttributeDrift: Sendable, Hashable {
    /// The attribute's column name.
    public var attribute: String
    /// The (weighted) mean of the previous period's values (numeric attributes).
    public var previousMean: Double?
    /// The (weighted) mean of the current period's values (numeric attributes).
    public var currentMean: Double?
    /// The previous period's population standard deviation (numeric attributes).
    public var previousDeviation: Double?
    /// (current mean − previous mean) / previous deviation; `nil` for categorical
    /// attributes, without values in a period, or when the previous deviation is 0.
    public var meanShift: Double?
    /// The bins the PSI is computed over: the previous period's deciles (numeric) or the
    /// categories (categorical), then missing values.
    public var bins: [DriftBin]
    /// The Population Stability Index over ``bins``.
    public var psi: Double
    /// The band of ``psi``.
    public var band: DriftBand { DriftBand(psi: psi) }
}

/// The change of one persona present in both periods.
public struct PersonaDrift: Sendable, Hashable {
    /// The persona identifier.
    public var persona: Int
    /// Its customers in the previous period.
    public var previousSize: Int
    /// Its customers in the current period.
    public var currentSize: Int
    /// Every attribute compared, in the previous schema's order.
    public var attributes: [AttributeDrift]

    /// The widest band of its attributes (`stable` when there are none).
    public var band: DriftBand { attributes.map(\.band).max() ?? .stable }
}

/// How the persona mix and the customers of every persona changed between two periods,
/// measured by the Population Stability Index (PSI) and standardised mean shifts.
///
/// `PSI = Σ (aᵢ − eᵢ) × ln(aᵢ / eᵢ)` over bins, with `eᵢ` the previous ("expected") and `aᵢ`
/// the current ("actual") share of bin `i`. A share of 0 would make the logarithm infinite,
/// so every share is raised to at least ``defaultEpsilon`` (10⁻⁴) before the sum; shares are
/// not renormalised afterwards. Bands: ``DriftBand``.
///
/// Bins: for a numeric attribute, the deciles of the previous period's values of the same
/// group (duplicate edges merged, so a five-level scale has at most five bins), `(-∞, q₁]`,
/// `(q₁, q₂]`, …, `(q₉, ∞)`; for a categorical attribute, each category its own bin. Missing
/// values always form a bin of their own, so a change in how often a value is missing counts
/// as drift. Sample weights are used when the data has them.
///
/// Persona identifiers are compared as they are: use personas that share identities across
/// the periods (see ``PersonaMatching``).
public struct DistributionDrift: Sendable, Hashable {
    /// The share floor for empty bins.
    public static let defaultEpsilon = 1e-4

    /// The personas in the union of both periods, in increasing identifier order.
    public let personas: [Int]
    /// Each persona's share of the previous period's weight, in ``personas`` order.
    public let previousShares: [Double]
    /// Each persona's share of the current period's weight.
    public let currentShares: [Double]
    /// The PSI of the persona shares.
    public let sharePSI: Double
    /// Every attribute compared over all customers.
    public let population: [AttributeDrift]
    /// Every persona present in both periods, in ``personas`` order.
    public let personaDrifts: [PersonaDrift]

    /// The band of ``sharePSI``.
    public var shareBand: DriftBand { DriftBand(psi: sharePSI) }

    /// The Population Stability Index of two distributions over the same bins.
    ///
    /// - Parameters:
    ///   - expected: the previous period's weight (or count, or share) per bin.
    ///   - actual: the current period's, in the same bins.
    ///   - epsilon: the floor every share is raised to (see the type's documentation).
    /// - Returns: `Σ (aᵢ − eᵢ) ln(aᵢ / eᵢ)` over the normalised shares; 0 for identical
    ///   distributions, never negative.
    /// - Precondition: equal counts; finite, non-negative values; `epsilon > 0`.
    /// - Complexity: O(bins).
    public static func populationStabilityIndex(expected: [Double], actual: [Double],
                                                epsilon: Double = defaultEpsilon) -> Double {
        precondition(expected.count == actual.count, "one value per bin in both distributions")
        precondition((expected + actual).allSatisfy { $0 >= 0 && $0.isFinite }, "bin weights must be finite and ≥ 0")
        precondition(epsilon > 0, "epsilon must be positive")
        let e = shares(expected), a = shares(actual)
        return zip(e, a).reduce(0) { sum, pair in
            let (e, a) = (max(pair.0, epsilon), max(pair.1, epsilon))
            return sum + (a - e) * log(a / e)
        }
    }

    /// Compares two periods.
    ///
    /// - Parameters:
    ///   - previous: the previous period's customers.
    ///   - previousPersonas: the persona of each of them, in data order.
    ///   - current: the current period's customers.
    ///   - currentPersonas: the persona of each of them.
    ///   - epsilon: the share floor for empty bins.
    /// - Attributes compared: every attribute of the previous schema that is not ignored
    ///   and is present in both periods with the same nature (numeric or categorical);
    ///   categories are matched by name.
    /// - Precondition: one persona per customer in each period.
    /// - Complexity: O(n log n × attributes) for n customers in all.
    public init(previous: CustomerData, previousPersonas: [Int], current: CustomerData, currentPersonas: [Int],
                epsilon: Double = defaultEpsilon) {
        precondition(previousPersonas.count == previous.count && currentPersonas.count == current.count,
                     "one persona per customer")
        precondition(epsilon > 0, "epsilon must be positive")
        let before = Self.rowsByPersona(previousPersonas), after = Self.rowsByPersona(currentPersonas)
        let personas = Set(before.keys).union(after.keys).sorted()
        func weights(_ data: CustomerData, _ groups: [Int: [Int]]) -> [Double] {
            personas.map { p in groups[p].map { rows in data.weights.map { w in rows.reduce(0) { $0 + w[$1] } } ?? Double(rows.count) } ?? 0 }
        }
        let previousWeights = weights(previous, before), currentWeights = weights(current, after)
        self.personas = personas
        previousShares = Self.shares(previousWeights)
        currentShares = Self.shares(currentWeights)
        sharePSI = Self.populationStabilityIndex(expected: previousWeights, actual: currentWeights, epsilon: epsilon)

        let compared = Self.comparedAttributes(previous, current)
        population = compared.map { Self.drift($0, previous, Array(0..<previous.count), current, Array(0..<current.count), epsilon) }
        personaDrifts = personas.compactMap { p in
            guard let rowsBefore = before[p], let rowsAfter = after[p] else { return nil }
            return PersonaDrift(persona: p, previousSize: rowsBefore.count, currentSize: rowsAfter.count,
                                attributes: compared.map { Self.drift($0, previous, rowsBefore, current, rowsAfter, epsilon) })
        }
    }

    /// The drift of persona `id`, if it is present in both periods.
    public func persona(_ id: Int) -> PersonaDrift? { personaDrifts.first { $0.persona == id } }

    // MARK: - Private

    private static func shares(_ weights: [Double]) -> [Double] {
        let total = weights.reduce(0, +)
        return total > 0 ? weights.map { $0 / total } : weights.map { _ in 0 }
    }

    private static func rowsByPersona(_ personas: [Int]) -> [Int: [Int]] {
        var groups = [Int: [Int]]()
        for (r, p) in personas.enumerated() { groups[p, default: []].append(r) }
        return groups
    }

    /// Attributes of the previous schema present in both periods with the same nature.
    private static func comparedAttributes(_ previous: CustomerData, _ current: CustomerData) -> [Attribute] {
        previous.schema.attributes.filter { attribute in
            guard attribute.role != .ignore, let a = previous.values[attribute.name], let b = current.values[attribute.name] else {
                return false
            }
            switch (a, b) {
            case (.numbers, .numbers), (.categories, .categories): return true
            default: return false
            }
        }
    }

    /// The drift of one attribute between the given rows of each period.
    private static func drift(_ attribute: Attribute, _ previous: CustomerData, _ rowsBefore: [Int],
                              _ current: CustomerData, _ rowsAfter: [Int], _ epsilon: Double) -> AttributeDrift {
        let w0 = rowsBefore.map { previous.weights?[$0] ?? 1 }, w1 = rowsAfter.map { current.weights?[$0] ?? 1 }
        switch (previous.values[attribute.name]!, current.values[attribute.name]!) {
        case (.numbers(let all0), .numbers(let all1)):
            let x0 = rowsBefore.map { all0[$0] }, x1 = rowsAfter.map { all1[$0] }
            let m0 = ScaledMoments(x0, weights: w0), m1 = ScaledMoments(x1, weights: w1)
            let edges = decileEdges(x0, w0)
            var bins = [DriftBin]()
            var lower: Double? = nil
            for upper in edges + [nil] {
                bins.append(DriftBin(kind: .range(lower: lower, upper: upper), previousShare: 0, currentShare: 0))
                lower = upper
            }
            bins.append(DriftBin(kind: .missing, previousShare: 0, currentShare: 0))
            func bin(_ x: Double) -> Int {
                guard !x.isNaN else { return bins.count - 1 }
                var low = 0, high = edges.count   // the first edge ≥ x, or the open last bin
                while low < high {
                    let mid = (low + high) / 2
                    if edges[mid] >= x { high = mid } else { low = mid + 1 }
                }
                return low
            }
            let e = binWeights(x0.map(bin), w0, bins.count), a = binWeights(x1.map(bin), w1, bins.count)
            return AttributeDrift(
                attribute: attribute.name, previousMean: m0.hasValues ? m0.mean : nil,
                currentMean: m1.hasValues ? m1.mean : nil, previousDeviation: m0.hasValues ? m0.deviation : nil,
                meanShift: m0.hasValues && m1.hasValues && m0.deviation > 0 ? (m1.mean - m0.mean) / m0.deviation : nil,
                bins: withShares(bins, e, a),
                psi: populationStabilityIndex(expected: e, actual: a, epsilon: epsilon))
        case (.categories(let all0), .categories(let all1)):
            let names0 = categories(previous.schema, attribute.name), names1 = categories(current.schema, attribute.name)
            let union = names0 + names1.filter { !names0.contains($0) }
            let index = Dictionary(union.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            let map1 = names1.map { index[$0]! }
            let missing = union.count
            let e = binWeights(rowsBefore.map { all0[$0] < 0 ? missing : Int(all0[$0]) }, w0, missing + 1)
            let a = binWeights(rowsAfter.map { all1[$0] < 0 ? missing : map1[Int(all1[$0])] }, w1, missing + 1)
            let bins = union.map { DriftBin(kind: .category($0), previousShare: 0, currentShare: 0) }
                + [DriftBin(kind: .missing, previousShare: 0, currentShare: 0)]
            return AttributeDrift(attribute: attribute.name, previousMean: nil, currentMean: nil, previousDeviation: nil,
                                  meanShift: nil, bins: withShares(bins, e, a),
                                  psi: populationStabilityIndex(expected: e, actual: a, epsilon: epsilon))
        default:
            preconditionFailure("compared attributes have the same nature in both periods")
        }
    }

    private static func categories(_ schema: PersonaSchema, _ name: String) -> [String] {
        guard case .categorical(let categories) = schema.attribute(named: name)?.kind else { return [] }
        return categories
    }

    private static func binWeights(_ bins: [Int], _ weights: [Double], _ count: Int) -> [Double] {
        var totals = [Double](repeating: 0, count: count)
        for (b, w) in zip(bins, weights) { totals[b] += w }
        return totals
    }

    private static func withShares(_ bins: [DriftBin], _ e: [Double], _ a: [Double]) -> [DriftBin] {
        let (se, sa) = (shares(e), shares(a))
        return bins.indices.map { i in
            var bin = bins[i]
            bin.previousShare = se[i]
            bin.currentShare = sa[i]
            return bin
        }
    }

    /// The distinct weighted deciles q₁ … q₉ of the non-missing values: qⱼ is the smallest
    /// value whose cumulative weight share reaches j / 10.
    static func decileEdges(_ values: [Double], _ weights: [Double]) -> [Double] {
        let pairs = zip(values, weights).filter { !$0.0.isNaN && $0.1 > 0 }.sorted { $0.0 < $1.0 }
        let total = pairs.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return [] }
        var edges = [Double]()
        var cumulative = 0.0
        var j = 1
        for (value, weight) in pairs {
            cumulative += weight
            // A relative tolerance keeps rounding in the running sum from skipping a decile.
            while j <= 9 && cumulative >= Double(j) / 10 * total * (1 - 1e-12) {
                if edges.last != value { edges.append(value) }
                j += 1
            }
            if j > 9 { break }
        }
        return edges
    }
}
