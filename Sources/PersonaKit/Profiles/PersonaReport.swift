/// Everything an analyst report says about a set of customers and their personas, as one
/// immutable value: CSV files, an HTML page or a dashboard render it without computing.
///
/// Built from customers, the persona assigned to each and the model:
/// - ``personas``: size, share, the model's and a suggested name, value and share of value;
/// - ``profiles``: every attribute against the population (mean or share, index ×100,
///   standardised difference), as ``PersonaProfiles`` computes them;
/// - ``attributes``: every attribute per persona in original units: mean (numeric), level
///   distribution (ordinal, binary), mode and category shares (categorical), with the
///   customers behind every figure;
/// - ``distinguishing``: the segment attributes that set each persona apart, ranked overall
///   and within each attribute group;
/// - ``valuePyramid``: customers ranked by value and cut into bands (the top 20%, deciles),
///   with each band's persona composition;
/// - ``crossTables``: persona × category counts for categorical columns (journey phase,
///   channel);
/// - ``accounts``: each account's persona mix.
///
/// The report counts customers: sample weights are not applied. Every figure carries the
/// number of customers it describes, so a renderer can suppress small cells.
///
/// ```swift
/// let data = try model.read(table)
/// let personas = try model.assign(data).map(\.persona)
/// let report = try PersonaReport(data: data, personas: personas, model: model,
///                                options: .defaults(for: data.schema))
/// ```
public struct PersonaReport: Sendable {
    /// The options the report was built with (value, cross-tab and account columns resolved).
    public let options: PersonaReportOptions
    /// Customers described.
    public let customers: Int
    /// The personas, in model order.
    public let personas: [PersonaSummary]
    /// Per persona (model order), every attribute and category compared with the population.
    public let profiles: [PersonaProfile]
    /// Every segment and profile attribute (except the account column), in schema order.
    public let attributes: [AttributeReport]
    /// Per persona (model order), the top ``PersonaReportOptions/distinguishingPerGroup``
    /// segment attributes of each attribute group, by overall rank.
    public let distinguishing: [[DistinguishingAttribute]]
    /// The value pyramid, when there is a value column.
    public let valuePyramid: ValuePyramid?
    /// One cross-table per ``PersonaReportOptions/crossTabColumns`` entry.
    public let crossTables: [CrossTable]
    /// The accounts' persona mix, when account ids were given.
    public let accounts: AccountMix?

    /// Builds the report.
    ///
    /// - Parameters:
    ///   - data: the customers, read with the model's schema (``PersonaModel/read(_:idColumn:unknownCategories:profiles:)``).
    ///   - assigned: the persona assigned to each customer, in data order (the `personas`
    ///     argument; identifiers the model does not have count in the population only).
    ///   - model: the model (persona order and names).
    ///   - accounts: each customer's account identifier (empty = none), when reporting accounts.
    ///   - options: value, cross-tab and account columns, band and list sizes.
    /// - Throws: ``PersonaReportError`` when a named column is not an attribute of `data` or
    ///   has the wrong kind, or `accounts` does not have one entry per customer.
    /// - Complexity: O(rows × attributes + rows log rows) (the value ranking).
    public init(data: CustomerData, personas assigned: [Int], model: PersonaModel, accounts: [String]? = nil,
                options: PersonaReportOptions) throws(PersonaReportError) {
        precondition(assigned.count == data.count, "one persona per customer")
        let schema = data.schema
        // The account column is reported as accounts only, never as an attribute.
        let available = schema.attributes.filter {
            $0.role != .ignore && data.values[$0.name] != nil && $0.name != options.accountColumn
        }
        func attribute(_ name: String, use: PersonaReportError.ColumnUse) throws(PersonaReportError) -> Attribute {
            guard let found = available.first(where: { $0.name == name }) else {
                throw .unknownColumn(use: use, name: name, available: available.map(\.name))
            }
            return found
        }
        if let name = options.valueColumn {
            let value = try attribute(name, use: .value)
            guard value.kind.isNumeric else { throw .valueColumnNotNumeric(name: name, kind: value.kind.name) }
        }
        for name in options.crossTabColumns {
            let column = try attribute(name, use: .crossTab)
            guard case .categorical = column.kind else { throw .crossTabColumnNotCategorical(name: name, kind: column.kind.name) }
        }
        if let accounts, accounts.count != data.count {
            throw .accountCountMismatch(rows: data.count, accounts: accounts.count)
        }

        let order = model.personas.map(\.id)
        let k = order.count
        let slot = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        // The persona slot of every row, or -1 for an identifier the model lacks.
        let rowSlot = assigned.map { slot[$0] ?? -1 }
        var sizes = Array(repeating: 0, count: k)
        for s in rowSlot where s >= 0 { sizes[s] += 1 }

        // Profiles over everything but the account column, without sample weights.
        var values = data.values
        if let column = options.accountColumn { values[column] = nil }
        var profiled = schema
        profiled.attributes.removeAll { $0.name == options.accountColumn }
        let unweighted = CustomerData(schema: profiled, ids: data.ids, weights: nil, values: values,
                                      unknownCategories: data.unknownCategories,
                                      unknownCategoryCount: data.unknownCategoryCount)
        let profiles = PersonaProfiles.compute(unweighted, personas: assigned, order: order)

        self.options = options
        customers = data.count
        self.profiles = profiles
        // One attribute per task: each is summarised in row order, whatever the thread count.
        let summarised = profiled.attributes.filter { values[$0.name] != nil }
        let summaries = TaskResults<AttributeReport>(count: summarised.count)
        let columns = values
        TaskPool.run(count: summarised.count, threads: nil) { i in
            summaries[i] = Self.summarise(summarised[i], columns[summarised[i].name]!, rowSlot: rowSlot, k: k)
        }
        attributes = summarised.indices.map { summaries[$0]! }

        // Value per persona and the pyramid.
        var valueTotals: [ValueTotal]? = nil
        var pyramid: ValuePyramid? = nil
        if let name = options.valueColumn, case .numbers(let numbers)? = values[name] {
            pyramid = Self.pyramid(name, numbers, rowSlot: rowSlot, k: k, bands: options.valueBands)
            var count = Array(repeating: 0, count: k), sum = Array(repeating: 0.0, count: k)
            for (r, v) in numbers.enumerated() where !v.isNaN && rowSlot[r] >= 0 {
                count[rowSlot[r]] += 1
                sum[rowSlot[r]] += v
            }
            let total = pyramid!.total
            valueTotals = (0..<k).map { s in
                ValueTotal(customers: count[s], total: sum[s], mean: count[s] > 0 ? sum[s] / Double(count[s]) : nil,
                           share: total != 0 ? sum[s] / total : nil)
            }
        }
        let total = max(data.count, 1)
        self.personas = (0..<k).map { s in
            PersonaSummary(id: order[s], name: model.personas[s].name,
                           suggestedName: PersonaProfiles.suggestedName(for: profiles[s], schema: profiled),
                           customers: sizes[s], share: Double(sizes[s]) / Double(total), value: valueTotals?[s])
        }
        valuePyramid = pyramid

        // Distinguishing attributes per group.
        let byName = Dictionary(uniqueKeysWithValues: attributes.map { ($0.attribute.name, $0) })
        distinguishing = profiles.enumerated().map { s, profile in
            var perGroup = [AttributeGroup: Int]()
            var list = [DistinguishingAttribute]()
            for (i, comparison) in profile.distinguishing.enumerated() {
                let groupRank = perGroup[comparison.group, default: 0] + 1
                perGroup[comparison.group] = groupRank
                guard groupRank <= options.distinguishingPerGroup else { continue }
                let summary = byName[comparison.attribute]?.personas[s]
                let customers = comparison.category.flatMap { c in summary?.levels.first { $0.label == c }?.customers }
                    ?? summary?.customers ?? 0
                list.append(DistinguishingAttribute(comparison: comparison, rank: i + 1, groupRank: groupRank,
                                                    customers: customers))
            }
            return list
        }

        crossTables = options.crossTabColumns.map { name in
            guard case .categories(let codes)? = values[name],
                  case .categorical(let categories)? = schema.attribute(named: name)?.kind else {
                preconditionFailure("checked above")
            }
            var counts = Array(repeating: Array(repeating: 0, count: categories.count), count: k)
            var missing = Array(repeating: 0, count: k)
            for (r, code) in codes.enumerated() where rowSlot[r] >= 0 {
                if code >= 0 { counts[rowSlot[r]][Int(code)] += 1 } else { missing[rowSlot[r]] += 1 }
            }
            return CrossTable(column: name, categories: categories, counts: counts, missing: missing)
        }

        if let accounts {
            var index = [String: Int]()
            var list = [AccountPersonas]()
            var without = 0
            for (r, account) in accounts.enumerated() {
                guard !account.isEmpty else { without += 1; continue }
                let i: Int
                if let known = index[account] { i = known } else {
                    i = list.count
                    index[account] = i
                    list.append(AccountPersonas(account: account, customers: 0, personas: Array(repeating: 0, count: k)))
                }
                list[i].customers += 1
                if rowSlot[r] >= 0 { list[i].personas[rowSlot[r]] += 1 }
            }
            list.sort { $0.customers != $1.customers ? $0.customers > $1.customers : $0.account < $1.account }
            self.accounts = AccountMix(column: options.accountColumn ?? "account", accounts: list, customersWithoutAccount: without)
        } else {
            self.accounts = nil
        }
    }

    /// The persona summary, attribute summaries and level shares of one attribute.
    static func summarise(_ attribute: Attribute, _ values: AttributeValues, rowSlot: [Int], k: Int) -> AttributeReport {
        // Per level (ordinal, binary, categorical) or one slot (continuous): counts per group;
        // group k is the population.
        let labels: [String]
        switch attribute.kind {
        case .continuous: labels = []
        case .binary: labels = ["0", "1"]
        case .ordinal(let levels): labels = levels.map(levelLabel)
        case .categorical(let categories): labels = categories
        }
        let m = labels.count
        var counts = Array(repeating: 0, count: (k + 1) * m)
        var present = Array(repeating: 0, count: k + 1), missing = Array(repeating: 0, count: k + 1)
        var sums = Array(repeating: 0.0, count: k + 1)
        switch values {
        case .numbers(let numbers):
            let levels: [Double]
            switch attribute.kind {
            case .binary: levels = [0, 1]
            case .ordinal(let l): levels = l
            default: levels = []
            }
            let position = Dictionary(levels.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for (r, v) in numbers.enumerated() {
                let s = rowSlot[r]
                if v.isNaN {
                    missing[k] += 1
                    if s >= 0 { missing[s] += 1 }
                    continue
                }
                present[k] += 1
                sums[k] += v
                let level = position[v]
                if let level { counts[k * m + level] += 1 }
                if s >= 0 {
                    present[s] += 1
                    sums[s] += v
                    if let level { counts[s * m + level] += 1 }
                }
            }
        case .categories(let codes):
            for (r, code) in codes.enumerated() {
                let s = rowSlot[r]
                if code < 0 {
                    missing[k] += 1
                    if s >= 0 { missing[s] += 1 }
                    continue
                }
                present[k] += 1
                counts[k * m + Int(code)] += 1
                if s >= 0 {
                    present[s] += 1
                    counts[s * m + Int(code)] += 1
                }
            }
        }
        let numeric = attribute.kind.isNumeric
        func summary(_ g: Int) -> AttributeSummary {
            AttributeSummary(
                customers: present[g], missing: missing[g],
                mean: numeric && present[g] > 0 ? sums[g] / Double(present[g]) : nil,
                levels: (0..<m).map { j in
                    LevelShare(label: labels[j], customers: counts[g * m + j],
                               share: present[g] > 0 ? Double(counts[g * m + j]) / Double(present[g]) : 0)
                })
        }
        return AttributeReport(attribute: attribute, population: summary(k), personas: (0..<k).map(summary))
    }

    /// Ranks customers with a value, highest first (ties in data order), and cuts the bands.
    static func pyramid(_ column: String, _ numbers: [Double], rowSlot: [Int], k: Int,
                        bands definitions: [ValueBand.Definition]) -> ValuePyramid {
        let ranked = numbers.indices.filter { !numbers[$0].isNaN }
            .sorted { numbers[$0] != numbers[$1] ? numbers[$0] > numbers[$1] : $0 < $1 }
        let n = ranked.count
        let total = ranked.reduce(0.0) { $0 + numbers[$1] }
        let bands = definitions.map { definition in
            let lo = Int((definition.from * Double(n)).rounded()), hi = Int((definition.to * Double(n)).rounded())
            var band = ValueBand(definition: definition, customers: 0, value: 0, highest: nil, lowest: nil,
                                 personaCustomers: Array(repeating: 0, count: k),
                                 personaValue: Array(repeating: 0, count: k))
            for r in ranked[lo..<max(lo, hi)] {
                let v = numbers[r]
                band.customers += 1
                band.value += v
                band.highest = band.highest ?? v
                band.lowest = v
                if rowSlot[r] >= 0 {
                    band.personaCustomers[rowSlot[r]] += 1
                    band.personaValue[rowSlot[r]] += v
                }
            }
            return band
        }
        return ValuePyramid(column: column, customers: n, total: total, bands: bands)
    }

    /// An ordinal level as text: integers without a decimal point (`4`, not `4.0`).
    static func levelLabel(_ level: Double) -> String {
        level.rounded() == level && abs(level) < 1e15 ? String(Int64(level)) : String(level)
    }
}
