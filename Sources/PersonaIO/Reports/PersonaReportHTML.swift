import Foundation
import PersonaKit

/// Builds `report.html` of `persona report`: the same figures as the report's CSV files, laid
/// out for colleagues who will not open a CSV with thirty columns.
///
/// Sections, in order (those without data are left out): personas, profiles, value pyramid,
/// cross-tables, accounts, persona map, choosing the number of personas, drift, timeline.
/// Every figure goes through the same ``ReportFormat`` as the CSV files, so a cell withheld
/// there (fewer than N customers) is withheld here too.
public enum PersonaReportHTML {
    /// What goes into the page besides the report itself.
    public struct Extras: Sendable {
        /// The persona map of the described customers, drawn as a figure.
        public var map: PersonaMap?
        /// A complete `<svg>` element charting the choice of k (from `persona choose-k`).
        public var chooseKChart: String?
        /// The drift summary in Markdown (`summary.md` of a drift report).
        public var driftSummary: String?
        /// The data file the report describes, named in the subtitle.
        public var source: String?
        /// The personas through the runs of a history, drawn and tabulated.
        public var timeline: PersonaTimeline?

        /// Creates the extras; all are optional.
        public init(map: PersonaMap? = nil, chooseKChart: String? = nil, driftSummary: String? = nil,
                    source: String? = nil, timeline: PersonaTimeline? = nil) {
            self.map = map
            self.chooseKChart = chooseKChart
            self.driftSummary = driftSummary
            self.source = source
            self.timeline = timeline
        }
    }

    /// The number of distinguishing attributes shown per persona.
    public static let distinguishingShown = 8

    /// The accounts listed by name (the largest ones); all accounts are in `accounts.csv`.
    public static let accountsShown = 25

    /// Lays out `report` (computed with `model`) as an HTML report.
    /// - Complexity: O(personas × (attributes + categories + accounts shown)).
    public static func render(_ report: PersonaReport, model: PersonaModel, format: ReportFormat = ReportFormat(),
                              extras: Extras = Extras()) -> HTMLReport {
        let builder = Builder(report: report, model: model, format: format)
        var subtitle = "\(report.customers) customers · \(report.personas.count) personas"
        if let source = extras.source { subtitle = "\(source) · " + subtitle }
        if let minimum = format.minimumCellSize { subtitle += " · figures for fewer than \(minimum) customers withheld" }
        var html = HTMLReport(title: "Persona report", subtitle: subtitle,
                              footer: "Written by persona \(personaKitVersion). Columns and readings: Docs/Reports.md.")
        html.append(builder.personasSection())
        html.append(builder.profilesSection())
        if let section = builder.valuePyramidSection() { html.append(section) }
        if let section = builder.crossTablesSection() { html.append(section) }
        if let section = builder.accountsSection() { html.append(section) }
        if let map = extras.map {
            html.append(.init(id: "map", title: "Persona map",
                              intro: "A sample of customers on the first two principal components of the encoded "
                                  + "attributes, coloured by persona; centres are labelled, arrows show where a "
                                  + "persona was in the previous model.",
                              blocks: [.figure(svg: PersonaMapSVG.render(map, title: "Persona map", idPrefix: "map"),
                                               caption: nil)]))
        }
        if let chart = extras.chooseKChart {
            html.append(.init(id: "choose-k", title: "Choosing the number of personas",
                              intro: "Inertia, silhouette, Calinski–Harabasz, Davies–Bouldin, stability and prediction strength "
                                  + "for each number of personas tried; the recommended number and the deciding measure are marked.",
                              blocks: [.figure(svg: chart, caption: nil)]))
        }
        if let drift = extras.driftSummary {
            html.append(.init(id: "drift", title: "Drift since the previous period", blocks: [.markdown(drift)]))
        }
        if let timeline = extras.timeline { html.append(timelineSection(timeline, format: format)) }
        return html
    }

    private struct Builder {
        let report: PersonaReport
        let model: PersonaModel
        let format: ReportFormat

        func swatch(_ s: Int) -> HTMLReport.Cell {
            .persona("\(report.personas[s].id) · \(report.personas[s].name)", id: report.personas[s].id)
        }

        func withheld(_ customers: Int) -> Bool { format.suppresses(customers) }

        func count(_ customers: Int) -> HTMLReport.Cell {
            withheld(customers) ? .text(format.suppressionMarker) : .integer(customers)
        }

        func number(_ value: Double?, customers: Int, decimals: Int = 2) -> HTMLReport.Cell {
            withheld(customers) ? .text(format.suppressionMarker) : .number(value, decimals: decimals)
        }

        func share(_ value: Double?, customers: Int) -> HTMLReport.Cell {
            guard let value, value.isFinite else { return .empty }
            return withheld(customers) ? .text(format.suppressionMarker) : .share(value)
        }

        func personasSection() -> HTMLReport.Section {
            let hasValue = report.personas.contains { $0.value != nil }
            var header = ["Persona", "Suggested name", "Customers", "Share"]
            if hasValue { header += ["Mean value", "Share of value"] }
            let rows: [[HTMLReport.Cell]] = report.personas.indices.map { s in
                let persona = report.personas[s]
                var row: [HTMLReport.Cell] = [swatch(s), .text(persona.suggestedName), count(persona.customers),
                                              share(persona.share, customers: persona.customers)]
                if hasValue {
                    let value = persona.value
                    row += [number(value?.mean, customers: value?.customers ?? 0),
                            share(value?.share, customers: value?.customers ?? 0)]
                }
                return row
            }
            return .init(id: "personas", title: "Personas",
                         intro: "Every persona with its size and share of the customers described"
                             + (hasValue ? ", and its share of total value." : "."),
                         blocks: [.table(.init(header: header, rows: rows))])
        }

        func profilesSection() -> HTMLReport.Section {
            let groups: [HTMLReport.Block] = report.personas.indices.map { s in
                let entries = report.distinguishing[s].sorted { $0.rank < $1.rank }.prefix(distinguishingShown)
                let rows: [[HTMLReport.Cell]] = entries.map { entry in
                    let c = entry.comparison, n = entry.customers
                    let difference = c.standardizedDifference ?? 0
                    let bar: HTMLReport.Cell = withheld(n) ? .text(format.suppressionMarker)
                        : .bar(label: String(format: "%+.2f", difference), fraction: min(1, abs(difference) / 2),
                               colour: difference >= 0 ? PersonaMapSVG.colour(persona: report.personas[s].id) : "#9A9A9A")
                    return [.text(c.category.map { "\(c.attribute) = \($0)" } ?? c.attribute), .text(c.group.rawValue),
                            number(c.personaMean, customers: n), .number(c.populationMean, decimals: 2),
                            number(c.index, customers: n, decimals: 0), bar]
                }
                let persona = report.personas[s]
                return .group(title: "\(persona.id) · \(persona.name)", blocks: [
                    .paragraph("\(persona.customers) customers. Suggested name from this data: \(persona.suggestedName)."),
                    .table(.init(header: ["Attribute", "Group", "Persona", "All customers", "Index", "Std. difference"],
                                 rows: rows)),
                ])
            }
            return .init(id: "profiles", title: "Profiles",
                         intro: "What sets each persona apart: its most distinguishing attributes, in original units, "
                             + "against all customers (index 100 = average; grey bars: below average). "
                             + "Every attribute and level is in attributes.csv and levels.csv.",
                         blocks: groups)
        }

        func valuePyramidSection() -> HTMLReport.Section? {
            guard let pyramid = report.valuePyramid else { return nil }
            let ids = report.personas.indices
            let header = ["Band", "Customers", "Share of value"] + ids.map { "Persona \(report.personas[$0].id) (%)" }
            let rows: [[HTMLReport.Cell]] = pyramid.bands.map { band in
                [.text(band.definition.label), count(band.customers),
                 share(pyramid.total != 0 ? band.value / pyramid.total : nil, customers: band.customers)]
                    + ids.map { s in
                        // Plain percentages keep a row of many personas within the page.
                        number(band.customers > 0 ? 100 * Double(band.personaCustomers[s]) / Double(band.customers) : nil,
                               customers: band.personaCustomers[s], decimals: 1)
                    }
            }
            return .init(id: "value-pyramid", title: "Value pyramid",
                         intro: "Customers ranked by \(pyramid.column), highest first. For each band: its customers, "
                             + "its share of total value, and which personas make it up (per cent of the band's customers; "
                             + "persona names are in the table of personas).",
                         blocks: [.table(.init(header: header, rows: rows))])
        }

        func crossTablesSection() -> HTMLReport.Section? {
            guard !report.crossTables.isEmpty else { return nil }
            let blocks: [HTMLReport.Block] = report.crossTables.map { table in
                let personaTotals = table.counts.map { $0.reduce(0, +) }
                let rows: [[HTMLReport.Cell]] = report.personas.indices.map { s in
                    [swatch(s)] + table.categories.indices.map { c in
                        let n = table.counts[s][c]
                        return share(personaTotals[s] > 0 ? Double(n) / Double(personaTotals[s]) : nil, customers: n)
                    }
                }
                let totals = table.categoryTotals, all = totals.reduce(0, +)
                let allRow: [HTMLReport.Cell] = [.text("All customers")] + totals.map {
                    share(all > 0 ? Double($0) / Double(all) : nil, customers: $0)
                }
                return .group(title: table.column, blocks: [
                    .table(.init(header: ["Persona"] + table.categories, rows: rows + [allRow],
                                 caption: "Share of each persona's customers in each \(table.column) category")),
                ])
            }
            return .init(id: "cross-tables", title: "Personas by journey phase and channel",
                         intro: "How each persona spreads over the categories of the profile columns; "
                             + "counts and indices are in crosstabs.csv.",
                         blocks: blocks)
        }

        func accountsSection() -> HTMLReport.Section? {
            guard let mix = report.accounts, !mix.accounts.isEmpty else { return nil }
            let shown = mix.accounts.sorted { ($1.customers, $0.account) < ($0.customers, $1.account) }.prefix(accountsShown)
            let rows: [[HTMLReport.Cell]] = shown.map { account in
                let n = account.customers
                let main = account.mainPersonaIndex
                return [.text(account.account), count(n),
                        withheld(min(n, account.personas[main])) ? .text(format.suppressionMarker) : swatch(main)]
                    + account.personas.map { share(Double($0) / Double(max(n, 1)), customers: min(n, $0)) }
            }
            let header = ["Account", "Customers", "Main persona"] + report.personas.map { "Persona \($0.id)" }
            return .init(id: "accounts", title: "Accounts and their personas",
                         intro: "The persona mix of the \(shown.count) largest of \(mix.accounts.count) accounts "
                             + "(\(mix.column)): each decision maker has their own persona. All accounts are in accounts.csv.",
                         blocks: [.table(.init(header: header, rows: rows))])
        }
    }
}
