import Foundation

/// What a k-means fit did, returned as data (never printed).
public struct KMeansDiagnostics: Sendable, Hashable, Codable {
    /// Iterations of the kept start.
    public var iterations: Int
    /// Whether the kept start converged before the iteration cap.
    public var converged: Bool
    /// The objective after each iteration's labelling step (non-increasing); when the
    /// refinement moved points, a last entry holds the refined objective.
    public var inertiaHistory: [Double]
    /// Empty clusters relocated during the kept start.
    public var relocations: Int
    /// Points moved by the refinement of the kept start (0 without refinement).
    public var refinementMoves: Int
    /// Point–centre distance evaluations over all starts, seeding included.
    public var distanceEvaluations: Int
    /// The final inertia of every start, in order.
    public var restartInertias: [Double]
    /// The index of the kept start.
    public var bestRestart: Int
    /// The iteration step used (what ``KMeansAlgorithm/auto`` chose); `nil` in diagnostics
    /// recorded before the library reported it.
    public var algorithm: KMeansAlgorithm?
    /// Swap trials of the global step (`nil` when it did not run).
    public var swapTrials: Int?
    /// Swaps the global step kept (`nil` when it did not run).
    public var acceptedSwaps: Int?

    /// Creates diagnostics.
    public init(iterations: Int, converged: Bool, inertiaHistory: [Double], relocations: Int, refinementMoves: Int,
                distanceEvaluations: Int, restartInertias: [Double], bestRestart: Int,
                algorithm: KMeansAlgorithm? = nil) {
        self.iterations = iterations
        self.converged = converged
        self.inertiaHistory = inertiaHistory
        self.relocations = relocations
        self.refinementMoves = refinementMoves
        self.distanceEvaluations = distanceEvaluations
        self.restartInertias = restartInertias
        self.bestRestart = bestRestart
        self.algorithm = algorithm
    }
}

/// Reported after each start of a fit, for progress displays.
public struct KMeansProgress: Sendable, Hashable {
    /// The start just finished (from 0).
    public var restart: Int
    /// The number of starts in all.
    public var restarts: Int
    /// Its final inertia.
    public var inertia: Double
    /// Its iterations.
    public var iterations: Int
    /// The lowest inertia so far.
    public var bestInertia: Double
}

/// The result of a k-means fit.
public struct KMeansResult: Sendable {
    /// The centres, k × d.
    public let centroids: FeatureMatrix
    /// The cluster of every row, in 0..<k, consistent with ``centroids``.
    public let labels: [Int32]
    /// Σ w × squared distance of every row to its centre.
    public let inertia: Double
    /// What the fit did.
    public let diagnostics: KMeansDiagnostics
}

/// k-means clustering: greedy k-means++ seeding, restarts, and Lloyd, Hamerly or Elkan
/// iterations (all three give the same model).
///
/// ```swift
/// let result = try KMeans.fit(matrix, configuration: KMeansConfiguration(clusterCount: 6, seed: 7))
/// ```
///
/// Same data, weights and configuration give bit-identical results whatever the thread
/// count. References: Lloyd, "Least squares quantization in PCM", 1982; Hamerly, "Making
/// k-means even faster", SDM 2010; Elkan, "Using the triangle inequality to accelerate
/// k-means", ICML 2003; Arthur & Vassilvitskii 2007 (k-means++).
public enum KMeans {
    /// Fits k-means with restarts, keeping the start with the lowest inertia (the earliest on
    /// a tie).
    ///
    /// - Parameters:
    ///   - data: rows to cluster; values must be finite.
    ///   - weights: optional sample weights, finite and ≥ 0, not all zero.
    ///   - configuration: k, restarts, tolerance, seed, threads.
    ///   - progress: called on the calling thread after each start (the library never prints).
    /// - Throws: ``ClusteringError`` with the numbers involved.
    /// - Complexity: O(restarts × (seeding + iterations) × n × k × d).
    public static func fit(_ data: FeatureMatrix, weights: [Double]? = nil, configuration: KMeansConfiguration,
                           progress: ((KMeansProgress) -> Void)? = nil) throws(ClusteringError) -> KMeansResult {
        try validate(data, weights: weights, configuration: configuration)
        let k = configuration.clusterCount
        let trials = configuration.effectiveSeedingTrials
        let moments = DataMoments(data, weights: weights, threads: configuration.threads)
        let threshold = shiftThreshold(moments, configuration: configuration)
        var best: KMeansResult? = nil
        var inertias = [Double]()
        var evaluations = 0
        for restart in 0..<configuration.restarts {
            var rng = SeededGenerator(seed: configuration.seed, stream: UInt64(restart))
            let start = try KMeansPlusPlus.seed(data, weights: weights, k: k, trials: trials,
                                                threads: configuration.threads, using: &rng,
                                                evaluations: &evaluations)
            let result = iterate(data, weights: weights, start: start, threshold: threshold, moments: moments,
                                 configuration: configuration)
            evaluations += result.diagnostics.distanceEvaluations
            inertias.append(result.inertia)
            if best == nil || result.inertia < best!.inertia {
                var diagnostics = result.diagnostics
                diagnostics.bestRestart = restart
                best = KMeansResult(centroids: result.centroids, labels: result.labels,
                                    inertia: result.inertia, diagnostics: diagnostics)
            }
            progress?(KMeansProgress(restart: restart, restarts: configuration.restarts, inertia: result.inertia,
                                     iterations: result.diagnostics.iterations, bestInertia: best!.inertia))
        }
        var kept = best!
        var diagnostics = kept.diagnostics
        let swapTrials = configuration.effectiveSwapTrials
        if swapTrials > 0 {
            let search = SwapSearch.improve(data, weights: weights, best: kept, threshold: threshold, moments: moments,
                                            configuration: configuration, trials: swapTrials)
            evaluations += search.evaluations
            if search.accepted > 0 {
                kept = search.result
                diagnostics = search.result.diagnostics
                diagnostics.bestRestart = best!.diagnostics.bestRestart
            }
            diagnostics.swapTrials = search.trials
            diagnostics.acceptedSwaps = search.accepted
        }
        diagnostics.restartInertias = inertias
        diagnostics.distanceEvaluations = evaluations
        return KMeansResult(centroids: kept.centroids, labels: kept.labels, inertia: kept.inertia,
                            diagnostics: diagnostics)
    }

    /// Runs the iterations from given initial centres (one start, no seeding).
    ///
    /// - Throws: ``ClusteringError`` when the start does not match k × d or the input is invalid.
    /// - Complexity: O(iterations × n × k × d).
    public static func fit(_ data: FeatureMatrix, weights: [Double]? = nil, initialCentroids: FeatureMatrix,
                           configuration: KMeansConfiguration) throws(ClusteringError) -> KMeansResult {
        try validate(data, weights: weights, configuration: configuration)
        guard initialCentroids.rows == configuration.clusterCount, initialCentroids.columns == data.columns else {
            throw .invalidInitialCentroids(rows: initialCentroids.rows, columns: initialCentroids.columns,
                                           clusters: configuration.clusterCount, dataColumns: data.columns)
        }
        let moments = DataMoments(data, weights: weights, threads: configuration.threads)
        return iterate(data, weights: weights, start: initialCentroids,
                       threshold: shiftThreshold(moments, configuration: configuration), moments: moments,
                       configuration: configuration)
    }

    /// Greedy k-means++ initial centres for a configuration's first start.
    /// - Throws: ``ClusteringError`` as ``fit(_:weights:configuration:progress:)``.
    /// - Complexity: O(n × k × trials × d).
    public static func seed(_ data: FeatureMatrix, weights: [Double]? = nil,
                            configuration: KMeansConfiguration) throws(ClusteringError) -> FeatureMatrix {
        try validate(data, weights: weights, configuration: configuration)
        let k = configuration.clusterCount
        var rng = SeededGenerator(seed: configuration.seed, stream: 0)
        var evaluations = 0
        return try KMeansPlusPlus.seed(data, weights: weights, k: k,
                                       trials: configuration.effectiveSeedingTrials,
                                       threads: configuration.threads, using: &rng, evaluations: &evaluations)
    }

    /// The largest magnitude a value may have: squared distances then stay far inside the
    /// `Float` range for any realistic width.
    public static let maximumMagnitude: Float = 1e15

    static func validate(_ data: FeatureMatrix, weights: [Double]?, configuration c: KMeansConfiguration) throws(ClusteringError) {
        do { try c.validate() } catch {
            throw error.parameter == .clusterCount ? .invalidClusterCount(c.clusterCount) : .invalidConfiguration(error.description)
        }
        guard data.columns >= 1 else { throw .invalidConfiguration("the data has no columns") }
        if let index = firstValueOutOfRange(data, threads: c.threads) {
            throw .valueOutOfRange(row: index / data.columns, column: index % data.columns, value: data.values[index])
        }
        var rows = data.rows
        if let weights {
            guard weights.count == data.rows else { throw .invalidWeights("\(weights.count) weights for \(data.rows) rows") }
            guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw .invalidWeights("weights must be finite and ≥ 0") }
            rows = weights.lazy.filter { $0 > 0 }.count
            guard rows > 0 else { throw .invalidWeights("all weights are zero") }
        }
        guard rows >= c.clusterCount else { throw .tooFewRows(rows: rows, clusters: c.clusterCount) }
    }

    /// The index of the first value that is not finite or exceeds ``maximumMagnitude``, if any
    /// (chunks are scanned in parallel; the earliest wins).
    static func firstValueOutOfRange(_ data: FeatureMatrix, threads: Int?) -> Int? {
        let count = data.values.count
        let plan = ChunkedParallel(rows: count, threads: threads)
        let firstBad = WorkBuffer<Int>(repeating: Int.max, count: plan.chunkCount)
        let limit = SIMD8<Float>(repeating: maximumMagnitude)
        plan.forEachChunk { chunk, range in
            data.withValues { x in
                var i = range.lowerBound
                while i + 8 <= range.upperBound {
                    let v = SIMD8(loading: x + i)
                    // NaN fails both comparisons, so it is caught too.
                    if LaneMask.bits((v .<= limit) .& (v .>= -limit)) != 0xFF { break }
                    i += 8
                }
                while i < range.upperBound {
                    if !(abs(x[i]) <= maximumMagnitude) { firstBad[chunk] = i; return }
                    i += 1
                }
            }
        }
        return (0..<plan.chunkCount).lazy.map { firstBad[$0] }.first { $0 != Int.max }
    }

    /// The summed squared centre shift at which a start stops: the tolerance times the mean
    /// column variance (scikit-learn's rule). It depends only on the data, so a fit computes
    /// it once for all its starts.
    static func shiftThreshold(_ moments: DataMoments, configuration: KMeansConfiguration) -> Double {
        configuration.tolerance * moments.meanColumnVariance
    }

    /// Iterations from `start` with the configured step and scikit-learn's stopping rules,
    /// the refinement, then a final labelling so labels match the returned centres.
    static func iterate(_ data: FeatureMatrix, weights: [Double]?, start: FeatureMatrix, threshold: Double,
                        moments: DataMoments, configuration: KMeansConfiguration) -> KMeansResult {
        switch configuration.algorithm.resolved(k: configuration.clusterCount, d: data.columns, rows: data.rows) {
        case .lloyd, .auto:
            return iterate(LloydStep.self, data, weights: weights, start: start, threshold: threshold,
                           moments: moments, configuration: configuration)
        case .hamerly:
            return iterate(HamerlyStep.self, data, weights: weights, start: start, threshold: threshold,
                           moments: moments, configuration: configuration)
        case .elkan:
            return iterate(ElkanStep.self, data, weights: weights, start: start, threshold: threshold,
                           moments: moments, configuration: configuration)
        case .yinyang:
            return iterate(YinyangStep.self, data, weights: weights, start: start, threshold: threshold,
                           moments: moments, configuration: configuration)
        }
    }

    private static func iterate<Step: KMeansStep>(_: Step.Type, _ data: FeatureMatrix, weights: [Double]?,
                                                  start: FeatureMatrix, threshold: Double, moments: DataMoments,
                                                  configuration: KMeansConfiguration) -> KMeansResult {
        let k = configuration.clusterCount, d = data.columns
        var run = KMeansRun<Step>(data, weights: weights, start: start, threads: configuration.threads)
        var outcome = run.iterate(maxIterations: configuration.maxIterations, threshold: threshold, moments: moments)
        var refinementMoves = 0
        var evaluations = 0
        if configuration.refinement == .hartigan {
            let labels = run.partition.labels, before = run.partition.previous
            before.base.update(from: labels.base, count: data.rows)
            let refined = HartiganRefinement.refine(data, weights: weights, k: k, partition: run.partition,
                                                    threads: configuration.threads)
            refinementMoves = refined.moves
            evaluations += refined.evaluations
            // Centres are the exact means of the refined clusters.
            if refined.moves > 0 { run.recentre(labelsBefore: before) }
        }
        // One last labelling against the final centres, so labels, distances and inertia
        // describe the centres returned.
        let inertia = run.labelPass(exact: true).inertia
        evaluations += run.evaluations
        if refinementMoves > 0 { outcome.inertiaHistory.append(inertia) }
        let diagnostics = KMeansDiagnostics(iterations: outcome.iterations, converged: outcome.converged,
                                            inertiaHistory: outcome.inertiaHistory,
                                            relocations: outcome.relocations, refinementMoves: refinementMoves,
                                            distanceEvaluations: evaluations,
                                            restartInertias: [inertia], bestRestart: 0, algorithm: Step.algorithm)
        return KMeansResult(centroids: FeatureMatrix(rows: k, columns: d, values: run.centres.values),
                            labels: run.partition.labels.array, inertia: inertia, diagnostics: diagnostics)
    }
}
