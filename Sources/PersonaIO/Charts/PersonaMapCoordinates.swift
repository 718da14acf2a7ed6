import PersonaKit

/// The customers of a `PersonaMap` as CSV: one row per drawn customer with its identifier,
/// persona, `pc1`, `pc2`, and the encoded features the principal components were computed on
/// (one column per encoder column), so that the projection can be checked or redrawn with
/// other tools (see `Scripts/check_map_pca.py`).
public enum PersonaMapCoordinates {
    /// The CSV bytes.
    ///
    /// - Parameters:
    ///   - map: the map.
    ///   - ids: every mapped row's customer identifier.
    ///   - idColumn: the identifier column's name.
    ///   - matrix: the encoded rows the map was made from.
    ///   - columnNames: the encoder's column names (`matrix.columns` of them).
    ///   - separator: the CSV separator.
    /// - Complexity: O(points × columns).
    public static func csv(_ map: PersonaMap, ids: [String], idColumn: String, matrix: FeatureMatrix,
                           columnNames: [String], separator: Character = ",") -> [UInt8] {
        precondition(ids.count == matrix.rows && columnNames.count == matrix.columns, "one id per row, one name per column")
        let names = Dictionary(uniqueKeysWithValues: map.centres.map { ($0.persona, $0.name) })
        var writer = CSVWriter(header: [idColumn, "persona", "persona_name", "pc1", "pc2"] + columnNames.map { "encoded:" + $0 },
                               separator: separator)
        for point in map.points {
            let features = matrix.values[point.row * matrix.columns ..< (point.row + 1) * matrix.columns]
            writer.appendRow([ids[point.row], String(point.persona), names[point.persona] ?? "",
                              CSVWriter.format(point.x), CSVWriter.format(point.y)]
                             + features.map { CSVWriter.format(Double($0)) })
        }
        return writer.bytes
    }
}
