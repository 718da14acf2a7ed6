import Foundation

/// Options of ``ChooseK/evaluate(_:weights:configuration:progress:)``.
public struct ChooseKConfiguration: Sendable, Hashable {
    /// The numbers of personas to compare, within 2…n − 1.
    public var clusterCounts: ClosedRange<Int>
    /// The k-means options of every fit (its `clusterCount` is ignored). Its seed seeds the
    /// fits, the bootstrap resamples and the silhouette sample; its threads bound the
    /// worker threads.
    public var kmeans: KMeansConfiguration
    /// Refits per k on random halves of the rows, for the stability and the prediction
    /// strength (B ≥ 1; rounded up to an even number: ⌈B/2⌉ splits, each fitted on both
    /// halves). The refits use the k-means options without the swap step. Default 12.
    public var resamples: Int
    /// Rows per half at most: a split draws min(⌊n/2⌋, this) rows for each half, so the
    /// refits cost the same whatever n. Default 10,000.
    public var rowsPerHalf: Int
    /// Rows up to which the fit of each k is made on all rows, exactly as `persona train`
    /// makes it. With more rows, each k is fitted on this many rows drawn uniformly (with the
    /// same options, without the swap step) and its centres are then iterated to convergence
    /// on all rows (one start,
    /// with the configured refinement): the cost of a fit no longer grows with n, and the
    /// partition is that of a fit on all rows from a good start. Default 20,000.
    public var fitRows: Int
    /// Rows up to which the silhouette is exact; larger data is scored on a sample of this
    /// many rows (see ``ClusterValidity/silhouettes(_:labelings:sampleSize:seed:threads:)``).
    /// Default 5,000.
    public var silhouetteSample: Int
    /// The least mean Jaccard every persona of a k needs for the k to count as stable.
    /// Default 0.75 (Hennig's reading).
    public var stableJaccard: Double
    /// How far below the best stable silhouette a stable k may be and still compete on the
    /// Calinski–Harabasz index (widened to two standard errors of the difference when the
    /// silhouettes are sampled). Default 0.20.
    public var silhouetteTolerance: Double
    /// The mean prediction strength a k needs to be predicted well (Tibshirani & Walther).
    /// Default 0.8.
    public var predictionStrengthThreshold: Double

    /// Creates options.
    public init(clusterCounts: ClosedRange<Int> = 2...12, kmeans: KMeansConfiguration = KMeansConfiguration(clusterCount: 2),
                resamples: Int = ChooseKConfiguration.defaultResamples,
                silhouetteSample: Int = ClusterValidity.defaultSilhouetteSample,
                stableJaccard: Double = StabilityScore.stableFrom, silhouetteTolerance: Double = 0.20,
                rowsPerHalf: Int = ChooseKConfiguration.defaultRowsPerHalf, fitRows: Int = ChooseKConfiguration.defaultFitRows,
                predictionStrengthThreshold: Double = PredictionStrengthScore.threshold) {
        self.clusterCounts = clusterCounts
        self.kmeans = kmeans
        self.resamples = resamples
        self.rowsPerHalf = rowsPerHalf
        self.fitRows = fitRows
        self.predictionStrengthThreshold = predictionStrengthThreshold
        self.silhouetteSample = silhouetteSample
        self.stableJaccard = stableJaccard
        self.silhouetteTolerance = silhouetteTolerance
    }

    /// Default of ``resamples``: 6 splits.
    public static let defaultResamples = 12
    /// Default of ``rowsPerHalf``.
    public static let defaultRowsPerHalf = 10_000
    /// Default of ``fitRows``.
    public static let defaultFitRows = 20_000

    /// The random splits: ⌈``resamples`` / 2⌉.
    public var splits: Int { (resamples + 1) / 2 }
}

/// Everything measured for one number of personas k.
public struct ChooseKCandidate: Sendable, Hashable {
    /// The number of personas.
    public var k: Int
    /// The k-means objective of the fit on all rows (Σ w × squared distance), for the elbow.
    public var inertia: Double
    /// The mean silhouette (higher is better; exact or sampled).
    public var silhouette: SilhouetteScore
    /// The Calinski–Harabasz index (higher is better).
    public var calinskiHarabasz: Double
    /// The Davies–Bouldin index (lower is better).
    public var daviesBouldin: Double
    /// Stability over the half-sample refits; ``StabilityScore/jaccard`` in persona order
    /// (largest first, as `persona train` numbers them).
    public var stability: StabilityScore
    /// Prediction strength over the random splits (``PredictionStrength``).
    public var predictionStrength: PredictionStrengthScore
    /// Rows per persona, largest first.
    public var sizes: [Int]
    /// Whether every persona reached the configuration's ``ChooseKConfiguration/stableJaccard``.
    public var isStable: Bool

    /// Creates a candidate.
    public init(k: Int, inertia: Double, silhouette: SilhouetteScore, calinskiHarabasz: Double, daviesBouldin: Double,
                stability: StabilityScore, sizes: [Int], isStable: Bool,
                predictionStrength: PredictionStrengthScore = PredictionStrengthScore(strengths: [])) {
        self.k = k
        self.predictionStrength = predictionStrength
        self.inertia = inertia
        self.silhouette = silhouette
        self.calinskiHarabasz = calinskiHarabasz
        self.daviesBouldin = daviesBouldin
        self.stability = stability
        self.sizes = sizes
        self.isStable = isStable
    }
}

/// How much structure a silhouette shows (Kaufman & Rousseeuw, *Finding Groups in Data*, 1990).
public enum StructureStrength: String, Sendable, Hashable, Codable, CaseIterable {
    /// Mean silhouette above 0.70.
    case strong
    /// Above 0.50.
    case reasonable
    /// Above 0.25: the structure is weak and could be artificial.
    case weak
    /// 0.25 or less: no substantial structure.
    case none

    /// The reading of a mean silhouette.
    public init(silhouette s: Double) {
        self = s > 0.70 ? .strong : s > 0.50 ? .reasonable : s > 0.25 ? .weak : .none
    }
}

/// The measure that decided a recommendation.
public enum ChooseKCriterion: String, Sendable, Hashable, Codable, CaseIterable {
    /// The only reproducible k (stable, with a prediction strength that reaches the
    /// threshold) when no k separates clusters.
    case predictionStrength = "prediction strength"
    /// The largest reproducible k (stable, with a prediction strength that reaches the
    /// threshold) at which the silhouette peaks, when no k separates clusters.
    case reproducibleSilhouette = "silhouette among the reproducible k"
    /// The highest Calinski–Harabasz among the stable k with a silhouette near the best.
    case calinskiHarabasz = "Calinski–Harabasz"
    /// The highest silhouette (among the stable k, or of all when no k was stable).
    case silhouette
    /// The only stable k.
    case stability
}

/// The recommended number of personas and why.
public struct ChooseKRecommendation: Sendable, Hashable {
    /// The recommended k.
    public var k: Int
    /// Whether every persona of that k is stable. When `false`, no k in the range was.
    public var isStable: Bool
    /// The structure its silhouette shows.
    public var structure: StructureStrength
    /// One sentence naming the numbers behind the choice.
    public var reason: String
    /// Warnings to show with it (no stable k, weak structure, failed refits).
    public var warnings: [String]
    /// The measure that decided.
    public var criterion: ChooseKCriterion

    /// Creates a recommendation.
    public init(k: Int, isStable: Bool, structure: StructureStrength, reason: String, warnings: [String],
                criterion: ChooseKCriterion = .calinskiHarabasz) {
        self.k = k
        self.criterion = criterion
        self.isStable = isStable
        self.structure = structure
        self.reason = reason
        self.warnings = warnings
    }
}

/// The outcome of comparing numbers of personas.
public struct ChooseKResult: Sendable, Hashable {
    /// One entry per k, in increasing k.
    public var candidates: [ChooseKCandidate]
    /// The recommendation.
    public var recommendation: ChooseKRecommendation
    /// The options used.
    public var configuration: ChooseKConfiguration
    /// The rows compared.
    public var rows: Int

    /// Creates a result.
    public init(candidates: [ChooseKCandidate], recommendation: ChooseKRecommendation,
                configuration: ChooseKConfiguration, rows: Int) {
        self.candidates = candidates
        self.recommendation = recommendation
        self.configuration = configuration
        self.rows = rows
    }

    /// The candidate for `k`, if evaluated.
    public func candidate(k: Int) -> ChooseKCandidate? { candidates.first { $0.k == k } }
}

/// Compares numbers of personas k on one data set and recommends one.
///
/// For every k in the range it fits k-means on all rows (up to
/// ``ChooseKConfiguration/fitRows`` rows the same fit `persona train` makes with the same
/// options and seed; beyond, a fit on that many sampled rows iterated on all rows), and
/// reports the inertia (elbow), the silhouette, the Calinski–Harabasz and Davies–Bouldin
/// indices (``ClusterValidity``), the stability of every persona (``ClusterStability``) and
/// the prediction strength (``PredictionStrength``). Stability and prediction strength come
/// from the same refits: ⌈B/2⌉ random splits into two disjoint halves of at most
/// ``ChooseKConfiguration/rowsPerHalf`` rows, each half refitted.
///
/// **Recommendation rule.** A k is *stable* when every persona's mean Jaccard is at least
/// ``ChooseKConfiguration/stableJaccard`` (0.75). Among stable k, those whose mean silhouette
/// is within ``ChooseKConfiguration/silhouetteTolerance`` (0.20; or two standard errors of
/// the difference, when sampled) of the best stable silhouette are eligible, and the eligible
/// k with the highest Calinski–Harabasz index is the geometric choice. (The silhouette alone
/// prefers merging blobs that lie near each other; Calinski–Harabasz finds them, and the
/// silhouette margin keeps it from splitting clusters that are not there.) When no k is
/// stable, the highest silhouette, with a warning. When no k shows substantial structure
/// (every silhouette ≤ 0.25), Calinski–Harabasz can no longer tell the k apart and the choice
/// is made among the *reproducible* k instead: those that are stable and whose mean
/// prediction strength reaches ``ChooseKConfiguration/predictionStrengthThreshold`` (0.8);
/// of them, the largest at which the silhouette peaks (at least as high as at k − 1 and
/// k + 1), or, when the silhouette peaks at none of them, the highest (see
/// Docs/ChoosingK.md). The deciding measure is ``ChooseKRecommendation/criterion`` and
/// opens the reason. The silhouette also gives the strength of the structure
/// (``StructureStrength``); weak or no structure adds a warning.
///
/// All fits run in parallel, one per thread; every fit, split and sample depends only on
/// the seed, so the result is the same whatever the thread count.
public enum ChooseK {
    /// Evaluates every k of the configuration's range and recommends one.
    ///
    /// - Parameters:
    ///   - data: the encoded rows.
    ///   - weights: sample weights for the fits, if any (the validity indices count every
    ///     row once).
    ///   - configuration: the k range, k-means options, resamples and silhouette sample.
    ///   - progress: called (from worker threads, one call at a time) with the fits done
    ///     and the fits in all.
    /// - Throws: ``ClusteringError`` when the range or the data do not allow the fits.
    /// - Complexity: K × (B + 1) k-means fits for K values of k and B refits (those on at most
    ///   ``ChooseKConfiguration/fitRows`` and ``ChooseKConfiguration/rowsPerHalf`` rows), plus
    ///   O(s × n × (d + K)) for the silhouettes (s = min(n, silhouette sample)).
    public static func evaluate(_ data: FeatureMatrix, weights: [Double]? = nil, configuration: ChooseKConfiguration,
                                progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) throws(ClusteringError) -> ChooseKResult {
        let range = configuration.clusterCounts, n = data.rows
        guard range.lowerBound >= 2, range.upperBound <= n - 1 else {
            throw .invalidConfiguration("the k range \(range.lowerBound)...\(range.upperBound) must lie within 2...\(n - 1) (n_rows=\(n))")
        }
        guard configuration.resamples >= 1 else { throw .invalidConfiguration("resamples=\(configuration.resamples) must be at least 1") }
        guard configuration.silhouetteSample >= 2 else {
            throw .invalidConfiguration("silhouetteSample=\(configuration.silhouetteSample) must be at least 2")
        }
        var base = configuration.kmeans
        base.clusterCount = range.upperBound
        try KMeans.validate(data, weights: weights, configuration: base)

        guard configuration.rowsPerHalf >= 2 else {
            throw .invalidConfiguration("rowsPerHalf=\(configuration.rowsPerHalf) must be at least 2")
        }
        guard configuration.fitRows > range.upperBound else {
            throw .invalidConfiguration("fitRows=\(configuration.fitRows) must exceed the largest k \(range.upperBound)")
        }
        let ks = Array(range), seed = configuration.kmeans.seed
        let splits = HalfSplits(count: configuration.splits, rows: n, rowsPerHalf: configuration.rowsPerHalf, seed: seed)
        let total = ks.count * (1 + 2 * configuration.splits)
        let counter = ProgressCounter(total: total, report: progress)
        @Sendable func options(_ k: Int) -> KMeansConfiguration {
            var c = configuration.kmeans
            c.clusterCount = k
            c.threads = 1
            return c
        }

        // 1. The rows of the first fits when n > fitRows, and the halves of every split
        //    (shared by every k).
        let sampled = n > configuration.fitRows
        let fitSample: (FeatureMatrix, [Double]?)? = sampled ? {
            let rows = ClusterValidity.sample(configuration.fitRows, of: n, seed: seed ^ 0xF17_0000)
            return (data.selecting(rows: rows), weights.map { w in rows.map { w[$0] } })
        }() : nil
        let S = configuration.splits
        let halves = TaskResults<(FeatureMatrix, [Double]?)>(count: 2 * S)
        TaskPool.run(count: 2 * S, threads: configuration.kmeans.threads) { task in
            let rows = task % 2 == 0 ? splits.rows[task / 2].a : splits.rows[task / 2].b
            halves[task] = (data.selecting(rows: rows), weights.map { w in rows.map { w[$0] } })
        }
        let halfData = (0..<2 * S).map { halves[$0]! }

        // 2. Every fit is one task: one per k on all rows (the largest k first, the dearest),
        //    then one per (k, split, half) on the half's rows.
        let fits = TaskResults<Result<KMeansResult, ClusteringError>>(count: ks.count)
        let refits = TaskResults<KMeansResult?>(count: ks.count * 2 * S)
        TaskPool.run(count: ks.count * (1 + 2 * S), threads: configuration.kmeans.threads) { task in
            if task < ks.count {
                let index = ks.count - 1 - task
                fits[index] = Result { () throws(ClusteringError) in
                    guard let (rows, rowWeights) = fitSample else { return try KMeans.fit(data, weights: weights, configuration: options(ks[index])) }
                    var sampleOptions = options(ks[index])
                    sampleOptions.swapTrials = 0
                    let start = try KMeans.fit(rows, weights: rowWeights, configuration: sampleOptions)
                    return try KMeans.fit(data, weights: weights, initialCentroids: start.centroids, configuration: options(ks[index]))
                }
            } else {
                let refit = task - ks.count, index = ks.count - 1 - refit / (2 * S), half = refit % (2 * S)
                var options = options(ks[index])
                options.seed = HalfSplits.fitSeed(split: half / 2, half: half % 2, seed: seed)
                options.swapTrials = 0
                refits[index * 2 * S + half] = .some(try? KMeans.fit(halfData[half].0, weights: halfData[half].1, configuration: options))
            }
            counter.advance()
        }
        var results = [KMeansResult]()
        for index in ks.indices { results.append(try fits[index]!.get()) }

        // 3. Validity indices.
        let labelings = results.map(\.labels)
        let silhouettes = ClusterValidity.silhouettes(data, labelings: labelings, sampleSize: configuration.silhouetteSample,
                                                      seed: seed, threads: configuration.kmeans.threads)
        let indices = TaskResults<(Double, Double)>(count: ks.count)
        TaskPool.run(count: ks.count, threads: configuration.kmeans.threads) { index in
            indices[index] = (ClusterValidity.calinskiHarabasz(data, labels: labelings[index]),
                              ClusterValidity.daviesBouldin(data, labels: labelings[index]))
        }

        // 4. Stability replicates and prediction strengths of every (k, split).
        let scores = TaskResults<(replicates: [[Double]?], strengths: [Double])>(count: ks.count * S)
        TaskPool.run(count: ks.count * S, threads: configuration.kmeans.threads) { task in
            let index = task / S, s = task % S, k = ks[index]
            let a = refits[index * 2 * S + 2 * s], b = refits[index * 2 * S + 2 * s + 1]
            func replicate(_ fit: KMeansResult?, _ rows: [Int]) -> [Double]? {
                fit.map { ClusterStability.bestJaccard(original: labelings[index], k: k, drawn: rows, refitLabels: $0.labels, refitK: k) }
            }
            var strengths = [Double]()
            if let a = a ?? nil, let b = b ?? nil {
                strengths = PredictionStrength.strengths(halves: (halfData[2 * s].0, halfData[2 * s + 1].0), fits: (a, b), k: k)
            }
            scores[task] = ([replicate(a ?? nil, splits.rows[s].a), replicate(b ?? nil, splits.rows[s].b)], strengths)
        }

        var candidates = [ChooseKCandidate]()
        for (index, k) in ks.enumerated() {
            let split = (0..<S).map { scores[index * S + $0]! }
            let stability = ClusterStability.summarize(split.flatMap(\.replicates), k: k)
            // Persona order: largest first, ties by cluster number (as training numbers them).
            var sizes = [Int](repeating: 0, count: k)
            for label in labelings[index] { sizes[Int(label)] += 1 }
            let order = (0..<k).sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
            let ordered = StabilityScore(jaccard: order.map { stability.jaccard[$0] }, resamples: stability.resamples,
                                         failedRefits: stability.failedRefits)
            let (ch, db) = indices[index]!
            candidates.append(ChooseKCandidate(k: k, inertia: results[index].inertia, silhouette: silhouettes[index],
                                               calinskiHarabasz: ch, daviesBouldin: db, stability: ordered,
                                               sizes: order.map { sizes[$0] },
                                               isStable: ordered.minimum >= configuration.stableJaccard,
                                               predictionStrength: PredictionStrengthScore(strengths: split.flatMap(\.strengths))))
        }
        return ChooseKResult(candidates: candidates, recommendation: recommend(candidates, configuration: configuration),
                             configuration: configuration, rows: n)
    }

    /// Applies the recommendation rule (see ``ChooseK``) to evaluated candidates.
    /// - Precondition: `candidates` is not empty.
    /// - Complexity: O(K).
    public static func recommend(_ candidates: [ChooseKCandidate], configuration: ChooseKConfiguration) -> ChooseKRecommendation {
        precondition(!candidates.isEmpty, "nothing to recommend from")
        func f(_ x: Double) -> String { formatted(x) }
        let threshold = f(configuration.stableJaccard)
        let span = "\(candidates.first!.k)...\(candidates.last!.k)"
        let stable = candidates.filter(\.isStable)
        var warnings = [String]()
        var chosen: ChooseKCandidate
        var reason: String
        var criterion: ChooseKCriterion
        if let best = stable.max(by: { $0.silhouette.mean < $1.silhouette.mean || ($0.silhouette.mean == $1.silhouette.mean && $0.k > $1.k) }) {
            func tolerance(_ c: ChooseKCandidate) -> Double {
                let se = (best.silhouette.standardError * best.silhouette.standardError
                          + c.silhouette.standardError * c.silhouette.standardError).squareRoot()
                return max(configuration.silhouetteTolerance, 2 * se)
            }
            let eligible = stable.filter { best.silhouette.mean - $0.silhouette.mean <= tolerance($0) }
            chosen = eligible.max {
                $0.calinskiHarabasz != $1.calinskiHarabasz ? $0.calinskiHarabasz < $1.calinskiHarabasz
                    : $0.silhouette.mean != $1.silhouette.mean ? $0.silhouette.mean < $1.silhouette.mean : $0.k > $1.k
            }!
            let stableText = "every persona is stable (min Jaccard \(f(chosen.stability.minimum)) ≥ \(threshold), "
                + "mean \(f(chosen.stability.mean)))"
            if stable.count == 1 {
                criterion = .stability
                reason = "k=\(chosen.k), decided by stability: " + stableText
                    + " and it is the only stable k in \(span); silhouette \(f(chosen.silhouette.mean)), "
                    + "Calinski–Harabasz \(f(chosen.calinskiHarabasz))"
            } else if eligible.count == 1 {
                criterion = .silhouette
                reason = "k=\(chosen.k), decided by silhouette: " + stableText
                    + " and it has the highest silhouette (\(f(chosen.silhouette.mean))) of the \(stable.count) stable k, "
                    + "the others more than \(f(configuration.silhouetteTolerance)) lower; Calinski–Harabasz \(f(chosen.calinskiHarabasz))"
            } else {
                criterion = .calinskiHarabasz
                let others = eligible.filter { $0.k != chosen.k }
                reason = "k=\(chosen.k), decided by Calinski–Harabasz: " + stableText
                    + " and the highest Calinski–Harabasz (\(f(chosen.calinskiHarabasz)) vs "
                    + others.map { "\(f($0.calinskiHarabasz)) at k=\($0.k)" }.joined(separator: ", ")
                    + ") among the stable k whose silhouette is within \(f(configuration.silhouetteTolerance)) of the best"
                    + (best.k == chosen.k ? " (its own, \(f(chosen.silhouette.mean)))"
                       : " (\(f(best.silhouette.mean)) at k=\(best.k); its own \(f(chosen.silhouette.mean)))")
            }
            reason += "; Davies–Bouldin \(f(chosen.daviesBouldin))"
        } else {
            criterion = .silhouette
            chosen = candidates.max { $0.silhouette.mean < $1.silhouette.mean || ($0.silhouette.mean == $1.silhouette.mean && $0.k > $1.k) }!
            let steadiest = candidates.max { $0.stability.minimum < $1.stability.minimum }!
            reason = "k=\(chosen.k), decided by silhouette: no k in \(span) gives stable personas (the best min Jaccard is "
                + "\(f(steadiest.stability.minimum)) at k=\(steadiest.k), below \(threshold)); k=\(chosen.k) has the highest silhouette "
                + "(\(f(chosen.silhouette.mean)))"
            warnings.append("no k in \(span) gives stable personas: treat any segmentation of these data as tentative")
        }
        // Without separated clusters Calinski–Harabasz favours the fewest personas; among the
        // k whose personas are reproducible, the finest at which the silhouette peaks decides.
        let highest = candidates.map(\.silhouette.mean).max()!
        let reproducible = self.reproducible(candidates, configuration: configuration)
        if StructureStrength(silhouette: highest) == .none, let predicted = silhouettePeak(reproducible, among: candidates) {
            let ps = f(configuration.predictionStrengthThreshold)
            let opening = "no k separates clusters (the highest silhouette is \(f(highest)) ≤ 0.25), so the k is chosen among the "
                + "reproducible ones: stable (min Jaccard ≥ \(threshold)) and predicted well (prediction strength ≥ \(ps))"
            if reproducible.count == 1 {
                criterion = .predictionStrength
                reason = "k=\(predicted.k), decided by prediction strength: " + opening + ", and it is the only one in \(span)"
            } else {
                criterion = .reproducibleSilhouette
                let peaks = reproducible.filter { $0.k != predicted.k && isPeak($0, among: candidates) }
                let neighbours = neighbours(of: predicted, among: candidates)
                reason = "k=\(predicted.k), decided by silhouette among the reproducible k: " + opening + " (k="
                    + reproducible.map { "\($0.k)" }.joined(separator: ", ") + "); "
                    + (isPeak(predicted, among: candidates)
                       ? "it is the largest at which the silhouette peaks (\(f(predicted.silhouette.mean)) vs "
                         + neighbours.map { "\(f($0.silhouette.mean)) at k=\($0.k)" }.joined(separator: ", ") + ")"
                         + (peaks.isEmpty ? "" : "; it also peaks at " + peaks.map { "k=\($0.k) (\(f($0.silhouette.mean)))" }
                            .joined(separator: ", "))
                       : "the silhouette peaks at none of them, and it has the highest (\(f(predicted.silhouette.mean)))")
            }
            reason += "; prediction strength \(f(predicted.predictionStrength.mean)) ± \(f(predicted.predictionStrength.standardError)), "
                + "min Jaccard \(f(predicted.stability.minimum)), Calinski–Harabasz \(f(predicted.calinskiHarabasz))"
            chosen = predicted
        }
        let structure = StructureStrength(silhouette: chosen.silhouette.mean)
        switch structure {
        case .weak: warnings.append("silhouette \(f(chosen.silhouette.mean)) ≤ 0.50: weak structure, the personas may be artificial")
        case .none: warnings.append("silhouette \(f(chosen.silhouette.mean)) ≤ 0.25: no substantial cluster structure")
        case .strong, .reasonable: break
        }
        if chosen.stability.failedRefits > 0 {
            warnings.append("\(chosen.stability.failedRefits) of \(chosen.stability.resamples) refits at k=\(chosen.k) failed (too few distinct rows)")
        }
        return ChooseKRecommendation(k: chosen.k, isStable: chosen.isStable, structure: structure, reason: reason, warnings: warnings,
                                     criterion: criterion)
    }

    /// The largest of `reproducible` at which the silhouette peaks among `candidates` (at least
    /// as high as at the next smaller and the next larger k evaluated); when there is none,
    /// the highest silhouette of `reproducible` (equal ones: the smaller k). `nil` when
    /// `reproducible` is empty.
    ///
    /// The silhouette rises to a peak at every k that captures one level of a grouping — two
    /// broad segments, then the personas within them — and, like every silhouette, prefers
    /// the coarser; the finest reproducible peak is the level of the personas.
    static func silhouettePeak(_ reproducible: [ChooseKCandidate], among candidates: [ChooseKCandidate]) -> ChooseKCandidate? {
        reproducible.filter { isPeak($0, among: candidates) }.max { $0.k < $1.k }
            ?? reproducible.max { $0.silhouette.mean != $1.silhouette.mean ? $0.silhouette.mean < $1.silhouette.mean : $0.k > $1.k }
    }

    /// Whether the silhouette of `candidate` is at least that of its neighbours in k.
    static func isPeak(_ candidate: ChooseKCandidate, among candidates: [ChooseKCandidate]) -> Bool {
        neighbours(of: candidate, among: candidates).allSatisfy { $0.silhouette.mean <= candidate.silhouette.mean }
    }

    /// The candidates with the next smaller and the next larger k, those that exist.
    static func neighbours(of candidate: ChooseKCandidate, among candidates: [ChooseKCandidate]) -> [ChooseKCandidate] {
        let below = candidates.filter { $0.k < candidate.k }.max { $0.k < $1.k }
        let above = candidates.filter { $0.k > candidate.k }.min { $0.k < $1.k }
        return [below, above].compactMap { $0 }
    }

    /// The k whose personas are reproducible: stable, and with a mean prediction strength that
    /// reaches the threshold.
    static func reproducible(_ candidates: [ChooseKCandidate], configuration: ChooseKConfiguration) -> [ChooseKCandidate] {
        candidates.filter {
            $0.isStable && !$0.predictionStrength.strengths.isEmpty
                && $0.predictionStrength.mean >= configuration.predictionStrengthThreshold
        }
    }

    /// A number with three significant decimals for messages (e.g. 0.731, 1234.5).
    static func formatted(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let magnitude = abs(x)
        let decimals = magnitude >= 1000 ? 1 : magnitude >= 10 ? 2 : 3
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (x * scale).rounded() / scale
        var text = "\(rounded)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}

/// Counts finished fits and reports them, one call at a time.
private final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    let total: Int
    let report: (@Sendable (Int, Int) -> Void)?

    init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    func advance() {
        guard let report else { return }
        lock.lock()
        defer { lock.unlock() }
        done += 1
        report(done, total)
    }
}
