import Foundation
@testable import PersonaKit
import PropertyBased
import TestSupport
import Testing

// Soft memberships: softmax of −d²/(2σ²) over the personas, σ² recorded at training.

@Suite("soft memberships")
struct MembershipTests {
    /// Encodes one value of the fixture's single attribute.
    static func row(_ x: Double, _ model: PersonaModel) throws -> FeatureMatrix {
        let table = RawTable(columnNames: ["customer_id", "finance_x"], rows: [["z", String(x)]])
        return try model.encoder.transform(model.read(table))
    }

    @Test("the hand-worked two-persona example: σ² = 0.8, and x = 5.5 is 0.99807 persona 1")
    func handWorked() throws {
        let model = try MembershipFixture.model()
        // Centres 1 (persona 1, three customers) and 11 (persona 2), less the mean 5.
        #expect(model.personas.map(\.id) == [1, 2])
        #expect(model.personas.map(\.centroid) == [[-4], [6]])
        // σ² = inertia / (n × width) = 4 / (5 × 1).
        let variance = try #require(model.training.membershipVariance)
        #expect(abs(variance - 0.8) < 1e-12)
        let scale = try model.membershipScale()
        #expect(scale.source == .training)
        #expect(abs(scale.sigma - 0.8.squareRoot()) < 1e-12)

        // x = 5.5: d²₁ = 4.5² = 20.25, d²₂ = 5.5² = 30.25. Relative to the smaller one the
        // exponents are 0 and −10 / (2 × 0.8) = −6.25; e^−6.25 = 0.0019304541362277093, so
        // m₁ = 1 / (1 + e^−6.25) = 0.9980732653366725 and m₂ = e^−6.25 / (1 + e^−6.25) = 0.0019267346633274755.
        let m = try model.memberships(Self.row(5.5, model))
        #expect(m.personas == [1, 2])
        #expect(m.rows == 1)
        #expect(abs(m[0][0] - 0.9980732653366725) < 1e-12)
        #expect(abs(m[0][1] - 0.0019267346633274755) < 1e-12)
        #expect(m.membership(row: 0, persona: 2) == m[0][1])
        #expect(m.membership(row: 0, persona: 7) == nil)
        // The single-customer form gives the same.
        let one = try model.memberships(customer: ["finance_x": 5.5], scale: scale)
        #expect(one == Array(m[0]))

        // x = 10.5: d²₁ = 90.25, d²₂ = 0.25; exponent −90 / 1.6 = −56.25 for persona 1.
        // e^−56.25 = 3.7233631217505106e−25, so m₁ = 3.7233631217505106e−25 / (1 + 3.7e−25).
        let far = try model.memberships(customer: ["finance_x": 10.5], scale: scale)
        #expect(abs(far[0] / 3.7233631217505106e-25 - 1) < 1e-12)
        #expect(far[1] == 1)   // 1 / (1 + 3.7e−25) rounds to 1
    }

    @Test("a customer exactly between two personas gets 0.5 of each, and is assigned the persona listed first")
    func tie() throws {
        let model = try MembershipFixture.model()
        let matrix = try Self.row(6, model)   // d² = 25 to both centres
        let a = model.assign(matrix)[0]
        let m = try model.memberships(matrix)
        #expect(a.persona == 1)
        #expect(m[0][0] == 0.5 && m[0][1] == 0.5)
    }

    @Test("σ² = 0 (every customer on its centre): all membership on the nearest persona, shared on a tie")
    func zeroSpread() throws {
        let table = RawTable(columnNames: ["customer_id", "finance_x"], rows: [["a", "0"], ["b", "0"], ["c", "4"], ["d", "4"]])
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let model = try PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 2, seed: 1),
                                                                          encoding: EncodingOptions(scaling: .none))).model
        #expect(model.training.membershipVariance == 0)
        let scale = try model.membershipScale()
        #expect(scale.rate == .infinity)
        // Centred at the mean 2: centres −2 and 2; x = 1 is nearer −2, x = 2 is between.
        let at1 = try model.memberships(customer: ["finance_x": 1], scale: scale)
        let nearest = try #require(model.personas.firstIndex { $0.centroid == [-2] }, "centres \(model.personas.map(\.centroid))")
        #expect(at1[nearest] == 1 && at1[1 - nearest] == 0)
        #expect(try model.memberships(customer: ["finance_x": 2], scale: scale) == [0.5, 0.5])
    }

    @Test("a one-persona model gives every customer membership 1")
    func onePersona() throws {
        let data = try CustomerData(table: MembershipFixture.table, schema: try PersonaSchema.infer(from: MembershipFixture.table))
        let model = try PersonaModel.train(data, options: TrainingOptions(clusterCount: 1)).model
        let m = try model.memberships(model.encoder.transform(data))
        #expect(m.values == [1, 1, 1, 1, 1])
    }

    @Test("without a recorded σ², it is estimated from the mean distances: here π/3 by hand")
    func estimatedFromPersonas() throws {
        let model = try MembershipFixture.model()
        var training = model.training
        training.membershipVariance = nil
        let old = PersonaModel(schema: model.schema, encoder: model.encoder, personas: model.personas,
                               projection: model.projection, training: training)
        // One dimension: a member's distance is σ|z|, of mean σ√(2/π). Persona 1's mean
        // distance 2/3 gives σ̂² = (2/3)² π/2 = 2π/9, persona 2's mean 1 gives π/2; weighted by
        // the sizes 3 and 2: (3 × 2π/9 + 2 × π/2) / 5 = π/3.
        #expect(model.personas.map(\.meanDistance) == [2.0 / 3, 1])
        let scale = try old.membershipScale()
        #expect(scale.source == .personaDistances)
        #expect(abs(scale.variance - Double.pi / 3) < 1e-12)
        // And memberships use it: x = 5.5 has exponent −10 / (2π/3) = −15/π for persona 2.
        let m = try old.memberships(Self.row(5.5, old))
        let e = exp(-15 / Double.pi)
        #expect(abs(m[0][1] - e / (1 + e)) < 1e-12)

        // No persona with customers: nothing to estimate from, a clear error.
        let empty = PersonaModel(schema: model.schema, encoder: model.encoder,
                                 personas: model.personas.map { var p = $0; p.size = 0; return p },
                                 projection: model.projection, training: training)
        #expect(throws: MembershipError.noSpread) { try empty.memberships(Self.row(5.5, empty)) }
        #expect(MembershipError.noSpread.description.contains("retrain"))
    }

    @Test("the χ mean: √(2/π) for one dimension, √(π/2) for two, 2√(2/π) for three, and √p − 1/(4√p) + O(p^−3/2)",
          arguments: [1, 2, 3, 8, 33, 400])
    func chiMean(p: Int) {
        let c = PersonaModel.chiMean(degreesOfFreedom: p)
        switch p {
        case 1: #expect(abs(c - (2 / Double.pi).squareRoot()) < 1e-15)
        case 2: #expect(abs(c - (Double.pi / 2).squareRoot()) < 1e-15)
        case 3: #expect(abs(c - 2 * (2 / Double.pi).squareRoot()) < 1e-15)   // √2 Γ(2)/Γ(3/2) = 2√2/√π
        default:
            let q = Double(p)
            #expect(abs(c - (q.squareRoot() - 1 / (4 * q.squareRoot()))) < 0.05 / (q * q.squareRoot()))
        }
    }

    @Test("a recorded σ² that is negative or not finite makes the model invalid", arguments: [-1.0, .nan, .infinity])
    func invalidVariance(_ value: Double) throws {
        let model = try MembershipFixture.model()
        var training = model.training
        training.membershipVariance = value
        let bad = PersonaModel(schema: model.schema, encoder: model.encoder, personas: model.personas,
                               projection: model.projection, training: training)
        #expect(throws: ModelValidationError.self) { try bad.validate() }
    }

    @Test("on random models: rows sum to 1, the assigned persona has the largest membership, log-ratios are −Δd²/(2σ²), threads do not matter")
    func properties() async {
        let tally = Tally()
        await propertyCheck(count: 150, input: AssignmentCase.generator) { item in
            tally.total += 1
            guard let (model, matrix) = item.train() else { return }
            tally.trained += 1
            let k = model.personas.count
            // σ² as recorded: inertia / (n × width).
            let variance = model.training.membershipVariance!
            #expect(abs(variance - model.training.inertia / (Double(matrix.rows) * Double(matrix.columns))) <= 1e-12 * max(variance, 1))
            guard let later = try? model.encoder.transform(model.read(item.later)) else { return }
            for rows in [matrix, later] {
                let assignments = model.assign(rows)
                let m = try! model.memberships(rows, threads: 1)
                #expect(try! model.memberships(rows, threads: 3) == m)
                for r in 0..<rows.rows {
                    let row = Array(m[r])
                    #expect(abs(row.reduce(0, +) - 1) <= 1e-12, "row \(r): \(row)")
                    #expect(row.allSatisfy { $0 >= 0 && $0 <= 1 })
                    let assigned = model.personas.firstIndex { $0.id == assignments[r].persona }!
                    #expect(row.allSatisfy { $0 <= row[assigned] }, "row \(r): \(row), assigned slot \(assigned)")
                    // Reference in 64 bits: log(mₚ / mₐ) = −(d²ₚ − d²ₐ) / (2σ²), up to the 32-bit
                    // rounding of the kernel's distances (relative 1e-5 of the squared distances).
                    let x = rows.row(r)
                    let squared = model.personas.map { p in
                        zip(x, p.centroid).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
                    }
                    guard variance > 0 else { continue }
                    for p in 0..<k where row[p] > 1e-300 && p != assigned {
                        let expected = -(squared[p] - squared[assigned]) / (2 * variance)
                        let tolerance = 1e-5 * (squared[p] + squared[assigned]) / (2 * variance) + 1e-9
                        #expect(abs(Foundation.log(row[p] / row[assigned]) - expected) <= tolerance,
                                "row \(r), slot \(p): \(row)")
                    }
                }
            }
        }
        #expect(tally.trained * 2 >= tally.total, "only \(tally.trained) of \(tally.total) cases trained")
    }

    @Test("eight or more personas (several centre blocks): memberships follow the assignment on 2,000 blob rows")
    func manyPersonas() throws {
        let (matrix, _) = Fixtures.blobs(n: 2000, d: 5, k: 11, spread: 2, separation: 4, seed: 5)
        let names = (0..<5).map { "x\($0)" }
        let table = RawTable(columnNames: ["customer_id"] + names,
                             rows: (0..<matrix.rows).map { r in ["c\(r)"] + matrix.row(r).map { String($0) } })
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let model = try PersonaModel.train(data, options: TrainingOptions(clusterCount: 11)).model
        let encoded = try model.encoder.transform(data)
        let assignments = model.assign(encoded)
        let m = try model.memberships(encoded)
        var soft = 0
        for r in 0..<encoded.rows {
            let row = Array(m[r])
            let assigned = model.personas.firstIndex { $0.id == assignments[r].persona }!
            #expect(row.allSatisfy { $0 <= row[assigned] })
            #expect(abs(row.reduce(0, +) - 1) <= 1e-12)
            if row[assigned] < 0.9 { soft += 1 }
        }
        // Overlapping blobs: some customers are genuinely between personas.
        #expect(soft > 0)
    }
}
