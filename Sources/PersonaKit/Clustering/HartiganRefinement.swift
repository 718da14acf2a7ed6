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

    /// What a refinement did.
    struct Outcome {
        /// Points moved.
        var moves = 0
        /// Passes over the data.
        var passes = 0
        /// Point–centre distances evaluated (a full pass counts n × k).
        var evaluations = 0
    }

    /// Refines `labels` in place.
    ///
    /// A point is only examined against cluster B when the triangle inequality cannot rule
    /// the move out: ‖x − c_B‖ ≥ ‖c_A − c_B‖ − ‖x − c_A‖, so once clusters are apart most
    /// points cost one distance.
    static func refine(_ data: FeatureMatrix, weights: [Double]?, k: Int, labels: WorkBuffer<Int32>,
                       threads: Int?) -> Outcome {
        let n = data.rows, d = data.columns
        guard k > 1 else { return Outcome() }
        let centers = WorkBuffer<Double>(repeating: 0, count: k * d)
        let between = WorkBuffer<Double>(repeating: 0, count: k * k)   // ‖c_a − c_b‖
        var clusterWeights = [Double](repeating: 0, count: k)
        var nearestOther = [Double](repeating: 0, count: k)
        var moves = 0, passes = 0
        var moved = true

        func centreDistance(_ a: Int, _ b: Int) -> Double {
            var sum = 0.0
            for j in 0..<d {
                let t = centers[a * d + j] - centers[b * d + j]
                sum += t * t
            }
            return sum.squareRoot()
        }
        func updateBetween(_ a: Int) {
            for b in 0..<k where b != a {
                let distance = centreDistance(a, b)
                between[a * k + b] = distance
                between[b * k + a] = distance
            }
        }
        func updateNearestOther() {
            for a in 0..<k {
                var m = Double.infinity
                for b in 0..<k where b != a { m = min(m, between[a * k + b]) }
                nearestOther[a] = m
            }
        }

        data.withValues { x in
            while moved && passes < maximumPasses {
                moved = false
                passes += 1
                // Exact centres from the labels.
                for i in 0..<(k * d) { centers[i] = 0 }
                for c in 0..<k { clusterWeights[c] = 0 }
                for r in 0..<n {
                    let c = Int(labels[r]), w = weights?[r] ?? 1
                    clusterWeights[c] += w
                    for j in 0..<d { centers[c * d + j] += w * Double(x[r * d + j]) }
                }
                for c in 0..<k where clusterWeights[c] > 0 {
                    for j in 0..<d { centers[c * d + j] /= clusterWeights[c] }
                }
                for a in 0..<k { updateBetween(a) }
                updateNearestOther()

                for r in 0..<n {
                    let w = weights?[r] ?? 1
                    let a = Int(labels[r])
                    let wa = clusterWeights[a]
                    guard w > 0, wa - w > 0 else { continue }
                    let point = x + r * d
                    let da = squaredDistance(point, centers.base + a * d, d)
                    let ra = da.squareRoot()
                    let ratio = wa / (wa - w)
                    let removal = w * ratio * da
                    // No cluster is near enough for a move to pay: every other cluster B has
                    // factor_B ≥ w·W_min/(W_min + w) and ‖x − c_B‖ ≥ m − ‖x − c_A‖, where m is
                    // the distance from c_A to the nearest other centre.
                    let smallest = clusterWeights.min()!
                    let reach = ra * (1 + (ratio * (smallest + w) / smallest).squareRoot())
                    if nearestOther[a] > reach * (1 + 1e-9) { continue }
                    var best = a
                    var bestCost = removal * (1 - 1e-12)   // a move must gain more than rounding
                    for b in 0..<k where b != a {
                        let factor = clusterWeights[b] * w / (clusterWeights[b] + w)
                        let gap = between[a * k + b] - ra
                        if gap > 0, factor * gap * gap >= bestCost * (1 + 1e-9) { continue }
                        let cost = factor * squaredDistance(point, centers.base + b * d, d)
                        if cost < bestCost { best = b; bestCost = cost }
                    }
                    guard best != a else { continue }
                    let wb = clusterWeights[best]
                    for j in 0..<d {
                        let v = Double(point[j])
                        centers[a * d + j] = (centers[a * d + j] * wa - w * v) / (wa - w)
                        centers[best * d + j] = (centers[best * d + j] * wb + w * v) / (wb + w)
                    }
                    clusterWeights[a] = wa - w
                    clusterWeights[best] = wb + w
                    updateBetween(a)
                    updateBetween(best)
                    updateNearestOther()
                    labels[r] = Int32(best)
                    moves += 1
                    moved = true
                }
            }
        }
        return Outcome(moves: moves, passes: passes, evaluations: passes * n * k)
    }

    /// Per-cluster sums (k × d) and weights of the rows under `labels`, each summed in row
    /// order.
    /// - Complexity: O(n × d).
    static func clusterSums(_ data: FeatureMatrix, weights: [Double]?, labels: WorkBuffer<Int32>, k: Int,
                            threads: Int?) -> (sums: [Double], weights: [Double]) {
        let d = data.columns
        var sums = [Double](repeating: 0, count: k * d)
        var clusterWeights = [Double](repeating: 0, count: k)
        for r in 0..<data.rows {
            let c = Int(labels[r]), w = weights?[r] ?? 1
            clusterWeights[c] += w
            for j in 0..<d { sums[c * d + j] += w * Double(data.values[r * d + j]) }
        }
        return (sums, clusterWeights)
    }

    @inline(__always)
    private static func squaredDistance(_ point: UnsafePointer<Float>, _ center: UnsafeMutablePointer<Double>, _ d: Int) -> Double {
        var sum = 0.0
        for j in 0..<d {
            let t = Double(point[j]) - center[j]
            sum += t * t
        }
        return sum
    }
}
