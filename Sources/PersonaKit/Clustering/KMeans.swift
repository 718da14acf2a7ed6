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

/// k-means clustering: greedy k-means++ seeding, restarts, and Lloyd iterations.
///
/// ```swift
/// let result = try KMeans.fit(matrix, configuration: KMeansConfiguration(clusterCount: 6, seed: 7))
/// ```
///
/// Same data, weights and configuration give bit-identical results whatever the thread
/// count. References: Lloyd, "Least squares quantization in PCM", 1982; Arthur &
/// Vassilvitskii 2007 (k-means++).
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
        let threshold = shiftThreshold(data, weights: weights, configuration: configuration)
        var best: KMeansResult? = nil
        var inertias = [Double]()
        var evaluations = 0
        for restart in 0..<configuration.restarts {
            var rng = SeededGenerator(seed: configuration.seed, stream: UInt64(restart))
            let start = try KMeansPlusPlus.seed(data, weights: weights, k: k, trials: trials,
                                                threads: configuration.threads, using: &rng,
                                                evaluations: &evaluations)
            let result = iterate(data, weights: weights, start: start, threshold: threshold, configuration: configuration)
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
        var diagnostics = best!.diagnostics
        diagnostics.restartInertias = inertias
        diagnostics.distanceEvaluations = evaluations
        return KMeansResult(centroids: best!.centroids, labels: best!.labels, inertia: best!.inertia,
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
        return iterate(data, weights: weights, start: initialCentroids,
                       threshold: shiftThreshold(data, weights: weights, configuration: configuration),
                       configuration: configuration)
    }

    /// Greedy k-means++ initial centres for a configuration's first start.
    /// - Throws: ``ClusteringError`` as ``fit(_:weights:configuration:)``.
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
        guard c.clusterCount >= 1 else { throw .invalidClusterCount(c.clusterCount) }
        guard c.restarts >= 1 else { throw .invalidConfiguration("restarts=\(c.restarts) must be at least 1") }
        if let m = c.maxIterations, m < 1 { throw .invalidConfiguration("maxIterations=\(m) must be at least 1") }
        guard c.tolerance.isFinite, c.tolerance >= 0 else { throw .invalidConfiguration("tolerance=\(c.tolerance) must be finite and ≥ 0") }
        if let t = c.threads, t < 1 { throw .invalidConfiguration("threads=\(t) must be at least 1") }
        if let t = c.seedingTrials, t < 1 { throw .invalidConfiguration("seedingTrials=\(t) must be at least 1") }
        guard data.columns >= 1 else { throw .invalidConfiguration("the data has no columns") }
        if let index = data.values.firstIndex(where: { !(abs($0) <= maximumMagnitude) }) {
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

    /// The summed squared centre shift at which a start stops: the tolerance times the mean
    /// column variance (scikit-learn's rule). It depends only on the data, so a fit computes
    /// it once for all its starts.
    static func shiftThreshold(_ data: FeatureMatrix, weights: [Double]?, configuration: KMeansConfiguration) -> Double {
        configuration.tolerance * meanColumnVariance(data, weights: weights)
    }

    /// Lloyd iterations from `start`, with scikit-learn's stopping rules, then a final
    /// labelling so labels match the returned centres.
    static func iterate(_ data: FeatureMatrix, weights: [Double]?, start: FeatureMatrix, threshold: Double,
                        configuration: KMeansConfiguration) -> KMeansResult {
        let n = data.rows, d = data.columns, k = configuration.clusterCount
        let plan = ChunkedParallel(rows: n, threads: configuration.threads)
        let step = LloydStep(data: data, weights: weights, plan: plan, k: k)

        var centers = start.values
        let labels = WorkBuffer<Int32>(repeating: -1, count: n)
        let distances = WorkBuffer<Float>(repeating: 0, count: n)
        var previous = labels.array
        var history = [Double]()
        var relocations = 0
        var iterations = 0
        var converged = false
        var evaluations = 0
        while configuration.maxIterations.map({ iterations < $0 }) ?? true {
            var outcome = step.run(centers: centers, labels: labels, distances: distances)
            evaluations += n * k
            history.append(outcome.inertia)
            relocations += step.relocateEmptyClusters(&outcome, labels: labels, distances: distances)
            var shift = 0.0
            for c in 0..<k where outcome.clusterWeights[c] > 0 {
                for j in 0..<d {
                    let updated = Float(outcome.sums[c * d + j] / outcome.clusterWeights[c])
                    let delta = Double(updated) - Double(centers[c * d + j])
                    shift += delta * delta
                    centers[c * d + j] = updated
                }
            }
            iterations += 1
            let current = labels.array
            if current == previous { converged = true; break }
            if shift <= threshold { converged = true; break }
            previous = current
        }
        var refinementMoves = 0
        if configuration.refinement == .hartigan {
            let refined = HartiganRefinement.refine(data, weights: weights, k: k, labels: labels)
            refinementMoves = refined.moves
            evaluations += refined.passes * n * k
            if refined.moves > 0 {
                // Centres are the exact means of the refined clusters.
                let outcome = step.sums(labels: labels)
                for c in 0..<k where outcome.clusterWeights[c] > 0 {
                    for j in 0..<d { centers[c * d + j] = Float(outcome.sums[c * d + j] / outcome.clusterWeights[c]) }
                }
            }
        }
        // One last labelling against the final centres, so labels, distances and inertia
        // describe the centres returned.
        let inertia = step.run(centers: centers, labels: labels, distances: distances).inertia
        evaluations += n * k
        if refinementMoves > 0 { history.append(inertia) }
        let diagnostics = KMeansDiagnostics(iterations: iterations, converged: converged, inertiaHistory: history,
                                            relocations: relocations, refinementMoves: refinementMoves,
                                            distanceEvaluations: evaluations,
                                            restartInertias: [inertia], bestRestart: 0)
        return KMeansResult(centroids: FeatureMatrix(rows: k, columns: d, values: centers), labels: labels.array,
                            inertia: inertia, diagnostics: diagnostics)
    }

    /// The mean over columns of the (weighted) population variance.
    static func meanColumnVariance(_ data: FeatureMatrix, weights: [Double]?) -> Double {
        let n = data.rows, d = data.columns
        guard let (means, total) = data.columnMeans(weights: weights) else { return 0 }
        var variance = 0.0
        for r in 0..<n {
            let w = weights?[r] ?? 1
            for j in 0..<d {
                let t = Double(data.values[r * d + j]) - means[j]
                variance += w * t * t
            }
        }
        return variance / total / Double(d)
    }
}
