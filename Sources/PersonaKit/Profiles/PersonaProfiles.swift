/// One attribute (or one category of a categorical attribute) compared between a persona
/// and the whole population, in original units.
public struct AttributeComparison: Sendable, Hashable {
    /// The attribute's column name.
    public var attribute: String
    /// The category, for a categorical attribute (then the means are shares, 0–1).
    public var category: String?
    /// The attribute group.
    public var group: AttributeGroup
    /// The attribute role (segment or profile).
    public var role: AttributeRole
    /// The attribute kind's name.
    public var kind: String
    /// The persona's (weighted) mean over non-missing values, or `nil` if it has none.
    public var personaMean: Double?
    /// The population's (weighted) mean over non-missing values.
    public var populationMean: Double?
    /// The population's standard deviation.
    public var populationDeviation: Double?
    /// 100 × persona mean / population mean, where that ratio means something: the
    /// population mean is positive and no value is negative (counts, amounts, scales, shares).
    public var index: Double?
    /// (persona mean − population mean) / population standard deviation.
    public var standardizedDifference: Double?
}

/// A persona described against the population.
public struct PersonaProfile: Sendable, Hashable {
    /// The persona's identifier.
    public var persona: Int
    /// Customers assigned to it.
    public var size: Int
    /// Their share of the total weight.
    public var share: Double
    /// Every segment and profile attribute (categorical: one entry per category).
    public var comparisons: [AttributeComparison]

    /// The segment comparisons ordered by decreasing |standardised difference| (the most
    /// distinguishing first).
    public var distinguishing: [AttributeComparison] {
        comparisons
            .filter { $0.role == .segment && $0.standardizedDifference != nil }
            .sorted { abs($0.standardizedDifference!) > abs($1.standardizedDifference!) }
    }
}

/// Per-persona profiles of customers against the population.
public enum PersonaProfiles {
    /// Profiles every persona present in `personaIDs`.
    ///
    /// - Parameters:
    ///   - data: the customers, typed.
    ///   - personas: the assigned persona of each customer, in data order.
    ///   - order: the persona identifiers to report, in order.
    /// - Complexity: O(rows × attributes).
    public static func compute(_ data: CustomerData, personas: [Int], order: [Int]) -> [PersonaProfile] {
        precondition(personas.count == data.count, "one persona per customer")
        let slot = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let k = order.count
        let weight = { (r: Int) in data.weights?[r] ?? 1 }
        var sizes = [Int](repeating: 0, count: k)
        var weights = [Double](repeating: 0, count: k)
        for (r, p) in personas.enumerated() {
            guard let s = slot[p] else { continue }
            sizes[s] += 1; weights[s] += weight(r)
        }
        let totalWeight = weights.reduce(0, +)
        var comparisons = Array(repeating: [AttributeComparison](), count: k)

        for attribute in data.schema.attributes where attribute.role != .ignore {
            guard let values = data.values[attribute.name] else { continue }
            switch values {
            case .numbers(let numbers):
                // Population and persona means in the same overflow-safe units as the encoder.
                let population = ScaledMoments(numbers, weights: data.weights)
                let unit = population.unit
                var sum = [Double](repeating: 0, count: k), mass = [Double](repeating: 0, count: k)
                var nonNegative = true
                for (r, v) in numbers.enumerated() where !v.isNaN {
                    if v < 0 { nonNegative = false }
                    if let s = slot[personas[r]] { sum[s] += weight(r) * (v / unit); mass[s] += weight(r) }
                }
                let popMean = population.scaledMean, deviation = population.scaledDeviation
                for s in 0..<k {
                    // Compared in scaled units, reported in original ones.
                    var entry = comparison(attribute, category: nil, mean: mass[s] > 0 ? sum[s] / mass[s] : nil,
                                           population: popMean, deviation: deviation, ratioScale: nonNegative)
                    entry.personaMean = entry.personaMean.map { $0 * unit }
                    entry.populationMean = entry.populationMean.map { $0 * unit }
                    entry.populationDeviation = entry.populationDeviation.map { $0 * unit }
                    comparisons[s].append(entry)
                }
            case .categories(let codes):
                guard case .categorical(let categories) = attribute.kind else { continue }
                let m = categories.count
                var counts = [Double](repeating: 0, count: k * m), mass = [Double](repeating: 0, count: k)
                var popCounts = [Double](repeating: 0, count: m), popMass = 0.0
                for (r, code) in codes.enumerated() where code >= 0 {
                    let w = weight(r)
                    popCounts[Int(code)] += w; popMass += w
                    if let s = slot[personas[r]] { counts[s * m + Int(code)] += w; mass[s] += w }
                }
                for (c, category) in categories.enumerated() {
                    let p = popMass > 0 ? popCounts[c] / popMass : nil
                    let deviation = p.map { ($0 * (1 - $0)).squareRoot() }
                    for s in 0..<k {
                        comparisons[s].append(comparison(attribute, category: category,
                                                         mean: mass[s] > 0 ? counts[s * m + c] / mass[s] : nil,
                                                         population: p, deviation: deviation, ratioScale: true))
                    }
                }
            }
        }
        return (0..<k).map { s in
            PersonaProfile(persona: order[s], size: sizes[s], share: totalWeight > 0 ? weights[s] / totalWeight : 0,
                           comparisons: comparisons[s])
        }
    }

    private static func comparison(_ attribute: Attribute, category: String?, mean: Double?, population: Double?,
                                   deviation: Double?, ratioScale: Bool) -> AttributeComparison {
        var index: Double? = nil
        var difference: Double? = nil
        if let mean, let population {
            if ratioScale && population > 0 { index = 100 * mean / population }
            if let deviation, deviation > 0 { difference = (mean - population) / deviation }
        }
        return AttributeComparison(attribute: attribute.name, category: category, group: attribute.group,
                                   role: attribute.role, kind: attribute.kind.name, personaMean: mean,
                                   populationMean: population, populationDeviation: deviation,
                                   index: index, standardizedDifference: difference)
    }

    /// An attribute's label as it reads inside a name: fears, wishes and needs keep their
    /// group word ("fear of data privacy"), health attributes say so ("self rated (health)").
    static func nameLabel(_ attribute: Attribute) -> String {
        // Units read poorly in a name ("monthly income eur", "sessions month"): drop them.
        let units: Set<Substring> = ["eur", "usd", "gbp", "chf", "pct", "percent", "per", "day", "week", "month", "year"]
        var words = attribute.label.split(separator: " ")
        while words.count > 1, let last = words.last, units.contains(last) { words.removeLast() }
        let label = words.joined(separator: " ")
        switch attribute.group {
        case .fears: return "fear of \(label)"
        case .wishes: return "wish for \(label)"
        case .needs: return "need for \(label)"
        case .health where !label.contains("health"): return "\(label) (health)"
        default: return label
        }
    }

    /// A suggested name built from the persona's two most distinguishing segment attributes
    /// ("High monthly income eur · low tv hours week"); categories appear as
    /// "Preferred channel: app", binary attributes as "mostly owns home" / "rarely …". Categories that are under-represented are skipped, since
    /// "not X" names read poorly.
    /// - Complexity: O(attributes log attributes).
    public static func suggestedName(for profile: PersonaProfile, schema: PersonaSchema, terms: Int = 2) -> String {
        var parts = [String]()
        for comparison in profile.distinguishing {
            guard parts.count < terms, let difference = comparison.standardizedDifference else { break }
            let attribute = schema.attribute(named: comparison.attribute)
            let label = attribute.map(nameLabel) ?? comparison.attribute
            if let category = comparison.category {
                guard difference > 0 else { continue }
                let phrase = "\(label): \(category)"
                if !parts.contains(where: { $0.hasPrefix(label + ":") }) { parts.append(phrase) }
            } else if attribute?.kind == .binary {
                parts.append("\(difference > 0 ? "mostly" : "rarely") \(label)")
            } else {
                parts.append("\(difference > 0 ? "high" : "low") \(label)")
            }
        }
        guard !parts.isEmpty else { return "Persona \(profile.persona)" }
        let name = parts.joined(separator: " · ")
        return name.prefix(1).uppercased() + name.dropFirst()
    }
}
