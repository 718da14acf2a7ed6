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
        // Each persona's name cell, encoded once.
        let names = Dictionary(uniqueKeysWithValues: model.personas.map { ($0.id, CSVWriter.encodedCell($0.name, separator: separator)) })
        let columns = header(idColumn: idColumn ?? model.schema.idColumn)
        var writer = includeHeader
            ? CSVWriter(header: columns, separator: separator, reservingCapacity: ids.count * 64)
            : CSVWriter(continuing: columns, separator: separator, reservingCapacity: ids.count * 64)
        for (id, a) in zip(ids, assignments) {
            writer.appendRow { row in
                row.cell(id)
                row.cell(a.persona)
                row.encoded(names[a.persona] ?? [])
                row.cell(a.distance)
                if let runnerUp = a.runnerUp { row.cell(runnerUp) } else { row.empty() }
                if let margin = a.margin { row.cell(margin) } else { row.empty() }
                row.cell(a.isOutlier ? 1 : 0)
            }
        }
        return writer.bytes
    }

    /// Writes assignments atomically.
    /// - Throws: ``FileError`` naming the path.
    public static func write(ids: [String], assignments: [PersonaAssignment], model: PersonaModel, to url: URL) throws(FileError) {
        try AtomicFile.write(render(ids: ids, assignments: assignments, model: model), to: url)
    }
}
