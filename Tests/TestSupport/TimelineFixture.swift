import PersonaKit

/// A hand-worked history of three runs for the timeline tests.
public enum TimelineFixture {
    /// A model whose personas carry the identifiers `ids` and the parents `parents` (trained on
    /// one attribute with as many clear groups; the centres do not matter here).
    public static func model(ids: [Int], parents: [[Int]]) throws -> PersonaModel {
        let k = ids.count
        let rows = (0..<(30 * k)).map { i in ["x\(i)", String(Double(i % k) * 100 + Double(i % 7))] }
        let table = RawTable(columnNames: ["customer_id", "finance_income"], rows: rows)
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let base = try PersonaModel.train(data, options: TrainingOptions(clusterCount: k)).model
        let personas = zip(base.personas, zip(ids, parents)).map { persona, identity in
            var persona = persona
            persona.id = identity.0
            persona.name = "P\(identity.0)"
            persona.parents = identity.1
            return persona
        }
        return PersonaModel(schema: base.schema, encoder: base.encoder, personas: personas, projection: nil,
                            training: base.training)
    }

    /// Members named `prefix0`, `prefix1`, … in `range`, all assigned to `persona`.
    static func members(_ prefix: String, _ persona: Int, _ range: Range<Int>) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: range.map { ("\(prefix)\($0)", persona) })
    }

    static func merged(_ parts: [String: Int]...) -> [String: Int] {
        parts.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
    }

    /// Three runs worked by hand:
    ///
    /// - Run 1 (personas 1, 2, 3): a0…a5 in 1, b0…b5 in 2, c0, c1 in 3 — 14 customers.
    /// - Run 2 (personas 1, 4, 5; 2 split into 4 and 5, 3 retired): a0…a5 and b4 in 1, b0, b1
    ///   in 4, b2, b3 in 5; b5, c0, c1 left; n0 is new, in 1 — 12 customers.
    /// - Run 3 (personas 1, 4, 6; 5 merged into 4, 6 new): a0…a4 and b4 in 1, a5 in 6, b0…b3
    ///   in 4; n0 left; m0, m1 are new, in 6 — 13 customers.
    public static func runs() throws -> [TimelineRun] {
        let m1 = try model(ids: [1, 2, 3], parents: [[], [], []])
        let m2 = try model(ids: [1, 4, 5], parents: [[1], [2], [2]])
        let m3 = try model(ids: [1, 4, 6], parents: [[1], [4, 5], []])
        let r1 = merged(members("a", 1, 0..<6), members("b", 2, 0..<6), members("c", 3, 0..<2))
        let r2 = merged(members("a", 1, 0..<6), members("b", 1, 4..<5), members("n", 1, 0..<1),
                        members("b", 4, 0..<2), members("b", 5, 2..<4))
        let r3 = merged(members("a", 1, 0..<5), members("b", 1, 4..<5), members("a", 6, 5..<6), members("m", 6, 0..<2),
                        members("b", 4, 0..<4))
        return [TimelineRun(id: 1, time: "2026-03-31", model: m1, members: r1),
                TimelineRun(id: 2, time: "2026-06-30", model: m2, members: r2),
                TimelineRun(id: 3, time: "2026-09-30", model: m3, members: r3)]
    }
}
