import Foundation
import PersonaKit

/// The assignment CSV written by `persona train --assignments` and `persona assign`.
///
/// Columns: the identifier column (under its input name), `persona`, `persona_name`,
/// `distance`, `runner_up`, `margin`, `outlier` (0/1), and with memberships one
/// `membership_<persona id>` column per persona, in model order. See `Docs/FileFormats.md`.
public enum AssignmentsFile {
    /// The header for an identifier column named `idColumn`, with a membership column for
    /// each of `membershipPersonas` (persona identifiers, in model order).
    public static func header(idColumn: String, membershipPersonas: [Int] = []) -> [String] {
        [idColumn, "persona", "persona_name", "distance", "runner_up", "margin", "outlier"]
            + membershipPersonas.map { PersonaMemberships.columnName(persona: $0) }
    }

    /// Rows per piece when rendering on several cores: large enough that joining the pieces
    /// costs nothing next to formatting them.
    static let rowsPerPiece = 32_768

    /// Renders assignments as CSV bytes; without the header line when `includeHeader` is
    /// false (the later pieces of a file written in batches).
    ///
    /// Large inputs are formatted in pieces on every core and joined in row order, so the
    /// bytes are the same whatever the number of threads.
    /// - Parameters:
    ///   - memberships: the rows' soft memberships, appended as one `membership_<id>` column
    ///     per persona (see ``PersonaKit/PersonaModel/memberships(_:scale:threads:)``), or `nil`.
    ///   - threads: worker threads, or `nil` for every active core.
    /// - Precondition: `ids.count == assignments.count`, and as many membership rows.
    /// - Complexity: O(rows × (1 + personas with memberships)).
    public static func render(ids: [String], assignments: [PersonaAssignment], model: PersonaModel,
                              idColumn: String? = nil, separator: Character = ",", includeHeader: Bool = true,
                              memberships: PersonaMemberships? = nil, threads: Int? = nil) -> [UInt8] {
        let parts = renderPieces(ids: ids, assignments: assignments, model: model, idColumn: idColumn, separator: separator,
                                 includeHeader: includeHeader, memberships: memberships, threads: threads)
        guard parts.count > 1 else { return parts.first ?? [] }
        var bytes = [UInt8]()
        bytes.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { bytes.append(contentsOf: part) }
        return bytes
    }

    /// The bytes of ``render(ids:assignments:model:idColumn:separator:includeHeader:memberships:threads:)``
    /// in the pieces they were formatted in, in row order, to be written one after the
    /// other (``OutputSet/stage(pieces:at:)``) without joining them in memory.
    public static func renderPieces(ids: [String], assignments: [PersonaAssignment], model: PersonaModel,
                                    idColumn: String? = nil, separator: Character = ",", includeHeader: Bool = true,
                                    memberships: PersonaMemberships? = nil, threads: Int? = nil) -> [[UInt8]] {
        precondition(ids.count == assignments.count, "one identifier per assignment")
        precondition(memberships.map { $0.rows == ids.count } ?? true, "one membership row per assignment")
        // Each persona's name cell, encoded once.
        let names = Dictionary(uniqueKeysWithValues: model.personas.map { ($0.id, CSVWriter.encodedCell($0.name, separator: separator)) })
        let columns = header(idColumn: idColumn ?? model.schema.idColumn, membershipPersonas: memberships?.personas ?? [])
        let k = memberships?.personas.count ?? 0
        let pieces = (ids.count + rowsPerPiece - 1) / rowsPerPiece
        let workers = min(pieces, max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        @Sendable func piece(_ rows: Range<Int>, header: Bool) -> [UInt8] {
            var writer = header
                ? CSVWriter(header: columns, separator: separator, reservingCapacity: rows.count * (64 + 20 * k))
                : CSVWriter(continuing: columns, separator: separator, reservingCapacity: rows.count * (64 + 20 * k))
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
                    if let memberships {
                        for m in memberships.values[r * k ..< (r + 1) * k] { row.cell(m) }
                    }
                }
            }
            return writer.bytes
        }
        guard workers > 1 else { return [piece(0..<ids.count, header: includeHeader)] }
        let rendered = ResultSlots<[UInt8]>(count: pieces)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for p in stride(from: worker, to: pieces, by: workers) {
                let rows = p * rowsPerPiece ..< min(ids.count, (p + 1) * rowsPerPiece)
                rendered[p] = .success(piece(rows, header: includeHeader && p == 0))
            }
        }
        return rendered.values.map { try! $0.get() }   // every piece succeeds
    }

    /// Writes assignments atomically.
    /// - Throws: ``FileError`` naming the path.
    public static func write(ids: [String], assignments: [PersonaAssignment], model: PersonaModel, to url: URL) throws(FileError) {
        try AtomicFile.write(render(ids: ids, assignments: assignments, model: model), to: url)
    }

    /// What drift needs from an assignment file: each customer's persona and, when the file
    /// has a `distance` column, the distance to it.
    public struct Members: Sendable, Equatable {
        /// Each identifier's persona id.
        public var personas: [String: Int]
        /// Each identifier's distance (cells that are not numbers are left out), or `nil`
        /// without a `distance` column.
        public var distances: [String: Double]?

        /// Members with their personas and, if known, distances.
        public init(personas: [String: Int], distances: [String: Double]?) {
            self.personas = personas
            self.distances = distances
        }
    }

    /// Why an assignment file cannot be read.
    public enum ReadError: Error, Sendable, CustomStringConvertible {
        /// The file cannot be read or is not CSV.
        case csv(CSVError)
        /// Its columns are not the identifier followed by `persona`.
        case notAssignments(file: String)
        /// A `persona` cell that is not a persona id (file rows count the header as row 1).
        case badPersona(file: String, row: Int, value: String)
        /// An identifier seen twice.
        case duplicateId(file: String, row: Int, column: String, id: String)

        public var description: String {
            switch self {
            case .csv(let error): error.description
            case .notAssignments(let file): "\(file): not an assignment file (its columns must be the identifier, then 'persona')"
            case .badPersona(let file, let row, let value): "\(file): row \(row), column 'persona': '\(value)' is not a persona id"
            case .duplicateId(let file, let row, let column, let id): "\(file): row \(row), column '\(column)': identifier '\(id)' appears twice"
            }
        }
    }

    /// Reads an assignment CSV: the first column the identifier, a `persona` column, and
    /// optionally `distance` (what `persona assign` and `train --assignments` write, or any
    /// file with those columns).
    /// - Throws: ``ReadError`` naming the file, and the row and column where it applies.
    /// - Complexity: O(file size).
    public static func read(contentsOf url: URL, displayName: String? = nil) throws(ReadError) -> Members {
        let name = displayName ?? url.lastPathComponent
        let table: RawTable
        do { table = try CSVReader.read(contentsOf: url, displayName: name) } catch { throw .csv(error) }
        guard table.columnNames.count >= 2, let personaColumn = table.columnIndex(named: "persona") else {
            throw .notAssignments(file: name)
        }
        let distanceColumn = table.columnIndex(named: "distance")
        var members = [String: Int](minimumCapacity: table.rowCount), distances = [String: Double]()
        for r in 0..<table.rowCount {
            let id = table.columns[0][r]
            guard let persona = Int(table.columns[personaColumn][r]) else {
                throw .badPersona(file: name, row: r + 2, value: table.columns[personaColumn][r])
            }
            if members.updateValue(persona, forKey: id) != nil {
                throw .duplicateId(file: name, row: r + 2, column: table.columnNames[0], id: id)
            }
            if let c = distanceColumn, let d = Double(table.columns[c][r]) { distances[id] = d }
        }
        return Members(personas: members, distances: distanceColumn == nil ? nil : distances)
    }
}
