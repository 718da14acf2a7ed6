/// The global step that follows the restarts: swaps of one centre, each followed by a full
/// k-means run, kept only when they lower the inertia.
///
/// Restarts and Hartigan's moves end in a local optimum, and on real data a seed can land in
/// a worse one than its neighbour (a persona split in two while two others share a centre).
/// Moving one centre elsewhere and letting k-means settle again escapes such optima; that is
/// Fränti's random swap ("Efficiency of random swap clustering", J. Big Data 2018). Here the
/// swap is chosen rather than drawn blindly, in the manner of k-means++ with local search
/// (Lattanzi & Sohler, ICML 2019): candidate rows are drawn with probability proportional to
/// weight × squared distance to their nearest centre (where the partition serves the data
/// worst), as many as the greedy seeding tries per step, and for each the centre whose
/// removal, with the candidate added, costs least is found — exactly, for every centre in
/// one pass from each row's nearest and second-nearest distances; the cheapest pair is
/// swapped. Each trial then runs the configured iterations and
/// refinement from the swapped centres; the partition is replaced only when the trial ends
/// strictly lower.
///
/// The search runs on at most ``sampleLimit`` rows: all of them for data that small, else a
/// uniform sample (Knuth's selection sampling, rows kept in order). On a sample, the best
/// centres found seed one last run on the whole data, which is kept only if it beats the
/// restarts' best. Every draw comes from its own random stream of the fit's seed, so the
/// step is deterministic and independent of the thread count.
enum SwapSearch {
    /// The most rows a search measures.
    static let sampleLimit = 20_000
    /// The random stream of the search (distinct from every restart's stream).
    static let stream: UInt64 = 0x5357_4150

    /// What the search did.
    struct Outcome {
        /// The result to keep: the restarts' best, or a better one.
        var result: KMeansResult
        /// Swap trials run.
        var trials: Int
        /// Swaps kept.
        var accepted: Int
        /// Distances evaluated.
        var evaluations: Int
    }

    /// Improves `best` by up to `trials` swaps.
    static func improve(_ data: FeatureMatrix, weights: [Double]?, best: KMeansResult, threshold: Double,
                        moments: DataMoments, configuration: KMeansConfiguration, trials: Int) -> Outcome {
        let k = configuration.clusterCount
        var outcome = Outcome(result: best, trials: 0, accepted: 0, evaluations: 0)
        guard k >= 2, trials > 0 else { return outcome }
        var rng = SeededGenerator(seed: configuration.seed, stream: stream)

        // The rows searched, and the partition of them the swaps start from.
        let sampled = data.rows > sampleLimit
        let searchData: FeatureMatrix, searchWeights: [Double]?
        var current: KMeansResult
        if sampled {
            let rows = selectionSample(count: sampleLimit, of: data.rows, using: &rng)
            (searchData, searchWeights) = subset(data, weights: weights, rows: rows)
            guard (searchWeights?.lazy.filter { $0 > 0 }.count ?? rows.count) >= k else { return outcome }
            let sampleMoments = DataMoments(searchData, weights: searchWeights, threads: configuration.threads)
            current = KMeans.iterate(searchData, weights: searchWeights, start: best.centroids,
                                     threshold: KMeans.shiftThreshold(sampleMoments, configuration: configuration),
                                     moments: sampleMoments, configuration: configuration)
            outcome.evaluations += current.diagnostics.distanceEvaluations
        } else {
            (searchData, searchWeights) = (data, weights)
            current = best
        }
        let searchMoments = sampled ? DataMoments(searchData, weights: searchWeights, threads: configuration.threads)
                                    : moments
        let searchThreshold = KMeans.shiftThreshold(searchMoments, configuration: configuration)

        var acceptedHere = 0
        for t in 0..<trials {
            // Chosen swaps alternate with blind ones: a greedy choice can keep proposing the
            // same move out of an optimum it cannot leave, a random centre cannot.
            guard let start = swappedStart(searchData, weights: searchWeights, centroids: current.centroids,
                                           candidates: configuration.effectiveSeedingTrials, randomRemoval: t % 2 == 1,
                                           using: &rng, evaluations: &outcome.evaluations) else { break }
            outcome.trials += 1
            let trial = KMeans.iterate(searchData, weights: searchWeights, start: start, threshold: searchThreshold,
                                       moments: searchMoments, configuration: configuration)
            outcome.evaluations += trial.diagnostics.distanceEvaluations
            if trial.inertia < current.inertia {
                current = trial
                acceptedHere += 1
            }
        }
        guard acceptedHere > 0 else { return outcome }
        if sampled {
            let whole = KMeans.iterate(data, weights: weights, start: current.centroids, threshold: threshold,
                                       moments: moments, configuration: configuration)
            outcome.evaluations += whole.diagnostics.distanceEvaluations
            guard whole.inertia < best.inertia else { return outcome }
            current = whole
        }
        outcome.result = current
        outcome.accepted = acceptedHere
        return outcome
    }

    /// The centres with one replaced by a row: of `candidates` rows drawn in proportion to
    /// weight × squared distance to their nearest centre, and every centre each could replace,
    /// the pair that leaves the lowest potential (ties to the earlier draw and the lower
    /// centre). With `randomRemoval`, Fränti's blind swap instead: one drawn row replaces a
    /// centre drawn uniformly. `nil` when every row sits on a centre.
    static func swappedStart(_ data: FeatureMatrix, weights: [Double]?, centroids: FeatureMatrix, candidates: Int,
                             randomRemoval: Bool = false,
                             using rng: inout SeededGenerator, evaluations: inout Int) -> FeatureMatrix? {
        let n = data.rows, d = data.columns, k = centroids.rows
        let table = CentreTable(centroids.values, k: k, d: d)
        var label = [Int32](repeating: 0, count: n)
        var first = [Float](repeating: 0, count: n), second = [Float](repeating: 0, count: n)
        data.withValues { x in
            let chunk = ChunkedParallel.chunkSize
            var start = 0
            while start < n {
                let count = min(chunk, n - start)
                DistanceKernel.withNearestTwo(rows: x + start * d, count: count, in: table) { l, f, _, s in
                    for i in 0..<count {
                        label[start + i] = l[i]; first[start + i] = f[i]; second[start + i] = s[i]
                    }
                }
                start += count
            }
        }
        evaluations += n * k
        // Draw candidates by weight × squared distance, summed in row order.
        var cumulative = [Double](repeating: 0, count: n)
        var total = 0.0
        for r in 0..<n {
            total += (weights?[r] ?? 1) * Double(first[r])
            cumulative[r] = total
        }
        guard total > 0 else { return nil }
        func draw() -> Int {
            let target = rng.nextUnitDouble() * total
            var lo = 0, hi = n - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }
        func replacing(_ removed: Int, with chosen: Int) -> FeatureMatrix {
            var values = centroids.values
            data.withValues { x in
                for j in 0..<d { values[removed * d + j] = x[chosen * d + j] }
            }
            return FeatureMatrix(rows: k, columns: d, values: values)
        }
        if randomRemoval {
            let chosen = draw()
            return replacing(min(k - 1, Int(rng.nextUnitDouble() * Double(k))), with: chosen)
        }
        // The best (candidate, removed centre) pair: the cost of removing centre i once the
        // candidate is a centre is that rows of i go to the nearer of the candidate and their
        // second centre, the others keep the nearer of theirs and the candidate.
        var best: (row: Int, removed: Int, cost: Double)? = nil
        var extra = [Double](repeating: 0, count: k)
        for _ in 0..<candidates {
            let chosen = draw()
            for i in 0..<k { extra[i] = 0 }
            var kept = 0.0
            data.withValues { x in
                let y = x + chosen * d
                for r in 0..<n {
                    let w = weights?[r] ?? 1
                    guard w > 0 else { continue }
                    let toNew = DistanceKernel.squaredDistance(x + r * d, y, d)
                    let stay = Double(min(toNew, first[r]))
                    kept += w * stay
                    extra[Int(label[r])] += w * (Double(min(toNew, second[r])) - stay)
                }
            }
            evaluations += n
            var removed = 0
            for i in 1..<k where extra[i] < extra[removed] { removed = i }
            let cost = kept + extra[removed]
            if best == nil || cost < best!.cost { best = (chosen, removed, cost) }
        }
        let (chosen, removed, _) = best!
        return replacing(removed, with: chosen)
    }

    /// `count` of the rows `0..<n`, each equally likely, in increasing order (Knuth's
    /// selection sampling, TAOCP vol. 2, Algorithm S).
    static func selectionSample(count: Int, of n: Int, using rng: inout SeededGenerator) -> [Int] {
        var rows = [Int]()
        rows.reserveCapacity(count)
        var r = 0
        while rows.count < count, r < n {
            if Double(n - r) * rng.nextUnitDouble() < Double(count - rows.count) { rows.append(r) }
            r += 1
        }
        return rows
    }

    private static func subset(_ data: FeatureMatrix, weights: [Double]?, rows: [Int]) -> (FeatureMatrix, [Double]?) {
        let d = data.columns
        var values = [Float]()
        values.reserveCapacity(rows.count * d)
        data.withValues { x in
            for r in rows { values.append(contentsOf: UnsafeBufferPointer(start: x + r * d, count: d)) }
        }
        return (FeatureMatrix(rows: rows.count, columns: d, values: values), weights.map { w in rows.map { w[$0] } })
    }
}
