/// A customer whose persona changed between two periods.
public struct PersonaMover: Sendable, Hashable {
    /// The customer identifier.
    public var id: String
    /// The persona in the previous period.
    public var from: Int
    /// The persona in the current period.
    public var to: Int
    /// Distance to the previous persona's centre in the previous period, when given.
    public var previousDistance: Double?
    /// Distance to the current persona's centre in the current period, when given.
    public var currentDistance: Double?

    /// Creates a mover.
    public init(id: String, from: Int, to: Int, previousDistance: Double? = nil, currentDistance: Double? = nil) {
        self.id = id
        self.from = from
        self.to = to
        self.previousDistance = previousDistance
        self.currentDistance = currentDistance
    }
}

/// Where customers went between two periods: the transition matrix with "new customer" and
/// "left" states, the customers who changed persona, and how many stayed.
///
/// Persona identifiers are compared as they are: compare periods whose personas share
/// identities (one model, or a model and its retrain, see ``PersonaMatching``).
///
/// ```swift
/// let transitions = PersonaTransitions(previous: ["a": 1, "b": 1, "c": 2],
///                                      current: ["a": 1, "b": 2, "d": 2])
/// transitions.count(from: .persona(1), to: .persona(2))   // 1 ("b")
/// transitions.count(from: .absent, to: .persona(2))       // 1 ("d", new)
/// transitions.count(from: .persona(2), to: .absent)       // 1 ("c", left)
/// transitions.stayedShare                                 // 0.5 (of "a" and "b")
/// ```
public struct PersonaTransitions: Sendable, Hashable {
    /// A row or column of the transition matrix.
    public enum State: Sendable, Hashable {
        /// Assigned to this persona.
        case persona(Int)
        /// Not a customer in that period: as a row (previous period), customers new in the
        /// current period; as a column (current period), customers who left.
        case absent
    }

    /// The previous period's personas: the rows, in order (the last row is ``State/absent``).
    public let previousPersonas: [Int]
    /// The current period's personas: the columns, in order (the last column is
    /// ``State/absent``).
    public let currentPersonas: [Int]
    /// Customer counts, `(previousPersonas.count + 1) × (currentPersonas.count + 1)`,
    /// row-major; the absent row and column come last and the absent-to-absent cell is 0.
    public let counts: [Int]
    /// Customers present in both periods whose persona changed, by identifier.
    public let movers: [PersonaMover]
    /// Customers present in both periods.
    public let continuing: Int
    /// Customers present in both periods with the same persona.
    public let stayed: Int

    /// The share of customers present in both periods who kept their persona, or `nil` when
    /// no customer is present in both.
    public var stayedShare: Double? { continuing > 0 ? Double(stayed) / Double(continuing) : nil }

    /// Compares two periods' assignments.
    ///
    /// - Parameters:
    ///   - previous: customer identifier → persona, previous period.
    ///   - current: customer identifier → persona, current period.
    ///   - previousDistances: customer identifier → distance to the assigned centre in the
    ///     previous period, if known (copied into ``movers``).
    ///   - currentDistances: the same for the current period.
    ///   - previousPersonas: the row order; personas found in `previous` but not listed are
    ///     appended in increasing order. `nil`: increasing order. Listing a model's personas
    ///     keeps those with no customers.
    ///   - currentPersonas: the column order, likewise.
    /// - Complexity: O((p + c) × log(p + c) + rows × columns) for `p` previous and `c`
    ///   current customers.
    public init(previous: [String: Int], current: [String: Int],
                previousDistances: [String: Double]? = nil, currentDistances: [String: Double]? = nil,
                previousPersonas: [Int]? = nil, currentPersonas: [Int]? = nil) {
        func order(_ listed: [Int]?, _ found: Dictionary<String, Int>.Values) -> [Int] {
            var order = listed ?? []
            let known = Set(order)
            precondition(known.count == order.count, "persona orders must not repeat an identifier")
            order += Set(found).subtracting(known).sorted()
            return order
        }
        let rows = order(previousPersonas, previous.values)
        let columns = order(currentPersonas, current.values)
        let row = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let column = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        let width = columns.count + 1
        var counts = [Int](repeating: 0, count: (rows.count + 1) * width)
        var movers = [PersonaMover]()
        var continuing = 0
        for (id, from) in previous {
            guard let to = current[id] else {
                counts[row[from]! * width + columns.count] += 1
                continue
            }
            counts[row[from]! * width + column[to]!] += 1
            continuing += 1
            if from != to {
                movers.append(PersonaMover(id: id, from: from, to: to, previousDistance: previousDistances?[id],
                                           currentDistance: currentDistances?[id]))
            }
        }
        for (id, to) in current where previous[id] == nil { counts[rows.count * width + column[to]!] += 1 }
        movers.sort { $0.id < $1.id }

        self.previousPersonas = rows
        self.currentPersonas = columns
        self.counts = counts
        self.movers = movers
        self.continuing = continuing
        self.stayed = continuing - movers.count
    }

    /// Customers that went from `from` (previous period) to `to` (current period); 0 for a
    /// persona not in the matrix.
    /// - Complexity: O(rows + columns).
    public func count(from: State, to: State) -> Int {
        guard let r = rowIndex(from), let c = columnIndex(to) else { return 0 }
        return counts[r * (currentPersonas.count + 1) + c]
    }

    /// All customers of row `from`: the previous persona's customers, or (for
    /// ``State/absent``) the new customers.
    /// - Complexity: O(rows + columns).
    public func total(from: State) -> Int {
        guard let r = rowIndex(from) else { return 0 }
        let width = currentPersonas.count + 1
        return counts[r * width ..< (r + 1) * width].reduce(0, +)
    }

    /// All customers of column `to`: the current persona's customers, or (for
    /// ``State/absent``) the customers who left.
    /// - Complexity: O(rows + columns).
    public func total(to: State) -> Int {
        guard let c = columnIndex(to) else { return 0 }
        let width = currentPersonas.count + 1
        return (0...previousPersonas.count).reduce(0) { $0 + counts[$1 * width + c] }
    }

    /// The row share: of the customers in row `from`, the fraction that went to `to`, or
    /// `nil` for an empty row.
    /// - Complexity: O(rows + columns).
    public func share(from: State, to: State) -> Double? {
        let total = total(from: from)
        return total > 0 ? Double(count(from: from, to: to)) / Double(total) : nil
    }

    /// Customers new in the current period.
    public var newCustomers: Int { total(from: .absent) }
    /// Customers of the previous period who are gone in the current one.
    public var leftCustomers: Int { total(to: .absent) }

    private func rowIndex(_ state: State) -> Int? {
        switch state {
        case .persona(let id): previousPersonas.firstIndex(of: id)
        case .absent: previousPersonas.count
        }
    }

    private func columnIndex(_ state: State) -> Int? {
        switch state {
        case .persona(let id): currentPersonas.firstIndex(of: id)
        case .absent: currentPersonas.count
        }
    }
}
