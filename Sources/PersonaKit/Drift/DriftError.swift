/// Which of two compared periods (or models) a value belongs to.
public enum DriftPeriod: String, Sendable, Hashable, Codable, CaseIterable {
    /// The earlier period: the previous model and its customers.
    case previous
    /// The later period: the current (or retrained) model and its customers.
    case current
}

/// Why two periods or models cannot be compared, with the values involved.
public enum DriftError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A customer is assigned to a persona the model of that period does not have.
    case unknownPersona(customer: String, persona: Int, period: DriftPeriod, known: [Int])
    /// The two models encode no attribute in common, so their centres cannot be compared.
    case noCommonAttributes
    /// A threshold or option is out of its range.
    case invalidOption(name: String, value: Double, expected: String)

    /// A one-line description quoting the values.
    public var description: String {
        switch self {
        case .unknownPersona(let customer, let persona, let period, let known):
            "customer '\(customer)' is assigned to persona \(persona), which the \(period.rawValue) model does not have "
                + "(its personas: \(known.map(String.init).joined(separator: ", ")))"
        case .noCommonAttributes:
            "the two models have no segment attribute in common; their personas cannot be compared"
        case .invalidOption(let name, let value, let expected):
            "\(name)=\(value) must be \(expected)"
        }
    }
}
