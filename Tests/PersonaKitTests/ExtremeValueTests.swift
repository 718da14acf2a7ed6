import Foundation
import PersonaKit
import TestSupport
import Testing

/// Regression tests for inputs found by fuzzing the train path: values near the `Double`
/// range and huge weights once produced a model with NaN centroids that could not be loaded.
@Suite("extreme values")
struct ExtremeValueTests {
    static func train(_ header: [String], _ rows: [[String]], k: Int, schema: PersonaSchema? = nil) throws -> TrainedModel {
        let table = Fixtures.table(header, rows)
        let data = try CustomerData(table: table, schema: try schema ?? PersonaSchema.infer(from: table))
        return try PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: k, restarts: 1)))
    }

    @Test("values of 1e308 are standardised without overflow and the model is valid")
    func hugeValues() throws {
        let trained = try Self.train(["customer_id", "a"], [["1", "1e308"], ["2", "1e308"], ["3", "-1e308"]], k: 1)
        try trained.model.validate()
        let encoder = trained.model.encoder.attributes[0]
        #expect(encoder.centers[0].isFinite && encoder.scales[0].isFinite)
        let decoded = try JSONDecoder().decode(PersonaModel.self, from: JSONEncoder().encode(trained.model))
        #expect(decoded == trained.model)
    }

    @Test("values spanning the whole Double range give a valid model and finite profiles")
    func wholeRange() throws {
        let rows = (0..<40).map { ["\($0)", $0 % 2 == 0 ? "1.7e308" : "-1.7e308", $0 % 3 == 0 ? "x" : "y", "0"] }
        let trained = try Self.train(["customer_id", "a", "b", "c"], rows, k: 2)
        try trained.model.validate()
        let means = trained.profiles.flatMap(\.comparisons).filter { $0.attribute == "a" }
        #expect(means.allSatisfy { $0.personaMean!.isFinite && $0.standardizedDifference!.isFinite })
        // Each persona's mean of `a` is its members' mean, whichever partition the fit found
        // (by `a` or by `b`, which the encoding weighs alike): (plus − minus) / n × 1.7e308.
        for (profile, comparison) in zip(trained.profiles, means) {
            let members = trained.assignments.indices.filter { trained.assignments[$0].persona == profile.persona }
            let plus = members.filter { $0 % 2 == 0 }.count
            let expected = Double(2 * plus - members.count) / Double(members.count) * 1.7e308
            #expect(abs(comparison.personaMean! - expected) <= 1e-12 * 1.7e308, "persona \(profile.persona)")
        }
        #expect(trained.model.training.inertia.isFinite)
    }

    @Test("a weight above the limit is rejected by schema validation")
    func hugeWeight() throws {
        let header = ["customer_id", "lifestyle_age"]
        let rows = (0..<10).map { ["\($0)", "\(20 + $0)"] }
        var schema = try PersonaSchema.infer(from: Fixtures.table(header, rows))
        schema.attributes[0].weight = 1e300
        #expect(throws: PersonaDataError.self) { try Self.train(header, rows, k: 2, schema: schema) }
        schema.attributes[0].weight = PersonaSchema.maximumWeight
        _ = try Self.train(header, rows, k: 2, schema: schema)
    }

    @Test("without scaling, values whose squares would overflow Float are refused")
    func unscaledHuge() throws {
        let table = Fixtures.table(["customer_id", "a"], (0..<10).map { ["\($0)", $0 < 5 ? "1e20" : "-1e20"] })
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        var options = TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 2))
        options.encoding.scaling = .none
        #expect(throws: ClusteringError.self) { try PersonaModel.train(data, options: options) }
    }

    @Test("an assignment value too far from training to encode is a data error naming it")
    func assignOutOfRange() throws {
        let trained = try Self.train(["customer_id", "a"], (0..<10).map { ["\($0)", "\($0)"] }, k: 2)
        let table = Fixtures.table(["customer_id", "a"], [["x", "1e300"]])
        #expect(throws: PersonaDataError.valueOutOfRange(row: 0, column: "a", value: 1e300)) {
            try trained.model.assign(table: table)
        }
    }
}
