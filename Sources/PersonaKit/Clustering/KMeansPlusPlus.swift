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
            var running = 0.0
            let cumulative = weights.map { running += $0; return running }
            first = sample(cumulative: cumulative, target: rng.nextUnitDouble() * running)
        } else {
            first = min(n - 1, Int(rng.nextUnitDouble() * Double(n)))
        }
        copyRow(first, of: data, into: &centers, at: 0)

        // Squared distance of every row to its nearest centre so far.
        let closest = WorkBuffer<Double>(repeating: 0, count: n)
        plan.forEachChunk { _, rows in
            data.withValues { x in
                for r in rows { closest[r] = Double(DistanceKernel.squaredDistance(x + r * d, x + first * d, d)) }
            }
        }
        evaluations += n
        var potential = 0.0
        for r in 0..<n { potential += (weights?[r] ?? 1) * closest[r] }

        let trialDistances = WorkBuffer<Double>(repeating: 0, count: trials * n)
        let chunkPotentials = WorkBuffer<Double>(repeating: 0, count: plan.chunkCount * trials)
        var cumulative = [Double](repeating: 0, count: n)
        for c in 1..<max(1, k) {
            guard potential > 0 else { throw .tooFewDistinctRows(distinct: c, clusters: k) }
            // Draw candidates proportional to weight × closest squared distance.
            var running = 0.0
            for r in 0..<n {
                running += (weights?[r] ?? 1) * closest[r]
                cumulative[r] = running
            }
            let candidates = (0..<trials).map { _ in
                sample(cumulative: cumulative, target: rng.nextUnitDouble() * running)
            }
            // Potential of each candidate, per chunk, combined in chunk order.
            plan.forEachChunk { chunk, rows in
                data.withValues { x in
                    for (t, candidate) in candidates.enumerated() {
                        let center = x + candidate * d
                        var sum = 0.0
                        for r in rows {
                            let distance = min(closest[r], Double(DistanceKernel.squaredDistance(x + r * d, center, d)))
                            trialDistances[t * n + r] = distance
                            sum += (weights?[r] ?? 1) * distance
                        }
                        chunkPotentials[chunk * trials + t] = sum
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
            (closest.base).update(from: trialDistances.base + best * n, count: n)
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

    static func copyRow(_ row: Int, of data: FeatureMatrix, into centers: inout [Float], at index: Int) {
        let d = data.columns
        for j in 0..<d { centers[index * d + j] = data.values[row * d + j] }
    }
}
