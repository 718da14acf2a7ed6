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
    /// Profiles every persona of `order` from customers and their personas.
    ///
    /// - Parameters:
    ///   - data: the customers, typed.
    ///   - personas: the assigned persona of each customer, in data order.
    ///   - order: the persona identifiers to report, in order.
    ///   - threads: worker threads (one attribute per task), or `nil` for every core; the
    ///     result does not depend on it.
    /// - Complexity: O(rows × attributes).
    public static func compute(_ data: CustomerData, personas: [Int], order: [Int], threads: Int? = nil) -> [PersonaProfile] {
        var accumulator = Accumulator(schema: data.schema, order: order)
        accumulator.add(data, personas: personas, threads: threads)
        return accumulator.profiles()
    }

    /// Profiles accumulated batch by batch (a file read in pieces), with the same results as
    /// ``PersonaProfiles/compute(_:personas:order:)`` over all rows at once up to the last
    /// bits of the sums.
    public struct Accumulator: Sendable {
        struct Numeric: Sendable {
            var population = ScaledMoments()
            var personas: [ScaledMoments]
            var nonNegative = true
        }
        struct Categorical: Sendable {
            var counts: [Double]      // k × categories
            var mass: [Double]        // k
            var population: [Double]  // categories
            var populationMass = 0.0
        }

        let schema: PersonaSchema
        let order: [Int]
        let slot: [Int: Int]
        var sizes: [Int]
        var weights: [Double]
        var numeric: [String: Numeric] = [:]
        var categorical: [String: Categorical] = [:]

        /// Starts profiles of the personas `order` (in that order) over `schema`'s
        /// attributes; the categories of categorical attributes must be resolved.
        public init(schema: PersonaSchema, order: [Int]) {
            self.schema = schema
            self.order = order
            slot = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
            sizes = Array(repeating: 0, count: order.count)
            weights = Array(repeating: 0, count: order.count)
        }

        /// Adds customers and their personas (ids outside `order` count in the population
        /// only).
        /// - Parameter threads: worker threads for the attributes, one attribute per task, or
        ///   `nil` for every core; every attribute is summed in row order on one thread, so
        ///   the result does not depend on it.
        /// - Complexity: O(rows × attributes).
        /// `source[rows]`, replacing what `buffer` held.
        private static func gather(_ source: [Double], rows: [Int], into buffer: inout [Double]) {
            buffer.removeAll(keepingCapacity: true)
            buffer.reserveCapacity(rows.count)
            source.withUnsafeBufferPointer { source in
                for r in rows { buffer.append(source[r]) }
            }
        }

        public mutating func add(_ data: CustomerData, personas: [Int], threads: Int? = 1) {
            precondition(personas.count == data.count, "one persona per customer")
            let k = order.count
            var rowsBySlot = Array(repeating: [Int](), count: k)
            var rowSlot = [Int](repeating: -1, count: personas.count)
            for (r, p) in personas.enumerated() {
                guard let s = slot[p] else { continue }
                rowsBySlot[s].append(r)
                rowSlot[r] = s
                sizes[s] += 1
                weights[s] += data.weights?[r] ?? 1
            }
            let attributes = schema.attributes.filter { $0.role != .ignore && data.values[$0.name] != nil }
            let numericBefore = numeric, categoricalBefore = categorical
            let results = TaskResults<(Numeric?, Categorical?)>(count: attributes.count)
            let bySlot = rowsBySlot, slots = rowSlot
            TaskPool.run(count: attributes.count, threads: threads) { i in
                let attribute = attributes[i]
                switch data.values[attribute.name]! {
                case .numbers(let numbers):
                    var entry = numericBefore[attribute.name] ?? Numeric(personas: Array(repeating: ScaledMoments(), count: k))
                    entry.population.add(numbers, weights: data.weights)
                    // Each persona's values gathered once into one buffer: the moments read them
                    // three times (the same values in the same order as a gather on the fly).
                    var values = [Double](), rowWeights = [Double]()
                    for s in 0..<k {
                        let rows = bySlot[s]
                        Self.gather(numbers, rows: rows, into: &values)
                        if let w = data.weights {
                            Self.gather(w, rows: rows, into: &rowWeights)
                            entry.personas[s].add(values, weights: rowWeights)
                        } else {
                            entry.personas[s].add(values)
                        }
                    }
                    if entry.nonNegative, numbers.contains(where: { $0 < 0 }) { entry.nonNegative = false }
                    results[i] = (entry, nil)
                case .categories(let codes):
                    guard case .categorical(let categories) = attribute.kind else { results[i] = (nil, nil); return }
                    let m = categories.count
                    var entry = categoricalBefore[attribute.name]
                        ?? Categorical(counts: Array(repeating: 0, count: k * m), mass: Array(repeating: 0, count: k),
                                       population: Array(repeating: 0, count: m))
                    for (r, code) in codes.enumerated() where code >= 0 {
                        let w = data.weights?[r] ?? 1
                        entry.population[Int(code)] += w
                        entry.populationMass += w
                        let s = slots[r]
                        if s >= 0 { entry.counts[s * m + Int(code)] += w; entry.mass[s] += w }
                    }
                    results[i] = (nil, entry)
                }
            }
            for (i, attribute) in attributes.enumerated() {
                let (n, c) = results[i]!
                if let n { numeric[attribute.name] = n }
                if let c { categorical[attribute.name] = c }
            }
        }

        /// Adds the customers another accumulator of the same personas saw (batches
        /// profiled in parallel, merged in file order).
        public mutating func merge(_ other: Accumulator) {
            precondition(other.order == order, "accumulators of the same personas")
            for s in sizes.indices { sizes[s] += other.sizes[s]; weights[s] += other.weights[s] }
            for (name, b) in other.numeric {
                guard var a = numeric[name] else { numeric[name] = b; continue }
                a.population.merge(b.population)
                for s in a.personas.indices { a.personas[s].merge(b.personas[s]) }
                a.nonNegative = a.nonNegative && b.nonNegative
                numeric[name] = a
            }
            for (name, b) in other.categorical {
                guard var a = categorical[name] else { categorical[name] = b; continue }
                for i in a.counts.indices { a.counts[i] += b.counts[i] }
                for i in a.mass.indices { a.mass[i] += b.mass[i] }
                for i in a.population.indices { a.population[i] += b.population[i] }
                a.populationMass += b.populationMass
                categorical[name] = a
            }
        }

        /// The profiles, in `order`.
        public func profiles() -> [PersonaProfile] {
            let k = order.count
            let totalWeight = weights.reduce(0, +)
            var comparisons = Array(repeating: [AttributeComparison](), count: k)
            for attribute in schema.attributes where attribute.role != .ignore {
                if let entry = numeric[attribute.name] {
                    let population = entry.population
                    for s in 0..<k {
                        let persona = entry.personas[s]
                        comparisons[s].append(AttributeComparison(
                            attribute: attribute.name, category: nil, group: attribute.group, role: attribute.role,
                            kind: attribute.kind.name, personaMean: persona.hasValues ? persona.mean : nil,
                            populationMean: population.hasValues ? population.mean : nil,
                            populationDeviation: population.hasValues ? population.deviation : nil,
                            index: entry.nonNegative && population.mean > 0 ? persona.ratio(to: population).map { 100 * $0 } : nil,
                            standardizedDifference: persona.standardizedDifference(from: population)))
                    }
                } else if let entry = categorical[attribute.name], case .categorical(let categories) = attribute.kind {
                    let m = categories.count
                    for (c, category) in categories.enumerated() {
                        let p = entry.populationMass > 0 ? entry.population[c] / entry.populationMass : nil
                        let deviation = p.map { ($0 * (1 - $0)).squareRoot() }
                        for s in 0..<k {
                            comparisons[s].append(comparison(attribute, category: category,
                                                             mean: entry.mass[s] > 0 ? entry.counts[s * m + c] / entry.mass[s] : nil,
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
