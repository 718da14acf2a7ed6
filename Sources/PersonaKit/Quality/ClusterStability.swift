/// How reproducible the clusters of a k-means partition are under resampling.
public struct StabilityScore: Sendable, Hashable, Codable {
    /// Per cluster (in the order given by the caller), the mean over resamples of its best
    /// Jaccard agreement with a cluster of the refit.
    public var jaccard: [Double]
    /// The smallest entry of ``jaccard``: the least stable cluster.
    public var minimum: Double
    /// The mean of ``jaccard``.
    public var mean: Double
    /// Bootstrap resamples drawn.
    public var resamples: Int
    /// Resamples whose refit failed (fewer distinct rows than k); every cluster counts 0 for
    /// them.
    public var failedRefits: Int

    /// Creates a score from per-cluster mean Jaccard values.
    public init(jaccard: [Double], resamples: Int, failedRefits: Int) {
        self.jaccard = jaccard
        self.minimum = jaccard.min() ?? 0
        self.mean = jaccard.isEmpty ? 0 : jaccard.reduce(0, +) / Double(jaccard.count)
        self.resamples = resamples
        self.failedRefits = failedRefits
    }

    /// Hennig's reading of a cluster's mean Jaccard: below this a cluster is unstable ("dissolved").
    public static let unstableBelow = 0.6
    /// Hennig's reading: from this on a cluster is stable.
    public static let stableFrom = 0.75
}

/// Cluster-wise stability by bootstrap, after Hennig, "Cluster-wise assessment of cluster
/// stability", Computational Statistics & Data Analysis 52 (2007) — R's `fpc::clusterboot`.
///
/// For each of B resamples: draw n rows with replacement, refit k-means with the same k
/// and options (and a seed derived from the resample's number) on the drawn rows, and
/// compare. The comparison is made on the *distinct* drawn rows (a row drawn twice counts
/// once): for every original cluster C, restricted to those rows, its Jaccard agreement
/// with each refit cluster D is |C ∩ D| / |C ∪ D|, and the best is kept. A cluster's
/// stability is the mean of its best agreements over the resamples in which it has a row.
/// Reading (Hennig): below 0.6 the cluster is unstable (it dissolves), 0.6–0.75 it shows a
/// pattern but is doubtful, from 0.75 it is stable, above 0.85 highly stable.
///
/// Resamples and refit seeds depend only on `seed` and the resample's number (not on k), so
/// different k are judged on the same resamples, and results do not depend on the thread
/// count.
public enum ClusterStability {
    /// Default number of bootstrap resamples.
    public static let defaultResamples = 20

    /// The stability of every cluster of a partition.
    ///
    /// - Parameters:
    ///   - data: the rows that were clustered.
    ///   - weights: their sample weights, if any (drawn rows keep their weight).
    ///   - labels: the partition to assess, clusters 0..<k.
    ///   - configuration: the k-means options of the refits (k = `clusterCount`); its seed
    ///     is replaced by one derived from `seed` for each resample.
    ///   - resamples: B ≥ 1.
    ///   - seed: the seed of the resamples.
    /// - Returns: one Jaccard value per cluster number 0..<k.
    /// - Complexity: B k-means fits on n rows, plus O(B × (n + k²)).
    public static func bootstrap(_ data: FeatureMatrix, weights: [Double]? = nil, labels: [Int32],
                                 configuration: KMeansConfiguration, resamples: Int = defaultResamples,
                                 seed: UInt64 = 42) -> StabilityScore {
        precondition(resamples >= 1, "resamples must be at least 1")
        precondition(labels.count == data.rows, "one label per row")
        let results = TaskResults<[Double]?>(count: resamples)
        TaskPool.run(count: resamples, threads: configuration.threads) { b in
            results[b] = replicate(b, data: data, weights: weights, labels: labels, configuration: configuration,
                                   seed: seed, threads: 1)
        }
        return summarize((0..<resamples).map { results[$0]! }, k: configuration.clusterCount)
    }

    /// One resample: the best Jaccard of every original cluster (NaN for a cluster with no
    /// drawn row), or `nil` when the refit failed.
    static func replicate(_ b: Int, data: FeatureMatrix, weights: [Double]?, labels: [Int32],
                          configuration: KMeansConfiguration, seed: UInt64, threads: Int?) -> [Double]? {
        let drawn = resample(b, rows: data.rows, seed: seed)
        var refit = configuration
        refit.seed = refitSeed(b, seed: seed)
        refit.threads = threads
        guard let result = try? KMeans.fit(data.selecting(rows: drawn), weights: weights.map { w in drawn.map { w[$0] } },
                                           configuration: refit) else { return nil }
        return bestJaccard(original: labels, k: configuration.clusterCount, drawn: drawn, refitLabels: result.labels,
                           refitK: refit.clusterCount)
    }

    /// Per-cluster means over resamples (NaN entries skipped; a failed refit counts 0).
    static func summarize(_ replicates: [[Double]?], k: Int) -> StabilityScore {
        var jaccard = [Double](repeating: 0, count: k)
        for c in 0..<k {
            var total = 0.0, count = 0
            for replicate in replicates {
                guard let replicate else { count += 1; continue }
                guard !replicate[c].isNaN else { continue }
                total += replicate[c]; count += 1
            }
            jaccard[c] = count > 0 ? total / Double(count) : 0
        }
        return StabilityScore(jaccard: jaccard, resamples: replicates.count,
                              failedRefits: replicates.lazy.filter { $0 == nil }.count)
    }

    /// The rows of bootstrap resample `b` (n draws with replacement), from `seed`.
    static func resample(_ b: Int, rows n: Int, seed: UInt64) -> [Int] {
        var rng = SeededGenerator(seed: seed, stream: 0xB007_0000_0000 &+ UInt64(b))
        return (0..<n).map { _ in ClusterValidity.uniformIndex(below: n, using: &rng) }
    }

    /// The k-means seed of the refit of resample `b`.
    static func refitSeed(_ b: Int, seed: UInt64) -> UInt64 {
        var rng = SeededGenerator(seed: seed, stream: 0x5EED_0000_0000 &+ UInt64(b))
        return rng.next()
    }

    /// For every original cluster 0..<k, its largest Jaccard agreement with a refit cluster,
    /// over the distinct drawn rows (NaN when none of its rows was drawn).
    /// - Parameters:
    ///   - original: the original label of every row of the data.
    ///   - drawn: the drawn rows, in refit order.
    ///   - refitLabels: the refit's label of every drawn position.
    /// - Complexity: O(n + k × refitK).
    static func bestJaccard(original: [Int32], k: Int, drawn: [Int], refitLabels: [Int32], refitK: Int) -> [Double] {
        var seen = [Bool](repeating: false, count: original.count)
        var table = [Int](repeating: 0, count: k * refitK)
        var originalCount = [Int](repeating: 0, count: k), refitCount = [Int](repeating: 0, count: refitK)
        for (position, row) in drawn.enumerated() where !seen[row] {
            seen[row] = true
            let a = Int(original[row]), b = Int(refitLabels[position])
            table[a * refitK + b] += 1
            originalCount[a] += 1
            refitCount[b] += 1
        }
        return (0..<k).map { a in
            guard originalCount[a] > 0 else { return .nan }
            var best = 0.0
            for b in 0..<refitK {
                let both = table[a * refitK + b]
                guard both > 0 else { continue }
                best = max(best, Double(both) / Double(originalCount[a] + refitCount[b] - both))
            }
            return best
        }
    }
}
