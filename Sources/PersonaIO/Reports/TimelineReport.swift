import Foundation
import PersonaKit

/// The timeline of a history, as files for analysts: `timeline.csv`, `flows.csv`,
/// `lineage.csv`, `paths.csv` and the alluvial chart `timeline.svg` (columns in
/// `Docs/Drift.md`, section "Timeline").
public struct TimelineReport: Sendable {
    /// The file names, in the order they are written.
    public static let fileNames = ["timeline.csv", "flows.csv", "lineage.csv", "paths.csv", "timeline.svg"]

    /// The text standing for a run without the customer in a path of `paths.csv`.
    public static let absentMark = "."

    /// The timeline.
    public let timeline: PersonaTimeline

    /// The report of a timeline.
    public init(_ timeline: PersonaTimeline) {
        self.timeline = timeline
    }

    /// The files, name → bytes.
    /// - Complexity: O(entries + flows + lineage events + paths kept).
    public func render() -> [(name: String, bytes: [UInt8])] {
        [("timeline.csv", timelineCSV()), ("flows.csv", flowsCSV()), ("lineage.csv", lineageCSV()),
         ("paths.csv", pathsCSV()), ("timeline.svg", Array(TimelineSVG.render(timeline).utf8))]
    }

    /// Stages every file into `directory` as part of `outputs`.
    /// - Throws: ``FileError`` naming the path; everything staged is then discarded.
    public func stage(in directory: URL, into outputs: inout OutputSet) throws(FileError) {
        for file in render() { try outputs.stage(file.bytes, at: directory.appendingPathComponent(file.name)) }
    }

    // MARK: - Texts

    /// A path as `3>1>.>1`: the persona of each run, ``absentMark`` where the customer is
    /// absent, joined by `>`.
    public static func pathText(_ personas: [Int?]) -> String {
        personas.map { $0.map(String.init) ?? absentMark }.joined(separator: ">")
    }

    /// An event as `RUN KIND BEFORE>AFTER`: the later run of the step, the MONIC kind, the
    /// previous personas joined by `+`, `>`, the current personas joined by `+`
    /// (`3 split 2>4+5`, `3 absorption 4+5>4`, `2 emergence >6`, `2 disappearance 3>`).
    public static func eventText(_ event: PersonaTimeline.LineageEvent) -> String {
        let before = event.event.previousPersonas.map(String.init).joined(separator: "+")
        let after = event.event.currentPersonas.map(String.init).joined(separator: "+")
        return "\(event.run) \(event.event.kind.rawValue) \(before)>\(after)"
    }

    // MARK: - Files

    func timelineCSV() -> [UInt8] {
        var writer = CSVWriter(header: ["run", "time", "persona", "persona_name", "customers", "share", "status"])
        let times = Dictionary(uniqueKeysWithValues: timeline.runs.map { ($0.id, $0.time) })
        for entry in timeline.entries {
            writer.appendRow([String(entry.run), times[entry.run] ?? "", String(entry.persona), entry.name,
                              String(entry.customers), CSVWriter.format(entry.share), entry.status.rawValue])
        }
        return writer.bytes
    }

    func flowsCSV() -> [UInt8] {
        var writer = CSVWriter(header: ["from_run", "to_run", "from_persona", "to_persona", "customers"])
        for flow in timeline.flows {
            writer.appendRow([String(flow.fromRun), String(flow.toRun), flow.fromPersona.map(String.init) ?? "",
                              flow.toPersona.map(String.init) ?? "", String(flow.customers)])
        }
        return writer.bytes
    }

    func lineageCSV() -> [UInt8] {
        var writer = CSVWriter(header: ["persona", "persona_name", "first_run", "last_run", "retired_run", "lifetime",
                                        "parents", "events"])
        for lineage in timeline.lineages {
            writer.appendRow([String(lineage.persona), lineage.name, String(lineage.firstRun), String(lineage.lastRun),
                              lineage.retiredRun.map(String.init) ?? "", String(lineage.lifetime),
                              lineage.parents.map(String.init).joined(separator: " "),
                              lineage.events.map(Self.eventText).joined(separator: "; ")])
        }
        return writer.bytes
    }

    func pathsCSV() -> [UInt8] {
        var writer = CSVWriter(header: ["kind", "value", "customers", "share"])
        let total = Double(max(timeline.customers, 1))
        for (changes, customers) in timeline.changeCounts.enumerated() {
            writer.appendRow(["changes", String(changes), String(customers), CSVWriter.format(Double(customers) / total)])
        }
        for path in timeline.commonPaths {
            writer.appendRow(["path", Self.pathText(path.personas), String(path.customers),
                              CSVWriter.format(Double(path.customers) / total)])
        }
        return writer.bytes
    }
}
