import PersonaKit
import Testing

/// The smallest total cost over every one-to-one assignment of `min(rows, columns)` pairs,
/// by enumeration: the reference for the Hungarian method.
private func bruteForceMinimum(_ costs: [Double], rows: Int, columns: Int) -> Double {
    func cost(_ i: Int, _ j: Int) -> Double { rows <= columns ? costs[i * columns + j] : costs[j * columns + i] }
    let (n, m) = (min(rows, columns), max(rows, columns))
    var best = Double.infinity
    var used = [Bool](repeating: false, count: m)
    func visit(_ i: Int, _ total: Double) {
        if i == n { best = min(best, total); return }
        for j in 0..<m where !used[j] {
            used[j] = true
            visit(i + 1, total + cost(i, j))
            used[j] = false
        }
    }
    visit(0, 0)
    return best
}

/// Checks that a solution is a valid assignment whose total is the sum of its pairs.
private func checkValid(_ solution: Hungarian.Solution, _ costs: [Double], rows: Int, columns: Int) {
    #expect(solution.columnOfRow.count == rows)
    let columnsUsed = solution.columnOfRow.compactMap { $0 }
    #expect(columnsUsed.count == min(rows, columns))
    #expect(Set(columnsUsed).count == columnsUsed.count)
    #expect(columnsUsed.allSatisfy { (0..<columns).contains($0) })
    let sum = solution.pairs.reduce(0.0) { $0 + costs[$1.row * columns + $1.column] }
    #expect(abs(sum - solution.total) < 1e-9)
}

@Suite("drift: Hungarian assignment")
struct DriftHungarianTests {
    @Test("hand-worked 3 × 3: the optimum 0→1, 1→0, 2→2 costs 5")
    func handWorked() {
        // Rows: workers, columns: jobs. Optimum: 0→1 (1), 1→0 (2), 2→2 (2) = 5.
        let costs: [Double] = [4, 1, 3,
                               2, 0, 5,
                               3, 2, 2]
        let solution = Hungarian.minimumCost(costs, rows: 3, columns: 3)
        #expect(solution.columnOfRow == [1, 0, 2])
        #expect(solution.total == 5)
    }

    @Test("maximum weight equals minimum cost of the negated matrix", arguments: [UInt64(1), 2, 3, 4, 5])
    func maximumWeight(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let (rows, columns) = (4, 5)
        let weights = (0..<rows * columns).map { _ in Double(Int(rng.nextUnitDouble() * 10)) }
        let best = -bruteForceMinimum(weights.map { -$0 }, rows: rows, columns: columns)
        let solution = Hungarian.maximumWeight(weights, rows: rows, columns: columns)
        checkValid(solution, weights, rows: rows, columns: columns)
        #expect(solution.total == best)
    }

    @Test("equals brute force on every shape up to 6 × 6: random costs, ties, rectangular both ways",
          arguments: 1...6)
    func againstBruteForce(rows: Int) {
        for columns in 1...6 {
            var rng = SeededGenerator(seed: UInt64(rows * 100 + columns))
            for trial in 0..<40 {
                // Alternate continuous costs with small integers (many ties) and with a
                // constant matrix (everything ties).
                let costs: [Double] = (0..<rows * columns).map { _ in
                    switch trial % 3 {
                    case 0: return rng.nextUnitDouble() * 100 - 50
                    case 1: return Double(Int(rng.nextUnitDouble() * 3))
                    default: return 7
                    }
                }
                let solution = Hungarian.minimumCost(costs, rows: rows, columns: columns)
                checkValid(solution, costs, rows: rows, columns: columns)
                #expect(abs(solution.total - bruteForceMinimum(costs, rows: rows, columns: columns)) < 1e-9,
                        "rows \(rows), columns \(columns), trial \(trial)")
            }
        }
    }

    @Test("empty matrices give empty assignments")
    func empty() {
        #expect(Hungarian.minimumCost([], rows: 0, columns: 3).columnOfRow == [])
        #expect(Hungarian.minimumCost([], rows: 2, columns: 0).columnOfRow == [nil, nil])
        #expect(Hungarian.minimumCost([], rows: 0, columns: 0).total == 0)
    }

    @Test("a large random matrix: optimal against every single swap of two rows' columns")
    func noImprovingSwap() {
        var rng = SeededGenerator(seed: 99)
        let n = 60
        let costs = (0..<n * n).map { _ in rng.nextUnitDouble() }
        let solution = Hungarian.minimumCost(costs, rows: n, columns: n)
        checkValid(solution, costs, rows: n, columns: n)
        let c = solution.columnOfRow.map { $0! }
        for a in 0..<n {
            for b in (a + 1)..<n {
                let swapped = costs[a * n + c[b]] + costs[b * n + c[a]]
                #expect(swapped >= costs[a * n + c[a]] + costs[b * n + c[b]] - 1e-12)
            }
        }
    }
}
