/// How an order log writes its dates.
///
/// - ``iso``: ISO 8601, `YYYY-MM-DD`, optionally followed by a time part (`T` or a space,
///   then `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, optionally `Z` or an offset `±HH:MM` /
///   `±HHMM`). The date is taken as written: the time and the offset are checked but never
///   move the order to another day.
/// - ``dayFirst``: `DD/MM/YYYY`, `DD-MM-YYYY` or `DD.MM.YYYY` (one separator throughout;
///   day and month of one or two digits).
/// - ``monthFirst``: `MM/DD/YYYY` (also with `-` or `.`), as written in the United States.
///
/// There is no guessing: `03/04/2026` is 3 April day-first and 4 March month-first, and a
/// log whose first dates happen to be unambiguous may hold ambiguous ones later on.
public enum OrderDateFormat: String, Sendable, Hashable, CaseIterable {
    /// `YYYY-MM-DD[THH:MM[:SS[.fff]][Z|±HH:MM]]`.
    case iso
    /// `DD/MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY`.
    case dayFirst = "day-first"
    /// `MM/DD/YYYY`, `MM-DD-YYYY`, `MM.DD.YYYY`.
    case monthFirst = "month-first"

    /// Why a text is not a date.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// The text does not have the format's shape.
        case malformed(expected: String)
        /// Year, month and day are numbers but name no day (2026-02-30, month 13).
        case noSuchDay(year: Int, month: Int, day: Int)

        public var description: String {
            switch self {
            case .malformed(let expected): "not a date of the form \(expected)"
            case .noSuchDay(let year, let month, let day): "no such day (year \(year), month \(month), day \(day))"
            }
        }
    }

    /// The shape the format expects, for messages.
    public var pattern: String {
        switch self {
        case .iso: "YYYY-MM-DD (optionally with a time)"
        case .dayFirst: "DD/MM/YYYY, DD-MM-YYYY or DD.MM.YYYY"
        case .monthFirst: "MM/DD/YYYY"
        }
    }

    /// Reads one date; spaces and tabs around it are ignored.
    /// - Throws: ``Failure``.
    /// - Complexity: O(text length).
    public func parse(_ text: some StringProtocol) throws(Failure) -> CalendarDate {
        let bytes = Array(text.utf8)
        var lower = 0, upper = bytes.count
        while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
        let trimmed = bytes[lower..<upper]
        let fields: (year: Int, month: Int, day: Int)?
        switch self {
        case .iso: fields = Self.iso(trimmed)
        case .dayFirst: fields = Self.numeric(trimmed).map { (year: $0.2, month: $0.1, day: $0.0) }
        case .monthFirst: fields = Self.numeric(trimmed).map { (year: $0.2, month: $0.0, day: $0.1) }
        }
        guard let fields else { throw .malformed(expected: pattern) }
        guard let date = CalendarDate(year: fields.year, month: fields.month, day: fields.day) else {
            throw .noSuchDay(year: fields.year, month: fields.month, day: fields.day)
        }
        return date
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Exactly `count` digits at `position`, as a number.
    private static func digits(_ bytes: ArraySlice<UInt8>, at position: Int, count: Int) -> Int? {
        guard position + count <= bytes.endIndex else { return nil }
        var value = 0
        for i in position..<(position + count) {
            guard isDigit(bytes[i]) else { return nil }
            value = value * 10 + Int(bytes[i] - 0x30)
        }
        return value
    }

    private static func iso(_ bytes: ArraySlice<UInt8>) -> (year: Int, month: Int, day: Int)? {
        let s = bytes.startIndex
        guard let year = digits(bytes, at: s, count: 4), s + 10 <= bytes.endIndex,
              bytes[s + 4] == UInt8(ascii: "-"), let month = digits(bytes, at: s + 5, count: 2),
              bytes[s + 7] == UInt8(ascii: "-"), let day = digits(bytes, at: s + 8, count: 2) else { return nil }
        let rest = bytes[(s + 10)...]
        guard rest.isEmpty || isTime(rest) else { return nil }
        return (year, month, day)
    }

    /// `T` or a space, `HH:MM[:SS[.f…]]`, then nothing, `Z`, `±HH:MM` or `±HHMM`.
    private static func isTime(_ bytes: ArraySlice<UInt8>) -> Bool {
        var i = bytes.startIndex
        guard bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: " ") else { return false }
        i += 1
        guard let hour = digits(bytes, at: i, count: 2), hour <= 23, i + 2 < bytes.endIndex, bytes[i + 2] == UInt8(ascii: ":"),
              let minute = digits(bytes, at: i + 3, count: 2), minute <= 59 else { return false }
        i += 5
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: ":") {
            guard let second = digits(bytes, at: i + 1, count: 2), second <= 60 else { return false }
            i += 3
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ",") {
                i += 1
                let first = i
                while i < bytes.endIndex, isDigit(bytes[i]) { i += 1 }
                guard i > first else { return false }
            }
        }
        if i == bytes.endIndex { return true }
        if bytes[i] == UInt8(ascii: "Z") { return i + 1 == bytes.endIndex }
        guard bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-"),
              let offsetHours = digits(bytes, at: i + 1, count: 2), offsetHours <= 23 else { return false }
        i += 3
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: ":") { i += 1 }
        guard let offsetMinutes = digits(bytes, at: i, count: 2), offsetMinutes <= 59 else { return false }
        return i + 2 == bytes.endIndex
    }

    /// `A?B?C` with `?` one of `/`, `-`, `.` (the same twice), A and B of one or two digits,
    /// C of four.
    private static func numeric(_ bytes: ArraySlice<UInt8>) -> (Int, Int, Int)? {
        var i = bytes.startIndex
        func number(maxDigits: Int, exactly: Bool) -> Int? {
            let first = i
            var value = 0
            while i < bytes.endIndex, isDigit(bytes[i]), i - first < maxDigits {
                value = value * 10 + Int(bytes[i] - 0x30)
                i += 1
            }
            let count = i - first
            return count == 0 || (exactly && count != maxDigits) ? nil : value
        }
        guard let a = number(maxDigits: 2, exactly: false), i < bytes.endIndex else { return nil }
        let separator = bytes[i]
        guard separator == UInt8(ascii: "/") || separator == UInt8(ascii: "-") || separator == UInt8(ascii: ".") else { return nil }
        i += 1
        guard let b = number(maxDigits: 2, exactly: false), i < bytes.endIndex, bytes[i] == separator else { return nil }
        i += 1
        guard let c = number(maxDigits: 4, exactly: true), i == bytes.endIndex else { return nil }
        return (a, b, c)
    }
}
