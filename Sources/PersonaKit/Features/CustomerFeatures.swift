/// One order of an order log: who, when, how much and (optionally) how many units.
public struct Order: Sendable, Hashable {
    /// The customer's identifier, as written in the log.
    public var customer: String
    /// The day of the order.
    public var date: CalendarDate
    /// The order's amount (negative amounts, such as refunds, are summed as they are).
    public var amount: Double
    /// The units ordered, when the log has a quantity column.
    public var units: Double?

    /// Creates an order.
    public init(customer: String, date: CalendarDate, amount: Double, units: Double? = nil) {
        self.customer = customer
        self.date = date
        self.amount = amount
        self.units = units
    }
}

/// One customer at the end of one period: recency, frequency, monetary value, tenure and
/// their relatives, from the orders up to that day (see `Docs/Features.md`).
public struct CustomerFeatures: Sendable, Hashable {
    /// The customer's identifier.
    public var customer: String
    /// Days from the customer's last order on or before the period end to the period end (0
    /// when the last order is on the period end).
    public var recencyDays: Int
    /// Orders in the period (from its first day to its end).
    public var frequencyPeriod: Int
    /// Orders from the first one to the period end (≥ 1).
    public var frequencyTotal: Int
    /// The sum of the amounts of the period's orders (0 without any).
    public var monetaryPeriod: Double
    /// The sum of the amounts of every order up to the period end.
    public var monetaryTotal: Double
    /// Days from the customer's first order to the period end.
    public var tenureDays: Int
    /// ``monetaryTotal`` / ``frequencyTotal``.
    public var averageOrderValue: Double
    /// The mean of the gaps in days between consecutive orders up to the period end
    /// (last order day − first order day) / (``frequencyTotal`` − 1); `nil` with one order.
    public var meanDaysBetweenOrders: Double?
    /// Units of the period's orders, when the log has quantities.
    public var unitsPeriod: Double?
    /// Units of every order up to the period end, when the log has quantities.
    public var unitsTotal: Double?

    /// Creates a row from its values.
    public init(customer: String, recencyDays: Int, frequencyPeriod: Int, frequencyTotal: Int, monetaryPeriod: Double,
                monetaryTotal: Double, tenureDays: Int, averageOrderValue: Double, meanDaysBetweenOrders: Double?,
                unitsPeriod: Double? = nil, unitsTotal: Double? = nil) {
        self.customer = customer
        self.recencyDays = recencyDays
        self.frequencyPeriod = frequencyPeriod
        self.frequencyTotal = frequencyTotal
        self.monetaryPeriod = monetaryPeriod
        self.monetaryTotal = monetaryTotal
        self.tenureDays = tenureDays
        self.averageOrderValue = averageOrderValue
        self.meanDaysBetweenOrders = meanDaysBetweenOrders
        self.unitsPeriod = unitsPeriod
        self.unitsTotal = unitsTotal
    }
}

/// The features of every customer who ordered on or before one period end.
public struct CustomerFeatureTable: Sendable, Hashable {
    /// The period's last day (``CustomerFeatureBuilder/asOf`` for a last, cut period).
    public var periodEnd: CalendarDate
    /// The period's first day.
    public var periodStart: CalendarDate
    /// One row per customer, in the order customers first appear in the log.
    public var rows: [CustomerFeatures]
}

/// Builds per-period customer feature tables from orders given one at a time, in any order
/// of dates, keeping only per-customer, per-period sums — never the orders themselves.
///
/// ```swift
/// var builder = CustomerFeatureBuilder(period: .quarter, countsUnits: false)
/// for order in orders { builder.add(order) }
/// let tables = builder.tables()   // one per quarter end, first order's quarter to last order's
/// ```
///
/// The tables do not depend on the order in which orders are added, except for the row
/// order and the last bits of floating-point sums.
public struct CustomerFeatureBuilder: Sendable {
    /// The periods the tables are taken at.
    public let period: FeaturePeriod
    /// The last day considered: later orders are ignored, and the last table is taken on it.
    public let asOf: CalendarDate?
    /// Whether orders carry units (and the tables units columns).
    public let countsUnits: Bool

    /// One customer's orders in one period.
    struct PeriodSums: Sendable {
        var orders = 0
        var amount = 0.0
        var units = 0.0
        var firstDay = Int.max
        var lastDay = Int.min
    }

    private var customerIndex: [String: Int] = [:]
    /// The customers in the order of their first (kept) order in the input.
    public private(set) var customers: [String] = []
    private var sums: [[Int: PeriodSums]] = []
    /// Orders kept (on or before ``asOf``).
    public private(set) var orderCount = 0
    /// Orders ignored because they are after ``asOf``.
    public private(set) var ordersAfterAsOf = 0
    private var firstPeriod = Int.max
    private var lastPeriod = Int.min

    /// Creates an empty builder.
    /// - Parameters:
    ///   - period: months, quarters or years.
    ///   - asOf: the last day to consider (`nil`: up to the end of the last order's period).
    ///   - countsUnits: whether orders carry units.
    public init(period: FeaturePeriod, asOf: CalendarDate? = nil, countsUnits: Bool) {
        self.period = period
        self.asOf = asOf
        self.countsUnits = countsUnits
    }

    /// Adds one order (ignored, but counted in ``ordersAfterAsOf``, when after ``asOf``).
    /// - Complexity: O(1) amortised (plus hashing the identifier).
    public mutating func add(_ order: Order) {
        if let asOf, order.date > asOf {
            ordersAfterAsOf += 1
            return
        }
        let index: Int
        if let known = customerIndex[order.customer] {
            index = known
        } else {
            index = customers.count
            customerIndex[order.customer] = index
            customers.append(order.customer)
            sums.append([:])
        }
        let periodIndex = period.index(of: order.date)
        let day = order.date.dayNumber
        firstPeriod = min(firstPeriod, periodIndex)
        lastPeriod = max(lastPeriod, periodIndex)
        sums[index][periodIndex, default: PeriodSums()].add(day: day, amount: order.amount, units: order.units ?? 0)
        orderCount += 1
    }

    /// The period ends the tables will be taken at: from the first order's period to the
    /// last order's (or to ``asOf``), empty without orders.
    public var periodEnds: [CalendarDate] { (periodRange.map(Array.init) ?? []).map { end(ofPeriod: $0) } }

    private var periodRange: ClosedRange<Int>? {
        guard orderCount > 0 else { return nil }
        return firstPeriod...(asOf.map { period.index(of: $0) } ?? lastPeriod)
    }

    private func end(ofPeriod index: Int) -> CalendarDate {
        if let asOf, period.index(of: asOf) == index { return asOf }
        return period.end(ofIndex: index)
    }

    /// One table per period end, in date order.
    /// - Complexity: O(customers × periods + customer periods × log(customer periods)).
    public func tables() -> [CustomerFeatureTable] {
        guard let range = periodRange else { return [] }
        let keys = sums.map { $0.keys.sorted() }
        var next = [Int](repeating: 0, count: customers.count)
        var totals = [PeriodSums](repeating: PeriodSums(), count: customers.count)
        var tables: [CustomerFeatureTable] = []
        tables.reserveCapacity(range.count)
        for periodIndex in range {
            let endDay = end(ofPeriod: periodIndex).dayNumber
            var rows: [CustomerFeatures] = []
            for customer in customers.indices {
                var inPeriod = PeriodSums()
                if next[customer] < keys[customer].count, keys[customer][next[customer]] == periodIndex {
                    inPeriod = sums[customer][periodIndex]!
                    totals[customer].merge(inPeriod)
                    next[customer] += 1
                }
                let total = totals[customer]
                guard total.orders > 0 else { continue }
                rows.append(CustomerFeatures(
                    customer: customers[customer],
                    recencyDays: endDay - total.lastDay,
                    frequencyPeriod: inPeriod.orders,
                    frequencyTotal: total.orders,
                    monetaryPeriod: inPeriod.amount,
                    monetaryTotal: total.amount,
                    tenureDays: endDay - total.firstDay,
                    averageOrderValue: total.amount / Double(total.orders),
                    meanDaysBetweenOrders: total.orders < 2 ? nil : Double(total.lastDay - total.firstDay) / Double(total.orders - 1),
                    unitsPeriod: countsUnits ? inPeriod.units : nil,
                    unitsTotal: countsUnits ? total.units : nil))
            }
            tables.append(CustomerFeatureTable(periodEnd: end(ofPeriod: periodIndex), periodStart: period.start(ofIndex: periodIndex), rows: rows))
        }
        return tables
    }
}

extension CustomerFeatureBuilder.PeriodSums {
    mutating func add(day: Int, amount: Double, units: Double) {
        orders += 1
        self.amount += amount
        self.units += units
        firstDay = min(firstDay, day)
        lastDay = max(lastDay, day)
    }

    mutating func merge(_ other: Self) {
        orders += other.orders
        amount += other.amount
        units += other.units
        firstDay = min(firstDay, other.firstDay)
        lastDay = max(lastDay, other.lastDay)
    }
}
