/// The calendar periods customer feature tables are taken at: each table describes the
/// customers at the end of one period.
public enum FeaturePeriod: String, Sendable, Hashable, CaseIterable {
    /// Calendar months, ending on the month's last day.
    case month
    /// Calendar quarters (January–March, April–June, July–September, October–December).
    case quarter
    /// Calendar years, ending on 31 December.
    case year

    /// The number of months in one period.
    public var months: Int {
        switch self {
        case .month: 1
        case .quarter: 3
        case .year: 12
        }
    }

    /// The period holding `date`, as a running index (consecutive periods differ by one).
    /// - Complexity: O(1).
    public func index(of date: CalendarDate) -> Int {
        let monthIndex = date.year * 12 + (date.month - 1)
        return monthIndex >= 0 ? monthIndex / months : (monthIndex - months + 1) / months
    }

    /// The first day of the period with running index `index`.
    public func start(ofIndex index: Int) -> CalendarDate {
        let monthIndex = index * months
        let year = monthIndex >= 0 ? monthIndex / 12 : (monthIndex - 11) / 12
        return CalendarDate(year: year, month: monthIndex - year * 12 + 1, day: 1)!
    }

    /// The last day of the period with running index `index`.
    public func end(ofIndex index: Int) -> CalendarDate {
        CalendarDate(dayNumber: start(ofIndex: index + 1).dayNumber - 1)
    }
}
