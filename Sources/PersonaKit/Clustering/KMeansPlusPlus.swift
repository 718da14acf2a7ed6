import Foundation

/// Greedy k-means++ seeding.
///
/// The first centre is a row drawn with probability proportional to its weight. Each next
/// centre is the best of several candidates drawn with probability proportional to
/// weight × squared distance to the nearest centre so far: the candidate that lowers the
/// total potential most wins (scikit-learn's greedy variant, `2 + ⌊ln k⌋` candidates).
///
/// References: Arthur & Vassilvitskii, "k-means++: The Advantages of Careful Seeding",
/// SODA 2007; Celebi, Kingravi & Vela, "A comparative study of efficient initialization
/// methods for the k-means clustering algorithm", 2013 (greedy variant).
enum KMeansPlusPlus {
    /// Chooses `k` rows of `data` as initial centres.
    ///
    /// - Throws: ``ClusteringError/tooFewDistinctRows(distinct:clusters:)`` when every
    ///   positive-weight row coincides with a chosen centre before `k` are chosen.
    /// - Complexity: O(n × k × trials × d).
    static func seed(_ data: FeatureMatrix, weights: [Double]?, k: Int, trials: Int,
                     threads: Int?, using rng: inout SeededGenerator,
                     evaluations: inout Int) throws(ClusteringError) -> FeatureMatrix {
        let n = data.rows, d = data.columns
        var centers = [Float](repeating: 0, count: k * d)
        let plan = ChunkedParallel(rows: n, threads: threads)

        // First centre: weighted uniform draw.
        let first: Int
        if let weights {
            first = sample(cumulative: prefixSums(weights), target: rng.nextUnitDouble() * weights.reduce(0, +))
        } else {
            first = min(n - 1, Int(rng.nextUnitDouble() * Double(n)))
        }
        copyRow(first, of: data, into: &centers, at: 0)

        var closest = [Double](repeating: 0, count: n)
        data.values.withUnsafeBufferPointer { x in
            let x = SharedReadPointer(x.baseAddress!)
            let row = SharedReadPointer(x.base + first * d)
            closest.withUnsafeMutableBufferPointer { out in
                let out = SharedPointer(out.baseAddress!)
                plan.forEachChunk { _, rows in
                    for r in rows { out[r] = Double(DistanceKernel.squaredDistance(x.base + r * d, row.base, d)) }
                }
            }
        }
        evaluations += n
        var potential = weightedSum(closest, weights)

        var trialDistances = [Double](repeating: 0, count: trials * n)
        var chunkPotentials = [Double](repeating: 0, count: plan.chunkCount * trials)
        for c in 1..<max(1, k) {
            guard potential > 0 else { throw .tooFewDistinctRows(distinct: c, clusters: k) }
            // Draw candidates proportional to weight × closest squared distance.
            var cumulative = [Double](repeating: 0, count: n)
            var running = 0.0
            for r in 0..<n {
                running += (weights?[r] ?? 1) * closest[r]
                cumulative[r] = running
            }
            let candidates = (0..<trials).map { _ in
                sample(cumulative: cumulative, target: rng.nextUnitDouble() * running)
            }
            // Potential of each candidate, per chunk, combined in chunk order.
            data.values.withUnsafeBufferPointer { x in
                let x = SharedReadPointer(x.baseAddress!)
                closest.withUnsafeBufferPointer { near in
                    let near = SharedReadPointer(near.baseAddress!)
                    trialDistances.withUnsafeMutableBufferPointer { td in
                        let td = SharedPointer(td.baseAddress!)
                        chunkPotentials.withUnsafeMutableBufferPointer { cp in
                            let cp = SharedPointer(cp.baseAddress!)
                            let w = weights.map { SharedArray($0) }
                            plan.forEachChunk { chunk, rows in
                                for (t, candidate) in candidates.enumerated() {
                                    let center = x.base + candidate * d
                                    var sum = 0.0
                                    for r in rows {
                                        let dist = min(near.base[r], Double(DistanceKernel.squaredDistance(x.base + r * d, center, d)))
                                        td[t * n + r] = dist
                                        sum += (w?.values[r] ?? 1) * dist
                                    }
                                    cp[chunk * trials + t] = sum
                                }
                            }
                        }
                    }
                }
            }
            evaluations += n * trials
            var best = 0
            var bestPotential = Double.infinity
            for t in 0..<trials {
                var total = 0.0
                for chunk in 0..<plan.chunkCount { total += chunkPotentials[chunk * trials + t] }
                if total < bestPotential { best = t; bestPotential = total }
            }
            copyRow(candidates[best], of: data, into: &centers, at: c)
            closest.withUnsafeMutableBufferPointer { near in
                trialDistances.withUnsafeBufferPointer { td in
                    for r in 0..<n { near[r] = td[best * n + r] }
                }
            }
            potential = bestPotential
        }
        return FeatureMatrix(rows: k, columns: d, values: centers)
    }

    /// The first index whose cumulative value exceeds `target` (never a zero-mass row).
    static func sample(cumulative: [Double], target: Double) -> Int {
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return low
    }

    static func prefixSums(_ values: [Double]) -> [Double] {
        var running = 0.0
        return values.map { running += $0; return running }
    }

    static func weightedSum(_ values: [Double], _ weights: [Double]?) -> Double {
        guard let weights else { return values.reduce(0, +) }
        var sum = 0.0
        for (v, w) in zip(values, weights) { sum += v * w }
        return sum
    }

    static func copyRow(_ row: Int, of data: FeatureMatrix, into centers: inout [Float], at index: Int) {
        let d = data.columns
        for j in 0..<d { centers[index * d + j] = data.values[row * d + j] }
    }
}

/// An immutable array that may be read from worker threads.
struct SharedArray<T: Sendable>: Sendable {
    let values: [T]
    init(_ values: [T]) { self.values = values }
}
