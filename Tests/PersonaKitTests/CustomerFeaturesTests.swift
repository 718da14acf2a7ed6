import PersonaKit
import Testing

private func date(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate { CalendarDate(year: year, month: month, day: day)! }

@Suite("customer features from orders")
struct CustomerFeaturesTests {
    /// Three customers over two quarters, added out of date order. Day counts worked by hand:
    /// 10 Jan → 20 Feb = 41 days, 10 Jan → 31 Mar = 80, 20 Feb → 31 Mar = 39, 10 Jan → 1 May
    /// = 111, 1 May → 30 Jun = 60, 15 Apr → 30 Jun = 76, 31 Mar → 30 Jun = 91.
    static let orders = [
        Order(customer: "A", date: date(2026, 2, 20), amount: 30, units: 2),
        Order(customer: "B", date: date(2026, 3, 31), amount: 50, units: 5),
        Order(customer: "A", date: date(2026, 5, 1), amount: 20, units: 1),
        Order(customer: "A", date: date(2026, 1, 10), amount: 10, units: 1),
        Order(customer: "C", date: date(2026, 4, 15), amount: 5, units: 1),
        Order(customer: "C", date: date(2026, 4, 15), amount: 15, units: 3),
    ]

    static func features(_ customer: String, recency: Int, frequency: (Int, Int), monetary: (Double, Double), tenure: Int,
                         average: Double, gap: Double?, units: (Double, Double)?) -> CustomerFeatures {
        CustomerFeatures(customer: customer, recencyDays: recency, frequencyPeriod: frequency.0, frequencyTotal: frequency.1,
                         monetaryPeriod: monetary.0, monetaryTotal: monetary.1, tenureDays: tenure, averageOrderValue: average,
                         meanDaysBetweenOrders: gap, unitsPeriod: units?.0, unitsTotal: units?.1)
    }

    @Test("quarter tables: every column by hand")
    func quarters() {
        var builder = CustomerFeatureBuilder(period: .quarter, countsUnits: true)
        for order in Self.orders { builder.add(order) }
        let tables = builder.tables()
        #expect(builder.periodEnds == [date(2026, 3, 31), date(2026, 6, 30)])
        #expect(tables.map(\.periodEnd) == [date(2026, 3, 31), date(2026, 6, 30)])
        #expect(tables.map(\.periodStart) == [date(2026, 1, 1), date(2026, 4, 1)])
        #expect(tables[0].rows == [
            Self.features("A", recency: 39, frequency: (2, 2), monetary: (40, 40), tenure: 80, average: 20, gap: 41, units: (3, 3)),
            Self.features("B", recency: 0, frequency: (1, 1), monetary: (50, 50), tenure: 0, average: 50, gap: nil, units: (5, 5)),
        ])
        #expect(tables[1].rows == [
            Self.features("A", recency: 60, frequency: (1, 3), monetary: (20, 60), tenure: 171, average: 20, gap: 55.5, units: (1, 4)),
            Self.features("B", recency: 91, frequency: (0, 1), monetary: (0, 50), tenure: 91, average: 50, gap: nil, units: (0, 5)),
            Self.features("C", recency: 76, frequency: (2, 2), monetary: (20, 20), tenure: 76, average: 10, gap: 0, units: (4, 4)),
        ])
        #expect(builder.orderCount == 6 && builder.ordersAfterAsOf == 0)
    }

    @Test("as-of ignores later orders and takes the last table on that day")
    func asOf() {
        var builder = CustomerFeatureBuilder(period: .quarter, asOf: date(2026, 5, 1), countsUnits: false)
        for order in Self.orders + [Order(customer: "D", date: date(2026, 5, 2), amount: 99)] { builder.add(order) }
        let tables = builder.tables()
        #expect(tables.map(\.periodEnd) == [date(2026, 3, 31), date(2026, 5, 1)])
        #expect(builder.ordersAfterAsOf == 1 && builder.orderCount == 6 && builder.customers == ["A", "B", "C"])
        // 31 Mar → 1 May = 31 days, 15 Apr → 1 May = 16.
        #expect(tables[1].rows == [
            Self.features("A", recency: 0, frequency: (1, 3), monetary: (20, 60), tenure: 111, average: 20, gap: 55.5, units: nil),
            Self.features("B", recency: 31, frequency: (0, 1), monetary: (0, 50), tenure: 31, average: 50, gap: nil, units: nil),
            Self.features("C", recency: 16, frequency: (2, 2), monetary: (20, 20), tenure: 16, average: 10, gap: 0, units: nil),
        ])
    }

    @Test("periods run from the first order's to the last order's, empty ones included")
    func periodRange() {
        var builder = CustomerFeatureBuilder(period: .month, countsUnits: false)
        builder.add(Order(customer: "A", date: date(2025, 12, 5), amount: 1))
        builder.add(Order(customer: "A", date: date(2026, 3, 1), amount: 2))
        let tables = builder.tables()
        #expect(tables.map(\.periodEnd) == [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)])
        // Quiet months still list the customer, with nothing in the period.
        #expect(tables[2].rows.map(\.frequencyPeriod) == [0])
        #expect(tables[2].rows.map(\.recencyDays) == [85])   // 5 Dec → 28 Feb: 26 + 31 + 28
        #expect(CustomerFeatureBuilder(period: .year, countsUnits: false).tables().isEmpty)
    }

    @Test("the tables do not depend on the order orders are added in, except the row order")
    func orderIndependence() {
        var forward = CustomerFeatureBuilder(period: .month, countsUnits: true)
        var backward = CustomerFeatureBuilder(period: .month, countsUnits: true)
        for order in Self.orders { forward.add(order) }
        for order in Self.orders.reversed() { backward.add(order) }
        let a = forward.tables(), b = backward.tables()
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) {
            #expect(x.rows.sorted { $0.customer < $1.customer } == y.rows.sorted { $0.customer < $1.customer })
        }
    }
}

@Suite("calendar dates and periods")
struct CalendarDateTests {
    /// Days from 1970-01-01, counted one month at a time.
    static func slowDayNumber(_ year: Int, _ month: Int, _ day: Int) -> Int {
        var days = 0
        if year >= 1970 {
            for y in 1970..<year { days += CalendarDate.isLeapYear(y) ? 366 : 365 }
        } else {
            for y in year..<1970 { days -= CalendarDate.isLeapYear(y) ? 366 : 365 }
        }
        for m in 1..<month { days += CalendarDate.daysInMonth(year: year, month: m) }
        return days + day - 1
    }

    @Test("day numbers match counting days, and round-trip", arguments: [1600, 1899, 1900, 1969, 1970, 2000, 2024, 2025, 2100, 2400])
    func dayNumbers(year: Int) {
        for month in 1...12 {
            for day in 1...CalendarDate.daysInMonth(year: year, month: month) {
                let d = CalendarDate(year: year, month: month, day: day)!
                #expect(d.dayNumber == Self.slowDayNumber(year, month, day))
                #expect(CalendarDate(dayNumber: d.dayNumber) == d)
            }
        }
    }

    @Test("known day numbers and leap years")
    func known() {
        #expect(date(1970, 1, 1).dayNumber == 0)
        #expect(date(2000, 3, 1).dayNumber == 11_017)
        #expect(date(2026, 3, 1).dayNumber - date(2026, 2, 28).dayNumber == 1)
        #expect(date(2024, 3, 1).dayNumber - date(2024, 2, 28).dayNumber == 2)
        #expect(CalendarDate(year: 2025, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 4, day: 31) == nil)
        #expect(date(2026, 3, 5).description == "2026-03-05")
    }

    @Test("period ends")
    func periods() {
        #expect(FeaturePeriod.month.end(ofIndex: FeaturePeriod.month.index(of: date(2024, 2, 10))) == date(2024, 2, 29))
        #expect(FeaturePeriod.month.end(ofIndex: FeaturePeriod.month.index(of: date(2026, 12, 31))) == date(2026, 12, 31))
        #expect(FeaturePeriod.quarter.end(ofIndex: FeaturePeriod.quarter.index(of: date(2026, 4, 1))) == date(2026, 6, 30))
        #expect(FeaturePeriod.quarter.end(ofIndex: FeaturePeriod.quarter.index(of: date(2026, 3, 31))) == date(2026, 3, 31))
        #expect(FeaturePeriod.quarter.start(ofIndex: FeaturePeriod.quarter.index(of: date(2026, 11, 30))) == date(2026, 10, 1))
        #expect(FeaturePeriod.year.end(ofIndex: FeaturePeriod.year.index(of: date(2025, 7, 4))) == date(2025, 12, 31))
        #expect(FeaturePeriod.quarter.index(of: date(2026, 1, 1)) - FeaturePeriod.quarter.index(of: date(2025, 12, 31)) == 1)
    }
}

@Suite("order date formats")
struct OrderDateFormatTests {
    @Test("ISO 8601 dates, with and without a time", arguments: [
        "2026-03-05", " 2026-03-05 ", "2026-03-05T14:30", "2026-03-05T14:30:59", "2026-03-05T14:30:59.123Z",
        "2026-03-05 23:59:00+02:00", "2026-03-05T00:00:00-0500", "2026-03-05T10:00Z",
    ])
    func iso(text: String) throws {
        #expect(try OrderDateFormat.iso.parse(text) == date(2026, 3, 5))
    }

    @Test("day-first and month-first dates", arguments: [
        (OrderDateFormat.dayFirst, "05/03/2026"), (.dayFirst, "05-03-2026"), (.dayFirst, "5.3.2026"),
        (.monthFirst, "03/05/2026"), (.monthFirst, "3/5/2026"),
    ])
    func numeric(format: OrderDateFormat, text: String) throws {
        #expect(try format.parse(text) == date(2026, 3, 5))
    }

    @Test("days that do not exist", arguments: [
        (OrderDateFormat.iso, "2026-02-30"), (.iso, "2025-02-29"), (.iso, "2026-13-01"), (.iso, "2026-00-10"), (.iso, "2026-04-31"),
        (.dayFirst, "30/02/2026"), (.dayFirst, "01/13/2026"), (.monthFirst, "13/01/2026"), (.monthFirst, "02/29/2025"),
    ])
    func noSuchDay(format: OrderDateFormat, text: String) {
        #expect {
            try format.parse(text)
        } throws: { error in
            if case .noSuchDay = error as? OrderDateFormat.Failure { true } else { false }
        }
    }

    @Test("texts that are not dates", arguments: [
        (OrderDateFormat.iso, ""), (.iso, "2026-3-5"), (.iso, "05/03/2026"), (.iso, "2026-03-05T25:00"), (.iso, "2026-03-05T12"),
        (.iso, "2026-03-05x"), (.iso, "2026-03-05T12:00+5"), (.iso, "20260305"), (.dayFirst, "2026-03-05"), (.dayFirst, "05/03-2026"),
        (.dayFirst, "05/03/26"), (.dayFirst, "005/03/2026"), (.monthFirst, "03/05/2026 10:00"), (.monthFirst, "March 5, 2026"),
    ])
    func malformed(format: OrderDateFormat, text: String) {
        #expect(throws: OrderDateFormat.Failure.malformed(expected: format.pattern)) { try format.parse(text) }
    }

    @Test("leap days")
    func leapDays() throws {
        #expect(try OrderDateFormat.iso.parse("2024-02-29") == date(2024, 2, 29))
        #expect(try OrderDateFormat.dayFirst.parse("29.02.2000") == date(2000, 2, 29))
    }
}
