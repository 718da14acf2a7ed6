import PersonaKit
import Testing

@Suite("drift: population stability index and attribute drift")
struct DriftDistributionTests {
    @Test("hand-worked PSI: one bin moves 10 points, one empty bin takes the epsilon floor")
    func handWorkedPSI() {
        // Shares e = .5 .3 .2 0, a = .4 .3 .2 .1:
        // (.4 − .5) ln(.4/.5) = 0.0223144;  (.1 − 1e-4) ln(.1/1e-4) = 0.0999 × 6.9077553 = 0.6900848.
        let psi = DistributionDrift.populationStabilityIndex(expected: [50, 30, 20, 0], actual: [40, 30, 20, 10])
        #expect(abs(psi - 0.7123991) < 1e-6)
        #expect(DriftBand(psi: psi) == .major)
        // e = ¼ ¼ ¼ ¼, a = .3 .2 ¼ ¼: .05 ln 1.2 + .05 ln 1.25 = 0.0091161 + 0.0111572.
        let small = DistributionDrift.populationStabilityIndex(expected: [1, 1, 1, 1], actual: [0.3, 0.2, 0.25, 0.25])
        #expect(abs(small - 0.0202733) < 1e-6)
        #expect(DriftBand(psi: small) == .stable)
    }

    @Test("PSI is 0 for equal distributions whatever the scale, and never negative")
    func properties() {
        #expect(DistributionDrift.populationStabilityIndex(expected: [3, 0, 1], actual: [30, 0, 10]) == 0)
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<200 {
            let e = (0..<6).map { _ in rng.nextUnitDouble() < 0.2 ? 0 : rng.nextUnitDouble() }
            let a = (0..<6).map { _ in rng.nextUnitDouble() < 0.2 ? 0 : rng.nextUnitDouble() }
            guard e.reduce(0, +) > 0, a.reduce(0, +) > 0 else { continue }
            #expect(DistributionDrift.populationStabilityIndex(expected: e, actual: a) >= 0)
        }
    }

    @Test("bands: < 0.1 stable, 0.1–0.25 moderate, > 0.25 major")
    func bands() {
        #expect(DriftBand(psi: 0) == .stable)
        #expect(DriftBand(psi: 0.0999) == .stable)
        #expect(DriftBand(psi: 0.1) == .moderate)
        #expect(DriftBand(psi: 0.25) == .moderate)
        #expect(DriftBand(psi: 0.2501) == .major)
        #expect(DriftBand.stable < .moderate && DriftBand.moderate < .major)
    }

    static func customers(_ rows: [[String]]) throws -> CustomerData {
        let table = RawTable(columnNames: ["customer_id", "finance_income", "online_channel"], rows: rows)
        return try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
    }

    @Test("hand-worked attribute drift: decile bins of the earlier period, categories, missing values")
    func handWorkedAttributes() throws {
        // Previous: incomes 1…10 (deciles 1…9, so eleven bins of one customer each and an
        // empty missing bin); channels app ×5, web ×5.
        let previous = try Self.customers((1...10).map { ["p\($0)", "\($0)", $0 <= 5 ? "app" : "web"] })
        // Current: 1…8, a missing value, 20 (bin (8, 9] empties, missing and (9, ∞) hold one
        // each); channels app ×4, web ×4, store, missing.
        let incomes = ["1", "2", "3", "4", "5", "6", "7", "8", "", "20"]
        let channels = ["app", "app", "app", "app", "web", "web", "web", "web", "store", ""]
        let current = try Self.customers((0..<10).map { ["c\($0)", incomes[$0], channels[$0]] })
        let drift = DistributionDrift(previous: previous, previousPersonas: Array(repeating: 1, count: 10),
                                      current: current, currentPersonas: Array(repeating: 1, count: 10))
        #expect(drift.sharePSI == 0)
        let persona = try #require(drift.persona(1))
        #expect(persona.previousSize == 10 && persona.currentSize == 10)
        #expect(persona.attributes.map(\.attribute) == ["finance_income", "online_channel"])

        let income = persona.attributes[0]
        #expect(income.bins.count == 11)
        #expect(income.bins.first?.kind == .range(lower: nil, upper: 1))
        #expect(income.bins[9].kind == .range(lower: 9, upper: nil))
        #expect(income.bins.last?.kind == .missing)
        #expect(income.bins.dropLast().allSatisfy { abs($0.previousShare - 0.1) < 1e-12 })
        #expect(income.bins[8].currentShare == 0 && income.bins[9].currentShare == 0.1 && income.bins[10].currentShare == 0.1)
        // Two bins go between 0.1 and the 1e-4 floor: 2 × 0.0999 × ln 1000.
        #expect(abs(income.psi - 1.3801695) < 1e-6)
        #expect(income.band == .major)
        // Mean 5.5 → 56/9 over the nine values; population deviation of 1…10 is √8.25.
        #expect(abs(try #require(income.meanShift) - 0.2514455) < 1e-6)

        let channel = persona.attributes[1]
        #expect(channel.bins.map(\.kind) == [.category("app"), .category("web"), .category("store"), .missing])
        #expect(channel.meanShift == nil)
        // app, web: .5 → .4 each; store, missing: 0 → .1 each.
        #expect(abs(channel.psi - 1.4247982) < 1e-6)
        // One persona holding everyone: the population view is the same.
        #expect(drift.population == persona.attributes)
    }

    @Test("hand-worked persona shares: ½ ½ 0 → ½ .3 .2; only personas in both periods are profiled")
    func handWorkedShares() throws {
        let data = try Self.customers((1...10).map { ["p\($0)", "\($0)", "app"] })
        let drift = DistributionDrift(previous: data, previousPersonas: [1, 1, 1, 1, 1, 2, 2, 2, 2, 2],
                                      current: data, currentPersonas: [1, 1, 1, 1, 1, 2, 2, 2, 3, 3])
        #expect(drift.personas == [1, 2, 3])
        #expect(drift.previousShares == [0.5, 0.5, 0])
        #expect(drift.currentShares == [0.5, 0.3, 0.2])
        // (.3 − .5) ln(.3/.5) + (.2 − 1e-4) ln(.2/1e-4) = 0.1021651 + 1.5194204.
        #expect(abs(drift.sharePSI - 1.6215855) < 1e-6)
        #expect(drift.shareBand == .major)
        #expect(drift.personaDrifts.map(\.persona) == [1, 2])
        #expect(drift.persona(1)?.band == .stable)   // the same customers
    }

    @Test("weights count: a customer of weight 3 is three customers")
    func weighted() throws {
        let table = RawTable(columnNames: ["customer_id", "w", "finance_income"],
                             rows: [["a", "3", "1"], ["b", "1", "2"]])
        let weighted = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table, weightColumn: "w"))
        let plainTable = RawTable(columnNames: ["customer_id", "finance_income"],
                                  rows: [["a1", "1"], ["a2", "1"], ["a3", "1"], ["b", "2"]])
        let plain = try CustomerData(table: plainTable, schema: try PersonaSchema.infer(from: plainTable))
        let a = DistributionDrift(previous: weighted, previousPersonas: [1, 2], current: plain, currentPersonas: [1, 1, 1, 2])
        #expect(a.sharePSI == 0)
        #expect(a.population[0].psi == 0)
        #expect(a.population[0].meanShift == 0)
    }
}
