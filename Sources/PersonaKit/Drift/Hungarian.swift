/// Optimal one-to-one assignment on a rectangular cost matrix (the Hungarian method).
///
/// Rows are matched to distinct columns so that the total cost is as small as possible
/// (``minimumCost(_:rows:columns:)``) or the total weight as large as possible
/// (``maximumWeight(_:rows:columns:)``). With `rows ≠ columns` exactly `min(rows, columns)`
/// pairs are formed; the other rows (or columns) stay unmatched.
///
/// The implementation is the shortest-augmenting-path form of the Kuhn–Munkres algorithm
/// with row and column potentials (dual variables), as in Jonker & Volgenant: one augmenting
/// path per row, each found in O(columns²), so O(n² m) in all for an n × m matrix with
/// n ≤ m (the matrix is transposed otherwise), O(n³) for a square one.
///
/// References: H. W. Kuhn, "The Hungarian method for the assignment problem", Naval Research
/// Logistics Quarterly 2, 1955; J. Munkres, "Algorithms for the assignment and transportation
/// problems", J. SIAM 5, 1957; R. Jonker & A. Volgenant, "A shortest augmenting path algorithm
/// for dense and sparse linear assignment problems", Computing 38, 1987.
///
/// ```swift
/// let costs: [Double] = [4, 1, 3,
///                        2, 0, 5]          // 2 × 3, row-major
/// let solution = Hungarian.minimumCost(costs, rows: 2, columns: 3)
/// // solution.columnOfRow == [1, 0], solution.total == 3
/// ```
public enum Hungarian {
    /// An optimal assignment.
    public struct Solution: Sendable, Hashable {
        /// For every row, its column, or `nil` when the row is left unmatched (only when
        /// there are more rows than columns).
        public var columnOfRow: [Int?]
        /// The total cost (or weight) of the matched pairs, summed from the input values.
        public var total: Double

        /// The matched pairs `(row, column)`, by increasing row.
        public var pairs: [(row: Int, column: Int)] {
            columnOfRow.enumerated().compactMap { row, column in column.map { (row, $0) } }
        }
    }

    /// The assignment of smallest total cost.
    ///
    /// - Parameters:
    ///   - costs: the cost of pairing row `i` with column `j` at `costs[i * columns + j]`
    ///     (flat, row-major); every value finite.
    ///   - rows: the number of rows (≥ 0).
    ///   - columns: the number of columns (≥ 0).
    /// - Returns: `min(rows, columns)` pairs of minimal total cost. Among equal-cost
    ///   optima the result is deterministic.
    /// - Precondition: `costs.count == rows * columns` and every cost is finite.
    /// - Complexity: O(min(rows, columns)² × max(rows, columns)).
    public static func minimumCost(_ costs: [Double], rows: Int, columns: Int) -> Solution {
        precondition(rows >= 0 && columns >= 0 && costs.count == rows * columns, "costs must fill rows × columns")
        precondition(costs.allSatisfy(\.isFinite), "costs must be finite")
        if rows <= columns {
            let columnOfRow = solve(costs, n: rows, m: columns)
            return Solution(columnOfRow: columnOfRow.map { Optional($0) },
                            total: columnOfRow.enumerated().reduce(0) { $0 + costs[$1.offset * columns + $1.element] })
        }
        // More rows than columns: solve the transpose, whose rows are our columns.
        var transposed = [Double](repeating: 0, count: costs.count)
        for i in 0..<rows { for j in 0..<columns { transposed[j * rows + i] = costs[i * columns + j] } }
        let rowOfColumn = solve(transposed, n: columns, m: rows)
        var columnOfRow = [Int?](repeating: nil, count: rows)
        var total = 0.0
        for (j, i) in rowOfColumn.enumerated() {
            columnOfRow[i] = j
            total += costs[i * columns + j]
        }
        return Solution(columnOfRow: columnOfRow, total: total)
    }

    /// The assignment of largest total weight (for example the most shared members).
    ///
    /// - Parameters:
    ///   - weights: the weight of pairing row `i` with column `j` at `weights[i * columns + j]`;
    ///     every value finite.
    ///   - rows: the number of rows (≥ 0).
    ///   - columns: the number of columns (≥ 0).
    /// - Returns: `min(rows, columns)` pairs of maximal total weight; ``Solution/total`` is
    ///   that weight.
    /// - Precondition: as ``minimumCost(_:rows:columns:)``.
    /// - Complexity: O(min(rows, columns)² × max(rows, columns)).
    public static func maximumWeight(_ weights: [Double], rows: Int, columns: Int) -> Solution {
        let largest = weights.max() ?? 0
        var solution = minimumCost(weights.map { largest - $0 }, rows: rows, columns: columns)
        solution.total = solution.pairs.reduce(0) { $0 + weights[$1.row * columns + $1.column] }
        return solution
    }

    /// Shortest augmenting paths with potentials for an n × m matrix, n ≤ m: the column of
    /// every row.
    private static func solve(_ a: [Double], n: Int, m: Int) -> [Int] {
        guard n > 0 else { return [] }
        // 1-based arrays with a virtual column 0 that holds the row being inserted.
        var u = [Double](repeating: 0, count: n + 1)      // row potentials
        var v = [Double](repeating: 0, count: m + 1)      // column potentials
        var rowOfColumn = [Int](repeating: 0, count: m + 1)
        var way = [Int](repeating: 0, count: m + 1)       // previous column on the path
        var minimum = [Double](repeating: 0, count: m + 1)
        var used = [Bool](repeating: false, count: m + 1)
        for row in 1...n {
            rowOfColumn[0] = row
            var column = 0
            for j in 0...m { minimum[j] = .infinity; used[j] = false }
            repeat {
                used[column] = true
                let i = rowOfColumn[column]
                var delta = Double.infinity
                var next = 0
                for j in 1...m where !used[j] {
                    let reduced = a[(i - 1) * m + (j - 1)] - u[i] - v[j]
                    if reduced < minimum[j] { minimum[j] = reduced; way[j] = column }
                    if minimum[j] < delta { delta = minimum[j]; next = j }
                }
                for j in 0...m {
                    if used[j] {
                        u[rowOfColumn[j]] += delta
                        v[j] -= delta
                    } else {
                        minimum[j] -= delta
                    }
                }
                column = next
            } while rowOfColumn[column] != 0
            // Flip the augmenting path.
            repeat {
                let previous = way[column]
                rowOfColumn[column] = rowOfColumn[previous]
                column = previous
            } while column != 0
        }
        var columnOfRow = [Int](repeating: 0, count: n)
        for j in 1...m where rowOfColumn[j] != 0 { columnOfRow[rowOfColumn[j] - 1] = j - 1 }
        return columnOfRow
    }
}
