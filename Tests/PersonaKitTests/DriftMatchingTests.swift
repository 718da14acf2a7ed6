import PersonaKit
import PersonaSynthetic
import Testing

@Suite("drift: matching two separately trained models")
struct DriftMatchingTests {
    @Test("re-encoding a point between encoders fitted on different data equals encoding the original values")
    func reencode() throws {
        let generator = SyntheticCustomers(configuration: .init(customerCount: 400, missingRate: 0))
        let table1 = generator.firstPeriod().table, table2 = generator.secondPeriod().table
        let first = try CustomerData(table: table1, schema: try PersonaSchema.infer(from: table1))
        let second = try CustomerData(table: table2, schema: first.schema)
        let a = try FeatureEncoder(fitting: first), b = try FeatureEncoder(fitting: second)
        #expect(a != b)
        let inA = try a.transform(second), inB = try b.transform(second)
        for r in 0..<50 {
            let moved = b.reencode(inA.row(r), from: a)
            for (x, y) in zip(moved, inB.row(r)) { #expect(abs(x - Double(y)) < 1e-3) }
        }
        #expect(a.sharesAttributes(with: b))
    }

    @Test("re-encoding: categories the source lacks get share 0, attributes it lacks the target's mean")
    func reencodeMissingParts() throws {
        let t1 = RawTable(columnNames: ["customer_id", "online_channel"], rows: [["a", "app"], ["b", "web"]])
        let t2 = RawTable(columnNames: ["customer_id", "online_channel", "finance_income"],
                          rows: [["a", "app", "10"], ["b", "web", "20"], ["c", "store", "30"], ["d", "store", "40"]])
        let a = try FeatureEncoder(fitting: try CustomerData(table: t1, schema: try PersonaSchema.infer(from: t1)))
        let b = try FeatureEncoder(fitting: try CustomerData(table: t2, schema: try PersonaSchema.infer(from: t2)))
        #expect(b.columnNames == ["online_channel=app", "online_channel=store", "online_channel=web", "finance_income"])
        // "app" under a: share 1 of app, 0 of web.
        let app = b.reencode([Float(a.attributes[0].scales[0] * 0.5), Float(-a.attributes[0].scales[1] * 0.5)], from: a)
        let shares = b.attributes[0]
        #expect(abs(app[0] - (1 - shares.centers[0]) * shares.scales[0]) < 1e-6)
        #expect(abs(app[1] - (0 - shares.centers[1]) * shares.scales[1]) < 1e-12)   // store: share 0
        #expect(abs(app[2] - (0 - shares.centers[2]) * shares.scales[2]) < 1e-6)
        #expect(app[3] == 0)                                                          // income: b's mean
    }

    @Test("two models trained apart: personas sharing most customers continue, with identities, names and relabelled assignments")
    func separatelyTrained() throws {
        let generator = SyntheticCustomers(configuration: .init(customerCount: 3000))
        let table1 = generator.firstPeriod().table, table2 = generator.secondPeriod().table
        let first = try CustomerData(table: table1, schema: try PersonaSchema.infer(from: table1))
        let second = try CustomerData(table: table2, schema: try PersonaSchema.infer(from: table2))
        let previous = try PersonaModel.train(first, options: TrainingOptions(kmeans: .init(clusterCount: 6, seed: 1)))
        let current = try PersonaModel.train(second, options: TrainingOptions(kmeans: .init(clusterCount: 6, seed: 99)))
        let previousMembers = Dictionary(uniqueKeysWithValues: zip(first.ids, previous.assignments.map(\.persona)))
        let currentMembers = Dictionary(uniqueKeysWithValues: zip(second.ids, current.assignments.map(\.persona)))
        let matching = try PersonaMatching.match(previous: previous.model, current: current.model,
                                                 previousMembers: previousMembers, currentMembers: currentMembers)
        #expect(matching.basis == .members)
        #expect(matching.matches.count >= 5)
        let transitions = PersonaTransitions(previous: previousMembers, current: currentMembers)
        for match in matching.matches {
            // The previous persona sends at least half its continuing customers to its successor, and
            // that successor is where most of them went.
            let continuing = transitions.total(from: .persona(match.previous)) - transitions.count(from: .persona(match.previous), to: .absent)
            let shared = transitions.count(from: .persona(match.previous), to: .persona(match.current))
            #expect(match.sharedCustomers == shared)
            #expect(Double(shared) >= 0.5 * Double(continuing))
            #expect(matching.identities[match.current] == match.previous)
        }
        // Relabelled: same centres in the same order; continuing names and identities from the previous model.
        let model = matching.model
        #expect(model.personas.map(\.centroid) == current.model.personas.map(\.centroid))
        for (given, now) in zip(current.model.personas, model.personas) {
            #expect(matching.identities[given.id] == now.id)
            if let match = matching.matches.first(where: { $0.current == given.id }) {
                #expect(now.name == previous.model.persona(id: match.previous)?.name)
                #expect(now.parents.first == match.previous)
            } else {
                #expect(now.id >= previous.model.nextPersonaID)
            }
        }
        #expect(Set(model.personas.map(\.name)).count == 6)
        let relabelled = matching.relabel(current.assignments)
        #expect(relabelled.map(\.persona) == current.assignments.map { matching.identities[$0.persona]! })
        #expect(try model.assign(second) == relabelled)
        #expect(matching.relabel(currentMembers) == Dictionary(uniqueKeysWithValues: zip(second.ids, relabelled.map(\.persona))))

        // By centres, the same continuations.
        let byCentres = try PersonaMatching.match(previous: previous.model, current: current.model,
                                                  previousMembers: nil, currentMembers: currentMembers)
        #expect(byCentres.basis == .centroids)
        #expect(Set(byCentres.matches.map { [$0.previous, $0.current] }) == Set(matching.matches.map { [$0.previous, $0.current] }))
    }

    @Test("models with no attribute in common cannot be matched")
    func noCommonAttributes() throws {
        func model(_ column: String) throws -> PersonaModel {
            let table = RawTable(columnNames: ["customer_id", column], rows: (0..<6).map { ["c\($0)", "\($0 % 2 * 10 + $0)"] })
            return try PersonaModel.train(try CustomerData(table: table, schema: try PersonaSchema.infer(from: table)),
                                          options: TrainingOptions(clusterCount: 2)).model
        }
        #expect(throws: DriftError.noCommonAttributes) {
            try PersonaMatching.match(previous: try model("finance_income"), current: try model("health_steps"),
                                      previousMembers: nil, currentMembers: nil)
        }
    }
}
