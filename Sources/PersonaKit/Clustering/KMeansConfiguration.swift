import Foundation

/// The per-iteration step k-means uses.
///
/// All steps give the same result from the same start: the same labels in every iteration
/// (every step measures with the same kernel and breaks ties towards the lower centre
/// index), hence the same centres, iteration count and inertia. The accelerated steps only
/// skip distances that the triangle inequality proves cannot change a label, with margins
/// for rounding.
public enum KMeansAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
    /// Lloyd's algorithm: every point against every centre in every iteration.
    /// - Complexity: O(n × k × d) per iteration.
    case lloyd
    /// Hamerly's algorithm (Hamerly, "Making k-means even faster", SDM 2010): one upper and
    /// one lower distance bound per point; O(n) extra memory. Suits small d and moderate k.
    /// - Complexity: O(n × k × d) per iteration at worst; O(n + k² × d) once bounds hold.
    case hamerly
    /// Elkan's algorithm (Elkan, "Using the triangle inequality to accelerate k-means",
    /// ICML 2003): one lower bound per point and centre, plus centre–centre distances;
    /// O(n × k) extra memory. Prunes far more than Hamerly's when k is large.
    /// - Complexity: O(n × k × d) per iteration at worst; O(n + k² × d) once bounds hold.
    case elkan
    /// The Yinyang algorithm (Ding et al., "Yinyang K-Means", ICML 2015) with the centres
    /// grouped in the kernel's blocks of eight: one lower bound per point and group; O(n × k/8)
    /// extra memory. Prunes almost as much as Elkan's at large k while reading far less.
    /// - Complexity: O(n × k × d) per iteration at worst; O(n × k/8 + k² × d) once bounds hold.
    case yinyang
    /// Chooses from k and d (and n, for memory): ``lloyd`` for k ≤ 8 and d ≤ 32, where a
    /// distance is so cheap that keeping bounds costs more than it saves; ``hamerly`` for
    /// d ≤ 16 or k ≤ 12, or when the n × k/8 group bounds would exceed 2²⁸ values (1 GiB);
    /// ``yinyang`` otherwise (faster than ``elkan`` on 1,000,000 × 30 at k = 32, with an
    /// eighth of its bounds). Measured on 300,000-row blob data with d = 8, 30, 100 and
    /// k = 2…64, and checked on 1,000,000 × 30 (Docs/KMeans.md).
    case auto
}

extension KMeansAlgorithm {
    /// The step `.auto` stands for with `k` clusters of `rows` rows of width `d` (other cases
    /// stand for themselves).
    func resolved(k: Int, d: Int, rows: Int) -> KMeansAlgorithm {
        guard self == .auto else { return self }
        if k <= 8 && d <= 32 { return .lloyd }
        let groups = (k + CentreTable.lanes - 1) / CentreTable.lanes
        if d <= 16 || k <= 12 || rows.multipliedReportingOverflow(by: groups).partialValue > 1 << 28 { return .hamerly }
        return .yinyang
    }
}

/// What happens after the iterations of a start have converged.
public enum KMeansRefinement: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nothing: the result is Lloyd's fixed point.
    case none
    /// Hartigan's single-point moves until none lowers the objective (see
    /// `HartiganRefinement`): never worse than Lloyd, often better.
    case hartigan
}

/// Options of a k-means fit, with documented defaults (in the manner of FAISS's
/// `ClusteringParameters`).
public struct KMeansConfiguration: Sendable, Hashable, Codable {
    /// The number of clusters, k ≥ 1.
    public var clusterCount: Int
    /// Independent k-means++ starts; the fit with the lowest inertia is kept. Default 4.
    public var restarts: Int
    /// The iteration cap per start, or `nil` for none. Default 300.
    public var maxIterations: Int?
    /// Convergence tolerance: a start stops when the summed squared centre shift falls to
    /// `tolerance ×` the mean per-column variance of the data (scikit-learn's rule), or when
    /// no label changes. Default 1e-4.
    public var tolerance: Double
    /// The random seed. Same data and seed give the same model, bit for bit. Default 42.
    public var seed: UInt64
    /// Candidates tried per greedy k-means++ step, or `nil` for `2 + ⌊ln k⌋` (scikit-learn).
    public var seedingTrials: Int?
    /// The iteration step. Default ``KMeansAlgorithm/auto``; every choice gives the same
    /// model, only the time differs.
    public var algorithm: KMeansAlgorithm
    /// Worker threads, or `nil` for every active core. Results do not depend on it.
    public var threads: Int?
    /// Refinement after each start's iterations. Default ``KMeansRefinement/hartigan``.
    public var refinement: KMeansRefinement
    /// Swap trials of the global step that follows the restarts (see `Docs/KMeans.md`), or
    /// `nil` for the default: 60 up to k = 10, then 600 / k, never fewer than 20 (the trials
    /// grow dearer with k); 0 turns the step off.
    public var swapTrials: Int?

    /// Creates a configuration.
    public init(clusterCount: Int, restarts: Int = 4, maxIterations: Int? = 300, tolerance: Double = 1e-4,
                seed: UInt64 = 42, seedingTrials: Int? = nil, algorithm: KMeansAlgorithm = .auto,
                threads: Int? = nil, refinement: KMeansRefinement = .hartigan, swapTrials: Int? = nil) {
        self.clusterCount = clusterCount
        self.restarts = restarts
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
        self.seedingTrials = seedingTrials
        self.algorithm = algorithm
        self.threads = threads
        self.refinement = refinement
        self.swapTrials = swapTrials
    }
}

/// A k-means option out of its range, found before any data is seen.
public struct KMeansParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The option.
    public enum Parameter: String, Sendable, Equatable, CaseIterable {
        case clusterCount, restarts, maxIterations, tolerance, threads, seedingTrials, swapTrials
    }

    /// The option that is out of range.
    public let parameter: Parameter
    /// Its value, as text.
    public let value: String
    /// What it must be ("must be at least 1").
    public let requirement: String

    /// "restarts=0 must be at least 1".
    public var description: String { "\(parameter.rawValue)=\(value) \(requirement)" }
}

extension KMeansConfiguration {
    /// Checks every option on its own: the one place their ranges are stated. A fit checks
    /// them again with the data (``ClusteringError``); a command checks them first, to name
    /// its option before reading any file.
    /// - Throws: ``KMeansParameterError`` for the first option out of range.
    public func validate() throws(KMeansParameterError) {
        func fail(_ parameter: KMeansParameterError.Parameter, _ value: some CustomStringConvertible, _ requirement: String) -> KMeansParameterError {
            KMeansParameterError(parameter: parameter, value: value.description, requirement: requirement)
        }
        guard clusterCount >= 1 else { throw fail(.clusterCount, clusterCount, "must be at least 1") }
        guard restarts >= 1 else { throw fail(.restarts, restarts, "must be at least 1") }
        if let m = maxIterations, m < 1 { throw fail(.maxIterations, m, "must be at least 1") }
        guard tolerance.isFinite, tolerance >= 0 else { throw fail(.tolerance, tolerance, "must be finite and ≥ 0") }
        if let t = threads, t < 1 { throw fail(.threads, t, "must be at least 1") }
        if let t = seedingTrials, t < 1 { throw fail(.seedingTrials, t, "must be at least 1") }
        if let t = swapTrials, t < 0 { throw fail(.swapTrials, t, "must be at least 0") }
    }

    /// The candidates per greedy k-means++ step actually used.
    var effectiveSeedingTrials: Int { seedingTrials ?? (2 + Int(log(Double(max(1, clusterCount))))) }

    /// The swap trials of the global step actually used: none for one cluster.
    var effectiveSwapTrials: Int {
        clusterCount < 2 ? 0 : swapTrials ?? max(20, min(60, 600 / clusterCount))
    }
}

/// What went wrong in a k-means fit, with the numbers involved.
public enum ClusteringError: Error, Equatable, Sendable, CustomStringConvertible {
    /// k < 1.
    case invalidClusterCount(Int)
    /// Fewer rows (with positive weight) than clusters.
    case tooFewRows(rows: Int, clusters: Int)
    /// Fewer distinct rows (with positive weight) than clusters.
    case tooFewDistinctRows(distinct: Int, clusters: Int)
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// Sample weights do not match the rows or are negative, not finite or all zero.
    case invalidWeights(String)
    /// A value is not finite or so large that squared distances would overflow `Float`
    /// (|x| > ``KMeans/maximumMagnitude``).
    case valueOutOfRange(row: Int, column: Int, value: Float)
    /// Initial centroids do not match k or the data width.
    case invalidInitialCentroids(rows: Int, columns: Int, clusters: Int, dataColumns: Int)

    /// A one-line description quoting the numbers.
    public var description: String {
        switch self {
        case .invalidClusterCount(let k): "k=\(k) must be at least 1"
        case .tooFewRows(let rows, let k): "only \(rows) rows (n_rows=\(rows)), fewer than k=\(k) personas"
        case .tooFewDistinctRows(let distinct, let k):
            "the data has only \(distinct) distinct rows, fewer than k=\(k) personas"
        case .invalidConfiguration(let reason): "invalid k-means configuration: \(reason)"
        case .invalidWeights(let reason): "invalid sample weights: \(reason)"
        case .valueOutOfRange(let row, let column, let value):
            "encoded value \(value) at row \(row), column \(column) is not finite or too large (limit ±1e15); standardise or rescale the data"
        case .invalidInitialCentroids(let rows, let columns, let k, let d):
            "initial centroids are \(rows)×\(columns), expected k×d = \(k)×\(d)"
        }
    }
}
