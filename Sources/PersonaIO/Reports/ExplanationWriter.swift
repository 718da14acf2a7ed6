import Foundation
import PersonaKit

/// Renders a `CustomerExplanation` (`persona explain`) as a plain-text table, CSV or JSON.
///
/// Each segment attribute gets one row: the customer's value, the assigned and runner-up
/// personas' centres in original units, the attribute's part of the squared distance to each,
/// and the pull, d²(runner-up) − d²(assigned): positive pulls toward the assigned persona,
/// negative toward the runner-up. Rows are ordered by pull, strongest toward the assigned
/// persona first.
public enum ExplanationWriter {
    /// An output format.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// An aligned table with a heading, for reading in a terminal.
        case text
        /// One row per attribute, with a header (comma separated, `.` decimal point).
        case csv
        /// One JSON object.
        case json
    }

    /// The CSV header.
    public static let csvHeader = ["customer", "attribute", "group", "kind", "customer_value", "persona",
                                   "persona_centre", "persona_squared_distance", "runner_up", "runner_up_centre",
                                   "runner_up_squared_distance", "pull"]

    /// Renders `explanation` of a customer of `model`.
    /// - Complexity: O(attributes log attributes).
    public static func render(_ explanation: CustomerExplanation, model: PersonaModel, format: Format) -> [UInt8] {
        let rows = Row.rows(explanation)
        switch format {
        case .text: return Array(text(explanation, rows: rows, model: model).utf8)
        case .csv:
            var writer = CSVWriter(header: csvHeader)
            let fmt = CSVWriter.format
            for row in rows {
                writer.appendRow([explanation.customer, row.attribute.name, row.attribute.group.rawValue,
                                  row.attribute.kind.name, row.customerValue,
                                  String(explanation.assignment.persona), fmt(row.assignedCentre),
                                  fmt(row.assignedSquared),
                                  explanation.assignment.runnerUp.map(String.init) ?? "",
                                  fmt(row.runnerUpCentre ?? .nan), fmt(row.runnerUpSquared ?? .nan), fmt(row.pull ?? .nan)])
            }
            return writer.bytes
        case .json:
            return json(explanation, rows: rows, model: model)
        }
    }

    /// One attribute's line, for either persona.
    struct Row {
        var attribute: Attribute
        var customerValue: String
        var assignedCentre: Double
        var assignedSquared: Double
        var runnerUpCentre: Double?
        var runnerUpSquared: Double?
        var pull: Double?

        static func rows(_ e: CustomerExplanation) -> [Row] {
            let a = e.index(of: e.assignment.persona)!
            let b = e.assignment.runnerUp.flatMap(e.index(of:))
            let rows = e.attributes.map { c in
                Row(attribute: c.attribute,
                    customerValue: c.category ?? c.value.map(CSVWriter.format) ?? "",
                    assignedCentre: c.centres[a], assignedSquared: c.squaredDistances[a],
                    runnerUpCentre: b.map { c.centres[$0] }, runnerUpSquared: b.map { c.squaredDistances[$0] },
                    pull: b.map { c.squaredDistances[$0] - c.squaredDistances[a] })
            }
            // Strongest pull toward the assigned persona first; stable for equal pulls.
            return rows.enumerated().sorted { l, r in
                let (x, y) = (l.element.pull ?? 0, r.element.pull ?? 0)
                return x != y ? x > y : l.offset < r.offset
            }.map(\.element)
        }
    }

    static func short(_ value: Double?) -> String {
        guard let value, !value.isNaN else { return "" }
        return String(format: "%.4g", value)
    }

    static func text(_ e: CustomerExplanation, rows: [Row], model: PersonaModel) -> String {
        let assigned = e.assignment.persona
        let name = { (id: Int) in model.persona(id: id)?.name ?? "" }
        var lines = ["customer \(e.customer): persona \(assigned) \"\(name(assigned))\", distance \(short(e.assignment.distance))"
                     + (e.assignment.isOutlier ? " (outlier)" : "")]
        if let runnerUp = e.assignment.runnerUp {
            lines.append("runner-up: persona \(runnerUp) \"\(name(runnerUp))\", distance \(short(e.assignment.runnerUpDistance)), margin \(short(e.assignment.margin))")
        }
        lines.append("pull = part of d²(runner-up) − part of d²(assigned); positive pulls toward persona \(assigned)")
        lines.append("")
        var table = [["attribute", "customer", "centre \(assigned)", "d² \(assigned)"]
                     + (e.assignment.runnerUp.map { ["centre \($0)", "d² \($0)", "pull"] } ?? [])]
        for row in rows {
            table.append([row.attribute.name, row.customerValue.isEmpty ? "(missing)" : row.customerValue,
                          short(row.assignedCentre), short(row.assignedSquared)]
                         + (row.runnerUpSquared != nil ? [short(row.runnerUpCentre), short(row.runnerUpSquared),
                                                          row.pull.map { String(format: "%+.4g", $0) } ?? ""] : []))
        }
        let a = e.index(of: assigned)!
        let b = e.assignment.runnerUp.flatMap(e.index(of:))
        table.append(["total", "", "", short(e.squaredDistances[a])]
                     + (b.map { ["", short(e.squaredDistances[$0]), String(format: "%+.4g", e.squaredDistances[$0] - e.squaredDistances[a])] } ?? []))
        let widths = table[0].indices.map { c in table.map { $0[c].count }.max() ?? 0 }
        for cells in table {
            let padded = cells.enumerated().map { c, cell in
                c == 0 || c == 1 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - cell.count) + cell
            }
            lines.append(padded.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ e: CustomerExplanation, rows: [Row], model: PersonaModel) -> [UInt8] {
        func number(_ v: Double?) -> Any { v.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        var object: [String: Any] = [
            "customer": e.customer,
            "persona": e.assignment.persona,
            "personaName": model.persona(id: e.assignment.persona)?.name ?? "",
            "distance": number(e.assignment.distance),
            "isOutlier": e.assignment.isOutlier,
            "squaredDistances": Dictionary(uniqueKeysWithValues: zip(e.personas.map(String.init), e.squaredDistances.map(number))),
        ]
        if let runnerUp = e.assignment.runnerUp {
            object["runnerUp"] = runnerUp
            object["runnerUpName"] = model.persona(id: runnerUp)?.name ?? ""
            object["runnerUpDistance"] = number(e.assignment.runnerUpDistance)
            object["margin"] = number(e.assignment.margin)
        }
        object["attributes"] = rows.map { row -> [String: Any] in
            [
                "attribute": row.attribute.name, "group": row.attribute.group.rawValue, "kind": row.attribute.kind.name,
                "customerValue": row.customerValue.isEmpty ? NSNull() : row.customerValue,
                "personaCentre": number(row.assignedCentre), "personaSquaredDistance": number(row.assignedSquared),
                "runnerUpCentre": number(row.runnerUpCentre), "runnerUpSquaredDistance": number(row.runnerUpSquared),
                "pull": number(row.pull),
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return Array(data) + [0x0A]
    }
}
