import Foundation
import PersonaKit
import TestSupport
import Testing

@Suite("persona model")
struct PersonaModelTests {
    /// A small customer table with three clear personas and some profile columns.
    static func customers(n: Int = 900, seed: UInt64 = 7) -> RawTable {
        var rng = SeededGenerator(seed: seed)
        var rows = [[String]]()
        for i in 0..<n {
            let p = i % 3
            let income = [1500.0, 3500, 7000][p] + 300 * Fixtures.gaussian(&rng)
            let hours = [30.0, 12, 4][p] + 3 * Fixtures.gaussian(&rng)
            let fear = String(min(5, max(1, [4, 2, 1][p] + Int((Fixtures.gaussian(&rng)).rounded()))))
            let channel = [["tv", "print"], ["web", "app"], ["app", "web"]][p][rng.nextUnitDouble() < 0.8 ? 0 : 1]
            let value = [100.0, 400, 1500][p] * (1 + 0.2 * rng.nextUnitDouble())
            rows.append(["C\(i)", String(format: "%.1f", income), String(format: "%.1f", hours), fear, channel,
                         i % 17 == 0 ? "" : String(format: "%.2f", value)])
        }
        return RawTable(columnNames: ["customer_id", "finance_income", "media_tv_hours", "fear_data_privacy",
                                      "online_channel", "profile_customer_value"], rows: rows)
    }

    static func trained(k: Int = 3, seed: UInt64 = 1) throws -> (CustomerData, TrainedModel) {
        let table = customers()
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        return (data, try PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: k, seed: seed))))
    }

    @Test("assigning the training rows with the model reproduces training's assignments")
    func reproduces() throws {
        let (_, trained) = try Self.trained()
        let again = try trained.model.assign(table: Self.customers())
        #expect(again == trained.assignments)
    }

    @Test("persona identifiers run from 1 by decreasing size; sizes sum to n")
    func identities() throws {
        let (data, trained) = try Self.trained(k: 4)
        let personas = trained.model.personas
        #expect(personas.map(\.id) == [1, 2, 3, 4])
        #expect(zip(personas, personas.dropFirst()).allSatisfy { $0.size >= $1.size })
        #expect(personas.map(\.size).reduce(0, +) == data.count)
        #expect(abs(personas.map(\.share).reduce(0, +) - 1) < 1e-12)
        #expect(Set(personas.map(\.name)).count == 4)
        for persona in personas {
            #expect(trained.assignments.filter { $0.persona == persona.id }.count == persona.size)
        }
    }

    @Test("runner-up is the next-nearest persona and the margin is non-negative")
    func runnerUp() throws {
        let (data, trained) = try Self.trained()
        let matrix = try trained.model.encoder.transform(data)
        for (r, a) in trained.assignments.enumerated().prefix(200) {
            let distances = trained.model.personas.map { p in
                zip(matrix.row(r), p.centroid).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot()
            }
            let order = distances.indices.sorted { distances[$0] < distances[$1] }
            #expect(a.persona == trained.model.personas[order[0]].id)
            #expect(a.runnerUp == trained.model.personas[order[1]].id)
            #expect(abs(a.distance - distances[order[0]]) < 1e-4)
            #expect(try #require(a.margin) >= 0)
        }
    }

    @Test("about 1% of training customers are outliers, each beyond its persona's limit")
    func outliers() throws {
        let (_, trained) = try Self.trained()
        let flagged = trained.assignments.filter(\.isOutlier)
        #expect(flagged.count <= trained.assignments.count / 100 + trained.model.personas.count)
        for a in trained.assignments {
            let limit = trained.model.persona(id: a.persona)!.outlierDistance
            #expect(a.isOutlier == (a.distance > limit))
        }
        // A customer far from everything is an outlier.
        var table = Self.customers(n: 3)
        table = RawTable(columnNames: table.columnNames,
                         rows: [["far", "900000", "500", "5", "tv", "1"]])
        #expect(try trained.model.assign(table: table)[0].isOutlier)
    }

    @Test("the model round-trips through JSON exactly")
    func codable() throws {
        let (_, trained) = try Self.trained()
        let data = try JSONEncoder().encode(trained.model)
        let decoded = try JSONDecoder().decode(PersonaModel.self, from: data)
        #expect(decoded == trained.model)
        try decoded.validate()
        #expect(try decoded.assign(table: Self.customers()) == trained.assignments)
    }

    @Test("same data and seed give the same model whatever the thread count")
    func determinism() throws {
        let table = Self.customers(n: 9_000)
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        var options = TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 5, seed: 3))
        options.kmeans.threads = 1
        let one = try PersonaModel.train(data, options: options).model
        options.kmeans.threads = 2
        let two = try PersonaModel.train(data, options: options).model
        #expect(one == two)
    }

    @Test("an unknown category is treated as missing, or rejected in strict mode")
    func unknownCategory() throws {
        let (_, trained) = try Self.trained()
        let table = RawTable(columnNames: ["customer_id", "finance_income", "media_tv_hours", "fear_data_privacy", "online_channel"],
                             rows: [["x", "3500", "12", "2", "fax"]])
        let data = try trained.model.read(table)
        #expect(data.unknownCategoryCount == 1)
        #expect(data.values["online_channel"] == .categories([-1]))
        #expect(throws: PersonaDataError.self) { try trained.model.read(table, unknownCategories: .reject) }
        let missingColumn = RawTable(columnNames: ["customer_id", "finance_income"], rows: [["x", "1"]])
        #expect(throws: PersonaDataError.missingColumns(names: ["media_tv_hours", "fear_data_privacy", "online_channel"])) {
            try trained.model.assign(table: missingColumn)
        }
        let oneMissing = RawTable(columnNames: ["customer_id", "finance_income", "media_tv_hours", "fear_data_privacy"],
                                  rows: [["x", "1", "2", "3"]])
        #expect(throws: PersonaDataError.missingColumn(name: "online_channel")) { try trained.model.assign(table: oneMissing) }
    }

    @Test("profiles agree with a direct computation from the assignments")
    func profiles() throws {
        let (data, trained) = try Self.trained()
        let table = Self.customers()
        let incomes = table.column(named: "finance_income")!.map { Double($0)! }
        let values = table.column(named: "profile_customer_value")!.map { Double($0) }
        for profile in trained.profiles {
            let members = trained.assignments.indices.filter { trained.assignments[$0].persona == profile.persona }
            #expect(profile.size == members.count)
            let income = try #require(profile.comparisons.first { $0.attribute == "finance_income" })
            let expected = members.map { incomes[$0] }.reduce(0, +) / Double(members.count)
            #expect(abs(try #require(income.personaMean) - expected) < 1e-6)
            let population = incomes.reduce(0, +) / Double(incomes.count)
            #expect(abs(try #require(income.index) - 100 * expected / population) < 1e-6)
            let value = try #require(profile.comparisons.first { $0.attribute == "profile_customer_value" })
            let present = members.compactMap { values[$0] }
            #expect(abs(try #require(value.personaMean) - present.reduce(0, +) / Double(present.count)) < 1e-6)
            let shares = profile.comparisons.filter { $0.attribute == "online_channel" }.compactMap(\.personaMean)
            #expect(abs(shares.reduce(0, +) - 1) < 1e-9)
        }
        _ = data
    }
}

@Suite("principal components (LAPACK)")
struct PrincipalComponentsTests {
    @Test("points on a line: one component along it, explaining all the variance")
    func line() throws {
        let m = FeatureMatrix((0..<10).map { i in [Float(i), Float(2 * i), 3] })
        let pca = try PrincipalComponents(fitting: m, count: 2)
        let norm = 5.0.squareRoot()
        #expect(abs(pca.components[0][0] - 1 / norm) < 1e-9)
        #expect(abs(pca.components[0][1] - 2 / norm) < 1e-9)
        #expect(abs(pca.components[0][2]) < 1e-9)
        #expect(abs(pca.explainedVarianceRatio[0] - 1) < 1e-9)
        #expect(abs(pca.explainedVariance[0] - 5 * 8.25) < 1e-9)   // var(0…9) = 8.25
        #expect(abs(pca.project([4.5, 9, 3])[0]) < 1e-9)
    }

    @Test("agrees with power iteration on random data")
    func powerIteration() throws {
        let (m, _) = Fixtures.blobs(n: 400, d: 5, k: 3, spread: 2, seed: 12)
        let pca = try PrincipalComponents(fitting: m, count: 1)
        let d = m.columns, n = m.rows
        let mean = (0..<d).map { j in (0..<n).reduce(0.0) { $0 + Double(m[$1, j]) } / Double(n) }
        var cov = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for r in 0..<n { for a in 0..<d { for b in 0..<d { cov[a][b] += (Double(m[r, a]) - mean[a]) * (Double(m[r, b]) - mean[b]) / Double(n) } } }
        var v = [Double](repeating: 1, count: d)
        for _ in 0..<500 {
            let w = (0..<d).map { a in (0..<d).reduce(0.0) { $0 + cov[a][$1] * v[$1] } }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = w.map { $0 / norm }
        }
        let dot = zip(v, pca.components[0]).reduce(0.0) { $0 + $1.0 * $1.1 }
        #expect(abs(abs(dot) - 1) < 1e-6)
    }
}
