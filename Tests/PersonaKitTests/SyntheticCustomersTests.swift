import Foundation
import Testing
@testable import PersonaKit
import PersonaSynthetic

/// The column contract of the synthetic data: name → expected inferred kind.
private enum ExpectedKind: Equatable { case continuous, ordinal, binary, categorical }

private let expectedKinds: [String: ExpectedKind] = [
    "lifestyle_age": .continuous,
    "lifestyle_household": .categorical,
    "lifestyle_has_children": .binary,
    "lifestyle_leisure_hours_week": .continuous,
    "media_tv_hours_week": .continuous,
    "media_social_minutes_day": .continuous,
    "media_preferred_channel": .categorical,
    "online_sessions_month": .continuous,
    "online_uses_mobile_banking": .binary,
    "online_purchase_share_pct": .continuous,
    "wish_sustainability": .ordinal,
    "wish_convenience": .ordinal,
    "wish_premium_quality": .ordinal,
    "need_personal_advice": .ordinal,
    "need_low_prices": .ordinal,
    "need_digital_self_service": .ordinal,
    "fear_data_privacy": .ordinal,
    "fear_financial_loss": .ordinal,
    "fear_health_problems": .ordinal,
    "finance_monthly_income_eur": .continuous,
    "finance_savings_rate_pct": .continuous,
    "finance_owns_home": .binary,
    "finance_has_investments": .binary,
    "health_steps_per_day": .continuous,
    "health_self_rated": .ordinal,
    "health_sleep_hours": .continuous,
    "profile_customer_value": .continuous,
    "profile_journey_phase": .categorical,
    "profile_channel": .categorical,
]

private let groupPrefixes = ["lifestyle_", "media_", "online_", "wish_", "need_", "fear_", "finance_", "health_"]

private func generator(_ count: Int = 3000, seed: UInt64 = 2026,
                       _ adjust: (inout SyntheticCustomers.Configuration) -> Void = { _ in }) -> SyntheticCustomers {
    var configuration = SyntheticCustomers.Configuration(customerCount: count, seed: seed)
    adjust(&configuration)
    return SyntheticCustomers(configuration: configuration)
}

/// Means of a numeric column per true persona (missing cells skipped).
private func personaMeans(_ table: RawTable, _ persona: [Int], column: String) -> [Double] {
    var sums = [Double](repeating: 0, count: 6), counts = [Double](repeating: 0, count: 6)
    for (cell, p) in zip(table.column(named: column)!, persona) {
        if let value = Double(cell) { sums[p] += value; counts[p] += 1 }
    }
    return zip(sums, counts).map { $0 / $1 }
}

@Suite("SyntheticCustomers")
struct SyntheticCustomersTests {
    @Test func sameSeedGivesIdenticalTables() {
        let a = generator(800), b = generator(800)
        let a1 = a.firstPeriod(), b1 = b.firstPeriod()
        #expect(a1.table == b1.table)
        #expect(a1.truePersona == b1.truePersona)
        let a2 = a.secondPeriod(), b2 = b.secondPeriod()
        #expect(a2.table == b2.table)
        #expect(a2.truePersona == b2.truePersona)
        #expect(a2.movedIDs == b2.movedIDs)
    }

    @Test func differentSeedGivesDifferentTables() {
        let a = generator(500, seed: 1).firstPeriod(), b = generator(500, seed: 2).firstPeriod()
        #expect(a.table.column(named: "customer_id") == b.table.column(named: "customer_id"))
        #expect(a.table != b.table)
        #expect(a.truePersona != b.truePersona)
        #expect(generator(500, seed: 1).secondPeriod().movedIDs != generator(500, seed: 2).secondPeriod().movedIDs)
    }

    @Test func customersDoNotDependOnTableSize() {
        let small = generator(100).firstPeriod(), large = generator(250).firstPeriod()
        #expect(large.table.selecting(rows: 0..<100) == small.table)
        #expect(Array(large.truePersona.prefix(100)) == small.truePersona)
    }

    @Test func columnsFollowTheNamingContract() throws {
        let table = generator(300).firstPeriod().table
        let names = table.columnNames
        #expect(names == SyntheticCustomers.columnNames)
        #expect(names.first == "customer_id")
        #expect(Set(names).count == names.count)
        let rest = names.dropFirst()
        let segment = rest.filter { !$0.hasPrefix("profile_") }
        let profile = rest.filter { $0.hasPrefix("profile_") }
        #expect((20...26).contains(segment.count))
        for name in segment { #expect(groupPrefixes.contains { name.hasPrefix($0) }, "\(name) has no group prefix") }
        for prefix in groupPrefixes { #expect(segment.contains { $0.hasPrefix(prefix) }, "no \(prefix) column") }
        #expect(profile == ["profile_customer_value", "profile_journey_phase", "profile_channel"])
        // Profile columns come last.
        let firstProfile = try #require(names.firstIndex { $0.hasPrefix("profile_") })
        #expect(names[firstProfile...].allSatisfy { $0.hasPrefix("profile_") })
        #expect(Set(rest) == Set(expectedKinds.keys))
        // Inferred groups match the prefixes; nothing falls into `other`.
        for name in rest where !name.hasPrefix("profile_") {
            #expect(AttributeGroup(columnName: name) != .other)
        }
    }

    @Test func customerIDsAreSequentialAndNeverMissing() {
        let ids = generator(1200).firstPeriod().table.column(named: "customer_id")!
        #expect(ids.first == "C000001")
        #expect(ids[41] == "C000042")
        #expect(ids.last == "C001200")
        #expect(Set(ids).count == ids.count)
        #expect(SyntheticCustomers.customerID(1_234_566) == "C1234567")
    }

    @Test func cellsHaveTheirKindsFormat() {
        let (table, _) = generator(3000).firstPeriod()
        for (name, cells) in zip(table.columnNames, table.columns) where name != "customer_id" {
            let kind = expectedKinds[name]!
            let present = cells.filter { !$0.isEmpty }
            #expect(!present.isEmpty)
            switch kind {
            case .binary:
                #expect(present.allSatisfy { $0 == "0" || $0 == "1" }, "\(name)")
                #expect(Set(present).count == 2, "\(name) uses both values")
            case .ordinal:
                #expect(present.allSatisfy { ["1", "2", "3", "4", "5"].contains($0) }, "\(name)")
                #expect(Set(present).count >= 4, "\(name) uses the scale")
            case .continuous:
                let values = present.compactMap(Double.init)
                #expect(values.count == present.count, "\(name) is numeric")
                #expect(values.contains { $0 > 5 || $0 < 1 || $0 != $0.rounded() }, "\(name) is not Likert-like")
                for cell in present {
                    // Plain numbers: no exponent, no sign, at most two decimals, no trailing zeros.
                    #expect(cell.allSatisfy { $0.isNumber || $0 == "." }, "\(name): \(cell)")
                    if let dot = cell.firstIndex(of: ".") {
                        let decimals = cell[cell.index(after: dot)...]
                        #expect((1...2).contains(decimals.count) && decimals.last != "0", "\(name): \(cell)")
                    }
                }
            case .categorical:
                #expect(present.allSatisfy { Double($0) == nil && !$0.contains(" ") }, "\(name)")
                #expect((2...6).contains(Set(present).count), "\(name)")
            }
        }
        #expect(Set(table.column(named: "media_preferred_channel")!.filter { !$0.isEmpty })
                == ["tv", "social", "print", "podcast", "streaming"])
        #expect(Set(table.column(named: "lifestyle_household")!) == ["single", "couple", "family", "shared"])
        #expect(Set(table.column(named: "profile_journey_phase")!) == Set(SyntheticCustomers.journeyPhases))
        #expect(Set(table.column(named: "profile_channel")!) == ["store", "web", "app", "phone"])
    }

    @Test func schemaInferenceSeesTheIntendedKinds() throws {
        let (table, _) = generator(2000).firstPeriod()
        let schema = try PersonaSchema.infer(from: table)
        #expect(schema.idColumn == "customer_id")
        for attribute in schema.attributes {
            let expected = expectedKinds[attribute.name]
            let actual: ExpectedKind = switch attribute.kind {
            case .continuous: .continuous
            case .ordinal: .ordinal
            case .binary: .binary
            case .categorical: .categorical
            }
            #expect(actual == expected, "\(attribute.name)")
            #expect(attribute.role == (attribute.name.hasPrefix("profile_") ? .profile : .segment))
        }
        let kinds = schema.segmentAttributes.map(\.kind.name)
        #expect(kinds.filter { $0 == "categorical" }.count == 2)
        #expect(kinds.filter { $0 == "binary" }.count >= 3)
        #expect(kinds.filter { $0 == "ordinal" }.count >= 4)
        #expect(kinds.filter { $0 == "continuous" }.count >= 5)
    }

    @Test(arguments: [0.0, 0.03, 0.1])
    func missingRateIsCloseToConfigured(rate: Double) {
        let (table, _) = generator(5000) { $0.missingRate = rate }.firstPeriod()
        let prone = Set(SyntheticCustomers.columnsWithMissingValues)
        #expect((4...10).contains(prone.count))
        #expect(!prone.contains("customer_id"))
        var emptyCells = 0, proneCells = 0
        for (name, cells) in zip(table.columnNames, table.columns) {
            let empty = cells.filter(\.isEmpty).count
            if prone.contains(name) {
                #expect(abs(Double(empty) / Double(cells.count) - rate) < 0.012, "\(name): \(empty) empty")
                emptyCells += empty
                proneCells += cells.count
            } else {
                #expect(empty == 0, "\(name) has no missing values")
            }
        }
        #expect(abs(Double(emptyCells) / Double(proneCells) - rate) < 0.005)
    }

    @Test func personaSharesFollowTheMixture() {
        let (_, persona) = generator(6000).firstPeriod()
        #expect(SyntheticCustomers.personaNames.count == 6)
        #expect(Set(persona) == Set(0..<6))
        for (p, share) in SyntheticCustomers.defaultPersonaShares.enumerated() {
            let observed = Double(persona.filter { $0 == p }.count) / Double(persona.count)
            #expect(abs(observed - share) < 0.02, "\(SyntheticCustomers.personaNames[p])")
        }
    }

    @Test func personasDifferInPlausibleWays() {
        let (table, persona) = generator(4000).firstPeriod()
        // Persona order: young professionals, families, retirees, students, affluent, savers.
        let income = personaMeans(table, persona, column: "finance_monthly_income_eur")
        #expect(income[4] > 1.5 * income[1])
        #expect(income[4] > 5 * income[3])
        #expect(income.indices.allSatisfy { income[3] <= income[$0] })
        let age = personaMeans(table, persona, column: "lifestyle_age")
        #expect(age[2] > 65 && age[3] < 25 && age[0] < age[1])
        let value = personaMeans(table, persona, column: "profile_customer_value")
        #expect(value.indices.allSatisfy { value[4] >= value[$0] })
        #expect(value[3] == value.min())
        let children = personaMeans(table, persona, column: "lifestyle_has_children")
        #expect(children[1] > 0.7 && children[3] < 0.1)
        let fear = personaMeans(table, persona, column: "fear_financial_loss")
        #expect(fear[5] == fear.max())
        let social = personaMeans(table, persona, column: "media_social_minutes_day")
        #expect(social[3] == social.max() && social[2] == social.min())
    }

    @Test func customerValueIsHeavyTailed() {
        let (table, _) = generator(5000).firstPeriod()
        let values = table.column(named: "profile_customer_value")!.compactMap(Double.init).sorted()
        #expect(values.count == 5000)
        #expect(values.allSatisfy { $0 > 0 })
        let median = values[values.count / 2]
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(mean > 1.2 * median)
        #expect(values[values.count * 99 / 100] > 6 * median)
    }

    @Test func personasAreRecoverableByKMeans() {
        let (table, persona) = generator(1500).firstPeriod()
        let points = standardizedSegmentFeatures(table)
        let labels = simpleKMeans(points, k: 6, restarts: 4, seed: 7)
        let accuracy = bestMatchAccuracy(labels, persona, k: 6)
        #expect(accuracy > 0.9, "k-means recovers \(accuracy) of the true personas")
        #expect(accuracy < 0.999, "personas overlap a little")
    }

    @Test func secondPeriodKeepsCustomersAndMovesTheConfiguredFraction() throws {
        let n = 4000
        let synthetic = generator(n)
        let first = synthetic.firstPeriod()
        let second = synthetic.secondPeriod()
        let ids1 = first.table.column(named: "customer_id")!
        let ids2 = second.table.column(named: "customer_id")!
        #expect(second.truePersona.count == second.table.rowCount)
        #expect(second.table.columnNames == first.table.columnNames)

        // Kept customers keep their order; new customers follow, with fresh ids.
        let position1 = Dictionary(uniqueKeysWithValues: ids1.enumerated().map { ($1, $0) })
        let kept = ids2.filter { position1[$0] != nil }
        let new = ids2.filter { position1[$0] == nil }
        #expect(kept.map { position1[$0]! } == kept.map { position1[$0]! }.sorted())
        #expect(Array(ids2.prefix(kept.count)) == kept)
        #expect(kept.count == n - Int((0.04 * Double(n)).rounded()))
        #expect(new.count == Int((0.05 * Double(n)).rounded()))
        #expect(new.first == "C004001")

        // Movers: exactly the configured fraction, all present, all with a new persona.
        #expect(second.movedIDs.count == Int((0.12 * Double(n)).rounded()))
        #expect(second.movedIDs.isSubset(of: Set(kept)))
        var changed = 0
        for (row, id) in ids2.enumerated() {
            guard let old = position1[id] else { continue }
            let before = first.truePersona[old], after = second.truePersona[row]
            if second.movedIDs.contains(id) {
                #expect(before != after)
                #expect(SyntheticCustomers.transitionProbabilities[before][after] > 0)
                changed += 1
            } else {
                #expect(before == after)
            }
            // Age never changes between the periods.
            #expect(first.table.columns[1][old] == second.table.columns[1][row])
        }
        #expect(changed == second.movedIDs.count)
        // Nobody becomes a student; most students who move become young professionals.
        let studentMoves = second.movedIDs.compactMap { id -> Int? in
            let old = position1[id]!
            return first.truePersona[old] == 3 ? second.truePersona[ids2.firstIndex(of: id)!] : nil
        }
        #expect(!studentMoves.isEmpty)
        #expect(Double(studentMoves.filter { $0 == 0 }.count) > 0.5 * Double(studentMoves.count))
    }

    @Test func stayersRemainSimilar() throws {
        let synthetic = generator(2000)
        let first = synthetic.firstPeriod(), second = synthetic.secondPeriod()
        let ids1 = first.table.column(named: "customer_id")!
        let position1 = Dictionary(uniqueKeysWithValues: ids1.enumerated().map { ($1, $0) })
        let ids2 = second.table.column(named: "customer_id")!
        let income1 = first.table.column(named: "finance_monthly_income_eur")!
        let income2 = second.table.column(named: "finance_monthly_income_eur")!
        var pairs: [(Double, Double)] = []
        for (row, id) in ids2.enumerated() where !second.movedIDs.contains(id) {
            guard let old = position1[id], let a = Double(income1[old]), let b = Double(income2[row]) else { continue }
            pairs.append((log(a), log(b)))
        }
        #expect(pairs.count > 1500)
        #expect(correlation(pairs) > 0.9)
        // But period 2 is not a copy of period 1.
        #expect(pairs.contains { $0.0 != $0.1 })
    }

    @Test func frozenSecondPeriodEqualsTheFirst() {
        let synthetic = generator(500) {
            $0.missingRate = 0
            $0.switchFraction = 0
            $0.churnFraction = 0
            $0.newCustomerFraction = 0
            $0.stability = 1
            $0.journeyProgressRate = 0
        }
        let first = synthetic.firstPeriod(), second = synthetic.secondPeriod()
        #expect(second.table == first.table)
        #expect(second.truePersona == first.truePersona)
        #expect(second.movedIDs.isEmpty)
    }

    @Test func zeroCustomersGiveEmptyTables() {
        let synthetic = generator(0)
        let first = synthetic.firstPeriod(), second = synthetic.secondPeriod()
        #expect(first.table.rowCount == 0 && first.truePersona.isEmpty)
        #expect(first.table.columnNames == SyntheticCustomers.columnNames)
        #expect(second.table.rowCount == 0 && second.movedIDs.isEmpty)
    }

    @Test func newCustomerSharesDriveTheNewcomers() {
        let synthetic = generator(2000) {
            $0.newCustomerFraction = 0.25
            $0.newCustomerShares = [0, 0, 0, 1, 0, 0]
        }
        let second = synthetic.secondPeriod()
        let newcomers = second.truePersona.suffix(500)
        #expect(newcomers.allSatisfy { $0 == 3 })
    }

    @Test func journeyPhasesOnlyAdvance() {
        let synthetic = generator(2000)
        let first = synthetic.firstPeriod(), second = synthetic.secondPeriod()
        let phases = SyntheticCustomers.journeyPhases
        let ids1 = first.table.column(named: "customer_id")!
        let position1 = Dictionary(uniqueKeysWithValues: ids1.enumerated().map { ($1, $0) })
        let j1 = first.table.column(named: "profile_journey_phase")!
        let j2 = second.table.column(named: "profile_journey_phase")!
        var advanced = 0, total = 0
        for (row, id) in second.table.column(named: "customer_id")!.enumerated() {
            guard let old = position1[id] else { continue }
            let a = phases.firstIndex(of: j1[old])!, b = phases.firstIndex(of: j2[row])!
            #expect(b == a || (b == a + 1))
            if b > a { advanced += 1 }
            total += 1
        }
        #expect(advanced > 0 && Double(advanced) < 0.25 * Double(total))
    }

    @Test func formattingIsPlain() {
        #expect(SyntheticCustomers.format(1234.5, decimals: 1) == "1234.5")
        #expect(SyntheticCustomers.format(1234.04, decimals: 1) == "1234")
        #expect(SyntheticCustomers.format(12, decimals: 2) == "12")
        #expect(SyntheticCustomers.format(0.07, decimals: 2) == "0.07")
        #expect(SyntheticCustomers.format(0.5, decimals: 2) == "0.5")
        #expect(SyntheticCustomers.format(0.001, decimals: 2) == "0")
        #expect(SyntheticCustomers.format(-3.25, decimals: 1) == "-3.3")
        #expect(SyntheticCustomers.format(98765.432, decimals: 0) == "98765")
    }

    @Test func typesAreSendableAndHashable() {
        let configuration = SyntheticCustomers.Configuration()
        let sendable: any Sendable = SyntheticCustomers(configuration: configuration)
        #expect(sendable is SyntheticCustomers)
        #expect(Set([configuration, configuration]).count == 1)
        #expect(configuration.customerCount == 5000 && configuration.seed == 2026 && configuration.missingRate == 0.03)
        #expect(configuration.switchFraction == 0.12)
        for row in SyntheticCustomers.transitionProbabilities {
            #expect(abs(row.reduce(0, +) - 1) < 1e-12)
        }
    }
}

// MARK: - Helpers: a tiny independent k-means, so this test does not depend on the product's.

/// Numeric columns z-scored (missing → 0), categoricals one-hot then z-scored; segment columns only.
private func standardizedSegmentFeatures(_ table: RawTable) -> [[Double]] {
    var features: [[Double]] = []
    for (name, cells) in zip(table.columnNames, table.columns)
    where name != "customer_id" && !name.hasPrefix("profile_") {
        if cells.contains(where: { !$0.isEmpty && Double($0) == nil }) {
            for category in Set(cells.filter { !$0.isEmpty }).sorted() {
                features.append(cells.map { $0.isEmpty ? .nan : ($0 == category ? 1 : 0) })
            }
        } else {
            features.append(cells.map { Double($0) ?? .nan })
        }
    }
    let standardized = features.map { column -> [Double] in
        let present = column.filter { !$0.isNaN }
        let mean = present.reduce(0, +) / Double(present.count)
        let sd = (present.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(present.count)).squareRoot()
        return column.map { $0.isNaN ? 0 : ($0 - mean) / max(sd, 1e-12) }
    }
    let n = table.rowCount
    return (0..<n).map { i in standardized.map { $0[i] } }
}

private func simpleKMeans(_ points: [[Double]], k: Int, restarts: Int, seed: UInt64) -> [Int] {
    func distance(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for j in a.indices { let t = a[j] - b[j]; s += t * t }
        return s
    }
    var best: (labels: [Int], inertia: Double) = ([], .infinity)
    for restart in 0..<restarts {
        var random = SeededGenerator(seed: seed, stream: UInt64(restart))
        // k-means++ seeding.
        var centers = [points[Int(random.next() % UInt64(points.count))]]
        var nearest = points.map { distance($0, centers[0]) }
        while centers.count < k {
            var target = random.nextUnitDouble() * nearest.reduce(0, +)
            var pick = points.count - 1
            for (i, d) in nearest.enumerated() { target -= d; if target < 0 { pick = i; break } }
            centers.append(points[pick])
            for i in points.indices { nearest[i] = min(nearest[i], distance(points[i], points[pick])) }
        }
        var labels = [Int](repeating: -1, count: points.count)
        var inertia = 0.0
        for _ in 0..<50 {
            inertia = 0
            var changed = false
            for (i, point) in points.enumerated() {
                var bestCenter = 0, bestDistance = Double.infinity
                for (c, center) in centers.enumerated() {
                    let d = distance(point, center)
                    if d < bestDistance { bestDistance = d; bestCenter = c }
                }
                if labels[i] != bestCenter { labels[i] = bestCenter; changed = true }
                inertia += bestDistance
            }
            if !changed { break }
            var sums = [[Double]](repeating: [Double](repeating: 0, count: points[0].count), count: k)
            var counts = [Int](repeating: 0, count: k)
            for (i, point) in points.enumerated() {
                counts[labels[i]] += 1
                for j in point.indices { sums[labels[i]][j] += point[j] }
            }
            for c in 0..<k where counts[c] > 0 { centers[c] = sums[c].map { $0 / Double(counts[c]) } }
        }
        if inertia < best.inertia { best = (labels, inertia) }
    }
    return best.labels
}

/// The share of points whose cluster maps to their true persona under the best one-to-one matching.
private func bestMatchAccuracy(_ labels: [Int], _ truth: [Int], k: Int) -> Double {
    var table = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
    for (label, persona) in zip(labels, truth) { table[label][persona] += 1 }
    var best = 0
    func search(_ row: Int, _ used: Set<Int>, _ total: Int) {
        if row == k { best = max(best, total); return }
        for column in 0..<k where !used.contains(column) {
            search(row + 1, used.union([column]), total + table[row][column])
        }
    }
    search(0, [], 0)
    return Double(best) / Double(labels.count)
}

private func correlation(_ pairs: [(Double, Double)]) -> Double {
    let n = Double(pairs.count)
    let mx = pairs.map(\.0).reduce(0, +) / n, my = pairs.map(\.1).reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (x, y) in pairs { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx); syy += (y - my) * (y - my) }
    return sxy / (sxx * syy).squareRoot()
}
