import PersonaKit
import Testing

@Suite("drift: comparing two periods")
struct PeriodComparisonTests {
    /// Two periods of 90 customers with a model of three personas, trained on the first.
    static func periods() throws -> (model: PersonaModel, before: CustomerData, after: CustomerData) {
        func table(_ shift: Double) -> RawTable {
            RawTable(columnNames: ["customer_id", "finance_income"],
                     rows: (0..<90).map { i in ["c\(i)", String(Double(i % 3) * 100 + Double(i % 7) + shift)] })
        }
        let before = try CustomerData(table: table(0), schema: try PersonaSchema.infer(from: table(0)))
        let model = try PersonaModel.train(before, options: TrainingOptions(clusterCount: 3)).model
        return (model, before, try model.read(table(40)))
    }

    @Test("the comparison holds what each part computes alone, and only what its snapshots allow")
    func composesTheParts() throws {
        let (model, before, after) = try Self.periods()
        let p = try model.assign(before), c = try model.assign(after)
        let previous = Dictionary(uniqueKeysWithValues: zip(before.ids, p.map(\.persona)))
        let current = Dictionary(uniqueKeysWithValues: zip(after.ids, c.map(\.persona)))
        let distances = Dictionary(uniqueKeysWithValues: zip(after.ids, c.map(\.distance)))

        let full = try PeriodComparison(
            previous: PeriodSnapshot(model: model, members: previous, data: (before, p.map(\.persona))),
            current: PeriodSnapshot(model: model, members: current, distances: distances, data: (after, c.map(\.persona))))
        let ids = model.personas.map(\.id)
        #expect(full.transitions == PersonaTransitions(previous: previous, current: current, currentDistances: distances,
                                                       previousPersonas: ids, currentPersonas: ids))
        #expect(full.events == (try PersonaEvents.detect(previous: model, current: model, previousMembers: previous, currentMembers: current)))
        #expect(full.distribution == DistributionDrift(previous: before, previousPersonas: p.map(\.persona),
                                                       current: after, currentPersonas: c.map(\.persona)))
        #expect(full.distribution!.sharePSI >= 0)

        // Members only: transitions, no events, no distribution.
        let membersOnly = try PeriodComparison(previous: PeriodSnapshot(members: previous), current: PeriodSnapshot(members: current))
        #expect(membersOnly.transitions != nil && membersOnly.events == nil && membersOnly.distribution == nil)
        // Events given (a retraining's matching) are kept as given.
        let given = [PersonaEvent.disappearance(persona: 2, largestOverlap: 0)]
        let retrained = try PeriodComparison(previous: PeriodSnapshot(model: model, members: previous),
                                             current: PeriodSnapshot(model: model, members: current), events: given)
        #expect(retrained.events == given)
        // One side's members unknown: no transitions.
        #expect(try PeriodComparison(previous: PeriodSnapshot(model: model), current: PeriodSnapshot(members: current)).transitions == nil)
    }
}
