/// A dense matrix of encoded features, stored flat in row-major order as `Float`.
///
/// Row `r`, column `c` is `values[r * columns + c]`.
public struct FeatureMatrix: Sendable, Equatable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The values, row-major.
    public var values: [Float]

    /// Creates a matrix from row-major values.
    /// - Precondition: `values.count == rows * columns`.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns, "values must fill rows × columns")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Creates a matrix of zeros.
    public init(rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: Array(repeating: 0, count: rows * columns))
    }

    /// Creates a matrix from nested rows (convenient in tests and examples).
    /// - Precondition: every row has the same length.
    public init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "rows must have equal length")
        self.init(rows: rows.count, columns: columns, values: rows.flatMap { $0 })
    }

    /// The element at `row`, `column`.
    @inlinable
    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Calls `body` with a pointer to the row-major values.
    @inlinable
    public func withValues<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// A copy of row `row`.
    /// - Complexity: O(columns).
    public func row(_ row: Int) -> [Float] {
        Array(values[row * columns ..< (row + 1) * columns])
    }

    /// A matrix holding the given rows, in order.
    /// - Complexity: O(rows.count × columns).
    public func selecting(rows selected: some Sequence<Int>) -> FeatureMatrix {
        var out = [Float]()
        var count = 0
        for r in selected {
            out.append(contentsOf: values[r * columns ..< (r + 1) * columns])
            count += 1
        }
        return FeatureMatrix(rows: count, columns: columns, values: out)
    }

    /// The (weighted) mean of every column and the total weight, or `nil` when the total
    /// weight is 0.
    /// - Complexity: O(rows × columns).
    public func columnMeans(weights: [Double]? = nil) -> (means: [Double], totalWeight: Double)? {
        var total = 0.0
        var means = [Double](repeating: 0, count: columns)
        for r in 0..<rows {
            let w = weights?[r] ?? 1
            total += w
            for j in 0..<columns { means[j] += w * Double(values[r * columns + j]) }
        }
        guard total > 0 else { return nil }
        return (means.map { $0 / total }, total)
    }
}
