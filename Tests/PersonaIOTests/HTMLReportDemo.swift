import Foundation
import PersonaIO
import PersonaKit
import PersonaSynthetic

/// A realistic persona report, laid out by ``PersonaReportHTML`` as `persona report` does: two
/// periods of synthetic customers, trained then retrained (one persona fewer, so one retires),
/// with the persona table, the profiles, the value pyramid, the cross-tables, the persona map
/// with movement arrows, the choose-k chart and the drift summary.
enum HTMLReportDemo {
    struct Built {
        let report: HTMLReport
        let model: PersonaModel
        let map: PersonaMap
    }

    /// Section identifiers the demo report has, in order.
    static let sectionIDs = ["personas", "profiles", "value-pyramid", "cross-tables", "map", "choose-k", "drift"]

    static func build(customers: Int = 1_500) throws -> Built {
        let generator = SyntheticCustomers(configuration: .init(customerCount: customers, seed: 7))
        let table1 = generator.firstPeriod().table, table2 = generator.secondPeriod().table
        let first = try CustomerData(table: table1, schema: try PersonaSchema.infer(from: table1))
        let trained = try PersonaModel.train(first, options: TrainingOptions(kmeans: .init(clusterCount: 6, seed: 3)))
        let firstMembers = Dictionary(uniqueKeysWithValues: zip(first.ids, trained.assignments.map(\.persona)))
        let second = try trained.model.read(table2)
        let retrained = try PersonaModel.retrain(previous: trained.model, data: second, previousAssignments: firstMembers,
                                                 options: RetrainingOptions(clusterCount: 5))
        let model = retrained.model
        let personas = retrained.assignments.map(\.persona)
        let secondMembers = Dictionary(uniqueKeysWithValues: zip(second.ids, personas))
        let matrix = try model.encoder.transform(second)
        let map = try PersonaMap(model: model, matrix: matrix, personas: personas, previous: trained.model,
                                 options: PersonaMapOptions(sampleSize: 800))

        let transitions = PersonaTransitions(previous: firstMembers, current: secondMembers,
                                             previousPersonas: trained.model.personas.map(\.id),
                                             currentPersonas: model.personas.map(\.id))
        let drift = DriftReport(before: .init(model: trained.model), after: .init(model: model), transitions: transitions,
                                events: retrained.matching.events,
                                distribution: DistributionDrift(previous: first, previousPersonas: trained.assignments.map(\.persona),
                                                                current: second, currentPersonas: personas),
                                matching: retrained.matching)

        // Choosing k on the second period: a short range and few resamples keep the test quick.
        let chooseK = try ChooseK.evaluate(matrix, configuration: ChooseKConfiguration(
            clusterCounts: 3...6, kmeans: KMeansConfiguration(clusterCount: 3, restarts: 1, seed: 3), resamples: 3))

        let personaReport = try PersonaReport(data: second, personas: personas, model: model,
                                              options: .defaults(for: second.schema))
        let report = PersonaReportHTML.render(personaReport, model: model, format: ReportFormat(minimumCellSize: 5),
                                              extras: .init(map: map, chooseKChart: ChooseKChart.svg(chooseK),
                                                            driftSummary: drift.summary(),
                                                            source: "synthetic customers, second period"))
        return Built(report: report, model: model, map: map)
    }
}
