import PersonaKit

/// Assigns batches of input lines with one model.
///
/// A batch is read into one `RawTable` with the model's columns and assigned in one call
/// (`PersonaModel.read` then `PersonaModel.assign`), so the per-call work is shared by every line
/// of the batch. A line that cannot be assigned becomes an error line; the rest of the batch is
/// assigned all the same.
struct Worker {
    let model: PersonaModel
    /// The input field holding the identifier, also the output's first field.
    let idField: String
    let unknownCategories: UnknownCategoryPolicy
    /// The columns a line is read into: the segment attributes, in schema order.
    private let attributes: [String]

    init(model: PersonaModel, idField: String?, unknownCategories: UnknownCategoryPolicy) {
        self.model = model
        self.idField = idField ?? model.schema.idColumn
        self.unknownCategories = unknownCategories
        self.attributes = model.schema.segmentAttributes.map(\.name)
    }

    /// What became of one line.
    private enum Outcome {
        case assigned(id: String, PersonaAssignment)
        case failed(line: Int, id: String?, message: String)
    }

    /// The output lines for `lines`, one per non-blank input line, in input order.
    func process(_ lines: [InputLine]) -> [UInt8] {
        var outcomes = [Int: Outcome]()   // by position in `lines`
        var records = [(position: Int, record: CustomerRecord)]()
        for (position, line) in lines.enumerated() where !isBlank(line.bytes) {
            do {
                let record = try CustomerRecord.parse(line.bytes, line: line.number, idField: idField, attributes: attributes)
                records.append((position, record))
            } catch {
                outcomes[position] = .failed(line: line.number, id: error.id, message: error.message)
            }
        }
        // Assign the readable lines together; a bad cell takes its line out and the rest go again.
        while !records.isEmpty {
            do {
                let assignments = try assign(records.map(\.record))
                for (entry, assignment) in zip(records, assignments) {
                    outcomes[entry.position] = .assigned(id: entry.record.id, assignment)
                }
                break
            } catch {
                guard let row = error.row, records.indices.contains(row) else {
                    for entry in records {
                        outcomes[entry.position] = .failed(line: entry.record.line, id: entry.record.id, message: error.description)
                    }
                    break
                }
                let bad = records.remove(at: row)
                outcomes[bad.position] = .failed(line: bad.record.line, id: bad.record.id, message: error.withoutRow)
            }
        }
        var writer = JSONLineWriter()
        for position in lines.indices {
            switch outcomes[position] {
            case .assigned(let id, let a)?:
                writer.begin()
                writer.field(idField, id)
                writer.field("persona", a.persona)
                writer.field("persona_name", model.persona(id: a.persona)?.name ?? "")
                writer.field("distance", a.distance)
                writer.field("runner_up", a.runnerUp)
                writer.field("margin", a.margin)
                writer.field("outlier", a.isOutlier)
                writer.end()
            case .failed(let line, let id, let message)?:
                writer.begin()
                writer.field("line", line)
                if let id { writer.field(idField, id) }
                writer.field("error", message)
                writer.end()
            case nil:
                break   // a blank line
            }
        }
        return writer.bytes
    }

    /// Reads and assigns records as one table. Its rows are the records in order, identified by
    /// their position, so that an error's row finds its line (and a customer sent twice in one
    /// batch is assigned twice).
    private func assign(_ records: [CustomerRecord]) throws(PersonaDataError) -> [PersonaAssignment] {
        var columns = [records.indices.map(String.init)]
        for c in attributes.indices { columns.append(records.map { $0.cells[c] }) }
        let table = RawTable(columnNames: [model.schema.idColumn] + attributes, columns: columns)
        let customers = try model.read(table, unknownCategories: unknownCategories, profiles: false)
        return try model.assign(customers, threads: 1)
    }

    private func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }
}

extension PersonaDataError {
    /// The row of the cell at fault, for the errors about one cell.
    var row: Int? {
        switch self {
        case .emptyId(let row, _), .duplicateId(_, _, let row, _), .notANumber(let row, _, _),
             .notFinite(let row, _, _), .notBinary(let row, _, _), .notALevel(let row, _, _, _),
             .unknownCategory(let row, _, _, _), .invalidWeight(let row, _, _), .valueOutOfRange(let row, _, _):
            row
        default:
            nil
        }
    }

    /// The description without its leading "row N, ": the output names the line instead.
    var withoutRow: String {
        let text = description
        guard let row, text.hasPrefix("row \(row), ") else { return text }
        return String(text.dropFirst("row \(row), ".count))
    }
}
