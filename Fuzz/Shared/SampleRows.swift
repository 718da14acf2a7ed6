// Shared by the schema and model harnesses: a few customer rows that fit a schema, so that a
// schema or model that loads is also used the way the commands use it.

import PersonaKit

enum SampleRows {
    /// Three rows with every column of `schema` (identifier, weight, attributes): typical
    /// values, extreme ones and missing ones, by attribute kind.
    static func table(for schema: PersonaSchema) -> RawTable {
        var names = [schema.idColumn]
        var columns: [[String]] = [["c1", "c2", "c3"]]
        if let weight = schema.weightColumn {
            names.append(weight)
            columns.append(["1", "2.5", "0.5"])
        }
        for attribute in schema.attributes where !names.contains(attribute.name) {
            names.append(attribute.name)
            switch attribute.kind {
            case .continuous: columns.append(["1.5", "-1e6", ""])
            case .binary: columns.append(["0", "1", ""])
            case .ordinal(let levels):
                columns.append([levels.first.map { "\($0)" } ?? "1", levels.last.map { "\($0)" } ?? "", ""])
            case .categorical(let categories):
                columns.append([categories.first ?? "a", categories.last ?? "b", ""])
            }
        }
        return RawTable(columnNames: names, columns: columns)
    }
}
