import PersonaKit
import TestSupport
import Testing

@Suite("feature encoding")
struct FeatureEncoderTests {
    static let header = ["customer_id", "finance_income", "health_score", "media_channel", "lifestyle_constant"]
    static let rows: [[String]] = [
        ["a", "1000", "1", "tv", "7"],
        ["b", "2000", "3", "web", "7"],
        ["c", "3000", "", "tv", "7"],
        ["d", "6000", "5", "", "7"],
    ]

    func data(_ rows: [[String]] = rows) throws -> CustomerData {
        let table = Fixtures.table(Self.header, rows)
        return try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
    }

    @Test("z-score uses the population standard deviation; missing values encode as 0")
    func zscore() throws {
        let data = try data()
        let encoder = try FeatureEncoder(fitting: data)
        let m = try encoder.transform(data)
        // income: mean 3000, population sd sqrt((4+1+0+9)/4) × 1000 = 1870.83
        let sd = (14.0 / 4).squareRoot() * 1000
        #expect(abs(Double(m[0, 0]) - (1000 - 3000) / sd) < 1e-6)
        #expect(abs(Double(m[3, 0]) - (6000 - 3000) / sd) < 1e-6)
        // health score: observed 1, 3, 5 → mean 3; the missing row encodes as 0 (the mean).
        #expect(m[2, 1] == 0)
        #expect(abs(Double(m[0, 1]) + 1.224744871) < 1e-6)
        #expect(encoder.columnNames == ["finance_income", "health_score", "media_channel=tv", "media_channel=web",
                                        "lifestyle_constant"])
    }

    @Test("a constant column keeps scale 1 and encodes as finite zeros")
    func constantColumn() throws {
        let data = try data()
        let encoder = try FeatureEncoder(fitting: data)
        let m = try encoder.transform(data)
        for r in 0..<4 { #expect(m[r, 4] == 0) }
        #expect(m.values.allSatisfy { $0.isFinite })
        #expect(encoder.attributes[3].scales == [1])
    }

    @Test("a categorical attribute is one-hot with total variance 1; missing is all zeros")
    func categorical() throws {
        let data = try data()
        let encoder = try FeatureEncoder(fitting: data)
        let m = try encoder.transform(data)
        // Observed shares among non-missing rows: tv 2/3, web 1/3.
        var variance = 0.0
        for column in 2...3 {
            let values = (0..<3).map { Double(m[$0, column]) }
            let mean = values.reduce(0, +) / 3
            variance += values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 3
        }
        #expect(abs(variance - 1) < 1e-6)
        #expect(m[3, 2] == 0 && m[3, 3] == 0)
        #expect(m[0, 2] > 0 && m[0, 3] < 0)
    }

    @Test("decode inverts the encoding")
    func decode() throws {
        let data = try data()
        let encoder = try FeatureEncoder(fitting: data)
        let m = try encoder.transform(data)
        #expect(abs(encoder.decode(Double(m[1, 0]), column: 0) - 2000) < 1e-3)
        #expect(abs(encoder.decode(Double(m[0, 2]), column: 2) - 1) < 1e-6)
    }

    @Test("scaling none keeps original distances")
    func noScaling() throws {
        let data = try data()
        let encoder = try FeatureEncoder(fitting: data, options: EncodingOptions(scaling: .none))
        let m = try encoder.transform(data)
        #expect(m[1, 0] - m[0, 0] == 1000)
    }

    @Test("a weight multiplies the attribute's share of the squared distance")
    func weights() throws {
        let table = Fixtures.table(Self.header, Self.rows)
        var schema = try PersonaSchema.infer(from: table)
        let plain = try FeatureEncoder(fitting: try CustomerData(table: table, schema: schema))
        schema.attributes[0].weight = 4
        let data = try CustomerData(table: table, schema: schema)
        let weighted = try FeatureEncoder(fitting: data)
        #expect(abs(weighted.attributes[0].scales[0] - 2 * plain.attributes[0].scales[0]) < 1e-12)
    }

    @Test("sample weights that leave a category too rare to standardise are refused with a data error")
    func extremeCategoryWeights() throws {
        // One customer weighs 1e300, two weigh 1: the rare categories' shares are 1e-300, and
        // dividing by a spread of ~1e-150 would overflow every Float.
        let table = Fixtures.table(["customer_id", "lifestyle_kind", "need_score", "weight"],
                                   [["c1", "a", "1", "1e300"], ["c2", "b", "2", "1"], ["c3", "c", "3", "1"]])
        let schema = try PersonaSchema.infer(from: table, weightColumn: "weight")
        let data = try CustomerData(table: table, schema: schema)
        do {
            _ = try FeatureEncoder(fitting: data)
            Issue.record("the encoder accepted indicators beyond the Float range")
        } catch {
            guard case .categoriesTooUneven(let column) = error else { Issue.record("unexpected \(error)"); return }
            #expect(column == "lifestyle_kind")
        }
        // Without standardising, the indicators are plain 0/1 and fine.
        let plain = try FeatureEncoder(fitting: data, options: EncodingOptions(scaling: .none)).transform(data)
        #expect(plain.values.allSatisfy { $0.isFinite })
    }

    @Test("group balancing gives each group the same total weight")
    func balancing() throws {
        let header = ["customer_id", "finance_a", "finance_b", "finance_c", "finance_d", "health_x"]
        var rng = SeededGenerator(seed: 1)
        let rows = (0..<200).map { i in ["c\(i)"] + (0..<5).map { _ in String(rng.nextUnitDouble() * 10) } }
        let table = Fixtures.table(header, rows)
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let m = try FeatureEncoder(fitting: data, options: EncodingOptions(balanceGroups: true)).transform(data)
        func variance(_ column: Int) -> Double {
            let values = (0..<m.rows).map { Double(m[$0, column]) }
            let mean = values.reduce(0, +) / Double(values.count)
            return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        }
        let finance = (0..<4).map(variance).reduce(0, +)
        #expect(abs(finance - 1) < 1e-4)
        #expect(abs(variance(4) - 1) < 1e-4)
    }
}
