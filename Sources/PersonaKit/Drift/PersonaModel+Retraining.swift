/// Where a retrain's k-means starts.
public enum RetrainingStart: String, Sendable, Hashable, Codable, CaseIterable {
    /// From the previous personas' centres, re-encoded for the new data, which keeps
    /// personas in place when little changed. With more personas than before the extra
    /// centres are seeded by greedy k-means++ around the previous ones; with fewer, the
    /// previous centres whose removal raises the k-means++ potential least are dropped. The
    /// warm start is the first of the configuration's restarts, the others are fresh
    /// k-means++ starts; the lowest inertia wins (the warm start on a tie), so a split or
    /// merge that traps the warm start in a poor local optimum does not trap the retrain.
    case warm
    /// Fresh greedy k-means++ starts with restarts, as in training.
    case fresh
}

/// Options of ``PersonaModel/retrain(previous:data:previousAssignments:options:dataHash:createdAt:progress:)``.
///
/// Everything not set here is as the previous model was trained: the encoding options, the
/// k-means settings (restarts, tolerance, iteration cap, refinement, seeding trials) and the
/// number of principal components.
public struct RetrainingOptions: Sendable, Hashable {
    /// The number of personas, or `nil` for as many as the previous model has.
    public var clusterCount: Int?
    /// Warm (default) or fresh start.
    public var start: RetrainingStart
    /// The random seed, or `nil` for the previous model's.
    public var seed: UInt64?
    /// Worker threads, or `nil` for every core; results do not depend on it.
    public var threads: Int?
    /// How identities are matched (thresholds, radius).
    public var matching: MatchingOptions

    /// Creates options.
    public init(clusterCount: Int? = nil, start: RetrainingStart = .warm, seed: UInt64? = nil, threads: Int? = nil,
                matching: MatchingOptions = MatchingOptions()) {
        self.clusterCount = clusterCount
        self.start = start
        self.seed = seed
        self.threads = threads
        self.matching = matching
    }
}

/// A retrained model: the personas with identities carried over, its customers'
/// assignments and profiles, and how the identities were matched.
public struct RetrainedModel: Sendable {
    /// The model, with identities, names and parents carried over.
    public let model: PersonaModel
    /// Each customer's assignment, in data order, with the carried identities.
    public let assignments: [PersonaAssignment]
    /// Per-persona profiles, in the model's persona order, with the carried identities.
    public let profiles: [PersonaProfile]
    /// Which persona continues which, the new and retired identities, and (when the
    /// previous assignments were given) the MONIC events.
    public let matching: PersonaMatching
}

extension PersonaModel {
    /// Retrains personas on new data and carries their identities over from the previous
    /// model.
    ///
    /// The encoder is fitted afresh on `data` (so the new model standardises by the new
    /// customers), k-means runs from the previous centres re-encoded for the new encoder
    /// (``RetrainingStart/warm``, mapped through original units with
    /// ``FeatureEncoder/reencode(_:from:)``) or from fresh k-means++ starts, personas are
    /// named from their profiles, and then ``PersonaMatching`` decides which persona
    /// continues which: by shared customers when `previousAssignments` is given, by centre
    /// distance otherwise.
    ///
    /// - Parameters:
    ///   - previous: the model to continue.
    ///   - data: the new customers.
    ///   - previousAssignments: customer identifier → persona under `previous` (for example
    ///     the previous run's assignment file), or `nil` when unknown.
    ///   - options: the number of personas, the start, the seed, matching thresholds.
    ///   - dataHash: a hash of the source data to record, if the caller has one.
    ///   - createdAt: a creation time to record (ISO 8601), if wanted.
    ///   - progress: called after each k-means start.
    /// - Throws: ``DriftError`` (a previous assignment names a persona `previous` lacks, an
    ///   option is out of range, no attribute in common), ``PersonaDataError``,
    ///   ``ClusteringError``, ``PrincipalComponents/Failure`` or ``ModelValidationError``.
    /// - Complexity: that of training, plus O(n × k × d) for a warm start (times the
    ///   difference in k when it changes) and that of ``PersonaMatching/match(previous:current:previousMembers:currentMembers:options:)``.
    public static func retrain(previous: PersonaModel, data: CustomerData, previousAssignments: [String: Int]?,
                               options: RetrainingOptions = RetrainingOptions(), dataHash: String? = nil,
                               createdAt: String? = nil, progress: ((KMeansProgress) -> Void)? = nil) throws -> RetrainedModel {
        // User errors first, before any k-means work.
        try options.matching.validate()
        if let previousAssignments { try PersonaEvents.checkMembers(previousAssignments, of: previous, period: .previous) }
        var configuration = previous.training.configuration
        configuration.clusterCount = options.clusterCount ?? previous.personas.count
        configuration.seed = options.seed ?? configuration.seed
        configuration.threads = options.threads
        let training = TrainingOptions(kmeans: configuration, encoding: previous.encoder.options,
                                       projectionComponents: previous.projection?.components.count ?? 0)

        let encoder = try FeatureEncoder(fitting: data, options: training.encoding)
        guard encoder.sharesAttributes(with: previous.encoder) else { throw DriftError.noCommonAttributes }
        let matrix = try encoder.transform(data)
        let fitted: (model: PersonaModel, assignments: [PersonaAssignment])
        switch options.start {
        case .fresh:
            fitted = try fit(matrix, weights: data.weights, schema: data.schema, encoder: encoder, options: training,
                             dataHash: dataHash, createdAt: createdAt, progress: progress)
        case .warm:
            let k = configuration.clusterCount
            guard k >= 1 else { throw ClusteringError.invalidClusterCount(k) }
            guard matrix.rows >= k else { throw ClusteringError.tooFewRows(rows: matrix.rows, clusters: k) }
            var start = FeatureMatrix(rows: previous.personas.count, columns: encoder.width,
                                      values: previous.personas.flatMap { p in encoder.reencode(p.centroid, from: previous.encoder).map { Float($0) } })
            start = try WarmStart.resize(start, to: k, data: matrix, weights: data.weights, configuration: configuration)
            let result = try WarmStart.fit(matrix, weights: data.weights, start: start, configuration: configuration,
                                           progress: progress)
            fitted = try model(from: result, matrix: matrix, weights: data.weights, schema: data.schema, encoder: encoder,
                               options: training, dataHash: dataHash, createdAt: createdAt)
        }
        let profiles = PersonaProfiles.compute(data, personas: fitted.assignments.map(\.persona),
                                               order: fitted.model.personas.map(\.id))
        let named = try fitted.model.named(from: profiles)
        let members = previousAssignments.map { _ in
            Dictionary(uniqueKeysWithValues: zip(data.ids, fitted.assignments.map(\.persona)))
        }
        let matching = try PersonaMatching.match(previous: previous, current: named, previousMembers: previousAssignments,
                                                 currentMembers: members, options: options.matching)
        return RetrainedModel(model: matching.model, assignments: matching.relabel(fitted.assignments),
                              profiles: profiles.map { p in
                                  var p = p
                                  p.persona = matching.identities[p.persona]!
                                  return p
                              },
                              matching: matching)
    }
}

/// The warm start of a retrain: the previous centres resized to the new number of personas,
/// run alongside fresh starts.
enum WarmStart {
    /// k-means from `start` as the first start, then `restarts − 1` fresh k-means++ starts
    /// (those of a training with this configuration); the lowest inertia wins, the warm start
    /// on a tie. A structural change (a split, a merge) can trap the warm start in a poor
    /// local optimum; the fresh starts get it out.
    /// - Complexity: that of ``KMeans/fit(_:weights:configuration:progress:)``.
    static func fit(_ matrix: FeatureMatrix, weights: [Double]?, start: FeatureMatrix, configuration: KMeansConfiguration,
                    progress: ((KMeansProgress) -> Void)?) throws(ClusteringError) -> KMeansResult {
        let restarts = configuration.restarts
        let warm = try KMeans.fit(matrix, weights: weights, initialCentroids: start, configuration: configuration)
        progress?(KMeansProgress(restart: 0, restarts: restarts, inertia: warm.inertia,
                                 iterations: warm.diagnostics.iterations, bestInertia: warm.inertia))
        guard restarts > 1 else { return warm }
        var fresh = configuration
        fresh.restarts = restarts - 1
        let other = try KMeans.fit(matrix, weights: weights, configuration: fresh) { p in
            progress?(KMeansProgress(restart: p.restart + 1, restarts: restarts, inertia: p.inertia,
                                     iterations: p.iterations, bestInertia: min(p.bestInertia, warm.inertia)))
        }
        var best = other.inertia < warm.inertia ? other : warm
        var diagnostics = best.diagnostics
        diagnostics.restartInertias = [warm.inertia] + other.diagnostics.restartInertias
        diagnostics.bestRestart = other.inertia < warm.inertia ? other.diagnostics.bestRestart + 1 : 0
        diagnostics.distanceEvaluations = warm.diagnostics.distanceEvaluations + other.diagnostics.distanceEvaluations
        best = KMeansResult(centroids: best.centroids, labels: best.labels, inertia: best.inertia, diagnostics: diagnostics)
        return best
    }

    /// `centres` (k₀ × d) resized to `k` rows: extra centres by greedy k-means++ on `data`
    /// around the given ones, or the centres whose removal raises the potential least
    /// dropped one by one.
    /// - Throws: ``ClusteringError/tooFewDistinctRows(distinct:clusters:)`` when no row lies
    ///   away from the centres and more are needed.
    /// - Complexity: O(n × |k − k₀| × (k₀ + trials) × d).
    static func resize(_ centres: FeatureMatrix, to k: Int, data: FeatureMatrix, weights: [Double]?,
                       configuration: KMeansConfiguration) throws(ClusteringError) -> FeatureMatrix {
        var rows = (0..<centres.rows).map { centres.row($0) }
        while rows.count > k { rows.remove(at: cheapestRemoval(rows, data: data, weights: weights)) }
        if rows.count < k {
            var rng = SeededGenerator(seed: configuration.seed, stream: 0)
            try add(k - rows.count, to: &rows, data: data, weights: weights, trials: configuration.effectiveSeedingTrials,
                    using: &rng)
        }
        return FeatureMatrix(rows)
    }

    /// The centre whose removal raises Σ w × (squared distance to the nearest centre) least:
    /// its rows' cost of moving to their second-nearest centre (the last such on a tie).
    private static func cheapestRemoval(_ centres: [[Float]], data: FeatureMatrix, weights: [Double]?) -> Int {
        let centres = centres.map { $0.map(Double.init) }
        var cost = [Double](repeating: 0, count: centres.count)
        for r in 0..<data.rows {
            var first = (Double.infinity, 0), second = Double.infinity
            for (c, centre) in centres.enumerated() {
                let d = squaredDistance(data, r, centre)
                if d < first.0 { second = first.0; first = (d, c) } else if d < second { second = d }
            }
            cost[first.1] += (weights?[r] ?? 1) * (second - first.0)
        }
        return cost.indices.min { cost[$0] < cost[$1] || (cost[$0] == cost[$1] && $0 > $1) }!
    }

    /// Greedy k-means++ (Arthur & Vassilvitskii 2007; the greedy variant of scikit-learn):
    /// each new centre is the best of `trials` rows drawn with probability proportional to
    /// weight × squared distance to the nearest centre so far.
    private static func add(_ count: Int, to centres: inout [[Float]], data: FeatureMatrix, weights: [Double]?,
                            trials: Int, using rng: inout SeededGenerator) throws(ClusteringError) {
        let n = data.rows
        let given = centres.map { $0.map(Double.init) }
        var closest = (0..<n).map { r in given.map { squaredDistance(data, r, $0) }.min() ?? .infinity }
        for _ in 0..<count {
            var cumulative = [Double](repeating: 0, count: n)
            var running = 0.0
            for r in 0..<n {
                running += (weights?[r] ?? 1) * closest[r]
                cumulative[r] = running
            }
            guard running > 0 else { throw .tooFewDistinctRows(distinct: centres.count, clusters: centres.count + count) }
            var best: (potential: Double, row: Int, distances: [Double])? = nil
            for _ in 0..<trials {
                let target = rng.nextUnitDouble() * running
                var low = 0, high = n - 1   // the first row whose cumulative value exceeds the target
                while low < high {
                    let mid = (low + high) / 2
                    if cumulative[mid] > target { high = mid } else { low = mid + 1 }
                }
                let candidate = data.row(low).map(Double.init)
                var potential = 0.0
                let distances = (0..<n).map { r in
                    let d = min(closest[r], squaredDistance(data, r, candidate))
                    potential += (weights?[r] ?? 1) * d
                    return d
                }
                if best == nil || potential < best!.potential { best = (potential, low, distances) }
            }
            centres.append(data.row(best!.row))
            closest = best!.distances
        }
    }

    private static func squaredDistance(_ data: FeatureMatrix, _ r: Int, _ centre: [Double]) -> Double {
        let d = data.columns
        var sum = 0.0
        for j in 0..<d {
            let t = Double(data.values[r * d + j]) - centre[j]
            sum += t * t
        }
        return sum
    }
}
