import PersonaKit
import TestSupport
import Testing

/// A scenario run end to end: period 1 trained, period 2 retrained from it with the previous
/// assignments, and the maps between true personas and model identifiers.
struct ScenarioRun {
    let truth: DriftScenario.Truth
    let first: CustomerData
    let second: CustomerData
    let trained: TrainedModel
    let retrained: RetrainedModel
    /// Customer → persona identifier, per period.
    let firstMembers: [String: Int]
    let secondMembers: [String: Int]
    /// True persona → model identifier, per period (the model persona holding most of it).
    let firstIdentity: [Int: Int]
    let secondIdentity: [Int: Int]

    init(_ events: [DriftScenario.Event], personas: Int = 5, customers: Int = 3000, seed: UInt64 = 11,
         separation: Double = 7, restarts: Int = 4, start: RetrainingStart = .warm) throws {
        let scenario = DriftScenario(configuration: .init(customerCount: customers, personaCount: personas, seed: seed,
                                                          separation: separation, events: events))
        let (table1, table2, truth) = scenario.generate()
        self.truth = truth
        let schema = try PersonaSchema.infer(from: table1)
        first = try CustomerData(table: table1, schema: schema)
        trained = try PersonaModel.train(first, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: personas, restarts: restarts, seed: seed)))
        firstMembers = Dictionary(uniqueKeysWithValues: zip(first.ids, trained.assignments.map(\.persona)))
        second = try trained.model.read(table2)
        retrained = try PersonaModel.retrain(previous: trained.model, data: second, previousAssignments: firstMembers,
                                             options: RetrainingOptions(clusterCount: truth.secondPeriodPersonas.count,
                                                                        start: start))
        secondMembers = Dictionary(uniqueKeysWithValues: zip(second.ids, retrained.assignments.map(\.persona)))
        firstIdentity = Self.identity(truth.firstPersonas, trained.assignments.map(\.persona))
        secondIdentity = Self.identity(truth.secondPersonas, retrained.assignments.map(\.persona))
    }

    /// For every true persona, the model persona holding most of its customers.
    static func identity(_ truth: [Int], _ model: [Int]) -> [Int: Int] {
        var counts = [Int: [Int: Int]]()
        for (t, m) in zip(truth, model) { counts[t, default: [:]][m, default: 0] += 1 }
        return counts.mapValues { $0.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key }
    }

    /// The share of customers whose model persona is the one their true persona maps to.
    static func agreement(_ truth: [Int], _ model: [Int], _ identity: [Int: Int]) -> Double {
        Double(zip(truth, model).filter { identity[$0.0] == $0.1 }.count) / Double(truth.count)
    }

    var events: [PersonaEvent] { retrained.matching.events ?? [] }

    /// Checks that both models recovered the true personas (one model persona each, almost
    /// every customer where the truth puts them).
    func checkRecovered(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(firstIdentity.values).count == firstIdentity.count, sourceLocation: sourceLocation)
        #expect(Set(secondIdentity.values).count == secondIdentity.count, sourceLocation: sourceLocation)
        #expect(Self.agreement(truth.firstPersonas, trained.assignments.map(\.persona), firstIdentity) > 0.98,
                sourceLocation: sourceLocation)
        #expect(Self.agreement(truth.secondPersonas, retrained.assignments.map(\.persona), secondIdentity) > 0.98,
                sourceLocation: sourceLocation)
    }

    /// Checks that every true persona of both periods kept its identity, except `changed`.
    func checkIdentitiesKept(except changed: Set<Int> = [], sourceLocation: SourceLocation = #_sourceLocation) {
        for (p, id) in firstIdentity where !changed.contains(p) {
            if let later = secondIdentity[p] { #expect(later == id, "persona \(p)", sourceLocation: sourceLocation) }
        }
    }

    /// Checks that every survivor but those of the true personas `planted` reports no
    /// internal change.
    func checkSurvivorsUnchanged(except planted: Set<Int> = [], sourceLocation: SourceLocation = #_sourceLocation) {
        let exempt = Set(planted.compactMap { firstIdentity[$0] })
        for case .survival(let s) in events where !exempt.contains(s.previous) {
            #expect(s.changes().isEmpty, "persona \(s.previous): \(s.changes())", sourceLocation: sourceLocation)
        }
    }

    /// The survival event of the true persona `p`, if reported.
    func survival(of p: Int) -> PersonaSurvival? {
        for case .survival(let s) in events where s.previous == firstIdentity[p] { return s }
        return nil
    }
}

@Suite("drift: planted scenarios")
struct DriftScenarioTests {
    @Test("the scenario generator is deterministic and plants what it says")
    func generator() {
        let configuration = DriftScenario.Configuration(customerCount: 500, events: [.switching(fraction: 0.2), .split(persona: 1, parts: 3),
                                                                                     .emergence(share: 0.1), .disappearance(persona: 4)])
        let a = DriftScenario(configuration: configuration).generate()
        let b = DriftScenario(configuration: configuration).generate()
        #expect(a.first == b.first && a.second == b.second && a.truth == b.truth)
        #expect(a.truth.secondPeriodPersonas == [0, 2, 3, 5, 6, 7, 8])
        #expect(a.truth.events == [.switching(customers: a.truth.movedIDs.count), .split(persona: 1, into: [5, 6, 7]),
                                   .emergence(persona: 8), .disappearance(persona: 4)])
        #expect(!a.truth.secondPersonas.contains(4) && !a.truth.secondPersonas.contains(1))
        #expect(a.truth.movedIDs.count > 50)
        #expect(a.first.columnNames == DriftScenario.columnNames)
        // Period 2 keeps period-1 ids in order, new customers follow.
        let ids1 = a.first.column(named: "customer_id")!, ids2 = a.second.column(named: "customer_id")!
        #expect(ids2.filter { ids1.contains($0) } == ids1.filter { ids2.contains($0) })
        let c = DriftScenario(configuration: .init(customerCount: 500, seed: 2)).generate()
        #expect(c.first != a.first)
    }

    @Test("customers switching persona are found as movers with precision and recall ≥ 0.95", arguments: [UInt64(11), 12])
    func movers(seed: UInt64) throws {
        let run = try ScenarioRun([.switching(fraction: 0.12)], seed: seed)
        run.checkRecovered()
        run.checkIdentitiesKept()
        run.checkSurvivorsUnchanged()
        #expect(run.events.allSatisfy { $0.kind == .survival })
        let transitions = PersonaTransitions(previous: run.firstMembers, current: run.secondMembers)
        let found = Set(transitions.movers.map(\.id))
        let truePositives = Double(found.intersection(run.truth.movedIDs).count)
        #expect(truePositives / Double(found.count) >= 0.95)
        #expect(truePositives / Double(run.truth.movedIDs.count) >= 0.95)
        #expect(abs(try #require(transitions.stayedShare) - 0.88) < 0.03)
    }

    @Test("a persona whose centre moves survives with a location shift; its attributes drift, the others' do not")
    func shift() throws {
        let run = try ScenarioRun([.shift(persona: 2, distance: 3)])
        run.checkRecovered()
        run.checkIdentitiesKept()
        #expect(run.events.allSatisfy { $0.kind == .survival })
        let moved = try #require(run.survival(of: 2))
        #expect(moved.changes() == [.shifted])
        run.checkSurvivorsUnchanged(except: [2])
        let drift = DistributionDrift(previous: run.first, previousPersonas: run.trained.assignments.map(\.persona),
                                      current: run.second, currentPersonas: run.retrained.assignments.map(\.persona))
        let id = run.firstIdentity[2]!
        #expect(try #require(drift.persona(id)).band == .major)
        for p in [0, 1, 3, 4] { #expect(drift.persona(run.firstIdentity[p]!)!.band != .major) }
        #expect(drift.shareBand == .stable)
    }

    @Test("a split is reported as a split into new personas whose parent is the old one")
    func split() throws {
        let run = try ScenarioRun([.split(persona: 1, parts: 3)])
        run.checkRecovered()
        run.checkIdentitiesKept(except: [1])
        run.checkSurvivorsUnchanged()
        let source = run.firstIdentity[1]!, parts = Set([5, 6, 7].map { run.secondIdentity[$0]! })
        let splits = run.events.filter { $0.kind == .split }
        #expect(splits.count == 1)
        #expect(splits.first?.previousPersonas == [source])
        #expect(Set(splits.first?.currentPersonas ?? []) == parts)
        #expect(run.events.filter { $0.kind == .survival }.count == 4)
        #expect(run.events.count == 5)
        #expect(run.retrained.model.retiredPersonaIDs == [source])
        for id in parts {
            #expect(id >= run.trained.model.nextPersonaID)
            #expect(run.retrained.model.persona(id: id)?.parents == [source])
        }
    }

    @Test("a merge is reported as an absorption; the merged persona continues one source and lists both")
    func merge() throws {
        let run = try ScenarioRun([.merge(personas: [0, 3])])
        run.checkRecovered()
        run.checkIdentitiesKept(except: [0, 3])
        run.checkSurvivorsUnchanged()
        let sources = Set([0, 3].map { run.firstIdentity[$0]! }), merged = run.secondIdentity[5]!
        let absorptions = run.events.filter { $0.kind == .absorption }
        #expect(absorptions.count == 1)
        #expect(Set(absorptions.first?.previousPersonas ?? []) == sources)
        #expect(absorptions.first?.currentPersonas == [merged])
        #expect(sources.contains(merged))
        #expect(Set(run.retrained.model.persona(id: merged)?.parents ?? []) == sources)
        #expect(run.retrained.model.persona(id: merged)?.parents.first == merged)
        #expect(Set(run.retrained.model.retiredPersonaIDs) == sources.subtracting([merged]))
        #expect(run.events.filter { $0.kind == .survival }.count == 3)
    }

    @Test("an emerging persona gets a new identity and an emergence event")
    func emergence() throws {
        let run = try ScenarioRun([.emergence(share: 0.1)])
        run.checkRecovered()
        run.checkIdentitiesKept()
        run.checkSurvivorsUnchanged()
        let id = run.secondIdentity[5]!
        #expect(id == run.trained.model.nextPersonaID)
        #expect(run.retrained.matching.introduced == [id])
        let emergences = run.events.filter { $0.kind == .emergence }
        #expect(emergences.map(\.currentPersonas) == [[id]])
        guard case .emergence(_, let size, let newShare) = emergences.first else { return }
        #expect(size == 300 && newShare == 1)
        #expect(run.retrained.model.persona(id: id)?.parents == [])
        #expect(run.events.filter { $0.kind == .survival }.count == 5)
    }

    @Test("a persona whose customers leave disappears and its identity is retired")
    func disappearance() throws {
        let run = try ScenarioRun([.disappearance(persona: 4)])
        run.checkRecovered()
        run.checkIdentitiesKept()
        run.checkSurvivorsUnchanged()
        let id = run.firstIdentity[4]!
        #expect(run.events.filter { $0.kind == .disappearance }.map(\.previousPersonas) == [[id]])
        #expect(run.events.filter { $0.kind == .survival }.count == 4)
        #expect(run.retrained.model.retiredPersonaIDs == [id])
        #expect(run.retrained.model.persona(id: id) == nil)
        #expect(run.retrained.model.nextPersonaID == run.trained.model.nextPersonaID)
    }

    @Test("strong growth is a survival that grew, by about the planted factor")
    func growth() throws {
        let run = try ScenarioRun([.growth(persona: 3, factor: 2.5)])
        run.checkRecovered()
        run.checkIdentitiesKept()
        #expect(run.events.allSatisfy { $0.kind == .survival })
        let grown = try #require(run.survival(of: 3))
        #expect(grown.changes() == [.grew])
        #expect(abs(grown.sizeRatio - 2.5) < 0.2)
        run.checkSurvivorsUnchanged(except: [3])
        let drift = DistributionDrift(previous: run.first, previousPersonas: run.trained.assignments.map(\.persona),
                                      current: run.second, currentPersonas: run.retrained.assignments.map(\.persona))
        #expect(drift.shareBand != .stable)
    }

    @Test("every event planted at once is reported, each with the right personas", arguments: [RetrainingStart.warm, .fresh])
    func everything(start: RetrainingStart) throws {
        let run = try ScenarioRun([.switching(fraction: 0.1), .shift(persona: 0, distance: 3), .split(persona: 1, parts: 3),
                                   .merge(personas: [2, 3]), .emergence(share: 0.08), .disappearance(persona: 4),
                                   .growth(persona: 5, factor: 2.5)],
                                  personas: 7, customers: 4200, seed: 5, separation: 9, restarts: 10, start: start)
        run.checkRecovered()
        run.checkIdentitiesKept(except: [1, 2, 3])
        let first = run.firstIdentity, second = run.secondIdentity
        var kinds = [PersonaEvent.Kind: Int]()
        for event in run.events { kinds[event.kind, default: 0] += 1 }
        #expect(kinds == [.survival: 3, .split: 1, .absorption: 1, .emergence: 1, .disappearance: 1])
        for event in run.events {
            switch event {
            case .survival(let s):
                #expect([0, 5, 6].map { first[$0]! }.contains(s.previous))
                #expect(s.current == s.previous)
                #expect(s.changes().contains(.shifted) == (s.previous == first[0]))
                #expect(s.changes().contains(.grew) == (s.previous == first[5]))
                if s.previous == first[6] { #expect(s.changes().isEmpty) }
            case .split(let source, let into, _):
                #expect(source == first[1])
                #expect(Set(into) == Set([7, 8, 9].map { second[$0]! }))
            case .absorption(let sources, let into, _):
                #expect(Set(sources) == [first[2]!, first[3]!])
                #expect(into == second[10])
            case .emergence(let persona, _, _):
                #expect(persona == second[11])
            case .disappearance(let persona, _):
                #expect(persona == first[4])
            }
        }
        let found = Set(PersonaTransitions(previous: run.firstMembers, current: run.secondMembers).movers.map(\.id))
        // Customers of merged personas change identity too; among the rest, movers are the switchers.
        let merged = Set(run.retrained.model.retiredPersonaIDs)
        let switchers = found.filter { !merged.contains(run.firstMembers[$0]!) }
        let truePositives = Double(switchers.intersection(run.truth.movedIDs).count)
        #expect(truePositives / Double(switchers.count) >= 0.95)
        #expect(truePositives / Double(run.truth.movedIDs.count) >= 0.95)
    }
}
