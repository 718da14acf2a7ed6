/// The weighted column means and total scatter of a data set, computed once per fit: the
/// stopping threshold and the accelerated steps' per-iteration inertia derive from them.
struct DataMoments: Sendable {
    /// The weighted mean of every column.
    let means: [Double]
    /// Σ w.
    let totalWeight: Double
    /// Σ w × ‖x − mean‖².
    let scatter: Double

    /// Sums per chunk of rows (see ``ChunkedParallel``), in parallel, combined in chunk
    /// order: the values do not depend on the thread count.
    /// - Complexity: O(n × d).
    init(_ data: FeatureMatrix, weights: [Double]?, threads: Int?) {
        let d = data.columns
        let plan = ChunkedParallel(rows: data.rows, threads: threads)
        let chunks = plan.chunkCount
        let chunkSums = WorkBuffer<Double>(repeating: 0, count: chunks * d)
        let chunkTotals = WorkBuffer<Double>(repeating: 0, count: chunks)
        plan.forEachChunk { chunk, rows in
            data.withValues { x in
                weights.withRowWeights { w in
                    let sums = chunkSums.base + chunk * d
                    var total = 0.0
                    for r in rows {
                        if let w {
                            total += w[r]
                            Partition.add(x + r * d, times: w[r], to: sums, d)
                        } else {
                            total += 1
                            Partition.add(x + r * d, to: sums, d)
                        }
                    }
                    chunkTotals[chunk] = total
                }
            }
        }
        var sums = [Double](repeating: 0, count: d)
        var total = 0.0
        for chunk in 0..<chunks {
            total += chunkTotals[chunk]
            for j in 0..<d { sums[j] += chunkSums[chunk * d + j] }
        }
        guard total > 0 else {
            self.means = sums
            self.totalWeight = total
            self.scatter = 0
            return
        }
        let means = sums.map { $0 / total }
        let chunkScatter = WorkBuffer<Double>(repeating: 0, count: chunks)
        plan.forEachChunk { chunk, rows in
            data.withValues { x in
                weights.withRowWeights { w in
                    means.withUnsafeBufferPointer { m in
                        var scatter = SIMD4<Double>()
                        for r in rows {
                            let weight = SIMD4<Double>(repeating: w?[r] ?? 1)
                            let point = x + r * d
                            var j = 0
                            while j + 4 <= d {
                                let t = SIMD4<Double>(UnsafeRawPointer(point + j).loadUnaligned(as: SIMD4<Float>.self))
                                    - UnsafeRawPointer(m.baseAddress! + j).loadUnaligned(as: SIMD4<Double>.self)
                                scatter += weight * t * t
                                j += 4
                            }
                            while j < d {
                                let t = Double(point[j]) - m[j]
                                scatter[0] += weight[0] * t * t
                                j += 1
                            }
                        }
                        chunkScatter[chunk] = scatter.sum()
                    }
                }
            }
        }
        var scatter = 0.0
        for chunk in 0..<chunks { scatter += chunkScatter[chunk] }
        self.means = means
        self.totalWeight = total
        self.scatter = scatter
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
