/// One persona in a ``PersonaReport``: how many customers it has and what they are worth.
public struct PersonaSummary: Sendable, Hashable {
    /// The persona's stable identifier.
    public var id: Int
    /// The persona's name as stored in the model (possibly edited by hand).
    public var name: String
    /// A name suggested from this data's profile (see
    /// ``PersonaProfiles/suggestedName(for:schema:terms:)``); it may differ from ``name`` when
    /// the data is not the training data.
    public var suggestedName: String
    /// Customers assigned to the persona.
    public var customers: Int
    /// Their share of all customers (0–1).
    public var share: Double
    /// Value figures, when the report has a value column.
    public var value: ValueTotal?
}

/// The value of a set of customers, in the value column's units.
public struct ValueTotal: Sendable, Hashable {
    /// Customers with a value (a missing value is left out).
    public var customers: Int
    /// The sum of their values.
    public var total: Double
    /// The mean value per customer with a value, or `nil` when there are none.
    public var mean: Double?
    /// The share of the whole population's total value (0–1), or `nil` when that total is 0.
    /// Negative values (refunds, losses) count with their sign, so a share can fall outside 0–1.
    public var share: Double?
}

/// How many customers of a group take one level (ordinal), one value (binary) or one
/// category (categorical) of an attribute.
public struct LevelShare: Sendable, Hashable {
    /// The level as text: the number for ordinal and binary attributes (`"4"`, `"1"`), the
    /// category for categorical ones.
    public var label: String
    /// Customers of the group at this level.
    public var customers: Int
    /// Their share of the group's customers with a value (0–1; 0 when none has a value).
    public var share: Double
}

/// One attribute summarised for one group of customers (a persona, or everyone), in
/// original units.
public struct AttributeSummary: Sendable, Hashable {
    /// Customers of the group with a value.
    public var customers: Int
    /// Customers of the group whose value is missing.
    public var missing: Int
    /// The mean of a numeric attribute (continuous: the mean; ordinal: the mean level; binary:
    /// the share of 1s), or `nil` for a categorical attribute or when no customer has a value.
    public var mean: Double?
    /// The distribution over levels (ordinal), 0 and 1 (binary) or categories (categorical),
    /// in the attribute's order; empty for a continuous attribute.
    public var levels: [LevelShare]

    /// The most frequent level or category (the first in the attribute's order on a tie), or
    /// `nil` when there are no levels or no customer has a value.
    /// - Complexity: O(levels).
    public var mode: LevelShare? {
        guard customers > 0, var best = levels.first else { return nil }
        for level in levels.dropFirst() where level.customers > best.customers { best = level }
        return best
    }
}

/// One attribute summarised for the population and for every persona.
public struct AttributeReport: Sendable, Hashable {
    /// The attribute (kind with its levels or categories, group, role).
    public var attribute: Attribute
    /// Over all customers.
    public var population: AttributeSummary
    /// Per persona, in ``PersonaReport/personas`` order.
    public var personas: [AttributeSummary]
}

/// A segment attribute that sets a persona apart, ranked by |standardised difference|.
public struct DistinguishingAttribute: Sendable, Hashable {
    /// The comparison with the population (category set for a categorical attribute).
    public var comparison: AttributeComparison
    /// The rank among all the persona's segment comparisons (1 = the most distinguishing).
    public var rank: Int
    /// The rank within the attribute's group (1 = the group's most distinguishing).
    public var groupRank: Int
    /// The customers the persona's figure describes: those with a value (numeric), those in
    /// the category (categorical).
    public var customers: Int
}

/// A persona × category table of customer counts for one categorical column.
public struct CrossTable: Sendable, Hashable {
    /// The column.
    public var column: String
    /// Its categories, in the attribute's order.
    public var categories: [String]
    /// Per persona (report order), the customers in each category.
    public var counts: [[Int]]
    /// Per persona, the customers with no value in the column.
    public var missing: [Int]

    /// Customers of each category over all personas.
    /// - Complexity: O(personas × categories).
    public var categoryTotals: [Int] {
        categories.indices.map { c in counts.reduce(0) { $0 + $1[c] } }
    }
}

/// One account (a company, a household: a group of decision makers) and its persona mix.
public struct AccountPersonas: Sendable, Hashable {
    /// The account identifier.
    public var account: String
    /// Its customers (decision makers).
    public var customers: Int
    /// Per persona (report order), the account's customers with that persona.
    public var personas: [Int]

    /// The index (report order) of the persona most of the account's customers have (the
    /// first on a tie).
    /// - Complexity: O(personas).
    public var mainPersonaIndex: Int {
        var best = 0
        for i in personas.indices where personas[i] > personas[best] { best = i }
        return best
    }
}

/// The persona mix of every account.
public struct AccountMix: Sendable, Hashable {
    /// The account column.
    public var column: String
    /// The accounts, largest first, then by identifier.
    public var accounts: [AccountPersonas]
    /// Customers with an empty account cell (in no account).
    public var customersWithoutAccount: Int
}

/// One band of the value pyramid: the customers between two ranks by value.
public struct ValueBand: Sendable, Hashable {
    /// Which customers a band holds: ranked by value, highest first, the ranks from
    /// `from × n` to `to × n` (rounded to the nearest rank), where `n` is the number of
    /// customers with a value.
    public struct Definition: Sendable, Hashable {
        /// A label such as `top 20%` or `decile 3`.
        public var label: String
        /// The band's start as a fraction of the ranked customers (0 = the most valuable).
        public var from: Double
        /// The band's end (exclusive) as a fraction of the ranked customers.
        public var to: Double

        /// Creates a band definition.
        /// - Precondition: `0 ≤ from ≤ to ≤ 1`.
        public init(label: String, from: Double, to: Double) {
            precondition(0 <= from && from <= to && to <= 1, "a band lies within 0…1")
            self.label = label
            self.from = from
            self.to = to
        }

        /// The top 20% of customers by value, then the ten deciles (`decile 1` = the top 10%).
        public static let standard: [Definition] =
            [Definition(label: "top 20%", from: 0, to: 0.2)]
            + (0..<10).map { Definition(label: "decile \($0 + 1)", from: Double($0) / 10, to: Double($0 + 1) / 10) }
    }

    /// The band's definition.
    public var definition: Definition
    /// Customers in the band.
    public var customers: Int
    /// Their total value.
    public var value: Double
    /// The highest and lowest value in the band, or `nil` for an empty band.
    public var highest: Double?
    /// The lowest value in the band.
    public var lowest: Double?
    /// Per persona (report order), the band's customers with that persona.
    public var personaCustomers: [Int]
    /// Per persona, their total value.
    public var personaValue: [Double]
}

/// Customers ranked by value, cut into bands, with each band's persona composition.
public struct ValuePyramid: Sendable, Hashable {
    /// The value column.
    public var column: String
    /// Customers with a value (the ranked ones).
    public var customers: Int
    /// Their total value.
    public var total: Double
    /// The bands, in the order of the options.
    public var bands: [ValueBand]
}
