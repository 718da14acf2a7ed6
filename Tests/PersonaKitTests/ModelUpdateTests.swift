import Foundation
@testable import PersonaKit
import TestSupport
import Testing

// Streaming updates: c′ = (c·n·a + Σx)/(n·a + m), n′ = n·a + m, in encoded space.

@Suite("model updates")
struct ModelUpdateTests {
    /// A one-column batch for the membership fixture's model.
    static func batch(_ xs: [Double], model: PersonaModel) throws -> CustomerData {
        let table = RawTable(columnNames: ["customer_id", "finance_x"],
                             rows: xs.enumerated().map { ["n\($0.offset)", String($0.element)] })
        return try model.read(table)
    }

    /// Blobs written as a customer table with `d` numeric columns.
    static func table(_ matrix: FeatureMatrix, prefix: String) -> RawTable {
        RawTable(columnNames: ["customer_id"] + (0..<matrix.columns).map { "finance_x\($0)" },
                 rows: (0..<matrix.rows).map { r in ["\(prefix)\(r)"] + (0..<matrix.columns).map { String(matrix[r, $0]) } })
    }

    /// The rule written out in `Double` with a brute-force nearest centre (the first on a tie).
    static func reference(centres: [[Double]], weights: [Double], batch: FeatureMatrix, rowWeights: [Double]?,
                          a: Double) -> (centres: [[Double]], weights: [Double]) {
        let k = centres.count, d = batch.columns
        var sums = Array(repeating: Array(repeating: 0.0, count: d), count: k)
        var mass = Array(repeating: 0.0, count: k)
        for r in 0..<batch.rows {
            let distances = centres.map { c in (0..<d).reduce(0.0) { s, j in s + pow(Double(batch[r, j]) - c[j], 2) } }
            let p = distances.indices.min { distances[$0] < distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }!
            let w = rowWeights?[r] ?? 1
            mass[p] += w
            for j in 0..<d { sums[p][j] += w * Double(batch[r, j]) }
        }
        var out = centres, outWeights = weights
        for p in 0..<k {
            outWeights[p] = weights[p] * a + mass[p]
            if mass[p] > 0 { for j in 0..<d { out[p][j] = (centres[p][j] * weights[p] * a + sums[p][j]) / outWeights[p] } }
        }
        return (out, outWeights)
    }

    @Test("the hand-worked example: centres 1 and 11 (encoded −4 and 6) move towards 3, 4 and 9 with a = 0.5")
    func handWorked() throws {
        let model = try MembershipFixture.model()
        #expect(model.personas.map(\.centroid) == [[-4], [6]])
        #expect(model.personas.map(\.weight) == [3, 2])
        // Encoded −2 and −1 are nearest −4, encoded 4 nearest 6.
        let update = try model.update(with: Self.batch([3, 4, 9], model: model), decay: .factor(0.5))
        let updated = update.model
        #expect(update.discount == 0.5)
        #expect(update.assignments.map(\.persona) == [1, 1, 2])
        // Persona 1: (−4 × 3 × 0.5 + (−2 − 1)) / (1.5 + 2) = −18/7; persona 2: (6 × 1 + 4) / 2 = 5.
        #expect(abs(Double(updated.personas[0].centroid[0]) + 18.0 / 7) < 1e-6)
        #expect(updated.personas[1].centroid == [5])
        #expect(updated.personas.map(\.weight) == [3.5, 2])
        #expect(updated.personas.map(\.size) == [5, 3])
        #expect(abs(updated.personas[0].share - 3.5 / 5.5) < 1e-15)
        // Mean distance: (2/3 × 1.5 + 4/7 + 11/7) / 3.5 = 44/49; persona 2: (1 × 1 + 1) / 2 = 1.
        #expect(abs(updated.personas[0].meanDistance - 44.0 / 49) < 1e-6)
        #expect(abs(updated.personas[1].meanDistance - 1) < 1e-12)
        #expect(updated.personas[1].outlierDistance == model.personas[1].outlierDistance)
        let ratio = updated.personas[0].outlierDistance / model.personas[0].outlierDistance
        #expect(abs(ratio - (44.0 / 49) / (2.0 / 3)) < 1e-6)
        // Inertia 4 × 0.5 + 16/49 + 121/49 + 1 = 284/49 over weight 5 × 0.5 + 3; σ² = (0.8 × 2.5 + 186/49) / 5.5.
        #expect(abs(updated.training.inertia - 284.0 / 49) < 1e-5)
        #expect(updated.training.totalWeight == 5.5)
        #expect(updated.training.rowCount == 8)
        #expect(abs(try #require(updated.training.membershipVariance) - 568.0 / 539) < 1e-5)
        #expect(updated.training.updates == 1)
        // Identities, names, encoder kept.
        #expect(updated.personas.map(\.id) == model.personas.map(\.id))
        #expect(updated.personas.map(\.name) == model.personas.map(\.name))
        #expect(updated.encoder == model.encoder)
        // The report.
        #expect(update.personas.map(\.batchCustomers) == [2, 1])
        #expect(update.personas.map(\.discountedWeight) == [1.5, 1])
        #expect(abs(update.personas[0].centreShift - (4 - 18.0 / 7)) < 1e-6)
        #expect(update.personas[1].centreShift == 1)
        #expect(update.personas[0].batchMeanDistance == 2.5)   // distances 2 and 3 to the old centre
        #expect(abs(update.personas[0].previousShare - 0.6) < 1e-15)
        // Typed values give the same rows and the same model.
        let typed: [[String: CustomerValue?]] = [["finance_x": 3], ["finance_x": 4.0], ["finance_x": 9, "other": "x"]]
        #expect(try model.encode(customers: typed) == model.encoder.transform(Self.batch([3, 4, 9], model: model)))
        #expect(try model.update(customers: typed, decay: .factor(0.5)).model == updated)
        #expect {
            _ = try model.update(customers: [["finance_x": 3], ["finance_x": "many"]], decay: .factor(0.5))
        } throws: { error in
            (error as? CustomerValueError)?.customer == 1 && (error as? CustomerValueError)?.attribute == "finance_x"
        }
    }

    @Test("decay 1 gives the mean of everything seen, decay 0 the batch's mean; a persona without members keeps its centre")
    func extremes() throws {
        let model = try MembershipFixture.model()
        let all = try model.update(with: Self.batch([3, 4], model: model), decay: .factor(1)).model
        // Persona 1 saw 0, 1, 2 and now 3, 4: mean 2, encoded −3. Persona 2 saw nothing new.
        #expect(all.personas[0].centroid == [-3])
        #expect(all.personas[0].weight == 5)
        #expect(all.personas[1].centroid == [6])
        #expect(all.personas[1].weight == 2)
        let none = try model.update(with: Self.batch([3, 4], model: model), decay: .factor(0)).model
        #expect(none.personas[0].centroid == [-1.5])   // (−2 − 1) / 2
        #expect(none.personas[0].weight == 2)
        #expect(none.personas[1].centroid == [6])
        #expect(none.personas[1].weight == 0)
        #expect(none.personas[1].share == 0)
        // A persona of weight 0 takes its next members' mean.
        let next = try none.update(with: Self.batch([11.5], model: none), decay: .factor(0.5)).model
        #expect(next.personas[1].centroid == [6.5])
        #expect(next.personas[1].weight == 1)
    }

    @Test("a half-life of h batches halves past weight after h batches; in customers, a batch of m discounts by 0.5^(m/h)")
    func halfLife() throws {
        let perBatch = try UpdateDecay.halfLife(4, unit: .batches).discount(batchCustomers: 1000)
        #expect(abs(pow(perBatch, 4) - 0.5) < 1e-15)
        let perCustomer = try UpdateDecay.halfLife(200, unit: .customers).discount(batchCustomers: 100)
        #expect(abs(perCustomer - 0.5.squareRoot()) < 1e-15)
        #expect(try UpdateDecay.halfLife(1, unit: .batches).discount(batchCustomers: 3) == 0.5)
        let model = try MembershipFixture.model()
        let update = try model.update(with: Self.batch([3, 4, 9], model: model), decay: .halfLife(3, unit: .customers))
        #expect(update.discount == 0.5)
        #expect(update.model.personas.map(\.weight) == [3.5, 2])
    }

    @Test("bad decays, an empty batch, a batch of another width and bad weights are refused, naming the value")
    func refusals() throws {
        let model = try MembershipFixture.model()
        let batch = try model.encoder.transform(Self.batch([3], model: model))
        for (decay, name) in [(UpdateDecay.factor(1.5), "decay"), (.factor(-0.1), "decay"), (.factor(.nan), "decay"),
                              (.halfLife(0, unit: .batches), "half-life"), (.halfLife(.infinity, unit: .customers), "half-life")] {
            #expect {
                _ = try model.update(with: batch, decay: decay)
            } throws: { error in
                guard case .invalidDecay(let n, _, _) = error as? UpdateError else { return false }
                return n == name
            }
        }
        #expect(throws: UpdateError.emptyBatch) {
            _ = try model.update(with: FeatureMatrix(rows: 0, columns: 1), decay: .factor(0.5))
        }
        #expect(throws: UpdateError.widthMismatch(batch: 2, model: 1)) {
            _ = try model.update(with: FeatureMatrix(rows: 1, columns: 2), decay: .factor(0.5))
        }
        #expect(throws: UpdateError.invalidWeight(row: 0, value: -1)) {
            _ = try model.update(with: batch, weights: [-1], decay: .factor(0.5))
        }
        #expect(UpdateError.invalidWeight(row: 0, value: -1).description.contains("row 1"))
        // A batch without the model's attribute names it.
        let other = try CustomerData(table: RawTable(columnNames: ["customer_id", "finance_y"], rows: [["a", "1"]]),
                                     schema: PersonaSchema.infer(from: RawTable(columnNames: ["customer_id", "finance_y"],
                                                                                rows: [["a", "1"]])))
        #expect(throws: UpdateError.missingAttribute(name: "finance_x")) {
            _ = try model.update(with: other, decay: .factor(0.5))
        }
    }

    @Test("on random blobs the update follows the rule within 1e-4, with and without weights, whatever the thread count",
          arguments: [UInt64(3), 11, 29])
    func followsTheRule(seed: UInt64) throws {
        let trainingRows = Fixtures.blobs(n: 600, d: 5, k: 4, separation: 4, seed: seed).matrix
        let batchRows = Fixtures.blobs(n: 450, d: 5, k: 4, separation: 5, seed: seed + 1000).matrix
        let trainingTable = Self.table(trainingRows, prefix: "t")
        let data = try CustomerData(table: trainingTable, schema: PersonaSchema.infer(from: trainingTable))
        let model = try PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 4, seed: seed))).model
        let batch = try model.read(Self.table(batchRows, prefix: "b"))
        let matrix = try model.encoder.transform(batch)
        var rng = SeededGenerator(seed: seed)
        let weights = (0..<matrix.rows).map { _ in 0.5 + rng.nextUnitDouble() * 2 }
        for rowWeights in [nil, weights] {
            let a = 0.8
            let one = try model.update(with: matrix, weights: rowWeights, decay: .factor(a), threads: 1)
            let two = try model.update(with: matrix, weights: rowWeights, decay: .factor(a), threads: 2)
            #expect(one.model == two.model)
            let expected = Self.reference(centres: model.personas.map { $0.centroid.map(Double.init) },
                                          weights: model.personas.map(\.weight), batch: matrix, rowWeights: rowWeights, a: a)
            for (p, persona) in one.model.personas.enumerated() {
                #expect(abs(persona.weight - expected.weights[p]) < 1e-9)
                for j in 0..<matrix.columns {
                    #expect(abs(Double(persona.centroid[j]) - expected.centres[p][j]) < 1e-4, "persona \(persona.id), column \(j)")
                }
            }
            #expect(abs(one.model.personas.reduce(0) { $0 + $1.share } - 1) < 1e-12)
            #expect(one.personas.map(\.batchCustomers).reduce(0, +) == matrix.rows)
            // The model file form reads back the same model.
            let bytes = try JSONEncoder().encode(one.model)
            #expect(try JSONDecoder().decode(PersonaModel.self, from: bytes) == one.model)
        }
        // Updating twice is updating with the first result.
        let first = try model.update(with: matrix, decay: .factor(0.9)).model
        let second = try first.update(with: matrix, decay: .factor(0.9)).model
        #expect(second.training.updates == 2)
        #expect(second.personas.map(\.id) == model.personas.map(\.id))
    }

    @Test("a model never updated writes no updates key, so its file is as before")
    func noUpdatesKey() throws {
        let model = try MembershipFixture.model()
        let text = String(decoding: try JSONEncoder().encode(model), as: UTF8.self)
        #expect(!text.contains("\"updates\""))
        let updated = try model.update(with: Self.batch([3], model: model), decay: .factor(0.5)).model
        #expect(String(decoding: try JSONEncoder().encode(updated), as: UTF8.self).contains("\"updates\":1"))
    }
}
