/// The weighted column means and total scatter of a data set, computed once per fit: the
/// stopping threshold and the accelerated steps' per-iteration inertia derive from them.
struct DataMoments: Sendable {
    /// The weighted mean of every column.
    let means: [Double]
    /// Σ w.
    let totalWeight: Double
    /// Σ w × ‖x − mean‖².
    let scatter: Double

    /// Sums in row order, column by column (as `FeatureMatrix.columnMeans`), so the values
    /// do not depend on anything but the data.
    /// - Complexity: O(n × d).
    init(_ data: FeatureMatrix, weights: [Double]?) {
        let n = data.rows, d = data.columns
        var sums = [Double](repeating: 0, count: d)
        var total = 0.0
        var scatter = 0.0
        data.withValues { x in
            weights.withRowWeights { w in
                sums.withUnsafeMutableBufferPointer { s in
                    for r in 0..<n {
                        if let w {
                            total += w[r]
                            Partition.add(x + r * d, times: w[r], to: s.baseAddress!, d)
                        } else {
                            total += 1
                            Partition.add(x + r * d, to: s.baseAddress!, d)
                        }
                    }
                }
                guard total > 0 else { return }
                let means = sums.map { $0 / total }
                means.withUnsafeBufferPointer { m in
                    for r in 0..<n {
                        let weight = w?[r] ?? 1
                        let point = x + r * d
                        for j in 0..<d {
                            let t = Double(point[j]) - m[j]
                            scatter += weight * t * t
                        }
                    }
                }
                sums = means
            }
        }
        self.means = total > 0 ? sums : [Double](repeating: 0, count: d)
        self.totalWeight = total
        self.scatter = total > 0 ? scatter : 0
    }

    /// The mean over columns of the (weighted) population variance.
    var meanColumnVariance: Double {
        totalWeight > 0 ? scatter / totalWeight / Double(means.count) : 0
    }

    /// Σ w × ‖x − c(x)‖² over rows labelled into clusters with the given sums and weights
    /// and measured against `centres`, from the sums alone:
    /// scatter − Σ_c [2 (c − μ)·(S_c − W_c μ) − W_c ‖c − μ‖²]. Equal to the inertia up to
    /// rounding (it is centred on the mean to limit cancellation).
    /// - Complexity: O(k × d).
    func inertia(centres: CentreTable, sums: UnsafePointer<Double>, weights: UnsafePointer<Double>) -> Double {
        let k = centres.k, d = centres.d
        var explained = 0.0
        for c in 0..<k where weights[c] > 0 {
            let w = weights[c]
            var cross = 0.0, norm = 0.0
            for j in 0..<d {
                let offset = Double(centres.rows[c * d + j]) - means[j]
                cross += offset * (sums[c * d + j] - w * means[j])
                norm += offset * offset
            }
            explained += 2 * cross - w * norm
        }
        return max(0, scatter - explained)
    }
}

extension Optional where Wrapped == [Double] {
    /// Calls `body` with a pointer to the weights, or `nil` when there are none.
    @inline(__always)
    func withRowWeights<R>(_ body: (UnsafePointer<Double>?) throws -> R) rethrows -> R {
        switch self {
        case .some(let weights): try weights.withUnsafeBufferPointer { try body($0.baseAddress!) }
        case .none: try body(nil)
        }
    }
}
