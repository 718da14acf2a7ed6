import PersonaKit
import Testing

/// A model of `k` personas (identifiers 1…k) trained on one attribute with `k` clear groups.
private func model(k: Int) throws -> PersonaModel {
    let rows = (0..<(30 * k)).map { i in ["x\(i)", String(Double(i % k) * 100 + Double(i % 7))] }
    let table = RawTable(columnNames: ["customer_id", "finance_income"], rows: rows)
    let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
    return try PersonaModel.train(data, options: TrainingOptions(clusterCount: k)).model
}

/// Members named `prefix0`, `prefix1`, … assigned to `persona`, `count` of them from `start`.
private func members(_ prefix: String, _ persona: Int, _ range: Range<Int>) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: range.map { ("\(prefix)\($0)", persona) })
}

private func merged(_ parts: [String: Int]...) -> [String: Int] {
    parts.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
}

@Suite("drift: MONIC events")
struct DriftEventsTests {
    @Test("hand-worked: survival that grew, absorption of a half and a whole, emergence")
    func survivalAbsorptionEmergence() throws {
        let m = try model(k: 3)
        // Previous 1: a0…a9. Previous 2: b0…b9. Previous 3: c0…c9.
        let previous = merged(members("a", 1, 0..<10), members("b", 2, 0..<10), members("c", 3, 0..<10))
        // 1 keeps all ten and gains five new customers: survival, size 10 → 15 (grew).
        // 2 sends six to current 2 and four to current 3; 3 sends seven to current 2, three
        // leave: 2 (0.6) and 3 (1.0 of its continuing) both reach τ in current 2: absorption.
        // Current 3 holds only 0.4 of previous 2, so nothing survives in it: emergence.
        let current = merged(members("a", 1, 0..<10), members("n", 1, 0..<5), members("b", 2, 0..<6),
                             members("b", 3, 6..<10), members("c", 2, 0..<7))
        let events = try PersonaEvents.detect(previous: m, current: m, previousMembers: previous, currentMembers: current)
        #expect(events.count == 3)
        guard case .survival(let s) = events.first else { Issue.record("expected a survival first"); return }
        #expect(s.previous == 1 && s.current == 1 && s.overlap == 1)
        #expect(s.previousSize == 10 && s.currentSize == 15 && s.sizeRatio == 1.5)
        #expect(s.centreShift == 0 && s.compactnessRatio == 1)
        #expect(s.changes() == [.grew])
        #expect(events[1] == .absorption(sources: [2, 3], into: 2, overlaps: [0.6, 1.0]))
        #expect(events[2] == .emergence(persona: 3, size: 4, newCustomerShare: 0))
    }

    @Test("hand-worked: split, disappearance by scattering, disappearance by leaving")
    func splitAndDisappearance() throws {
        let m = try model(k: 3)
        let previous = merged(members("a", 1, 0..<20), members("b", 2, 0..<10), members("c", 3, 0..<20))
        // With τ_split = 0.35:
        // 1: 9 / 9 / 2 over current 1, 2, 3 — none reaches τ = 0.5; 0.45 + 0.45 ≥ τ: split into 1, 2.
        // 2: 3 / 3 / 4 — only 0.4 ≥ τ_split, below τ: disappearance (largest 0.4).
        // 3: 19 of 20 leave (5% < retention 10%): disappearance, wherever the one left went.
        // Current 3 continues nothing and is no part of a split: emergence (2 + 4 customers).
        let current = merged(members("a", 1, 0..<9), members("a", 2, 9..<18), members("a", 3, 18..<20),
                             members("b", 1, 0..<3), members("b", 2, 3..<6), members("b", 3, 6..<10),
                             members("c", 1, 0..<1))
        let events = try PersonaEvents.detect(previous: m, current: m, previousMembers: previous, currentMembers: current,
                                              thresholds: TransitionThresholds(split: 0.35))
        #expect(events == [.split(source: 1, into: [1, 2], overlaps: [0.45, 0.45]),
                           .disappearance(persona: 2, largestOverlap: 0.4),
                           .disappearance(persona: 3, largestOverlap: 0),
                           .emergence(persona: 3, size: 6, newCustomerShare: 0)])
        // With the default τ_split = 0.1 both 1 and 2 split over all three.
        let byDefault = try PersonaEvents.detect(previous: m, current: m, previousMembers: previous, currentMembers: current)
        #expect(byDefault == [.split(source: 1, into: [1, 2, 3], overlaps: [0.45, 0.45, 0.1]),
                              .split(source: 2, into: [1, 2, 3], overlaps: [0.3, 0.3, 0.4]),
                              .disappearance(persona: 3, largestOverlap: 0)])
        // Without the retention rule, the one customer who stayed makes 3 a survivor.
        let noRetention = try PersonaEvents.detect(previous: m, current: m, previousMembers: previous, currentMembers: current,
                                                   thresholds: TransitionThresholds(retention: 0))
        #expect(noRetention.last?.kind == .survival)
        #expect(noRetention.last?.previousPersonas == [3])
        #expect(noRetention.last?.currentPersonas == [1])
    }

    @Test("events name the personas involved; kinds are exhaustive")
    func accessors() {
        let split = PersonaEvent.split(source: 4, into: [7, 8], overlaps: [0.5, 0.5])
        #expect(split.previousPersonas == [4] && split.currentPersonas == [7, 8] && split.kind == .split)
        let absorption = PersonaEvent.absorption(sources: [1, 2], into: 1, overlaps: [1, 1])
        #expect(absorption.previousPersonas == [1, 2] && absorption.currentPersonas == [1])
        #expect(PersonaEvent.emergence(persona: 9, size: 3, newCustomerShare: nil).previousPersonas.isEmpty)
        #expect(PersonaEvent.Kind.allCases.count == 5)
    }

    @Test("a survivor's internal transitions follow the thresholds")
    func internalTransitions() {
        let base = PersonaSurvival(previous: 1, current: 1, overlap: 1, previousSize: 100, currentSize: 100,
                                   previousMeanDistance: 2, currentMeanDistance: 2, centreShift: 0)
        #expect(base.changes().isEmpty)
        var s = base
        s.currentSize = 120; #expect(s.changes() == [.grew])
        s.currentSize = 119; #expect(s.changes().isEmpty)
        s.currentSize = 83; #expect(s.changes() == [.shrank])           // 100 / 83 > 1.2
        s = base; s.currentMeanDistance = 1.6; #expect(s.changes() == [.moreCompact])   // 2 / 1.6 = 1.25
        s = base; s.currentMeanDistance = 2.4; #expect(s.changes() == [.moreDiffuse])
        s = base; s.centreShift = 0.5; #expect(s.changes() == [.shifted])             // a quarter radius
        s = base; s.centreShift = 0.49; #expect(s.changes().isEmpty)
        #expect(s.relativeShift == 0.245)
        #expect(s.changes(TransitionThresholds(locationShift: 0.2)) == [.shifted])
    }

    @Test("thresholds out of range and unknown personas are thrown")
    func errors() throws {
        let m = try model(k: 2)
        #expect(throws: DriftError.invalidOption(name: "survival", value: 0, expected: "in (0, 1]")) {
            try PersonaEvents.detect(previous: m, current: m, previousMembers: [:], currentMembers: [:],
                                     thresholds: TransitionThresholds(survival: 0))
        }
        #expect(throws: DriftError.unknownPersona(customer: "b", persona: 5, period: .current, known: [1, 2])) {
            try PersonaEvents.detect(previous: m, current: m, previousMembers: ["a": 1], currentMembers: ["c": 5, "b": 5])
        }
    }
}
