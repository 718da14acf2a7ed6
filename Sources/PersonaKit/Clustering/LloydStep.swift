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
    func run(centers: [Float], labels: inout [Int32], distances: inout [Float]) -> Outcome {
        let n = data.rows, d = data.columns, k = self.k, chunks = plan.chunkCount
        var chunkSums = [Double](repeating: 0, count: chunks * k * d)
        var chunkWeights = [Double](repeating: 0, count: chunks * k)
        var chunkInertia = [Double](repeating: 0, count: chunks)
        let w = weights.map { SharedArray($0) }
        data.values.withUnsafeBufferPointer { xs in
            let x = SharedReadPointer(xs.baseAddress!)
            centers.withUnsafeBufferPointer { cs in
                let c = SharedReadPointer(cs.baseAddress!)
                labels.withUnsafeMutableBufferPointer { ls in
                    let l = SharedPointer(ls.baseAddress!)
                    distances.withUnsafeMutableBufferPointer { ds in
                        let dist = SharedPointer(ds.baseAddress!)
                        chunkSums.withUnsafeMutableBufferPointer { ss in
                            let s = SharedPointer(ss.baseAddress!)
                            chunkWeights.withUnsafeMutableBufferPointer { ws in
                                let cw = SharedPointer(ws.baseAddress!)
                                chunkInertia.withUnsafeMutableBufferPointer { ins in
                                    let ci = SharedPointer(ins.baseAddress!)
                                    plan.forEachChunk { chunk, rows in
                                        let sums = s.base + chunk * k * d
                                        let weightsOut = cw.base + chunk * k
                                        var inertia = 0.0
                                        for r in rows {
                                            let point = x.base + r * d
                                            let (best, bestDistance) = DistanceKernel.nearest(point, centers: c.base, k: k, d: d)
                                            l[r] = Int32(best)
                                            dist[r] = bestDistance
                                            let wr = w?.values[r] ?? 1
                                            inertia += wr * Double(bestDistance)
                                            weightsOut[best] += wr
                                            let target = sums + best * d
                                            for j in 0..<d { target[j] += wr * Double(point[j]) }
                                        }
                                        ci[chunk] = inertia
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        _ = n
        var sums = [Double](repeating: 0, count: k * d)
        var clusterWeights = [Double](repeating: 0, count: k)
        var inertia = 0.0
        for chunk in 0..<chunks {
            for i in 0..<(k * d) { sums[i] += chunkSums[chunk * k * d + i] }
            for c in 0..<k { clusterWeights[c] += chunkWeights[chunk * k + c] }
            inertia += chunkInertia[chunk]
        }
        return Outcome(sums: sums, clusterWeights: clusterWeights, inertia: inertia)
    }

    /// Moves each empty cluster to one of the rows farthest from their centres (largest
    /// weighted squared distance first, ties to the lower row), taking the row out of its
    /// old cluster, as scikit-learn does. Returns the number of relocations.
    func relocateEmptyClusters(_ outcome: inout Outcome, labels: inout [Int32], distances: inout [Float]) -> Int {
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
