import Foundation

/// A change between two periods large enough that a nightly job should stop and an analyst
/// look (`--fail-on-major-shift`): the persona mix or a persona's customers moved with PSI
/// above 0.25 (``DriftBand/major``), or a persona split, merged, appeared or disappeared.
public enum MajorShift: Sendable, Hashable, CustomStringConvertible {
    /// The persona shares moved.
    case shares(psi: Double)
    /// A persona's customers moved; the attribute that moved most, with its PSI.
    case persona(Int, attribute: String?, psi: Double)
    /// A MONIC event other than survival.
    case event(PersonaEvent)

    /// The major shifts among what two periods' comparison found, in that order: shares,
    /// personas (in their order), events (in theirs).
    public static func find(sharePSI: Double, personaDrifts: [PersonaDrift], events: [PersonaEvent]) -> [MajorShift] {
        var shifts = [MajorShift]()
        if DriftBand(psi: sharePSI) == .major { shifts.append(.shares(psi: sharePSI)) }
        for drift in personaDrifts where drift.band == .major {
            let worst = drift.attributes.max { $0.psi < $1.psi }
            shifts.append(.persona(drift.persona, attribute: worst?.attribute, psi: worst?.psi ?? 0))
        }
        for event in events where event.kind != .survival { shifts.append(.event(event)) }
        return shifts
    }

    /// "persona shares moved (PSI 0.312)", "persona 3 split into 3, 7".
    public var description: String {
        switch self {
        case .shares(let psi): String(format: "persona shares moved (PSI %.3f)", psi)
        case .persona(let id, let attribute, let psi): String(format: "persona %d: %@ moved (PSI %.3f)", id, attribute ?? "attributes", psi)
        case .event(let event): event.summary
        }
    }
}

extension PersonaEvent {
    /// One line: "persona 2 continues as 2", "personas 1, 4 merged into 4", "persona 5 emerged (120 customers)".
    public var summary: String {
        switch self {
        case .survival(let s): "persona \(s.previous) continues as \(s.current)"
        case .absorption(let sources, let into, _): "personas \(sources.map(String.init).joined(separator: ", ")) merged into \(into)"
        case .split(let source, let into, _): "persona \(source) split into \(into.map(String.init).joined(separator: ", "))"
        case .disappearance(let p, _): "persona \(p) disappeared"
        case .emergence(let p, let size, _): "persona \(p) emerged (\(size) customers)"
        }
    }
}
