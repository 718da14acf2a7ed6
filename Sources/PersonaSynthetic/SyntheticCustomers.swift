import Foundation
import PersonaKit

/// A generator of realistic synthetic customer data for two periods, spread over the eight
/// persona attribute groups, with known ("true") personas.
///
/// It is used for the bundled sample data (`SampleData/`), for tests and for drift scenarios.
/// The output follows the column-naming contract schema inference relies on:
/// `customer_id` first, then 26 segment attributes whose names start with a group prefix
/// (`lifestyle_`, `media_`, `online_`, `wish_`, `need_`, `fear_`, `finance_`, `health_`),
/// then three profile-only columns starting with `profile_`. See ``columnNames``.
///
/// ## Model
/// Every customer belongs to one of six personas (``personaNames``), drawn with
/// ``Configuration/personaShares``. Each customer carries one standard-normal latent score per
/// column. A column's value is the persona's distribution evaluated at that score:
/// continuous values are `mean + sd·z` (clamped and rounded) or log-normal, Likert items round
/// `mean + sd·z` to 1…5, and binary and categorical values compare `Φ(z)` with the persona's
/// (cumulative) probabilities. Attributes are therefore independent within a persona, except
/// that `lifestyle_has_children` depends on `lifestyle_household` and
/// `profile_customer_value` on `finance_monthly_income_eur`.
///
/// In period 2 each continuing customer's scores move a little (`z' = ρ·z + √(1−ρ²)·ε`, with
/// ρ = ``Configuration/stability``), so a customer stays similar to themself; a fraction
/// ``Configuration/switchFraction`` of customers switches persona along plausible paths
/// (``transitionProbabilities``) while keeping their scores, so they sit at the same relative
/// position inside the new persona. Age never changes between the periods.
///
/// ## Determinism
/// The same configuration always gives identical tables, bit for bit. Each customer draws
/// from its own ``SeededGenerator`` stream (`SeededGenerator(seed:stream:)`), so customer `i`
/// of a table does not depend on how many customers follow it.
///
/// - Complexity: O(customers × columns) per period; 100 000 customers take a fraction of a
///   second in a release build.
public struct SyntheticCustomers: Sendable {
    /// Settings of a synthetic data set.
    public struct Configuration: Sendable, Hashable {
        /// The number of customers in period 1 (≥ 0).
        public var customerCount: Int
        /// The seed every random draw derives from.
        public var seed: UInt64
        /// The probability that a cell of a missing-prone column (``SyntheticCustomers/columnsWithMissingValues``)
        /// is left empty, in [0, 1]. Other columns, and `customer_id`, are never empty.
        public var missingRate: Double
        /// The persona mixture of period 1: one non-negative weight per persona (normalised;
        /// the sum must be positive).
        public var personaShares: [Double]
        /// A factor on every within-persona spread of the continuous and Likert attributes
        /// (> 0): 1 gives the documented overlap, larger values make personas overlap more.
        public var spread: Double
        /// The fraction of period-1 customers that switches to another persona in period 2,
        /// in [0, 1]. Exactly `round(switchFraction × customerCount)` customers move.
        public var switchFraction: Double
        /// The fraction of period-1 customers that has left by period 2 (churned), in [0, 1].
        /// Exactly `round(churnFraction × customerCount)` customers leave; they are chosen
        /// among customers that do not switch (`switchFraction + churnFraction ≤ 1`).
        public var churnFraction: Double
        /// New customers appended in period 2, as a fraction of `customerCount` (≥ 0).
        public var newCustomerFraction: Double
        /// The persona mixture of new period-2 customers (same rules as `personaShares`);
        /// `nil` uses `personaShares`.
        public var newCustomerShares: [Double]?
        /// How strongly a continuing customer's latent scores persist from period 1 to
        /// period 2, in [0, 1] (1: unchanged apart from persona switches).
        public var stability: Double
        /// The probability that a continuing customer advances one step along the customer
        /// journey (`profile_journey_phase`) between the periods, in [0, 1].
        public var journeyProgressRate: Double

        /// Creates a configuration; the defaults produce the bundled sample data.
        /// - Complexity: O(1).
        public init(customerCount: Int = 5000, seed: UInt64 = 2026, missingRate: Double = 0.03,
                    personaShares: [Double] = SyntheticCustomers.defaultPersonaShares,
                    spread: Double = 1, switchFraction: Double = 0.12, churnFraction: Double = 0.04,
                    newCustomerFraction: Double = 0.05, newCustomerShares: [Double]? = nil,
                    stability: Double = 0.95, journeyProgressRate: Double = 0.2) {
            self.customerCount = customerCount
            self.seed = seed
            self.missingRate = missingRate
            self.personaShares = personaShares
            self.spread = spread
            self.switchFraction = switchFraction
            self.churnFraction = churnFraction
            self.newCustomerFraction = newCustomerFraction
            self.newCustomerShares = newCustomerShares
            self.stability = stability
            self.journeyProgressRate = journeyProgressRate
        }
    }

    /// The configuration the tables are generated from.
    public let configuration: Configuration

    /// Creates a generator.
    /// - Precondition: the configuration's values are in the documented ranges.
    /// - Complexity: O(1).
    public init(configuration: Configuration = Configuration()) {
        let c = configuration
        precondition(c.customerCount >= 0, "customerCount must be ≥ 0")
        precondition((0...1).contains(c.missingRate), "missingRate must be in [0, 1]")
        precondition(c.spread > 0 && c.spread.isFinite, "spread must be positive and finite")
        precondition((0...1).contains(c.switchFraction) && (0...1).contains(c.churnFraction)
                     && c.switchFraction + c.churnFraction <= 1,
                     "switchFraction and churnFraction must be in [0, 1] with a sum ≤ 1")
        precondition(c.newCustomerFraction >= 0 && c.newCustomerFraction.isFinite, "newCustomerFraction must be ≥ 0")
        precondition((0...1).contains(c.stability), "stability must be in [0, 1]")
        precondition((0...1).contains(c.journeyProgressRate), "journeyProgressRate must be in [0, 1]")
        Self.checkShares(c.personaShares)
        if let shares = c.newCustomerShares { Self.checkShares(shares) }
        self.configuration = configuration
    }

    /// Names of the true personas, in index order.
    public static let personaNames: [String] = [
        "Digital-native young professionals",
        "Established families",
        "Health-conscious retirees",
        "Budget-minded students",
        "Affluent traditionalists",
        "Anxious savers",
    ]

    /// The default persona mixture (25/20/18/15/12/10 %), in ``personaNames`` order.
    public static let defaultPersonaShares: [Double] = [0.25, 0.20, 0.18, 0.15, 0.12, 0.10]

    /// Where a customer who switches persona goes: row = persona in period 1, column =
    /// persona in period 2, each row sums to 1 with a zero diagonal. For example students
    /// mostly become young professionals, young professionals mostly become families.
    public static let transitionProbabilities: [[Double]] = [
        // to: young pro, families, retirees, students, affluent, savers
        [0.00, 0.55, 0.00, 0.00, 0.20, 0.25],  // young professionals
        [0.10, 0.00, 0.20, 0.00, 0.40, 0.30],  // established families
        [0.00, 0.00, 0.00, 0.00, 0.35, 0.65],  // health-conscious retirees
        [0.70, 0.05, 0.00, 0.00, 0.00, 0.25],  // budget-minded students
        [0.00, 0.15, 0.55, 0.00, 0.00, 0.30],  // affluent traditionalists
        [0.35, 0.30, 0.20, 0.00, 0.15, 0.00],  // anxious savers
    ]

    /// All column names in table order: `customer_id`, the segment attributes, then the
    /// `profile_` columns.
    public static let columnNames: [String] = ["customer_id"] + columns.map(\.name)

    /// The columns in which cells are left empty with probability ``Configuration/missingRate``.
    public static let columnsWithMissingValues: [String] = columns.filter(\.missingProne).map(\.name)

    /// The journey phases of `profile_journey_phase`, in order along the customer journey.
    public static let journeyPhases: [String] = ["awareness", "consideration", "purchase", "retention", "advocacy"]

    /// Period 1: the table, and the true persona index (0-based) of every row.
    ///
    /// Customer ids are `C000001`, `C000002`, … (at least six digits).
    /// - Complexity: O(customers × columns).
    public func firstPeriod() -> (table: RawTable, truePersona: [Int]) {
        let n = configuration.customerCount
        let start = drawFirstPeriod(count: n)
        var builder = TableBuilder(capacity: n)
        for i in 0..<n {
            let z = start.scores[(i * Self.latentCount)..<((i + 1) * Self.latentCount)]
            builder.append(index: i, persona: start.personas[i], agePersona: start.personas[i],
                           scores: z, journey: nil, missing: missingGenerator(customer: i, period: 1),
                           missingRate: configuration.missingRate, spread: configuration.spread)
        }
        return (builder.table(), start.personas)
    }

    /// Period 2: the same customers (same ids, same order) minus churned ones, followed by
    /// new customers; the true persona in period 2 of every row; and the ids of the
    /// customers that switched persona (all of them are present in period 2).
    ///
    /// - Exactly `round(switchFraction × customerCount)` period-1 customers, chosen at
    ///   random, switch persona along ``transitionProbabilities`` and keep their latent
    ///   scores (same relative position within the new persona) and their age.
    /// - Exactly `round(churnFraction × customerCount)` other customers are removed.
    /// - Everyone else keeps their persona; their latent scores move slightly
    ///   (``Configuration/stability``) and may advance one journey phase
    ///   (``Configuration/journeyProgressRate``).
    /// - `round(newCustomerFraction × customerCount)` new customers (ids continuing after
    ///   the last period-1 id) are drawn from ``Configuration/newCustomerShares``.
    /// - Missing cells are drawn afresh for period 2.
    /// - Complexity: O(customers × log customers + customers × columns).
    public func secondPeriod() -> (table: RawTable, truePersona: [Int], movedIDs: Set<String>) {
        let c = configuration
        let n = c.customerCount
        let L = Self.latentCount
        let start = drawFirstPeriod(count: n)

        // Per-customer change draws, always the same number per customer.
        var keys = [Double](repeating: 0, count: n)
        var destinationDraw = [Double](repeating: 0, count: n)
        var progressDraw = [Double](repeating: 0, count: n)
        var scores = start.scores
        let rho = c.stability, innovation = (1 - rho * rho).squareRoot()
        for i in 0..<n {
            var g = GaussianSource(SeededGenerator(seed: c.seed, stream: Self.stream(i, .change)))
            keys[i] = g.uniform()
            destinationDraw[i] = g.uniform()
            progressDraw[i] = g.uniform()
            for a in 0..<L {
                let e = g.gaussian()
                if a == Self.ageColumn { continue }  // age does not change
                scores[i * L + a] = rho * scores[i * L + a] + innovation * e
            }
        }
        // Exact counts: movers are the customers with the smallest keys, churners the next.
        let moveCount = Int((c.switchFraction * Double(n)).rounded())
        let churnCount = min(n - moveCount, Int((c.churnFraction * Double(n)).rounded()))
        let order = (0..<n).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        var status = [UInt8](repeating: 0, count: n)  // 0 stay, 1 move, 2 churn
        for i in order.prefix(moveCount) { status[i] = 1 }
        for i in order.dropFirst(moveCount).prefix(churnCount) { status[i] = 2 }

        let newCount = Int((c.newCustomerFraction * Double(n)).rounded())
        var builder = TableBuilder(capacity: n - churnCount + newCount)
        var personas: [Int] = []
        personas.reserveCapacity(n - churnCount + newCount)
        var moved = Set<String>()
        for i in 0..<n where status[i] != 2 {
            let old = start.personas[i]
            let persona = status[i] == 1
                ? Self.pick(Self.transitionCumulative[old], destinationDraw[i]) : old
            let journey = Self.advance(start.journeys[i], progress: progressDraw[i] < c.journeyProgressRate)
            let z = scores[(i * L)..<((i + 1) * L)]
            builder.append(index: i, persona: persona, agePersona: old, scores: z, journey: journey,
                           missing: missingGenerator(customer: i, period: 2),
                           missingRate: c.missingRate, spread: c.spread)
            personas.append(persona)
            if status[i] == 1 { moved.insert(Self.customerID(i)) }
        }
        let newCumulative = Self.cumulative(c.newCustomerShares ?? c.personaShares)
        for j in 0..<newCount {
            let i = n + j
            var z = [Double](repeating: 0, count: L)
            let persona = drawCustomer(i, cumulativeShares: newCumulative, into: &z, at: 0)
            builder.append(index: i, persona: persona, agePersona: persona, scores: z[...], journey: nil,
                           missing: missingGenerator(customer: i, period: 2),
                           missingRate: c.missingRate, spread: c.spread)
            personas.append(persona)
        }
        return (builder.table(), personas, moved)
    }
}

// MARK: - Drawing

extension SyntheticCustomers {
    /// Purposes of per-customer random streams.
    enum StreamPurpose: UInt64 { case values = 0, missing1 = 1, change = 2, missing2 = 3 }

    static func stream(_ customer: Int, _ purpose: StreamPurpose) -> UInt64 {
        UInt64(customer) << 3 | purpose.rawValue
    }

    struct FirstPeriod {
        var personas: [Int]
        var scores: [Double]  // customer-major, latentCount per customer
        var journeys: [Int]
    }

    func drawFirstPeriod(count n: Int) -> FirstPeriod {
        let cumulative = Self.cumulative(configuration.personaShares)
        var personas = [Int](repeating: 0, count: n)
        var scores = [Double](repeating: 0, count: n * Self.latentCount)
        var journeys = [Int](repeating: 0, count: n)
        let rules = Self.rules
        for i in 0..<n {
            let persona = drawCustomer(i, cumulativeShares: cumulative, into: &scores, at: i * Self.latentCount)
            personas[i] = persona
            let rule = rules.rules[persona * rules.columnCount + Self.journeyColumn]
            journeys[i] = rules.category(rule, Self.normalCDF(scores[i * Self.latentCount + Self.journeyColumn]))
        }
        return FirstPeriod(personas: personas, scores: scores, journeys: journeys)
    }

    /// Customer `i`'s persona (returned) and latent scores (written to
    /// `scores[offset..<offset + latentCount]`), from the customer's own stream.
    func drawCustomer(_ i: Int, cumulativeShares: [Double], into scores: inout [Double], at offset: Int) -> Int {
        var g = GaussianSource(SeededGenerator(seed: configuration.seed, stream: Self.stream(i, .values)))
        let persona = Self.pick(cumulativeShares, g.uniform())
        for a in 0..<Self.latentCount { scores[offset + a] = g.gaussian() }
        return persona
    }

    func missingGenerator(customer i: Int, period: Int) -> SeededGenerator {
        SeededGenerator(seed: configuration.seed, stream: Self.stream(i, period == 1 ? .missing1 : .missing2))
    }

    static func advance(_ phase: Int, progress: Bool) -> Int {
        progress ? min(phase + 1, journeyPhases.count - 1) : phase
    }

    static func checkShares(_ shares: [Double]) {
        precondition(shares.count == personaNames.count, "one share per persona")
        precondition(shares.allSatisfy { $0 >= 0 && $0.isFinite } && shares.reduce(0, +) > 0,
                     "shares must be non-negative with a positive sum")
    }

    /// Cumulative, normalised probabilities (last entry exactly 1).
    static func cumulative(_ weights: [Double]) -> [Double] {
        let total = weights.reduce(0, +)
        var sum = 0.0
        var result = weights.map { w -> Double in sum += w; return sum / total }
        result[result.count - 1] = 1
        return result
    }

    /// The first index whose cumulative probability exceeds `u`.
    static func pick(_ cumulative: [Double], _ u: Double) -> Int {
        for (k, c) in cumulative.enumerated() where u < c { return k }
        return cumulative.count - 1
    }

    /// The standard normal distribution function Φ.
    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    static let transitionCumulative: [[Double]] = transitionProbabilities.map(cumulative)

    /// "C000001" for customer 0: "C" and the 1-based number with at least six digits.
    package static func customerID(_ i: Int) -> String {
        asciiNumber(prefix: UInt8(ascii: "C"), magnitude: UInt(i + 1), places: 0, minimumDigits: 6)
    }
}

/// Uniform and standard-normal draws (Box–Muller, both values used) from a `SeededGenerator`.
package struct GaussianSource {
    var generator: SeededGenerator
    var spare: Double?

    package init(_ generator: SeededGenerator) { self.generator = generator }

    package mutating func uniform() -> Double { generator.nextUnitDouble() }

    package mutating func gaussian() -> Double {
        if let s = spare { spare = nil; return s }
        let u1 = 1 - generator.nextUnitDouble()  // (0, 1]: log is finite
        let u2 = generator.nextUnitDouble()
        let r = (-2 * log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spare = r * sin(theta)
        return r * cos(theta)
    }
}

// MARK: - Columns

extension SyntheticCustomers {
    /// How one column is generated from a customer's persona and latent score.
    enum Kind: Sendable {
        /// `mean + sd·spread·z`, clamped to `lower...upper`, rounded to `decimals`.
        case normal(mean: [Double], sd: [Double], lower: Double, upper: Double, decimals: Int)
        /// `median · exp(sigma·spread·z)`, rounded to `decimals`.
        case logNormal(median: [Double], sigma: [Double], decimals: Int)
        /// `mean + sd·spread·z` rounded and clamped to 1…5.
        case likert(mean: [Double], sd: [Double])
        /// 1 when Φ(z) < p.
        case binary(p: [Double])
        /// The category whose cumulative probability first exceeds Φ(z).
        case categorical(labels: [String], cumulative: [[Double]])
        /// Children in the household: probability `family` in a family household, else `other[p]`.
        case children(family: Double, other: [Double])
        /// Annual customer value in EUR: `median · (income / income median)^elasticity · exp(sigma·z)`.
        case customerValue(median: [Double], elasticity: Double, sigma: Double)
    }

    struct Column: Sendable {
        var name: String
        var kind: Kind
        var missingProne: Bool = false
    }

    static func categorical(_ labels: [String], _ p: [[Double]]) -> Kind {
        .categorical(labels: labels, cumulative: p.map(cumulative))
    }

    static let householdLabels = ["single", "couple", "family", "shared"]

    // Persona order: young professionals, families, retirees, students, affluent, savers.
    static let columns: [Column] = [
        // Lifestyle
        Column(name: "lifestyle_age", kind: .normal(
            mean: [31, 41, 70, 22, 58, 47], sd: [4.5, 6, 5.5, 2.5, 7, 10], lower: 18, upper: 95, decimals: 0)),
        Column(name: "lifestyle_household", kind: categorical(householdLabels, [
            [0.45, 0.40, 0.05, 0.10], [0.02, 0.08, 0.88, 0.02], [0.35, 0.60, 0.03, 0.02],
            [0.20, 0.10, 0.05, 0.65], [0.10, 0.60, 0.28, 0.02], [0.40, 0.30, 0.22, 0.08]])),
        Column(name: "lifestyle_has_children", kind: .children(
            family: 0.92, other: [0.03, 0.50, 0.01, 0.01, 0.05, 0.15])),
        Column(name: "lifestyle_leisure_hours_week", kind: .normal(
            mean: [12, 7, 22, 16, 14, 9], sd: [4, 3, 6, 5, 5, 4], lower: 0, upper: 80, decimals: 1)),
        // Media and content use
        Column(name: "media_tv_hours_week", kind: .normal(
            mean: [4, 10, 22, 5, 14, 16], sd: [2.5, 4, 6, 3, 5, 6], lower: 0, upper: 80, decimals: 1),
               missingProne: true),
        Column(name: "media_social_minutes_day", kind: .normal(
            mean: [95, 55, 15, 160, 20, 45], sd: [30, 20, 10, 45, 12, 20], lower: 0, upper: 600, decimals: 0)),
        Column(name: "media_preferred_channel", kind: categorical(["tv", "social", "print", "podcast", "streaming"], [
            [0.05, 0.30, 0.02, 0.28, 0.35], [0.30, 0.20, 0.05, 0.10, 0.35], [0.50, 0.03, 0.40, 0.04, 0.03],
            [0.02, 0.55, 0.01, 0.12, 0.30], [0.35, 0.05, 0.40, 0.12, 0.08], [0.55, 0.15, 0.10, 0.05, 0.15]]),
               missingProne: true),
        // Online behaviour
        Column(name: "online_sessions_month", kind: .normal(
            mean: [60, 35, 10, 75, 20, 25], sd: [15, 10, 6, 20, 8, 10], lower: 0, upper: 400, decimals: 0)),
        Column(name: "online_uses_mobile_banking", kind: .binary(p: [0.93, 0.75, 0.25, 0.85, 0.45, 0.50])),
        Column(name: "online_purchase_share_pct", kind: .normal(
            mean: [55, 40, 10, 45, 18, 22], sd: [15, 12, 7, 15, 9, 10], lower: 0, upper: 100, decimals: 1)),
        // Wishes (Likert 1–5: 1 = not at all, 5 = very much)
        Column(name: "wish_sustainability", kind: .likert(mean: [3.8, 3.3, 3.0, 4.2, 2.6, 2.4], sd: likertSD)),
        Column(name: "wish_convenience", kind: .likert(mean: [4.4, 4.2, 2.8, 3.6, 3.5, 2.9], sd: likertSD)),
        Column(name: "wish_premium_quality", kind: .likert(mean: [3.5, 2.8, 3.0, 1.8, 4.5, 1.9], sd: likertSD)),
        // Needs
        Column(name: "need_personal_advice", kind: .likert(mean: [1.8, 2.8, 4.3, 2.2, 4.0, 3.9], sd: likertSD)),
        Column(name: "need_low_prices", kind: .likert(mean: [2.6, 3.8, 3.0, 4.7, 1.7, 4.4], sd: likertSD)),
        Column(name: "need_digital_self_service", kind: .likert(mean: [4.6, 3.7, 1.7, 4.3, 2.2, 2.8], sd: likertSD)),
        // Fears
        Column(name: "fear_data_privacy", kind: .likert(mean: [2.8, 3.2, 3.9, 2.4, 3.6, 4.4], sd: likertSD)),
        Column(name: "fear_financial_loss", kind: .likert(mean: [2.5, 3.4, 3.1, 3.0, 2.6, 4.7], sd: likertSD),
               missingProne: true),
        Column(name: "fear_health_problems", kind: .likert(mean: [1.8, 2.6, 4.1, 1.6, 3.3, 3.6], sd: likertSD)),
        // Financial situation
        Column(name: "finance_monthly_income_eur", kind: .logNormal(
            median: [3600, 4800, 2400, 950, 7800, 2300], sigma: [0.28, 0.25, 0.30, 0.35, 0.35, 0.30], decimals: 0),
               missingProne: true),
        Column(name: "finance_savings_rate_pct", kind: .normal(
            mean: [12, 8, 6, 3, 20, 18], sd: [5, 4, 4, 3, 7, 6], lower: 0, upper: 80, decimals: 1),
               missingProne: true),
        Column(name: "finance_owns_home", kind: .binary(p: [0.20, 0.75, 0.70, 0.02, 0.92, 0.35])),
        Column(name: "finance_has_investments", kind: .binary(p: [0.55, 0.40, 0.35, 0.10, 0.88, 0.12]),
               missingProne: true),
        // Health situation
        Column(name: "health_steps_per_day", kind: .normal(
            mean: [7500, 6500, 8500, 8000, 6000, 4800], sd: [2000, 1800, 2200, 2500, 1800, 1700],
            lower: 300, upper: 40000, decimals: 0),
               missingProne: true),
        Column(name: "health_self_rated", kind: .likert(mean: [4.0, 3.6, 3.9, 4.2, 3.5, 2.6], sd: likertSD)),
        Column(name: "health_sleep_hours", kind: .normal(
            mean: [6.8, 6.3, 7.6, 7.2, 7.0, 6.1], sd: [0.8, 0.8, 0.8, 0.9, 0.8, 0.9], lower: 3, upper: 12, decimals: 1),
               missingProne: true),
        // Profile-only
        Column(name: "profile_customer_value", kind: .customerValue(
            median: [650, 900, 700, 120, 2400, 300], elasticity: 0.6, sigma: 0.75)),
        Column(name: "profile_journey_phase", kind: categorical(journeyPhases, [
            [0.15, 0.25, 0.25, 0.25, 0.10], [0.05, 0.15, 0.25, 0.40, 0.15], [0.05, 0.10, 0.15, 0.45, 0.25],
            [0.35, 0.30, 0.20, 0.10, 0.05], [0.03, 0.07, 0.15, 0.45, 0.30], [0.20, 0.30, 0.25, 0.20, 0.05]])),
        Column(name: "profile_channel", kind: categorical(["store", "web", "app", "phone"], [
            [0.10, 0.30, 0.58, 0.02], [0.30, 0.35, 0.30, 0.05], [0.55, 0.10, 0.05, 0.30],
            [0.10, 0.30, 0.60, 0.00], [0.45, 0.20, 0.10, 0.25], [0.45, 0.20, 0.15, 0.20]])),
    ]

    static let likertSD: [Double] = [0.85, 0.85, 0.85, 0.85, 0.85, 0.85]

    /// One latent score per generated column.
    static let latentCount = columns.count
    static let ageColumn = columns.firstIndex { $0.name == "lifestyle_age" }!
    static let householdColumn = columns.firstIndex { $0.name == "lifestyle_household" }!
    static let incomeColumn = columns.firstIndex { $0.name == "finance_monthly_income_eur" }!
    static let journeyColumn = columns.firstIndex { $0.name == "profile_journey_phase" }!
    static let familyHousehold = householdLabels.firstIndex(of: "family")!
}

// MARK: - Table building

extension SyntheticCustomers {
    /// The column definitions flattened into plain values, so that rendering a cell neither
    /// copies arrays nor touches reference counts.
    struct Rules: Sendable {
        enum Code: UInt8, Sendable { case normal, logNormal, likert, binary, categorical, children, customerValue }

        /// One column for one persona.
        struct Rule: Sendable {
            var code: Code
            /// Mean, median, probability, family probability or median customer value.
            var a: Double
            /// Standard deviation, log-scale sigma or non-family probability.
            var b: Double
            /// Lower bound, or the income elasticity of the customer value.
            var lower: Double
            /// Upper bound, or the log-scale sigma of the customer value.
            var upper: Double
            var decimals: Int
            /// Where the cumulative probabilities of a categorical column start in `cumulative`.
            var cumulativeStart: Int
            var categoryCount: Int
            var missingProne: Bool
        }

        /// `rules[persona * columnCount + column]`.
        var rules: [Rule] = []
        var cumulative: [Double] = []
        var labels: [[String]] = []
        let columnCount: Int

        init(_ columns: [Column], personaCount: Int) {
            columnCount = columns.count
            labels = columns.map { column in
                if case .categorical(let labels, _) = column.kind { return labels }
                return []
            }
            for p in 0..<personaCount {
                for column in columns {
                    var rule = Rule(code: .normal, a: 0, b: 0, lower: 0, upper: 0, decimals: 0,
                                    cumulativeStart: 0, categoryCount: 0, missingProne: column.missingProne)
                    switch column.kind {
                    case .normal(let mean, let sd, let lower, let upper, let decimals):
                        rule.code = .normal
                        (rule.a, rule.b, rule.lower, rule.upper, rule.decimals) = (mean[p], sd[p], lower, upper, decimals)
                    case .logNormal(let median, let sigma, let decimals):
                        rule.code = .logNormal
                        (rule.a, rule.b, rule.decimals) = (median[p], sigma[p], decimals)
                    case .likert(let mean, let sd):
                        rule.code = .likert
                        (rule.a, rule.b) = (mean[p], sd[p])
                    case .binary(let prob):
                        rule.code = .binary
                        rule.a = prob[p]
                    case .categorical(let labels, let cumulative):
                        rule.code = .categorical
                        rule.cumulativeStart = self.cumulative.count
                        rule.categoryCount = labels.count
                        self.cumulative += cumulative[p]
                    case .children(let family, let other):
                        rule.code = .children
                        (rule.a, rule.b) = (family, other[p])
                    case .customerValue(let median, let elasticity, let sigma):
                        rule.code = .customerValue
                        (rule.a, rule.lower, rule.upper, rule.decimals) = (median[p], elasticity, sigma, 2)
                    }
                    rules.append(rule)
                }
            }
        }

        /// The category of a categorical rule for the uniform draw `u`.
        func category(_ rule: Rule, _ u: Double) -> Int {
            let end = rule.cumulativeStart + rule.categoryCount
            var k = rule.cumulativeStart
            while k < end - 1 && u >= cumulative[k] { k += 1 }
            return k - rule.cumulativeStart
        }
    }

    static let rules = Rules(columns, personaCount: personaNames.count)

    /// Accumulates cells column by column.
    struct TableBuilder {
        var ids: [String] = []
        var cells: [[String]]
        let rules: Rules

        init(capacity: Int) {
            rules = SyntheticCustomers.rules
            ids.reserveCapacity(capacity)
            cells = Array(repeating: [], count: rules.columnCount)
            for c in cells.indices { cells[c].reserveCapacity(capacity) }
        }

        func table() -> RawTable {
            RawTable(columnNames: SyntheticCustomers.columnNames, columns: [ids] + cells)
        }

        /// Appends customer `index` with the given persona and latent scores. `agePersona`
        /// is the persona whose age distribution applies (the period-1 persona for a mover);
        /// `journey` overrides the journey phase.
        mutating func append(index: Int, persona p: Int, agePersona: Int, scores z: ArraySlice<Double>,
                             journey: Int?, missing: SeededGenerator, missingRate: Double, spread: Double) {
            var missing = missing
            ids.append(SyntheticCustomers.customerID(index))
            let base = z.startIndex
            let columnCount = rules.columnCount
            var household = 0
            var logIncomeRatio = 0.0
            for c in 0..<columnCount {
                let score = z[base + c]
                let q = c == SyntheticCustomers.ageColumn ? agePersona : p
                let rule = rules.rules[q * columnCount + c]
                var cell: String
                switch rule.code {
                case .normal:
                    let value = min(rule.upper, max(rule.lower, rule.a + rule.b * spread * score))
                    cell = SyntheticCustomers.format(value, decimals: rule.decimals)
                case .logNormal:
                    let logRatio = rule.b * spread * score
                    if c == SyntheticCustomers.incomeColumn { logIncomeRatio = logRatio }
                    cell = SyntheticCustomers.format(rule.a * exp(logRatio), decimals: rule.decimals)
                case .likert:
                    let level = Int(min(5, max(1, (rule.a + rule.b * spread * score).rounded())))
                    cell = SyntheticCustomers.levelText[level]
                case .binary:
                    cell = SyntheticCustomers.normalCDF(score) < rule.a ? "1" : "0"
                case .categorical:
                    var k = rules.category(rule, SyntheticCustomers.normalCDF(score))
                    if c == SyntheticCustomers.journeyColumn, let journey { k = journey }
                    if c == SyntheticCustomers.householdColumn { household = k }
                    cell = rules.labels[c][k]
                case .children:
                    let prob = household == SyntheticCustomers.familyHousehold ? rule.a : rule.b
                    cell = SyntheticCustomers.normalCDF(score) < prob ? "1" : "0"
                case .customerValue:
                    let value = rule.a * exp(rule.lower * logIncomeRatio + rule.upper * score)
                    cell = SyntheticCustomers.format(value, decimals: rule.decimals)
                }
                if rule.missingProne {
                    // Always draw, so missingness of one column does not shift the others.
                    if missing.nextUnitDouble() < missingRate { cell = "" }
                }
                cells[c].append(cell)
            }
        }
    }

    package static let levelText = ["0", "1", "2", "3", "4", "5"]

    /// Plain decimal text of `value` rounded to `decimals` places, trailing zeros dropped
    /// ("1234.5", "12", "0.07"); no exponent, no locale.
    package static func format(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        var scaled = Int((value * scale).rounded())
        if scaled == 0 { return "0" }
        var places = decimals
        while places > 0 && scaled % 10 == 0 { scaled /= 10; places -= 1 }
        return asciiNumber(prefix: scaled < 0 ? UInt8(ascii: "-") : nil, magnitude: scaled.magnitude,
                           places: places, minimumDigits: 1)
    }

    /// `prefix`, then `magnitude` in decimal with at least `minimumDigits` digits (zero-padded)
    /// and a decimal point before the last `places` digits.
    static func asciiNumber(prefix: UInt8?, magnitude: UInt, places: Int, minimumDigits: Int) -> String {
        String(unsafeUninitializedCapacity: 48) { buffer in
            var m = magnitude
            var i = buffer.count - 1
            var written = 0
            repeat {
                if written == places && places > 0 { buffer[i] = UInt8(ascii: "."); i -= 1 }
                buffer[i] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10; i -= 1; written += 1
            } while m > 0 || written <= places || written < minimumDigits
            if let prefix { buffer[i] = prefix; i -= 1 }
            let start = i + 1, count = buffer.count - start
            for k in 0..<count { buffer[k] = buffer[start + k] }
            return count
        }
    }
}
