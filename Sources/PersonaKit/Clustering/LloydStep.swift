/// One Lloyd iteration: label every row with its nearest centre, then move every centre to
/// the weighted mean of its rows.
///
/// Work is split into fixed chunks (see ``ChunkedParallel``); per-chunk sums are kept in
/// `Double` and combined in chunk order, so the new centres do not depend on the thread
/// count.
///
/// - Complexity: O(n × k × d) per iteration.
struct LloydStep {
    let data: FeatureMatrix
    let weights: [Double]?
    let plan: ChunkedParallel
    let k: Int

    /// The outcome of one iteration.
    struct Outcome {
        /// Centre sums per cluster (k × d, `Double`).
        var sums: [Double]
        /// Total weight per cluster.
        var clusterWeights: [Double]
        /// Σ w × squared distance to the centre each row was labelled with.
        var inertia: Double
    }

    /// Labels rows against `centers`, writing `labels` and squared `distances`, and returns
    /// the per-cluster sums.
    func run(centers: [Float], labels: WorkBuffer<Int32>, distances: WorkBuffer<Float>) -> Outcome {
        let d = data.columns, k = self.k, chunks = plan.chunkCount
        let chunkSums = WorkBuffer<Double>(repeating: 0, count: chunks * k * d)
        let chunkWeights = WorkBuffer<Double>(repeating: 0, count: chunks * k)
        let chunkInertia = WorkBuffer<Double>(repeating: 0, count: chunks)
        let (data, weights) = (self.data, self.weights)
        plan.forEachChunk { chunk, rows in
            data.withValues { x in
                centers.withUnsafeBufferPointer { c in
                    let sums = chunkSums.base + chunk * k * d
                    let clusterWeights = chunkWeights.base + chunk * k
                    var inertia = 0.0
                    for r in rows {
                        let point = x + r * d
                        let (best, bestDistance) = DistanceKernel.nearest(point, centers: c.baseAddress!, k: k, d: d)
                        labels[r] = Int32(best)
                        distances[r] = bestDistance
                        let w = weights?[r] ?? 1
                        inertia += w * Double(bestDistance)
                        clusterWeights[best] += w
                        let target = sums + best * d
                        for j in 0..<d { target[j] += w * Double(point[j]) }
                    }
                    chunkInertia[chunk] = inertia
                }
            }
        }
        var outcome = Outcome(sums: [Double](repeating: 0, count: k * d),
                              clusterWeights: [Double](repeating: 0, count: k), inertia: 0)
        for chunk in 0..<chunks {
            for i in 0..<(k * d) { outcome.sums[i] += chunkSums[chunk * k * d + i] }
            for c in 0..<k { outcome.clusterWeights[c] += chunkWeights[chunk * k + c] }
            outcome.inertia += chunkInertia[chunk]
        }
        return outcome
    }

    /// Per-cluster sums and weights of the rows under the given labels (no relabelling).
    func sums(labels: WorkBuffer<Int32>) -> Outcome {
        let d = data.columns
        var outcome = Outcome(sums: [Double](repeating: 0, count: k * d),
                              clusterWeights: [Double](repeating: 0, count: k), inertia: 0)
        for r in 0..<data.rows {
            let c = Int(labels[r]), w = weights?[r] ?? 1
            outcome.clusterWeights[c] += w
            for j in 0..<d { outcome.sums[c * d + j] += w * Double(data.values[r * d + j]) }
        }
        return outcome
    }

    /// Moves each empty cluster to one of the rows farthest from their centres (largest
    /// squared distance first, ties to the lower row), taking the row out of its old cluster,
    /// as scikit-learn does. Returns the number of relocations.
    func relocateEmptyClusters(_ outcome: inout Outcome, labels: WorkBuffer<Int32>, distances: WorkBuffer<Float>) -> Int {
        let empty = (0..<k).filter { outcome.clusterWeights[$0] == 0 }
        guard !empty.isEmpty else { return 0 }
        let d = data.columns
        let far = (0..<data.rows)
            .filter { (weights?[$0] ?? 1) > 0 }
            .sorted { a, b in
                let da = distances[a], db = distances[b]
                return da != db ? da > db : a < b
            }
            .prefix(empty.count)
        var moved = 0
        for (cluster, row) in zip(empty, far) {
            let old = Int(labels[row])
            let w = weights?[row] ?? 1
            guard outcome.clusterWeights[old] > w else { continue }
            for j in 0..<d {
                let v = w * Double(data.values[row * d + j])
                outcome.sums[old * d + j] -= v
                outcome.sums[cluster * d + j] = v
            }
            outcome.clusterWeights[old] -= w
            outcome.clusterWeights[cluster] = w
            labels[row] = Int32(cluster)
            distances[row] = 0
            moved += 1
        }
        return moved
    }
}
