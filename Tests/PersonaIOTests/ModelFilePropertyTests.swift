import Foundation
import PersonaIO
import PersonaKit
import PropertyBased
import TestSupport
import Testing

// Property-based tests of model files (swift-property-based).
//
// Each run draws new cases from fresh seeds. When a property fails, the library prints the
// failing input and a seed; replay exactly that case with `@Test(.fixedSeed("…"))` on the
// test, and remove the trait once fixed (it always reports an issue).

/// A random but valid model: an encoder fitted on a random (nasty) table, personas with
/// centres from every region of `Float`, and numbers from every region of `Double` in the
/// personas, the projection and the training summary; names with quotes, escapes, control
/// characters and non-ASCII text.
struct RandomModel: Sendable, CustomStringConvertible {
    var model: PersonaModel
    var description: String { String(decoding: (try? ModelFile.encode(model)) ?? Data(), as: UTF8.self) }

    /// A training summary to start from (the type has no public initialiser; its fields are
    /// public and are all replaced).
    static let baseTraining: TrainingSummary = {
        let table = RawTable(columnNames: ["customer_id", "a"], rows: [["1", "1"], ["2", "2"]])
        let data = try! CustomerData(table: table, schema: PersonaSchema(attributes: [Attribute(name: "a", kind: .continuous)]))
        return try! PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 1, restarts: 1)))
            .model.training
    }()

    static let names = ["Persona 1", "", "\"quoted\"", "back\\slash", "line\nbreak", "tab\there", "/slash/", "ünïcødé 👩‍👩‍👧",
                        "\u{0001}\u{001F}", "nul\u{0000}byte", "{\"json\": [1]}", "\u{2028}\u{2029}", "e\u{301}"]

    static let generator = Generator<RandomModel, Shrink.None<RandomModel>> { rng in random(using: &rng) }

    static func random(using rng: inout some RandomNumberGenerator) -> RandomModel {
        // An encoder the data accepts; the generator retries until one fits.
        var fitted: (PersonaSchema, FeatureEncoder)? = nil
        while fitted == nil {
            let schema = RandomCustomers.segmentSchema(using: &rng)
            let table = RandomCustomers.table(for: schema, rows: Int.random(in: 1...12, using: &rng),
                                                 cells: Bool.random(using: &rng) ? .extreme : .clean, using: &rng)
            let options = EncodingOptions(scaling: Bool.random(using: &rng) ? .zscore : .none, balanceGroups: Bool.random(using: &rng))
            if let data = try? CustomerData(table: table, schema: schema, unknownCategories: .treatAsMissing),
               let encoder = try? FeatureEncoder(fitting: data, options: options) {
                fitted = (data.schema, encoder)
            }
        }
        let (schema, encoder) = fitted!
        let width = encoder.width

        var ids = Set<Int>()
        while ids.count < Int.random(in: 1...5, using: &rng) { ids.insert(Int.random(in: 1...1_000_000, using: &rng)) }
        let personas = ids.sorted().map { id in
            Persona(id: id, name: names.randomElement(using: &rng)!,
                    centroid: (0..<width).map { _ in RandomCustomers.float(using: &rng) },
                    size: Int.random(in: 0...Int.max, using: &rng),
                    weight: RandomCustomers.double(using: &rng), share: RandomCustomers.double(using: &rng),
                    meanDistance: RandomCustomers.double(using: &rng),
                    outlierDistance: RandomCustomers.double(infinite: true, using: &rng),
                    parents: (0..<Int.random(in: 0...3, using: &rng)).map { _ in Int.random(in: Int.min...Int.max, using: &rng) })
        }

        var projection: PrincipalComponents? = nil
        if Bool.random(using: &rng) {
            let rows = Int.random(in: 2...6, using: &rng)
            let matrix = FeatureMatrix(rows: rows, columns: width,
                                       values: (0..<rows * width).map { _ in Float.random(in: -10...10, using: &rng) })
            projection = try? PrincipalComponents(fitting: matrix, count: Int.random(in: 1...max(1, min(2, width)), using: &rng))
        }

        var training = baseTraining
        training.configuration = KMeansConfiguration(
            clusterCount: personas.count, restarts: Int.random(in: 1...100, using: &rng),
            maxIterations: Bool.random(using: &rng) ? nil : Int.random(in: 1...Int.max, using: &rng),
            tolerance: RandomCustomers.double(using: &rng), seed: UInt64.random(in: .min ... .max, using: &rng),
            seedingTrials: Bool.random(using: &rng) ? nil : Int.random(in: 1...9, using: &rng),
            algorithm: KMeansAlgorithm.allCases.randomElement(using: &rng)!,
            refinement: KMeansRefinement.allCases.randomElement(using: &rng)!)
        training.inertia = RandomCustomers.double(using: &rng)
        training.diagnostics = KMeansDiagnostics(
            iterations: Int.random(in: 0...1000, using: &rng), converged: Bool.random(using: &rng),
            inertiaHistory: (0..<Int.random(in: 0...4, using: &rng)).map { _ in RandomCustomers.double(using: &rng) },
            relocations: Int.random(in: 0...9, using: &rng), refinementMoves: Int.random(in: 0...9, using: &rng),
            distanceEvaluations: Int.random(in: 0...Int.max, using: &rng),
            restartInertias: (0..<Int.random(in: 1...4, using: &rng)).map { _ in RandomCustomers.double(using: &rng) },
            bestRestart: 0, algorithm: Bool.random(using: &rng) ? nil : KMeansAlgorithm.allCases.randomElement(using: &rng)!)
        training.rowCount = Int.random(in: 0...Int.max, using: &rng)
        training.totalWeight = RandomCustomers.double(using: &rng)
        training.dataHash = Bool.random(using: &rng) ? nil : names.randomElement(using: &rng)!
        training.createdAt = Bool.random(using: &rng) ? nil : "2026-05-0\(Int.random(in: 1...9, using: &rng))T12:00:00Z"

        let maxID = personas.map(\.id).max()!
        return RandomModel(model: PersonaModel(
            schema: schema, encoder: encoder, personas: personas,
            nextPersonaID: Bool.random(using: &rng) ? nil : maxID + Int.random(in: 1...100, using: &rng),
            retiredPersonaIDs: (0..<Int.random(in: 0...3, using: &rng)).map { _ in Int.random(in: 1...maxID, using: &rng) },
            projection: projection, training: training))
    }
}

/// Every floating-point number of a model as its bit pattern, in a fixed order: `==` treats
/// 0 and −0 alike, a file must not.
func floatingPointBits(_ model: PersonaModel) -> [UInt64] {
    var bits = [UInt64]()
    func add(_ values: [Double]) { bits += values.map(\.bitPattern) }
    for attribute in model.schema.attributes {
        add([attribute.weight])
        if case .ordinal(let levels) = attribute.kind { add(levels) }
    }
    for attribute in model.encoder.attributes { add(attribute.centers + attribute.scales + attribute.deviations) }
    for persona in model.personas {
        bits += persona.centroid.map { UInt64($0.bitPattern) }
        add([persona.weight, persona.share, persona.meanDistance, persona.outlierDistance])
    }
    if let projection = model.projection {
        add(projection.mean + projection.components.flatMap { $0 } + projection.explainedVariance + projection.explainedVarianceRatio)
    }
    let training = model.training
    add([training.configuration.tolerance, training.inertia, training.totalWeight])
    add(training.diagnostics.inertiaHistory + training.diagnostics.restartInertias)
    return bits
}

@Suite("model file properties")
struct ModelFilePropertyTests {
    @Test("a model round-trips through its file exactly (every number bit for bit), and rewriting it gives identical bytes")
    func roundTrip() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("persona-model-props-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("model.json"), second = directory.appendingPathComponent("again.json")

        await propertyCheck(count: 150, input: RandomModel.generator) { item in
            let model = item.model
            try ModelFile.write(model, to: first)
            let read = try ModelFile.read(from: first)
            #expect(read == model)
            #expect(floatingPointBits(read) == floatingPointBits(model))
            #expect(read.personas.map(\.name) == model.personas.map(\.name))
            #expect(read.schema == model.schema && read.encoder == model.encoder)
            try ModelFile.write(read, to: second)
            #expect(try Data(contentsOf: second) == (try Data(contentsOf: first)))
        }
    }
}
