import Foundation
import PersonaIO
import PersonaKit

/// A realistic persona report built the way `persona report` assembles one: two periods of
/// synthetic customers, trained then retrained (one persona fewer, so one retires), with the
/// persona table, the profiles, the persona map with movement arrows and the drift summary.
enum HTMLReportDemo {
    struct Built {
        let report: HTMLReport
        let model: PersonaModel
        let map: PersonaMap
    }

    /// Section identifiers the demo report has, in order.
    static let sectionIDs = ["personas", "profiles", "map", "drift"]

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
        let profiles = PersonaProfiles.compute(second, personas: personas, order: model.personas.map(\.id))

        // Personas: one row each, with the map colours.
        let personaTable = HTMLReport.Table(
            header: ["Persona", "Name", "Customers", "Share", "Mean distance", "Parents"],
            rows: zip(model.personas.indices, zip(model.personas, profiles)).map { index, pair in
                let (persona, profile) = pair
                return [.integer(persona.id), .persona(persona.name, index: index), .integer(profile.size),
                        .share(profile.share), .number(persona.meanDistance, decimals: 2),
                        .text(persona.parents.map(String.init).joined(separator: ", "))]
            },
            caption: "Personas of the second period")

        // Profiles: each persona's five most distinguishing attributes.
        let profileGroups: [HTMLReport.Block] = zip(model.personas.indices, zip(model.personas, profiles)).map { index, pair in
            let (persona, profile) = pair
            let rows: [[HTMLReport.Cell]] = profile.distinguishing.prefix(5).map { c in
                [.text(c.category.map { "\(c.attribute) = \($0)" } ?? c.attribute), .text(c.group.rawValue),
                 .number(c.personaMean, decimals: 2), .number(c.populationMean, decimals: 2),
                 .number(c.index, decimals: 0),
                 .bar(label: String(format: "%+.2f", c.standardizedDifference ?? 0),
                      fraction: min(1, abs(c.standardizedDifference ?? 0) / 2),
                      colour: PersonaMapSVG.colour(index: index))]
            }
            return .group(title: "\(persona.id) · \(persona.name)", blocks: [
                .table(.init(header: ["Attribute", "Group", "Persona mean", "Population mean", "Index", "Std. difference"],
                             rows: rows)),
            ])
        }

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

        var report = HTMLReport(title: "Persona report — synthetic customers, second period",
                                subtitle: "\(second.count) customers · \(model.personas.count) personas · <demo & test>",
                                footer: "Written by persona \(personaKitVersion).")
        report.append(.init(id: "personas", title: "Personas",
                            intro: "Every persona with its size, share and the previous personas it continues.",
                            blocks: [.table(personaTable)]))
        report.append(.init(id: "profiles", title: "Profiles",
                            intro: "What sets each persona apart: its most distinguishing attributes against all customers.",
                            blocks: profileGroups))
        report.append(.init(id: "map", title: "Persona map", blocks: [
            .figure(svg: PersonaMapSVG.render(map, title: "Persona map: how the personas moved"),
                    caption: "A stratified sample of customers on the first two principal components."),
        ]))
        report.append(.init(id: "drift", title: "Drift since the previous period", blocks: [
            .markdown(drift.summary()),
            .markdown("""
            ## Reading the bands

            | PSI | band |
            |---|---|
            | < 0.1 | stable |
            | 0.1–0.25 | moderate |
            | > 0.25 | major |
            """),
        ]))
        return Built(report: report, model: model, map: map)
    }
}
