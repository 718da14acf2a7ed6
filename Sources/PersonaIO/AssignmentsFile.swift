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

    /// Rows per piece when rendering on several cores: large enough that joining the pieces
    /// costs nothing next to formatting them.
    static let rowsPerPiece = 32_768

    /// Renders assignments as CSV bytes; without the header line when `includeHeader` is
    /// false (the later pieces of a file written in batches).
    ///
    /// Large inputs are formatted in pieces on every core and joined in row order, so the
    /// bytes are the same whatever the number of threads.
    /// - Parameter threads: worker threads, or `nil` for every active core.
    /// - Precondition: `ids.count == assignments.count`.
    /// - Complexity: O(rows).
    public static func render(ids: [String], assignments: [PersonaAssignment], model: PersonaModel,
                              idColumn: String? = nil, separator: Character = ",", includeHeader: Bool = true,
                              threads: Int? = nil) -> [UInt8] {
        precondition(ids.count == assignments.count, "one identifier per assignment")
        // Each persona's name cell, encoded once.
        let names = Dictionary(uniqueKeysWithValues: model.personas.map { ($0.id, CSVWriter.encodedCell($0.name, separator: separator)) })
        let columns = header(idColumn: idColumn ?? model.schema.idColumn)
        let pieces = (ids.count + rowsPerPiece - 1) / rowsPerPiece
        let workers = min(pieces, max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        @Sendable func piece(_ rows: Range<Int>, header: Bool) -> [UInt8] {
            var writer = header
                ? CSVWriter(header: columns, separator: separator, reservingCapacity: rows.count * 64)
                : CSVWriter(continuing: columns, separator: separator, reservingCapacity: rows.count * 64)
            for r in rows {
                let a = assignments[r]
                writer.appendRow { row in
                    row.cell(ids[r])
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
        guard workers > 1 else { return piece(0..<ids.count, header: includeHeader) }
        let rendered = ResultSlots<[UInt8]>(count: pieces)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for p in stride(from: worker, to: pieces, by: workers) {
                let rows = p * rowsPerPiece ..< min(ids.count, (p + 1) * rowsPerPiece)
                rendered[p] = .success(piece(rows, header: includeHeader && p == 0))
            }
        }
        let parts = rendered.values.map { try! $0.get() }   // every piece succeeds
        var bytes = [UInt8]()
        bytes.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { bytes.append(contentsOf: part) }
        return bytes
    }

    /// Writes assignments atomically.
    /// - Throws: ``FileError`` naming the path.
    public static func write(ids: [String], assignments: [PersonaAssignment], model: PersonaModel, to url: URL) throws(FileError) {
        try AtomicFile.write(render(ids: ids, assignments: assignments, model: model), to: url)
    }
}

