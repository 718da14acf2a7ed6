import Foundation
import PersonaKit
import TestSupport
import Testing

/// A customer table over every attribute kind with profile-only value, phase and account
/// columns; the reference figures below are computed straight from its text cells.
enum ReportFixture {
    static let header = ["customer_id", "finance_income", "media_tv_hours", "fear_data_privacy", "online_mobile",
                         "online_channel", "profile_customer_value", "profile_journey_phase", "profile_account_id"]

    static func rows(n: Int = 240, seed: UInt64 = 11) -> [[String]] {
        var rng = SeededGenerator(seed: seed)
        let phases = ["awareness", "consideration", "purchase", "retention"]
        return (0..<n).map { i in
            let p = i % 3
            let income = [1500.0, 3500, 7000][p] + 400 * Fixtures.gaussian(&rng)
            let hours = [30.0, 12, 4][p] + 3 * Fixtures.gaussian(&rng)
            let fear = min(5, max(1, [4, 2, 1][p] + Int(Fixtures.gaussian(&rng).rounded())))
            let mobile = rng.nextUnitDouble() < [0.2, 0.6, 0.9][p] ? "1" : "0"
            let channel = [["tv", "print"], ["web", "app"], ["app", "web"]][p][rng.nextUnitDouble() < 0.8 ? 0 : 1]
            // Whole values repeat, so the ranking has ties; every 13th value is missing.
            let value = i % 13 == 0 ? "" : String(Int([100.0, 400, 1500][p] * (1 + rng.nextUnitDouble()) / 50) * 50)
            let phase = i % 11 == 0 ? "" : phases[Int(rng.next() % 4)]
            let account = i % 7 == 0 ? "" : "A\(Int(rng.next() % 12))"
            return ["C\(i)", String(format: "%.1f", income), String(format: "%.1f", hours), i % 9 == 0 ? "" : String(fear),
                    mobile, channel, value, phase, account]
        }
    }

    static func table(_ rows: [[String]] = rows()) -> RawTable { RawTable(columnNames: header, rows: rows) }

    static let schema = PersonaSchema(attributes: [
        Attribute(name: "finance_income", kind: .continuous),
        Attribute(name: "media_tv_hours", kind: .continuous),
        Attribute(name: "fear_data_privacy", kind: .ordinal(levels: [1, 2, 3, 4, 5])),
        Attribute(name: "online_mobile", kind: .binary),
        Attribute(name: "online_channel", kind: .categorical(categories: [])),
        Attribute(name: "profile_customer_value", kind: .continuous, role: .profile),
        Attribute(name: "profile_journey_phase", kind: .categorical(categories: []), role: .profile),
        Attribute(name: "profile_account_id", kind: .categorical(categories: []), role: .ignore),
    ])

    static func model(k: Int = 3) throws -> (CustomerData, PersonaModel) {
        let data = try CustomerData(table: table(), schema: schema)
        let model = try PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: k, seed: 3))).model
        return (data, model)
    }
}

/// Slow reference figures straight from text cells and persona labels.
struct Reference {
    let rows: [[String]]
    let personas: [Int]

    func column(_ name: String) -> Int { ReportFixture.header.firstIndex(of: name)! }
    func cells(_ name: String) -> [String] { rows.map { $0[column(name)] } }

    func size(_ p: Int) -> Int { personas.filter { $0 == p }.count }

    func mean(_ name: String, persona p: Int) -> Double? {
        let values = zip(cells(name), personas).filter { $0.1 == p }.compactMap { Double($0.0) }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    func count(_ name: String, equal value: String, persona p: Int) -> Int {
        zip(cells(name), personas).filter { $0.0 == value && $0.1 == p }.count
    }

    func present(_ name: String, persona p: Int) -> Int {
        zip(cells(name), personas).filter { !$0.0.isEmpty && $0.1 == p }.count
    }

    func valueTotal(persona p: Int?) -> Double {
        zip(cells("profile_customer_value"), personas).filter { p == nil || $0.1 == p }.compactMap { Double($0.0) }.reduce(0, +)
    }

    /// Row indices ranked by value, highest first, ties in row order.
    func ranked() -> [Int] {
        let v = cells("profile_customer_value").map { Double($0) }
        return rows.indices.filter { v[$0] != nil }.sorted { v[$0]! != v[$1]! ? v[$0]! > v[$1]! : $0 < $1 }
    }

    /// Customers of each persona among the top `fraction` by value.
    func top(_ fraction: Double) -> [Int: Int] {
        let ranked = ranked()
        let cut = Int((fraction * Double(ranked.count)).rounded())
        return Dictionary(ranked.prefix(cut).map { (personas[$0], 1) }, uniquingKeysWith: +)
    }
}

@Suite("persona report")
struct PersonaReportTests {
    func check(_ report: PersonaReport, against ref: Reference, order: [Int]) throws {
        let n = ref.rows.count
        #expect(report.customers == n)
        #expect(report.personas.map(\.id) == order)
        #expect(report.personas.map(\.customers).reduce(0, +) == ref.personas.filter(order.contains).count)
        let total = ref.valueTotal(persona: nil)
        for (s, p) in order.enumerated() {
            let persona = report.personas[s]
            #expect(persona.customers == ref.size(p))
            #expect(abs(persona.share - Double(ref.size(p)) / Double(n)) < 1e-12)
            let value = try #require(persona.value)
            #expect(abs(value.total - ref.valueTotal(persona: p)) < 1e-6)
            #expect(abs(try #require(value.share) - ref.valueTotal(persona: p) / total) < 1e-12)
            #expect(value.customers == ref.present("profile_customer_value", persona: p))

            for attribute in report.attributes {
                let name = attribute.attribute.name
                let summary = attribute.personas[s]
                #expect(summary.customers == ref.present(name, persona: p), "\(name) persona \(p)")
                #expect(summary.customers + summary.missing == ref.size(p))
                switch attribute.attribute.kind {
                case .continuous, .ordinal, .binary:
                    let expected = ref.mean(name, persona: p)
                    #expect((summary.mean == nil) == (expected == nil))
                    if let mean = summary.mean, let expected { #expect(abs(mean - expected) <= 1e-9 * max(1, abs(expected)), "\(name)") }
                case .categorical: #expect(summary.mean == nil)
                }
                for level in summary.levels {
                    let expected = ref.count(name, equal: level.label, persona: p)
                    #expect(level.customers == expected, "\(name)=\(level.label), persona \(p)")
                    if summary.customers > 0 { #expect(abs(level.share - Double(expected) / Double(summary.customers)) < 1e-12) }
                }
                if case .categorical(let categories) = attribute.attribute.kind, summary.customers > 0 {
                    // The mode: the most frequent category, the first on a tie.
                    let counts = categories.map { ref.count(name, equal: $0, persona: p) }
                    let expected = categories[counts.firstIndex(of: counts.max()!)!]
                    #expect(summary.mode?.label == expected, "\(name) mode, persona \(p)")
                }
            }
        }

        // The value pyramid: the top 20% by value and each decile's persona composition.
        let pyramid = try #require(report.valuePyramid)
        #expect(pyramid.customers == ref.ranked().count)
        let top20 = try #require(pyramid.bands.first { $0.definition.label == "top 20%" })
        let expectedTop = ref.top(0.2)
        #expect(top20.customers == Int((0.2 * Double(pyramid.customers)).rounded()))
        for (s, p) in order.enumerated() { #expect(top20.personaCustomers[s] == expectedTop[p, default: 0], "top 20%, persona \(p)") }
        let deciles = pyramid.bands.filter { $0.definition.label.hasPrefix("decile") }
        #expect(deciles.count == 10)
        #expect(deciles.map(\.customers).reduce(0, +) == pyramid.customers)
        #expect(abs(deciles.map(\.value).reduce(0, +) - total) < 1e-6)
        let ranked = ref.ranked()
        let values = ref.cells("profile_customer_value").map { Double($0) ?? .nan }
        for (d, band) in deciles.enumerated() {
            let lo = Int((Double(d) / 10 * Double(ranked.count)).rounded()), hi = Int((Double(d + 1) / 10 * Double(ranked.count)).rounded())
            let members = ranked[lo..<hi]
            #expect(band.highest == members.first.map { values[$0] })
            #expect(band.lowest == members.last.map { values[$0] })
            for (s, p) in order.enumerated() {
                #expect(band.personaCustomers[s] == members.filter { ref.personas[$0] == p }.count)
                #expect(abs(band.personaValue[s] - members.filter { ref.personas[$0] == p }.reduce(0.0) { $0 + values[$1] }) < 1e-6)
            }
        }

        // The phase cross-table.
        let table = try #require(report.crossTables.first { $0.column == "profile_journey_phase" })
        for (s, p) in order.enumerated() {
            for (c, category) in table.categories.enumerated() {
                #expect(table.counts[s][c] == ref.count("profile_journey_phase", equal: category, persona: p))
            }
            #expect(table.missing[s] == ref.count("profile_journey_phase", equal: "", persona: p))
        }

        // The account mix.
        let mix = try #require(report.accounts)
        let accounts = ref.cells("profile_account_id")
        #expect(mix.customersWithoutAccount == accounts.filter(\.isEmpty).count)
        #expect(mix.accounts.map(\.customers).reduce(0, +) + mix.customersWithoutAccount == n)
        #expect(zip(mix.accounts, mix.accounts.dropFirst()).allSatisfy { $0.customers >= $1.customers })
        for account in mix.accounts {
            #expect(account.customers == accounts.filter { $0 == account.account }.count)
            for (s, p) in order.enumerated() {
                #expect(account.personas[s] == zip(accounts, ref.personas).filter { $0.0 == account.account && $0.1 == p }.count)
            }
        }
    }

    func options() -> PersonaReportOptions {
        PersonaReportOptions(valueColumn: "profile_customer_value", crossTabColumns: ["profile_journey_phase"],
                             accountColumn: "profile_account_id")
    }

    @Test("the report's figures agree with a computation from the raw rows and the model's assignments")
    func agreesWithReferenceForModelAssignments() throws {
        let (data, model) = try ReportFixture.model()
        let personas = try model.assign(data).map(\.persona)
        let rows = ReportFixture.rows()
        let report = try PersonaReport(data: data, personas: personas, model: model,
                                       accounts: rows.map { $0[8] }, options: options())
        try check(report, against: Reference(rows: rows, personas: personas), order: model.personas.map(\.id))
    }

    @Test("the report's figures agree with the reference for arbitrary assignments", arguments: [1, 2, 3] as [UInt64])
    func agreesWithReferenceForRandomAssignments(seed: UInt64) throws {
        let (data, model) = try ReportFixture.model()
        var rng = SeededGenerator(seed: seed)
        let ids = model.personas.map(\.id)
        let personas = (0..<data.count).map { _ in ids[Int(rng.next() % UInt64(ids.count))] }
        let rows = ReportFixture.rows()
        let report = try PersonaReport(data: data, personas: personas, model: model,
                                       accounts: rows.map { $0[8] }, options: options())
        try check(report, against: Reference(rows: rows, personas: personas), order: ids)
    }

    @Test("the distinguishing attributes are ranked by |standardised difference|, at most n per group")
    func distinguishing() throws {
        let (data, model) = try ReportFixture.model()
        let personas = try model.assign(data).map(\.persona)
        var opts = options()
        opts.distinguishingPerGroup = 1
        let report = try PersonaReport(data: data, personas: personas, model: model, options: opts)
        for (s, list) in report.distinguishing.enumerated() {
            let groups = list.map(\.comparison.group)
            #expect(Set(groups).count == groups.count, "one per group")
            // Each group's entry is the group's largest |difference| among segment comparisons.
            for entry in list {
                let best = report.profiles[s].comparisons
                    .filter { $0.role == .segment && $0.group == entry.comparison.group }
                    .compactMap { $0.standardizedDifference.map(abs) }.max()
                #expect(abs(entry.comparison.standardizedDifference!) == best)
                #expect(entry.groupRank == 1)
            }
            #expect(list.map(\.rank) == list.map(\.rank).sorted())
        }
    }

    @Test("a hand-worked pyramid: five customers, two personas")
    func handWorkedPyramid() throws {
        // Values 50, 10, 40, 40, 20 → ranked rows 0, 2, 3, 4, 1 (the tie 40/40 in row order).
        let table = RawTable(columnNames: ["customer_id", "x", "profile_value"],
                             rows: [["a", "1", "50"], ["b", "2", "10"], ["c", "3", "40"], ["d", "4", "40"], ["e", "5", "20"]])
        let schema = PersonaSchema(attributes: [Attribute(name: "x", kind: .continuous),
                                                Attribute(name: "profile_value", kind: .continuous, role: .profile)])
        let data = try CustomerData(table: table, schema: schema)
        let model = try PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 2, seed: 1))).model
        let (p, q) = (model.personas[0].id, model.personas[1].id)
        let report = try PersonaReport(data: data, personas: [p, q, q, p, p], model: model,
                                       options: PersonaReportOptions(valueColumn: "profile_value",
                                                                     valueBands: [.init(label: "top 40%", from: 0, to: 0.4),
                                                                                  .init(label: "rest", from: 0.4, to: 1)]))
        let pyramid = try #require(report.valuePyramid)
        #expect(pyramid.total == 160)
        // Top 40% = rows 0 (p, 50) and 2 (q, 40).
        #expect(pyramid.bands[0].customers == 2)
        #expect(pyramid.bands[0].personaCustomers == [1, 1])
        #expect(pyramid.bands[0].personaValue == [50, 40])
        #expect(pyramid.bands[1].personaValue == [60, 10])
        #expect(report.personas.map { $0.value!.share! } == [110.0 / 160, 50.0 / 160])
    }

    @Test("bad columns are named in one-line errors")
    func badColumns() throws {
        let (data, model) = try ReportFixture.model()
        let personas = try model.assign(data).map(\.persona)
        func error(_ options: PersonaReportOptions, accounts: [String]? = nil) -> PersonaReportError? {
            do {
                _ = try PersonaReport(data: data, personas: personas, model: model, accounts: accounts, options: options)
                return nil
            } catch { return error }
        }
        let missing = error(PersonaReportOptions(valueColumn: "profile_revenue"))
        #expect(missing?.description.contains("value column 'profile_revenue'") == true)
        #expect(missing?.column?.use == .value && missing?.column?.name == "profile_revenue")
        #expect(missing?.description.contains("--") == false, "the core does not speak of command-line options")
        #expect(error(PersonaReportOptions(valueColumn: "online_channel")) == .valueColumnNotNumeric(name: "online_channel", kind: "categorical"))
        #expect(error(PersonaReportOptions(crossTabColumns: ["finance_income"])) == .crossTabColumnNotCategorical(name: "finance_income", kind: "continuous"))
        #expect(error(PersonaReportOptions(), accounts: ["A1"]) == .accountCountMismatch(rows: data.count, accounts: 1))
        for e in [missing].compactMap({ $0 }) { #expect(!e.description.contains("\n")) }
    }

    @Test("resolved options: given choices win, the default account column is found and not cross-tabulated, conflicts are named")
    func resolvedOptions() throws {
        let schema = PersonaSchema(idColumn: "id", attributes: [
            Attribute(name: "wish_quality", group: .wishes, kind: .ordinal(levels: [1, 2, 3, 4, 5])),
            Attribute(name: "profile_customer_value", kind: .continuous, role: .profile),
            Attribute(name: "profile_phase", kind: .categorical(categories: ["new", "loyal"]), role: .profile),
            Attribute(name: "profile_account_id", kind: .categorical(categories: ["A1", "A2"]), role: .profile),
        ])
        let columns = ["id", "wish_quality", "profile_customer_value", "profile_phase", "profile_account_id"]
        let defaults = try PersonaReportOptions.resolved(for: schema, columnNames: columns)
        #expect(defaults.valueColumn == "profile_customer_value")
        #expect(defaults.accountColumn == "profile_account_id")
        #expect(defaults.crossTabColumns == ["profile_phase"])
        let chosen = try PersonaReportOptions.resolved(for: schema, columnNames: columns, valueColumn: "wish_quality",
                                                       crossTabColumns: ["profile_account_id"], accountColumn: nil)
        #expect(chosen.valueColumn == "wish_quality" && chosen.crossTabColumns == ["profile_account_id"])
        #expect(try PersonaReportOptions.resolved(for: schema, columnNames: Array(columns.dropLast())).accountColumn == nil)
        #expect(throws: PersonaReportError.accountColumnCrossTabulated(name: "profile_phase")) {
            try PersonaReportOptions.resolved(for: schema, columnNames: columns, crossTabColumns: ["profile_phase"], accountColumn: "profile_phase")
        }
        #expect(throws: PersonaReportError.unknownAccountColumn(name: "company", columns: columns)) {
            try PersonaReportOptions.resolved(for: schema, columnNames: columns, accountColumn: "company")
        }
    }

    @Test("defaults: the value column is a continuous profile column named like value; categorical profile columns are cross-tabulated")
    func defaults() {
        var schema = ReportFixture.schema
        schema.attributes[6].kind = .categorical(categories: ["a"])
        let options = PersonaReportOptions.defaults(for: schema)
        #expect(options.valueColumn == "profile_customer_value")
        #expect(options.crossTabColumns == ["profile_journey_phase"])
    }
}

@Suite("customer explanation")
struct CustomerExplanationTests {
    @Test("contributions add up to the squared distances and match an independent computation",
          arguments: [0, 5, 9, 100, 239])
    func contributionsSum(row: Int) throws {
        let (data, model) = try ReportFixture.model()
        let explanation = try model.explain(data, row: row)
        let assignment = try model.assign(data)[row]
        #expect(explanation.assignment == assignment)
        #expect(explanation.customer == data.ids[row])

        // Independent: encode the whole table, then sum squared differences per attribute.
        let x = try model.encoder.transform(data).row(row)
        for (p, persona) in model.personas.enumerated() {
            var total = 0.0
            for contribution in explanation.attributes {
                let encoded = model.encoder.attributes.first { $0.name == contribution.attribute.name }!
                var part = 0.0
                for j in encoded.firstColumn..<(encoded.firstColumn + encoded.width) {
                    part += (Double(x[j]) - Double(persona.centroid[j])) * (Double(x[j]) - Double(persona.centroid[j]))
                }
                #expect(abs(contribution.squaredDistances[p] - part) <= 1e-12 * max(1, part))
                total += contribution.squaredDistances[p]
            }
            #expect(abs(explanation.squaredDistances[p] - total) <= 1e-9 * max(1, total))
        }
        // The kernel's (Float) distances agree with the sums.
        let a = try #require(explanation.index(of: assignment.persona))
        #expect(abs(explanation.squaredDistances[a].squareRoot() - assignment.distance) <= 1e-4 * max(1, assignment.distance))
        let runnerUp = try #require(assignment.runnerUp)
        let b = try #require(explanation.index(of: runnerUp))
        let pulls = explanation.attributes.map { explanation.pull($0, toward: assignment.persona, from: runnerUp) }
        #expect(abs(pulls.reduce(0, +) - (explanation.squaredDistances[b] - explanation.squaredDistances[a])) < 1e-9)
        #expect(pulls.reduce(0, +) >= -1e-4, "the assigned persona is the nearer one")
    }

    @Test("values and centres are in original units")
    func originalUnits() throws {
        let (data, model) = try ReportFixture.model()
        let row = 4
        let explanation = try model.explain(data, row: row)
        let rows = ReportFixture.rows()
        let income = try #require(explanation.attributes.first { $0.attribute.name == "finance_income" })
        #expect(income.value == Double(rows[row][1]))
        let channel = try #require(explanation.attributes.first { $0.attribute.name == "online_channel" })
        #expect(channel.category == rows[row][5])
        // A centre in original units: decoding the centroid column through the encoder.
        let encoded = model.encoder.attributes.first { $0.name == "finance_income" }!
        for (p, persona) in model.personas.enumerated() {
            let expected = model.encoder.decode(Double(persona.centroid[encoded.firstColumn]), column: encoded.firstColumn)
            #expect(abs(income.centres[p] - expected) <= 1e-9 * abs(expected))
            // Between the smallest and largest income of the data.
            #expect(income.centres[p] > 0 && income.centres[p] < 10_000)
            #expect(channel.centres[p] >= -1e-6 && channel.centres[p] <= 1 + 1e-6)
        }
    }
}
