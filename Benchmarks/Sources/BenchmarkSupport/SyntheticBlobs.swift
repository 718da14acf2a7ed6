import Foundation
import PersonaKit

/// Gaussian blobs with moderate overlap: the data every kernel benchmark runs on.
///
/// The recipe is the one `compare.py` uses for its data sets (the random streams differ):
/// `clusters` centres drawn from N(0, 0.6²) per column, cluster sizes from a flat Dirichlet,
/// every point its centre plus N(0, s²) noise with a per-cluster spread s in [0.8, 1.2].
/// Neighbouring clusters overlap, so k-means needs tens of iterations, as on real customers.
public enum SyntheticBlobs {
    /// Standard deviation of the cluster centres per column.
    public static let centreSpread = 0.6

    /// A `rows × columns` matrix of blobs around `clusters` centres, rows in random order.
    /// The same arguments give the same matrix.
    /// - Complexity: O(rows × columns).
    public static func matrix(rows: Int, columns: Int, clusters: Int, seed: UInt64) -> FeatureMatrix {
        precondition(rows >= 1 && columns >= 1 && clusters >= 1, "rows, columns and clusters must be positive")
        var rng = SeededGenerator(seed: seed)
        var normal = NormalSampler()
        let centres = (0..<(clusters * columns)).map { _ in centreSpread * normal.next(using: &rng) }
        let spreads = (0..<clusters).map { _ in 0.8 + 0.4 * rng.nextUnitDouble() }
        // Unequal sizes: cumulative Dirichlet(1, …, 1) weights, sampled per row.
        let gaps = (0..<clusters).map { _ in -log(max(rng.nextUnitDouble(), .leastNonzeroMagnitude)) }
        let total = gaps.reduce(0, +)
        var cumulative = [Double]()
        var running = 0.0
        for gap in gaps { running += gap / total; cumulative.append(running) }
        var values = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            let u = rng.nextUnitDouble()
            let c = cumulative.firstIndex(where: { u < $0 }) ?? clusters - 1
            for j in 0..<columns {
                values[r * columns + j] = Float(centres[c * columns + j] + spreads[c] * normal.next(using: &rng))
            }
        }
        return FeatureMatrix(rows: rows, columns: columns, values: values)
    }

    /// `k` rows spread evenly over the matrix: a fixed, cheap start for the iteration and
    /// assignment benchmarks (rows are in random order, so these are random points).
    /// - Complexity: O(k × columns).
    public static func evenlySpacedRows(of data: FeatureMatrix, count k: Int) -> FeatureMatrix {
        precondition(k >= 1 && k <= data.rows, "k must be in 1…rows")
        return data.selecting(rows: (0..<k).map { $0 * (data.rows / k) })
    }
}

/// Standard normal draws (Box–Muller), two per pair of uniforms.
struct NormalSampler {
    private var spare: Double?

    mutating func next(using rng: inout SeededGenerator) -> Double {
        if let value = spare { spare = nil; return value }
        let u = max(rng.nextUnitDouble(), .leastNonzeroMagnitude)
        let v = rng.nextUnitDouble()
        let radius = (-2 * log(u)).squareRoot()
        spare = radius * sin(2 * .pi * v)
        return radius * cos(2 * .pi * v)
    }
}
