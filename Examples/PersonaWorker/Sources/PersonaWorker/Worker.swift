import PersonaKit

/// Assigns batches of input lines with one model.
///
/// Each line's values go to `PersonaModel.assign(customer:)` as typed values — no table, no
/// text — which gives exactly the persona `persona assign` gives for the same customer in a CSV
/// file. A line that cannot be assigned becomes an error line; the rest go on.
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
        for (position, record) in records {
            do {
                outcomes[position] = .assigned(id: record.id, try model.assign(customer: record.values, unknownCategories: unknownCategories))
            } catch {
                outcomes[position] = .failed(line: record.line, id: record.id, message: error.description)
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

    private func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }
}
