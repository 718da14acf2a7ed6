import PersonaKit

extension ReportWriter {
    /// Renders the files of one report; every statistic goes through ``ReportFormat`` with the
    /// number of customers it describes.
    struct Renderer {
        let report: PersonaReport
        let model: PersonaModel
        let format: ReportFormat
        let k: Int
        /// Attribute summaries by name.
        let summaries: [String: AttributeReport]

        init(report: PersonaReport, model: PersonaModel, format: ReportFormat) {
            self.report = report
            self.model = model
            self.format = format
            k = report.personas.count
            summaries = Dictionary(uniqueKeysWithValues: report.attributes.map { ($0.attribute.name, $0) })
        }

        func writer(_ header: [String]) -> CSVWriter { CSVWriter(header: header, separator: format.separator.character) }

        /// The customers persona `s`'s figure for `comparison` describes: those with a value
        /// (numeric), those in the category (categorical).
        func customers(_ comparison: AttributeComparison, persona s: Int) -> Int {
            guard let summary = summaries[comparison.attribute]?.personas[s] else { return 0 }
            if let category = comparison.category { return summary.levels.first { $0.label == category }?.customers ?? 0 }
            return summary.customers
        }

        /// The population's customers behind `comparison`.
        func populationCustomers(_ comparison: AttributeComparison) -> Int {
            guard let summary = summaries[comparison.attribute]?.population else { return 0 }
            if let category = comparison.category { return summary.levels.first { $0.label == category }?.customers ?? 0 }
            return summary.customers
        }

        func name(_ s: Int) -> String { report.personas[s].name }

        // MARK: personas.csv

        func personas() -> [UInt8] {
            let comparisons = report.profiles.first?.comparisons ?? []
            let attributeColumns = comparisons.map { c in c.category.map { "\(c.attribute)=\($0)" } ?? c.attribute }
            let pcColumns = (model.projection?.components.indices).map { $0.map { "pc\($0 + 1)" } } ?? []
            var out = writer(["persona", "persona_name", "size", "share", "mean_distance", "outlier_distance",
                              "suggested_name", "value_customers", "value_total", "value_mean", "value_share"]
                             + pcColumns + attributeColumns)
            for (s, persona) in report.personas.enumerated() {
                let trained = model.persona(id: persona.id)
                // Distances and coordinates describe the persona's training customers.
                let trainedSize = trained?.size ?? 0
                let coordinates = trained.flatMap { model.projection?.project($0.centroid) } ?? []
                let value = persona.value
                var row = [String(persona.id), persona.name, format.count(persona.customers),
                           format.number(persona.share, customers: persona.customers),
                           format.number(trained?.meanDistance, customers: trainedSize),
                           format.number(trained?.outlierDistance, customers: trainedSize),
                           persona.suggestedName]
                row += [value.map { format.count($0.customers) } ?? "",
                        value.map { format.number($0.total, customers: $0.customers) } ?? "",
                        value.map { format.number($0.mean, customers: $0.customers) } ?? "",
                        value.map { format.number($0.share, customers: $0.customers) } ?? ""]
                row += coordinates.map { format.number($0, customers: trainedSize) }
                row += report.profiles[s].comparisons.map { format.number($0.personaMean, customers: customers($0, persona: s)) }
                out.appendRow(row)
            }
            return out.bytes
        }

        // MARK: attributes.csv

        func attributes() -> [UInt8] {
            var out = writer(["persona", "persona_name", "attribute", "category", "group", "role", "kind",
                              "persona_mean", "population_mean", "index", "std_difference", "rank",
                              "customers", "mode", "mode_share"])
            for (s, profile) in report.profiles.enumerated() {
                let ranks = Dictionary(profile.distinguishing.enumerated().map { ("\($1.attribute)\u{1}\($1.category ?? "")", $0 + 1) },
                                       uniquingKeysWith: { a, _ in a })
                for c in profile.comparisons {
                    let n = customers(c, persona: s)
                    let rank = ranks["\(c.attribute)\u{1}\(c.category ?? "")"].map(String.init) ?? ""
                    let mode = summaries[c.attribute]?.personas[s].mode
                    out.appendRow([String(profile.persona), name(s), c.attribute, c.category ?? "", c.group.rawValue,
                                   c.role.rawValue, c.kind,
                                   format.number(c.personaMean, customers: n),
                                   format.number(c.populationMean, customers: populationCustomers(c)),
                                   format.number(c.index, customers: n),
                                   format.number(c.standardizedDifference, customers: n),
                                   format.cell(rank, customers: n), format.count(n),
                                   mode.map { format.cell($0.label, customers: $0.customers) } ?? "",
                                   mode.map { format.number($0.share, customers: $0.customers) } ?? ""])
                }
            }
            return out.bytes
        }

        // MARK: levels.csv

        func levels() -> [UInt8] {
            var out = writer(["persona", "persona_name", "attribute", "group", "role", "kind", "level",
                              "customers", "share", "population_customers", "population_share", "index", "is_mode"])
            for s in 0..<k {
                for attribute in report.attributes where !attribute.population.levels.isEmpty {
                    let summary = attribute.personas[s]
                    let mode = summary.mode?.label
                    for (j, level) in summary.levels.enumerated() {
                        let population = attribute.population.levels[j]
                        let index: Double? = population.share > 0 && summary.customers > 0 ? 100 * level.share / population.share : nil
                        out.appendRow([String(report.personas[s].id), name(s), attribute.attribute.name,
                                       attribute.attribute.group.rawValue, attribute.attribute.role.rawValue,
                                       attribute.attribute.kind.name, level.label,
                                       format.count(level.customers), format.number(level.share, customers: level.customers),
                                       format.count(population.customers),
                                       format.number(population.share, customers: population.customers),
                                       format.number(index, customers: level.customers),
                                       format.cell(level.label == mode ? "1" : "0", customers: level.customers)])
                    }
                }
            }
            return out.bytes
        }

        // MARK: distinguishing.csv

        func distinguishing() -> [UInt8] {
            var out = writer(["persona", "persona_name", "group", "group_rank", "rank", "attribute", "category",
                              "direction", "persona_mean", "population_mean", "index", "std_difference", "customers"])
            for (s, list) in report.distinguishing.enumerated() {
                let sorted = list.sorted { ($0.comparison.group, $0.groupRank) < ($1.comparison.group, $1.groupRank) }
                for entry in sorted {
                    let c = entry.comparison, n = entry.customers
                    let direction = (c.standardizedDifference ?? 0) >= 0 ? "higher" : "lower"
                    out.appendRow([String(report.personas[s].id), name(s), c.group.rawValue,
                                   String(entry.groupRank), String(entry.rank), c.attribute, c.category ?? "",
                                   format.cell(direction, customers: n),
                                   format.number(c.personaMean, customers: n),
                                   format.number(c.populationMean, customers: populationCustomers(c)),
                                   format.number(c.index, customers: n),
                                   format.number(c.standardizedDifference, customers: n), format.count(n)])
                }
            }
            return out.bytes
        }

        // MARK: value_pyramid.csv

        func valuePyramid() -> [UInt8] {
            var out = writer(["value_column", "band", "from_share", "to_share", "persona", "persona_name", "customers",
                              "customer_share", "value", "value_share", "persona_value_share", "lowest_value", "highest_value"])
            guard let pyramid = report.valuePyramid else { return out.bytes }
            for band in pyramid.bands {
                let d = band.definition
                // The lowest and highest value are one customer's each.
                out.appendRow([pyramid.column, d.label, format.number(d.from), format.number(d.to), "all", "",
                               format.count(band.customers),
                               format.number(pyramid.customers > 0 ? Double(band.customers) / Double(pyramid.customers) : nil,
                                             customers: band.customers),
                               format.number(band.value, customers: band.customers),
                               format.number(pyramid.total != 0 ? band.value / pyramid.total : nil, customers: band.customers),
                               "", format.number(band.lowest, customers: 1), format.number(band.highest, customers: 1)])
                for s in 0..<k {
                    let n = band.personaCustomers[s], v = band.personaValue[s]
                    let personaTotal = report.personas[s].value?.total ?? 0
                    out.appendRow([pyramid.column, d.label, format.number(d.from), format.number(d.to),
                                   String(report.personas[s].id), name(s), format.count(n),
                                   format.number(band.customers > 0 ? Double(n) / Double(band.customers) : nil, customers: n),
                                   format.number(v, customers: n),
                                   format.number(band.value != 0 ? v / band.value : nil, customers: n),
                                   format.number(personaTotal != 0 ? v / personaTotal : nil, customers: n), "", ""])
                }
            }
            return out.bytes
        }

        // MARK: crosstabs.csv

        func crossTables() -> [UInt8] {
            var out = writer(["column", "category", "persona", "persona_name", "customers", "share_of_persona",
                              "share_of_category", "index"])
            for table in report.crossTables {
                let totals = table.categoryTotals
                let all = totals.reduce(0, +)
                let personaTotals = table.counts.map { $0.reduce(0, +) }
                for (c, category) in table.categories.enumerated() {
                    let populationShare = all > 0 ? Double(totals[c]) / Double(all) : nil
                    out.appendRow([table.column, category, "all", "", format.count(totals[c]),
                                   format.number(populationShare, customers: totals[c]),
                                   format.number(totals[c] > 0 ? 1 : nil, customers: totals[c]),
                                   format.number(totals[c] > 0 ? 100 : nil, customers: totals[c])])
                    for s in 0..<k {
                        let n = table.counts[s][c]
                        let share = personaTotals[s] > 0 ? Double(n) / Double(personaTotals[s]) : nil
                        let index = share.flatMap { sh in populationShare.flatMap { $0 > 0 ? 100 * sh / $0 : nil } }
                        out.appendRow([table.column, category, String(report.personas[s].id), name(s), format.count(n),
                                       format.number(share, customers: n),
                                       format.number(totals[c] > 0 ? Double(n) / Double(totals[c]) : nil, customers: n),
                                       format.number(index, customers: n)])
                    }
                }
                // Customers with no value in the column: counts only.
                let missing = table.missing.reduce(0, +)
                out.appendRow([table.column, "", "all", "", format.count(missing), "", "", ""])
                for s in 0..<k {
                    out.appendRow([table.column, "", String(report.personas[s].id), name(s), format.count(table.missing[s]),
                                   "", "", ""])
                }
            }
            return out.bytes
        }

        // MARK: accounts.csv

        func accounts() -> [UInt8] {
            let ids = report.personas.map(\.id)
            var out = writer(["account", "customers", "personas_present", "main_persona", "main_persona_name",
                              "main_persona_share"]
                             + ids.map { "persona_\($0)" } + ids.map { "persona_\($0)_share" })
            guard let mix = report.accounts else { return out.bytes }
            for account in mix.accounts {
                let n = account.customers
                let main = account.mainPersonaIndex
                let present = account.personas.filter { $0 > 0 }.count
                // Small accounts are withheld whole: every figure describes fewer than N people.
                out.appendRow([account.account, format.count(n), format.cell(String(present), customers: n),
                               format.cell(String(ids[main]), customers: min(n, account.personas[main])),
                               format.cell(name(main), customers: min(n, account.personas[main])),
                               format.number(Double(account.personas[main]) / Double(max(n, 1)),
                                             customers: min(n, account.personas[main]))]
                              + account.personas.map { format.cell(String($0), customers: min(n, $0)) }
                              + account.personas.map {
                                  format.number(Double($0) / Double(max(n, 1)), customers: min(n, $0))
                              })
            }
            return out.bytes
        }
    }
}
