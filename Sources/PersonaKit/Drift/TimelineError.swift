/// Why a timeline cannot be built from the runs given, with the values involved.
public enum TimelineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No run was given.
    case noRuns
    /// A run has no customer assignments, so its sizes and flows are unknown.
    case noCustomers(run: Int64)
    /// A customer of a run is assigned to a persona its model does not have.
    case unknownPersona(run: Int64, customer: String, persona: Int, known: [Int])
    /// The MONIC thresholds are out of range.
    case invalidThresholds(DriftError)
    /// Two consecutive runs cannot be compared (their models share no attribute).
    case incomparable(from: Int64, to: Int64, reason: DriftError)

    /// A one-line description quoting the values.
    public var description: String {
        switch self {
        case .noRuns:
            "no runs to follow"
        case .noCustomers(let run):
            "run \(run) recorded no customer assignments; a timeline needs every run's customers"
        case .unknownPersona(let run, let customer, let persona, let known):
            "run \(run): customer '\(customer)' is assigned to persona \(persona), which the run's model does not have "
                + "(its personas: \(known.map(String.init).joined(separator: ", ")))"
        case .invalidThresholds(let error):
            error.description
        case .incomparable(let from, let to, let reason):
            "runs \(from) and \(to) cannot be compared: \(reason.description)"
        }
    }
}
