import Foundation
import PersonaKit

/// The drift report of two periods, as files for analysts: `transitions.csv`, `movers.csv`,
/// `events.csv`, `personas.csv` and `summary.md` (see `Docs/Drift.md`).
public struct DriftReport: Sendable {
    /// The file names, in the order they are written.
    public static let fileNames = ["transitions.csv", "movers.csv", "events.csv", "personas.csv", "summary.md"]

    /// Personas before and after: identifiers, names and sizes.
    public struct Side: Sendable {
        public var ids: [Int]
        public var names: [Int: String]
        public var sizes: [Int: Int]
        public var shares: [Int: Double]

        /// One side from a model's personas.
        public init(model: PersonaModel) {
            ids = model.personas.map(\.id)
            names = Dictionary(uniqueKeysWithValues: model.personas.map { ($0.id, $0.name) })
            sizes = Dictionary(uniqueKeysWithValues: model.personas.map { ($0.id, $0.size) })
            shares = Dictionary(uniqueKeysWithValues: model.personas.map { ($0.id, $0.share) })
        }

        /// One side from customer memberships alone.
        public init(members: [String: Int]) {
            var sizes = [Int: Int]()
            for persona in members.values { sizes[persona, default: 0] += 1 }
            ids = sizes.keys.sorted()
            names = [:]
            self.sizes = sizes
            let total = Double(max(members.count, 1))
            shares = sizes.mapValues { Double($0) / total }
        }
    }

    public let before: Side
    public let after: Side
    /// Customer transitions, when both periods' members are known.
    public let transitions: PersonaTransitions?
    /// MONIC events, when both periods' members and models are known.
    public let events: [PersonaEvent]?
    /// Attribute drift, when both periods' data are known.
    public let distribution: DistributionDrift?
    /// How identities were matched, when a retrain matched them.
    public let matching: PersonaMatching?
    /// PSI of the persona shares (personas matched by identifier).
    public let sharePSI: Double

    /// The report of a comparison.
    public init(before: Side, after: Side, comparison: PeriodComparison, matching: PersonaMatching? = nil) {
        self.init(before: before, after: after, transitions: comparison.transitions, events: comparison.events,
                  distribution: comparison.distribution, matching: matching)
    }

    /// Assembles a report.
    public init(before: Side, after: Side, transitions: PersonaTransitions?, events: [PersonaEvent]?,
                distribution: DistributionDrift?, matching: PersonaMatching?) {
        self.before = before
        self.after = after
        self.transitions = transitions
        self.events = events
        self.distribution = distribution
        self.matching = matching
        let ids = Array(Set(before.ids).union(after.ids)).sorted()
        sharePSI = distribution?.sharePSI ?? DistributionDrift.populationStabilityIndex(
            expected: ids.map { before.shares[$0] ?? 0 }, actual: ids.map { after.shares[$0] ?? 0 })
    }

    /// The major shifts this comparison found (``MajorShift``).
    public var shifts: [MajorShift] {
        MajorShift.find(sharePSI: sharePSI, personaDrifts: distribution?.personaDrifts ?? [], events: events ?? [])
    }

    /// The reasons the change counts as a major shift, one line each (empty when it does not).
    public var majorShifts: [String] { shifts.map(\.description) }

    /// The files, name → bytes.
    /// - Parameter separator: the CSV separator.
    public func render(separator: Character = ",") -> [(name: String, bytes: [UInt8])] {
        [("transitions.csv", transitionsCSV(separator)), ("movers.csv", moversCSV(separator)),
         ("events.csv", eventsCSV(separator)), ("personas.csv", personasCSV(separator)),
         ("summary.md", Array(summary().utf8))]
    }

    /// Stages every file into `directory`.
    public func stage(in directory: URL, into outputs: inout OutputSet) throws(FileError) {
        for file in render() { try outputs.stage(file.bytes, at: directory.appendingPathComponent(file.name)) }
    }

    // MARK: - Files

    private func label(_ state: PersonaTransitions.State) -> String {
        switch state {
        case .persona(let id): String(id)
        case .absent: "none"
        }
    }

    func transitionsCSV(_ separator: Character) -> [UInt8] {
        var writer = CSVWriter(header: ["from", "to", "customers", "share_of_from"], separator: separator)
        guard let t = transitions else { return writer.bytes }
        let rows: [PersonaTransitions.State] = t.previousPersonas.map { .persona($0) } + [.absent]
        let columns: [PersonaTransitions.State] = t.currentPersonas.map { .persona($0) } + [.absent]
        for from in rows {
            for to in columns where !(from == .absent && to == .absent) {
                let count = t.count(from: from, to: to)
                guard count > 0 else { continue }
                writer.appendRow([label(from), label(to), String(count), t.share(from: from, to: to).map(CSVWriter.format) ?? ""])
            }
        }
        return writer.bytes
    }

    func moversCSV(_ separator: Character) -> [UInt8] {
        var writer = CSVWriter(header: ["customer_id", "from", "to", "distance_before", "distance_after"], separator: separator)
        for m in transitions?.movers ?? [] {
            writer.appendRow([m.id, String(m.from), String(m.to), m.previousDistance.map(CSVWriter.format) ?? "",
                              m.currentDistance.map(CSVWriter.format) ?? ""])
        }
        return writer.bytes
    }

    func eventsCSV(_ separator: Character) -> [UInt8] {
        var writer = CSVWriter(header: ["event", "before", "after", "overlap", "size_ratio", "compactness_ratio",
                                        "centre_shift", "relative_shift", "changes"], separator: separator)
        for event in events ?? [] {
            let before = event.previousPersonas.map(String.init).joined(separator: " ")
            let after = event.currentPersonas.map(String.init).joined(separator: " ")
            switch event {
            case .survival(let s):
                writer.appendRow(["survival", before, after, CSVWriter.format(s.overlap), CSVWriter.format(s.sizeRatio),
                                  s.compactnessRatio.map(CSVWriter.format) ?? "", CSVWriter.format(s.centreShift),
                                  s.relativeShift.map(CSVWriter.format) ?? "", s.changes().map(\.rawValue).joined(separator: " ")])
            case .absorption(_, _, let overlaps), .split(_, _, let overlaps):
                writer.appendRow([event.kind.rawValue, before, after, overlaps.map(CSVWriter.format).joined(separator: " "),
                                  "", "", "", "", ""])
            case .disappearance(_, let largest):
                writer.appendRow(["disappearance", before, after, CSVWriter.format(largest), "", "", "", "", ""])
            case .emergence(_, _, let newShare):
                writer.appendRow(["emergence", before, after, newShare.map(CSVWriter.format) ?? "", "", "", "", "", ""])
            }
        }
        return writer.bytes
    }

    /// Per persona (identifiers of both periods): status, sizes, compactness and location
    /// change, and PSI.
    func personasCSV(_ separator: Character) -> [UInt8] {
        var writer = CSVWriter(header: ["persona", "name", "status", "size_before", "size_after", "share_before",
                                        "share_after", "compactness_ratio", "centre_shift", "relative_shift", "psi", "band",
                                        "most_shifted_attribute"], separator: separator)
        var survival = [Int: PersonaSurvival]()
        var status = [Int: String]()
        for event in events ?? [] {
            switch event {
            case .survival(let s): survival[s.current] = s; status[s.current] = "continues"
            case .absorption(let sources, let into, _): status[into] = "merged from " + sources.map(String.init).joined(separator: "+")
                for s in sources where status[s] == nil { status[s] = "merged into \(into)" }
            case .split(let source, let into, _): for p in into { status[p] = "split from \(source)" }
                if status[source] == nil { status[source] = "split" }
            case .disappearance(let p, _): status[p] = "disappeared"
            case .emergence(let p, _, _): status[p] = "new"
            }
        }
        let ids = Array(Set(before.ids).union(after.ids)).sorted()
        for id in ids {
            let fallback = after.sizes[id] == nil ? "retired" : before.sizes[id] == nil ? "new" : "continues"
            let drift = distribution?.persona(id)
            let worst = drift?.attributes.max { $0.psi < $1.psi }
            let s = survival[id]
            writer.appendRow([String(id), after.names[id] ?? before.names[id] ?? "", status[id] ?? fallback,
                              before.sizes[id].map(String.init) ?? "", after.sizes[id].map(String.init) ?? "",
                              before.shares[id].map(CSVWriter.format) ?? "", after.shares[id].map(CSVWriter.format) ?? "",
                              s?.compactnessRatio.map(CSVWriter.format) ?? "", s.map { CSVWriter.format($0.centreShift) } ?? "",
                              s?.relativeShift.map(CSVWriter.format) ?? "",
                              worst.map { CSVWriter.format($0.psi) } ?? "", drift.map { $0.band.rawValue } ?? "",
                              worst?.attribute ?? ""])
        }
        return writer.bytes
    }

    /// A short human-readable summary (Markdown).
    public func summary() -> String {
        var lines = ["# Persona drift", ""]
        if let t = transitions {
            lines.append("- Customers in both periods: \(t.continuing); stayed with their persona: \(t.stayed)"
                         + (t.stayedShare.map { String(format: " (%.1f %%)", $0 * 100) } ?? "") + ".")
            lines.append("- Moved to another persona: \(t.movers.count); new customers: \(t.newCustomers); left: \(t.leftCustomers).")
        } else {
            lines.append("- Customer movements are unknown (no earlier assignments were given).")
        }
        lines.append(String(format: "- Persona shares: PSI %.4f (%@).", sharePSI, DriftBand(psi: sharePSI).rawValue))
        if let matching {
            lines.append("- Identities matched by \(matching.basis.rawValue): \(matching.matches.count) continue"
                         + (matching.introduced.isEmpty ? "" : ", new: " + matching.introduced.map(String.init).joined(separator: ", "))
                         + (matching.retired.isEmpty ? "" : ", retired: " + matching.retired.map(String.init).joined(separator: ", ")) + ".")
        }
        if let events {
            let notable = events.filter { $0.kind != .survival }
            lines.append("- Events: \(events.filter { $0.kind == .survival }.count) survivals"
                         + (notable.isEmpty ? "; nothing else." : "; " + notable.map(\.summary).joined(separator: "; ") + "."))
        }
        if let distribution {
            let moved = distribution.personaDrifts.filter { $0.band != .stable }
            if moved.isEmpty {
                lines.append("- Attributes: every persona stable (PSI below 0.1).")
            } else {
                for p in moved {
                    let worst = p.attributes.max { $0.psi < $1.psi }!
                    lines.append(String(format: "- Persona %d: %@ drift; most moved: %@ (PSI %.3f, mean shift %@ SD).",
                                        p.persona, p.band.rawValue, worst.attribute, worst.psi,
                                        worst.meanShift.map { String(format: "%+.2f", $0) } ?? "n/a"))
                }
            }
        }
        let shifts = majorShifts
        lines.append("")
        lines.append(shifts.isEmpty ? "**No major shift.**" : "**Major shift:** " + shifts.joined(separator: "; ") + ".")
        lines.append("")
        lines.append("Bands: PSI < 0.1 stable, 0.1–0.25 moderate, > 0.25 major. See Docs/Drift.md.")
        return lines.joined(separator: "\n") + "\n"
    }
}
