import Foundation
import PersonaKit

/// The assignment CSV written by `persona train --assignments` and `persona assign`.
///
/// Columns: the identifier column (under its input name), `persona`, `persona_name`,
/// `distance`, `runner_up`, `margin`, `outlier` (0/1). See `Docs/FileFormats.md`.
public enum AssignmentsFile {
    /// The header for an identifier column named `idColumn`.
    public static func header(idColumn: String) -> [String] {
        [idColumn, "persona", "persona_name", "distance", "runner_up", "margin", "outlier"]
    }

    /// Renders assignments as CSV bytes; without the header line when `includeHeader` is
    /// false (the later pieces of a file written in batches).
    /// - Precondition: `ids.count == assignments.count`.
    /// - Complexity: O(rows).
    public static func render(ids: [String], assignments: [PersonaAssignment], model: PersonaModel,
                              idColumn: String? = nil, separator: Character = ",", includeHeader: Bool = true) -> [UInt8] {
        precondition(ids.count == assignments.count, "one identifier per assignment")
        let names = Dictionary(uniqueKeysWithValues: model.personas.map { ($0.id, $0.name) })
        let columns = header(idColumn: idColumn ?? model.schema.idColumn)
        var writer = includeHeader
            ? CSVWriter(header: columns, separator: separator, reservingCapacity: ids.count * 64)
            : CSVWriter(continuing: columns, separator: separator, reservingCapacity: ids.count * 64)
        for (id, a) in zip(ids, assignments) {
            writer.appendRow([
                id, String(a.persona), names[a.persona] ?? "",
                CSVWriter.format(a.distance),
                a.runnerUp.map(String.init) ?? "",
                a.margin.map(CSVWriter.format) ?? "",
                a.isOutlier ? "1" : "0",
            ])
        }
        return writer.bytes
    }

    /// Writes assignments atomically.
    /// - Throws: ``FileError`` naming the path.
    public static func write(ids: [String], assignments: [PersonaAssignment], model: PersonaModel, to url: URL) throws(FileError) {
        try AtomicFile.write(render(ids: ids, assignments: assignments, model: model), to: url)
    }
}
