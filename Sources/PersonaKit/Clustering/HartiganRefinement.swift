/// Hartigan's single-point refinement of a k-means partition.
///
/// Lloyd's algorithm stops at a partition where every point is nearest to its own centre.
/// Hartigan's method goes further: it moves a point from cluster A to cluster B whenever that
/// lowers the objective once both centres are updated, i.e. when
///
///     W_B·w / (W_B + w) · ‖x − c_B‖²  <  W_A·w / (W_A − w) · ‖x − c_A‖²
///
/// (W = cluster weights, w = the point's weight). Every move strictly lowers the inertia, and
/// every partition Hartigan cannot improve is also one Lloyd cannot, so refinement never
/// loses quality; it often escapes a poor Lloyd fixed point.
///
/// Points are visited in row order, one at a time, so the result is deterministic and
/// independent of the thread count. Centres are recomputed exactly from the labels at the
/// start of every pass, so rounding does not build up.
///
/// References: Hartigan & Wong, "A K-Means Clustering Algorithm", Applied Statistics 28,
/// 1979; Telgarsky & Vattani, "Hartigan's Method: k-means Clustering without Voronoi",
/// AISTATS 2010.
///
/// - Complexity: O(passes × n × k × d).
enum HartiganRefinement {
    /// Passes over the data at most.
    static let maximumPasses = 50

    /// Refines `labels` in place. Returns the number of points moved and of passes made.
    static func refine(_ data: FeatureMatrix, weights: [Double]?, k: Int, labels: WorkBuffer<Int32>) -> (moves: Int, passes: Int) {
        let n = data.rows, d = data.columns
        guard k > 1 else { return (0, 0) }
        var centers = [Double](repeating: 0, count: k * d)
        var clusterWeights = [Double](repeating: 0, count: k)
        var point = [Double](repeating: 0, count: d)
        var moves = 0, passes = 0
        var moved = true
        while moved && passes < maximumPasses {
            moved = false
            passes += 1
            // Exact centres from the labels.
            for i in centers.indices { centers[i] = 0 }
            for c in 0..<k { clusterWeights[c] = 0 }
            for r in 0..<n {
                let c = Int(labels[r]), w = weights?[r] ?? 1
                clusterWeights[c] += w
                for j in 0..<d { centers[c * d + j] += w * Double(data.values[r * d + j]) }
            }
            for c in 0..<k where clusterWeights[c] > 0 {
                for j in 0..<d { centers[c * d + j] /= clusterWeights[c] }
            }
            for r in 0..<n {
                let w = weights?[r] ?? 1
                let a = Int(labels[r])
                guard w > 0, clusterWeights[a] - w > 0 else { continue }
                for j in 0..<d { point[j] = Double(data.values[r * d + j]) }
                let removal = clusterWeights[a] * w / (clusterWeights[a] - w) * squaredDistance(point, centers, a, d)
                var best = a
                var bestCost = removal * (1 - 1e-12)   // a move must gain more than rounding
                for b in 0..<k where b != a {
                    let factor = clusterWeights[b] * w / (clusterWeights[b] + w)
                    let cost = factor * squaredDistance(point, centers, b, d)
                    if cost < bestCost { best = b; bestCost = cost }
                }
                guard best != a else { continue }
                let wa = clusterWeights[a], wb = clusterWeights[best]
                for j in 0..<d {
                    centers[a * d + j] = (centers[a * d + j] * wa - w * point[j]) / (wa - w)
                    centers[best * d + j] = (centers[best * d + j] * wb + w * point[j]) / (wb + w)
                }
                clusterWeights[a] = wa - w
                clusterWeights[best] = wb + w
                labels[r] = Int32(best)
                moves += 1
                moved = true
            }
        }
        return (moves, passes)
    }

    @inline(__always)
    private static func squaredDistance(_ point: [Double], _ centers: [Double], _ c: Int, _ d: Int) -> Double {
        var sum = 0.0
        for j in 0..<d {
            let t = point[j] - centers[c * d + j]
            sum += t * t
        }
        return sum
    }
}
