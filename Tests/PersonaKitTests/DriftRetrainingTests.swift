import PersonaKit
import TestSupport
import PersonaSynthetic
import Testing

/// The bundled kind of customers (six overlapping personas, 26 attributes, missing values),
/// trained with six personas.
private struct SampleRun {
    let table: RawTable
    let data: CustomerData
    let trained: TrainedModel
    let members: [String: Int]

    init(customers: Int = 2000) throws {
        table = SyntheticCustomers(configuration: .init(customerCount: customers)).firstPeriod().table
        data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        trained = try PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 6, seed: 3)))
        members = Dictionary(uniqueKeysWithValues: zip(data.ids, trained.assignments.map(\.persona)))
    }
}

@Suite("drift: identities across retrains")
struct DriftRetrainingTests {
    @Test("a retrain on unchanged data keeps every identity and name; only survivals; PSI 0; three times over")
    func unchanged() throws {
        let run = try SampleRun()
        var previous = run.trained.model, members = run.members
        for _ in 0..<3 {
            let retrained = try PersonaModel.retrain(previous: previous, data: run.data, previousAssignments: members)
            let model = retrained.model
            #expect(model.personas.map(\.id) == run.trained.model.personas.map(\.id))
            #expect(model.personas.map(\.name) == run.trained.model.personas.map(\.name))
            #expect(model.personas.map(\.centroid) == run.trained.model.personas.map(\.centroid))
            #expect(model.personas.allSatisfy { $0.parents == [$0.id] })
            #expect(model.nextPersonaID == run.trained.model.nextPersonaID)
            #expect(model.retiredPersonaIDs.isEmpty)
            #expect(retrained.matching.basis == .members)
            #expect(retrained.matching.introduced.isEmpty && retrained.matching.retired.isEmpty)
            #expect(retrained.assignments.map(\.persona) == run.trained.assignments.map(\.persona))
            #expect(retrained.profiles.map(\.persona) == model.personas.map(\.id))

            let events = try #require(retrained.matching.events)
            #expect(events.count == 6)
            for event in events {
                guard case .survival(let s) = event else { Issue.record("not a survival: \(event)"); continue }
                #expect(s.previous == s.current && s.overlap == 1 && s.sizeRatio == 1)
                #expect(s.centreShift < 1e-6 && s.changes().isEmpty)
            }
            let drift = DistributionDrift(previous: run.data, previousPersonas: run.trained.assignments.map(\.persona),
                                          current: run.data, currentPersonas: retrained.assignments.map(\.persona))
            #expect(drift.sharePSI == 0)
            #expect(drift.personaDrifts.count == 6)
            #expect(drift.personaDrifts.allSatisfy { $0.attributes.allSatisfy { $0.psi == 0 && ($0.meanShift ?? 0) == 0 } })
            #expect(PersonaTransitions(previous: members, current: Dictionary(uniqueKeysWithValues: zip(run.data.ids, retrained.assignments.map(\.persona)))).stayedShare == 1)

            previous = model
            members = Dictionary(uniqueKeysWithValues: zip(run.data.ids, retrained.assignments.map(\.persona)))
        }
    }

    @Test("a fresh retrain with another seed finds the personas in another order; matching restores the identities")
    func freshStart() throws {
        let run = try SampleRun()
        let retrained = try PersonaModel.retrain(previous: run.trained.model, data: run.data, previousAssignments: run.members,
                                                 options: RetrainingOptions(start: .fresh, seed: 12345))
        #expect(Set(retrained.model.personas.map(\.id)) == Set(run.trained.model.personas.map(\.id)))
        for persona in retrained.model.personas {
            #expect(persona.name == run.trained.model.persona(id: persona.id)?.name)
        }
        let same = zip(retrained.assignments, run.trained.assignments).filter { $0.0.persona == $0.1.persona }.count
        #expect(Double(same) / Double(run.data.count) > 0.97)
        #expect(try #require(retrained.matching.events).allSatisfy { $0.kind == .survival })
    }

    @Test("without the previous assignments, identities are matched by centre distance")
    func byCentres() throws {
        let run = try SampleRun()
        for start in RetrainingStart.allCases {
            let retrained = try PersonaModel.retrain(previous: run.trained.model, data: run.data, previousAssignments: nil,
                                                     options: RetrainingOptions(start: start, seed: 777))
            #expect(retrained.matching.basis == .centroids)
            #expect(retrained.matching.events == nil)
            #expect(Set(retrained.model.personas.map(\.id)) == Set(run.trained.model.personas.map(\.id)))
            for match in retrained.matching.matches {
                #expect(match.sharedCustomers == nil)
                #expect(match.distance <= 0.5 * run.trained.model.persona(id: match.previous)!.meanDistance)
            }
            let same = zip(retrained.assignments, run.trained.assignments).filter { $0.0.persona == $0.1.persona }.count
            #expect(Double(same) / Double(run.data.count) > 0.97)
        }
    }

    @Test("by centres, a persona that moved beyond the radius gets a new identity; the others keep theirs")
    func byCentresBeyondRadius() throws {
        let (table1, table2, truth) = DriftScenario(configuration: .init(events: [.shift(persona: 2, distance: 5)])).generate()
        let first = try CustomerData(table: table1, schema: try PersonaSchema.infer(from: table1))
        let trained = try PersonaModel.train(first, options: TrainingOptions(clusterCount: 5))
        let retrained = try PersonaModel.retrain(previous: trained.model, data: try trained.model.read(table2),
                                                 previousAssignments: nil)
        let before = ScenarioRun.identity(truth.firstPersonas, trained.assignments.map(\.persona))
        let after = ScenarioRun.identity(truth.secondPersonas, retrained.assignments.map(\.persona))
        for p in [0, 1, 3, 4] { #expect(before[p] == after[p]) }
        #expect(retrained.matching.retired == [before[2]!])
        #expect(retrained.matching.introduced == [after[2]!])
        #expect(after[2]! == trained.model.nextPersonaID)
        #expect(retrained.model.persona(id: after[2]!)?.parents == [])
    }

    @Test("more or fewer personas than before: identities continue, new ones above nextPersonaID, retired ones recorded")
    func changedCount() throws {
        let run = try SampleRun()
        let more = try PersonaModel.retrain(previous: run.trained.model, data: run.data, previousAssignments: run.members,
                                            options: RetrainingOptions(clusterCount: 7))
        #expect(more.model.personas.count == 7)
        #expect(more.matching.introduced.allSatisfy { $0 >= run.trained.model.nextPersonaID })
        #expect(more.model.nextPersonaID == run.trained.model.nextPersonaID + more.matching.introduced.count)
        #expect(more.matching.matches.count + more.matching.introduced.count == 7)
        #expect(more.matching.matches.count >= 5)

        let fewer = try PersonaModel.retrain(previous: more.model, data: run.data,
                                             previousAssignments: Dictionary(uniqueKeysWithValues: zip(run.data.ids, more.assignments.map(\.persona))),
                                             options: RetrainingOptions(clusterCount: 5))
        #expect(fewer.model.personas.count == 5)
        #expect(fewer.model.retiredPersonaIDs == more.model.retiredPersonaIDs + fewer.matching.retired)
        #expect(!fewer.matching.retired.isEmpty)
        // An identity is never reused: new ones are above everything used before.
        #expect(fewer.matching.introduced.allSatisfy { $0 >= more.model.nextPersonaID })
        let ids = fewer.model.personas.map(\.id)
        #expect(Set(ids).isDisjoint(with: fewer.model.retiredPersonaIDs))
        // Still ordered by size.
        #expect(zip(fewer.model.personas, fewer.model.personas.dropFirst()).allSatisfy { $0.size >= $1.size })
    }

    @Test("user errors are thrown with the values: an unknown persona, thresholds out of range, too many personas")
    func errors() throws {
        let run = try SampleRun(customers: 300)
        var members = run.members
        members["C000007"] = 99
        #expect(throws: DriftError.unknownPersona(customer: "C000007", persona: 99, period: .previous, known: [1, 2, 3, 4, 5, 6])) {
            try PersonaModel.retrain(previous: run.trained.model, data: run.data, previousAssignments: members)
        }
        #expect(throws: DriftError.invalidOption(name: "split", value: 0.7, expected: "in (0, survival=0.5]")) {
            try PersonaModel.retrain(previous: run.trained.model, data: run.data, previousAssignments: run.members,
                                     options: RetrainingOptions(matching: MatchingOptions(thresholds: TransitionThresholds(split: 0.7))))
        }
        #expect(throws: DriftError.invalidOption(name: "radius", value: 0, expected: "finite and > 0")) {
            try PersonaModel.retrain(previous: run.trained.model, data: run.data, previousAssignments: nil,
                                     options: RetrainingOptions(matching: MatchingOptions(radius: 0)))
        }
        #expect(throws: ClusteringError.tooFewRows(rows: 300, clusters: 301)) {
            try PersonaModel.retrain(previous: run.trained.model, data: run.data, previousAssignments: nil,
                                     options: RetrainingOptions(clusterCount: 301))
        }
        #expect(DriftError.unknownPersona(customer: "C7", persona: 99, period: .previous, known: [1, 2]).description
                == "customer 'C7' is assigned to persona 99, which the previous model does not have (its personas: 1, 2)")
    }
}
