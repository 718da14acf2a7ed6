import Foundation
import PersonaKit
import PersonaSynthetic

/// Two periods of synthetic customers with planted persona drift, and the ground truth: which
/// events happened to which personas and which customers switched persona.
///
/// Used to test that retraining keeps identities and that ``PersonaEvents``,
/// ``PersonaTransitions`` and ``DistributionDrift`` report what was planted.
///
/// ## Model
/// Each persona is a centre in a latent space with one standard-normal coordinate per column
/// (``columnNames``: 15 segment attributes over the eight groups, continuous ones, 1–5 scales,
/// a yes/no and a four-way category). A customer is their persona's centre plus their own
/// standard-normal offset; a column's cell is the latent value in the column's units
/// (rounded, or thresholded for scales, yes/no and categories, which see half the offset: a
/// threshold turns a small offset into a whole step). Centres lie at least
/// ``Configuration/separation`` apart in both periods over the numeric columns alone, so
/// personas are well separated.
///
/// In period 2 every continuing customer keeps their offset, moved slightly
/// (`ε' = ρ·ε + √(1−ρ²)·η`, ρ = ``Configuration/stability``), around the centre of their
/// period-2 persona. Then the planted ``Event``s apply; a few random customers leave
/// (``Configuration/churnFraction``) and new ones join (``Configuration/newCustomerFraction``,
/// spread evenly over the period-2 personas other than emerging ones).
///
/// Personas are numbered from 0: `0 ..< personaCount` in period 1; personas that exist only
/// in period 2 (the parts of a split, the result of a merge, an emerging persona) follow from
/// `personaCount` on, in event order.
///
/// ## Determinism
/// The same configuration gives identical tables and truth. Every customer draws from their
/// own ``SeededGenerator`` stream.
///
/// - Complexity: O(customers × columns).
public struct DriftScenario: Sendable {
    /// A planted change between the two periods.
    public enum Event: Sendable, Hashable {
        /// Each customer of a persona untouched by other structural events (shifts and growth
        /// allowed) switches to another such persona with this probability, keeping their
        /// offset (the movers of ``Truth/movedIDs``).
        case switching(fraction: Double)
        /// The persona's centre moves by `distance` latent standard deviations in a random
        /// direction; its customers move with it.
        case shift(persona: Int, distance: Double)
        /// The persona splits into `parts` personas (≥ 2) around its old centre, its customers
        /// spread evenly over them at random.
        case split(persona: Int, parts: Int)
        /// The personas (two or more) merge into one at the mean of their centres.
        case merge(personas: [Int])
        /// A new persona appears, with `share × customerCount` new customers.
        case emergence(share: Double)
        /// All the persona's customers leave.
        case disappearance(persona: Int)
        /// New customers join the persona: `(factor − 1) ×` its period-1 customers.
        case growth(persona: Int, factor: Double)
    }

    /// What was planted, with the personas it involves.
    public enum PlantedEvent: Sendable, Hashable {
        /// `customers` customers switched persona (listed in ``Truth/movedIDs``).
        case switching(customers: Int)
        /// The persona's centre moved.
        case shift(persona: Int)
        /// The persona split into the listed period-2 personas.
        case split(persona: Int, into: [Int])
        /// The listed personas merged into one period-2 persona.
        case merge(personas: [Int], into: Int)
        /// A period-2 persona of new customers appeared.
        case emergence(persona: Int)
        /// The persona's customers all left.
        case disappearance(persona: Int)
        /// The persona grew with new customers.
        case growth(persona: Int)
    }

    /// The ground truth of a scenario.
    public struct Truth: Sendable, Hashable {
        /// The persona of every row of the period-1 table.
        public var firstPersonas: [Int]
        /// The persona of every row of the period-2 table.
        public var secondPersonas: [Int]
        /// The personas of period 2, increasing.
        public var secondPeriodPersonas: [Int]
        /// Customers who switched persona (``Event/switching(fraction:)``).
        public var movedIDs: Set<String>
        /// What was planted, in configuration order.
        public var events: [PlantedEvent]
    }

    /// Settings of a scenario.
    public struct Configuration: Sendable, Hashable {
        /// Customers in period 1 (≥ 1).
        public var customerCount: Int
        /// Personas in period 1 (≥ 1).
        public var personaCount: Int
        /// The seed every random draw derives from.
        public var seed: UInt64
        /// The least distance between two persona centres of a period over the numeric
        /// columns, in latent standard deviations (> 0). Default 7: personas barely overlap.
        public var separation: Double
        /// How strongly a customer's offset persists into period 2, in [0, 1].
        public var stability: Double
        /// The probability that a customer leaves at random, in [0, 1].
        public var churnFraction: Double
        /// New customers in period 2 as a fraction of `customerCount` (≥ 0), besides those of
        /// emergence and growth events.
        public var newCustomerFraction: Double
        /// The planted events. A persona takes part in at most one event other than switching.
        public var events: [Event]

        /// Creates a configuration.
        public init(customerCount: Int = 3000, personaCount: Int = 5, seed: UInt64 = 1, separation: Double = 7,
                    stability: Double = 0.95, churnFraction: Double = 0.02, newCustomerFraction: Double = 0.04,
                    events: [Event] = []) {
            self.customerCount = customerCount
            self.personaCount = personaCount
            self.seed = seed
            self.separation = separation
            self.stability = stability
            self.churnFraction = churnFraction
            self.newCustomerFraction = newCustomerFraction
            self.events = events
        }
    }

    /// The configuration.
    public let configuration: Configuration

    /// Creates a scenario.
    /// - Precondition: values in their documented ranges; events name personas in
    ///   `0 ..< personaCount`, each at most once (switching aside); a persona is left in
    ///   period 2.
    public init(configuration: Configuration) {
        let c = configuration
        precondition(c.customerCount >= 1 && c.personaCount >= 1, "customerCount and personaCount must be ≥ 1")
        precondition(c.separation > 0 && c.separation.isFinite, "separation must be positive")
        precondition((0...1).contains(c.stability) && (0...1).contains(c.churnFraction), "stability and churnFraction in [0, 1]")
        precondition(c.newCustomerFraction >= 0, "newCustomerFraction must be ≥ 0")
        var involved = Set<Int>()
        for event in c.events {
            let personas: [Int]
            switch event {
            case .switching(let f): precondition((0...1).contains(f), "switching fraction in [0, 1]"); personas = []
            case .shift(let p, let d): precondition(d >= 0 && d.isFinite, "shift distance ≥ 0"); personas = [p]
            case .split(let p, let parts): precondition(parts >= 2, "a split has ≥ 2 parts"); personas = [p]
            case .merge(let ps): precondition(ps.count >= 2, "a merge joins ≥ 2 personas"); personas = ps
            case .emergence(let s): precondition(s > 0 && s.isFinite, "emergence share > 0"); personas = []
            case .disappearance(let p): personas = [p]
            case .growth(let p, let f): precondition(f >= 1 && f.isFinite, "growth factor ≥ 1"); personas = [p]
            }
            for p in personas {
                precondition((0..<c.personaCount).contains(p), "persona \(p) out of 0..<\(c.personaCount)")
                precondition(involved.insert(p).inserted, "persona \(p) takes part in more than one event")
            }
        }
        self.configuration = configuration
        precondition(!Plan(configuration).secondPeriod.isEmpty, "at least one persona must remain in period 2")
    }

    /// The column names: `customer_id`, then the segment attributes.
    public static let columnNames: [String] = ["customer_id"] + columns.map(\.name)

    /// Both periods' tables (period-2 customers keep their period-1 ids, in order, new ones
    /// follow) and the ground truth.
    /// - Complexity: O(customers × columns).
    public func generate() -> (first: RawTable, second: RawTable, truth: Truth) {
        let c = configuration, L = Self.columns.count
        let plan = Plan(c)
        let centres = plan.centres(seed: c.seed, separation: c.separation)

        var first = Builder(), second = Builder()
        var firstPersonas = [Int](), secondPersonas = [Int]()
        var moved = Set<String>()
        var firstCount = [Int](repeating: 0, count: c.personaCount)
        let rho = c.stability, innovation = (1 - rho * rho).squareRoot()
        for i in 0..<c.customerCount {
            var g = GaussianSource(SeededGenerator(seed: c.seed, stream: Self.stream(i, .customer)))
            let p = min(c.personaCount - 1, Int(g.uniform() * Double(c.personaCount)))
            let offset = (0..<L).map { _ in g.gaussian() }
            first.append(i, centres.first[p], offset)
            firstPersonas.append(p)
            firstCount[p] += 1

            var h = GaussianSource(SeededGenerator(seed: c.seed, stream: Self.stream(i, .change)))
            let (leave, switchDraw, target, part) = (h.uniform(), h.uniform(), h.uniform(), h.uniform())
            let later = offset.map { rho * $0 + innovation * h.gaussian() }
            guard !plan.disappearing.contains(p), leave >= c.churnFraction else { continue }
            var q = p
            if let into = plan.mergedInto[p] {
                q = into
            } else if let parts = plan.splitInto[p] {
                q = parts[min(parts.count - 1, Int(part * Double(parts.count)))]
            } else if plan.plain.contains(p), switchDraw < plan.switchFraction {
                let others = plan.plain.filter { $0 != p }
                q = others[min(others.count - 1, Int(target * Double(others.count)))]
                moved.insert(SyntheticCustomers.customerID(i))
            }
            second.append(i, centres.second[q]!, later)
            secondPersonas.append(q)
        }

        // New customers: spread evenly, then growth and emergence.
        var newcomers = [Int]()
        let regular = plan.secondPeriod.filter { !plan.emerging.contains($0) }
        let evenCount = Int((c.newCustomerFraction * Double(c.customerCount)).rounded())
        var g = SeededGenerator(seed: c.seed, stream: Self.stream(0, .newcomers))
        for _ in 0..<evenCount { newcomers.append(regular[min(regular.count - 1, Int(g.nextUnitDouble() * Double(regular.count)))]) }
        for (p, factor) in plan.growth { newcomers += Array(repeating: p, count: Int(((factor - 1) * Double(firstCount[p])).rounded())) }
        for (p, share) in plan.emergenceShares {
            newcomers += Array(repeating: p, count: max(1, Int((share * Double(c.customerCount)).rounded())))
        }
        for (j, q) in newcomers.enumerated() {
            let i = c.customerCount + j
            var h = GaussianSource(SeededGenerator(seed: c.seed, stream: Self.stream(i, .customer)))
            second.append(i, centres.second[q]!, (0..<L).map { _ in h.gaussian() })
            secondPersonas.append(q)
        }

        var planted = plan.planted
        if let index = planted.firstIndex(of: .switching(customers: -1)) { planted[index] = .switching(customers: moved.count) }
        return (first.table(), second.table(),
                Truth(firstPersonas: firstPersonas, secondPersonas: secondPersonas,
                      secondPeriodPersonas: plan.secondPeriod, movedIDs: moved, events: planted))
    }
}

// MARK: - Plan and centres

extension DriftScenario {
    /// Purposes of random streams: one per customer and purpose, one per layout attempt.
    enum StreamPurpose: UInt64 { case customer, change, newcomers, layout, layoutDirections }

    static func stream(_ index: Int, _ purpose: StreamPurpose) -> UInt64 { UInt64(index) << 3 | purpose.rawValue }

    /// The configuration's events resolved into persona roles.
    struct Plan {
        var personaCount: Int
        var plain: [Int] = []                    // period-1 personas untouched by structural events
        var switchFraction = 0.0
        var shifts: [(persona: Int, distance: Double)] = []
        var splitInto: [Int: [Int]] = [:]
        var mergedInto: [Int: Int] = [:]
        var merges: [(sources: [Int], into: Int)] = []
        var emergenceShares: [(persona: Int, share: Double)] = []
        var disappearing: Set<Int> = []
        var growth: [(persona: Int, factor: Double)] = []
        var planted: [PlantedEvent] = []

        var emerging: Set<Int> { Set(emergenceShares.map(\.persona)) }

        init(_ c: Configuration) {
            personaCount = c.personaCount
            var next = c.personaCount
            for event in c.events {
                switch event {
                case .switching(let f):
                    switchFraction = f
                    planted.append(.switching(customers: -1))   // counted when generated
                case .shift(let p, let d):
                    shifts.append((p, d))
                    planted.append(.shift(persona: p))
                case .split(let p, let parts):
                    splitInto[p] = Array(next ..< next + parts)
                    planted.append(.split(persona: p, into: splitInto[p]!))
                    next += parts
                case .merge(let ps):
                    for p in ps { mergedInto[p] = next }
                    merges.append((ps, next))
                    planted.append(.merge(personas: ps, into: next))
                    next += 1
                case .emergence(let share):
                    emergenceShares.append((next, share))
                    planted.append(.emergence(persona: next))
                    next += 1
                case .disappearance(let p):
                    disappearing.insert(p)
                    planted.append(.disappearance(persona: p))
                case .growth(let p, let f):
                    growth.append((p, f))
                    planted.append(.growth(persona: p))
                }
            }
            plain = (0..<c.personaCount).filter { splitInto[$0] == nil && mergedInto[$0] == nil && !disappearing.contains($0) }
        }

        /// The personas of period 2, increasing.
        var secondPeriod: [Int] {
            (plain + splitInto.values.flatMap { $0 } + merges.map(\.into) + emergenceShares.map(\.persona)).sorted()
        }

        /// The centres of period 1 (by persona) and of period 2 (by persona), at least
        /// `separation` apart within each period, emerging personas also away from every
        /// period-1 centre. Deterministic from `seed`.
        func centres(seed: UInt64, separation: Double) -> (first: [[Double]], second: [Int: [Double]]) {
            let L = DriftScenario.columns.count
            // Distances count the numeric columns only: scales, yes/no and categories lose
            // most of a difference, so they must not be what keeps two personas apart.
            let numeric = DriftScenario.columns.indices.filter {
                if case .number = DriftScenario.columns[$0].kind { return true } else { return false }
            }
            // Uniform in [-a, a]^L, with a chosen so that two centres lie ~1.4 separations apart
            // on average over the numeric columns.
            let a = 1.4 * separation * (1.5 / Double(numeric.count)).squareRoot()
            func far(_ x: [Double], from others: some Collection<[Double]>) -> Bool {
                others.allSatisfy { o in numeric.reduce(0) { $0 + (x[$1] - o[$1]) * (x[$1] - o[$1]) } >= separation * separation }
            }
            for attempt in 0..<10_000 {
                var uniform = SeededGenerator(seed: seed, stream: DriftScenario.stream(attempt, .layout))
                var normal = GaussianSource(SeededGenerator(seed: seed, stream: DriftScenario.stream(attempt, .layoutDirections)))
                func point() -> [Double] { (0..<L).map { _ in (2 * uniform.nextUnitDouble() - 1) * a } }
                func away(from origin: [Double], by distance: Double) -> [Double] {
                    let v = (0..<L).map { _ in normal.gaussian() }
                    let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    return zip(origin, v).map { $0 + distance * $1 / norm }
                }
                /// The first of up to 200 draws far from `others`.
                func placed(_ make: () -> [Double], awayFrom others: some Collection<[Double]>) -> [Double]? {
                    for _ in 0..<200 { let x = make(); if far(x, from: others) { return x } }
                    return nil
                }

                var first = [[Double]]()
                for _ in 0..<personaCount {
                    guard let x = placed(point, awayFrom: first) else { break }
                    first.append(x)
                }
                guard first.count == personaCount else { continue }
                var second = [Int: [Double]]()
                for p in plain { second[p] = first[p] }
                var ok = true
                for shift in shifts {
                    second[shift.persona] = nil
                    guard let x = placed({ away(from: first[shift.persona], by: shift.distance) }, awayFrom: second.values)
                    else { ok = false; break }
                    second[shift.persona] = x
                }
                for merge in merges where ok {
                    let mean = (0..<L).map { j in merge.sources.reduce(0) { $0 + first[$1][j] } / Double(merge.sources.count) }
                    ok = far(mean, from: second.values)
                    second[merge.into] = mean
                }
                for (p, parts) in splitInto.sorted(by: { $0.key < $1.key }) where ok {
                    for part in parts where ok {
                        let x = placed({ away(from: first[p], by: 0.8 * separation) }, awayFrom: second.values)
                        second[part] = x
                        ok = x != nil
                    }
                }
                for (p, _) in emergenceShares where ok {
                    let x = placed(point, awayFrom: Array(second.values) + first)
                    second[p] = x
                    ok = x != nil
                }
                if ok { return (first, second) }
            }
            preconditionFailure("no persona layout with separation \(separation) found; lower the separation")
        }
    }
}

// MARK: - Columns and tables

extension DriftScenario {
    /// How a column turns a latent value `z` into a cell.
    enum ColumnKind {
        /// `base + unit × z`, rounded to `decimals`.
        case number(base: Double, unit: Double, decimals: Int)
        /// `3 + 0.8 × z` rounded and clamped to 1…5.
        case scale
        /// 1 when z > 0.
        case yesNo
        /// One of four categories by the quartiles of the standard normal.
        case category([String])
    }

    /// The share of a customer's offset that scales, yes/no answers and categories see.
    /// Thresholding turns a small offset into a whole step, so at full strength these
    /// columns would scatter a persona's customers more than all numeric columns together.
    static let discreteNoise = 0.5

    struct Column {
        var name: String
        var kind: ColumnKind
    }

    static let columns: [Column] = [
        Column(name: "lifestyle_age", kind: .number(base: 45, unit: 5, decimals: 0)),
        Column(name: "lifestyle_leisure_hours_week", kind: .number(base: 16, unit: 2, decimals: 1)),
        Column(name: "media_tv_hours_week", kind: .number(base: 16, unit: 2, decimals: 1)),
        Column(name: "media_social_minutes_day", kind: .number(base: 90, unit: 12, decimals: 0)),
        Column(name: "media_preferred_channel", kind: .category(["print", "tv", "streaming", "social"])),
        Column(name: "online_sessions_month", kind: .number(base: 50, unit: 6, decimals: 0)),
        Column(name: "online_purchase_share_pct", kind: .number(base: 50, unit: 6, decimals: 1)),
        Column(name: "online_uses_mobile_banking", kind: .yesNo),
        Column(name: "wish_sustainability", kind: .scale),
        Column(name: "need_personal_advice", kind: .scale),
        Column(name: "fear_data_privacy", kind: .scale),
        Column(name: "finance_monthly_income_eur", kind: .number(base: 4000, unit: 400, decimals: 0)),
        Column(name: "finance_savings_rate_pct", kind: .number(base: 15, unit: 1.5, decimals: 1)),
        Column(name: "health_steps_per_day", kind: .number(base: 8000, unit: 700, decimals: 0)),
        Column(name: "health_sleep_hours", kind: .number(base: 7, unit: 0.25, decimals: 2)),
    ]

    /// Accumulates a table column by column.
    struct Builder {
        var cells: [[String]] = Array(repeating: [], count: DriftScenario.columnNames.count)

        /// Appends customer `index` at `centre + offset`.
        mutating func append(_ index: Int, _ centre: [Double], _ offset: [Double]) {
            cells[0].append(SyntheticCustomers.customerID(index))
            for (c, column) in DriftScenario.columns.enumerated() {
                let z = centre[c] + offset[c], blurred = centre[c] + DriftScenario.discreteNoise * offset[c]
                let cell: String
                switch column.kind {
                case .number(let base, let unit, let decimals):
                    cell = SyntheticCustomers.format(base + unit * z, decimals: decimals)
                case .scale:
                    cell = SyntheticCustomers.levelText[Int(min(5, max(1, (3 + 0.8 * blurred).rounded())))]
                case .yesNo:
                    cell = blurred > 0 ? "1" : "0"
                case .category(let names):
                    cell = names[blurred < -0.6745 ? 0 : blurred < 0 ? 1 : blurred < 0.6745 ? 2 : 3]
                }
                cells[c + 1].append(cell)
            }
        }

        func table() -> RawTable { RawTable(columnNames: DriftScenario.columnNames, columns: cells) }
    }
}
