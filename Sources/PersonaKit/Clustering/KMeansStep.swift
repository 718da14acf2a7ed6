/// The contract of a k-means iteration step (mlpack's policy style): label every row with
/// its nearest centre. The driver, ``KMeansRun``, does the rest — cluster sums, centre
/// updates, the empty-cluster policy, convergence — identically for every step.
///
/// Every step labels exactly as ``LloydStep`` does, with ``DistanceKernel`` distances and ties
/// to the lower index, so all steps give the same labels from the same centres, and hence the
/// same model; the accelerated steps only skip distances that bounds prove cannot win. The
/// iterations' passes measure with the fused kernel
/// (``DistanceKernel/squaredDistance(_:_:_:fused:)``), the final labelling (`exact`) with the
/// exact kernel that assignment and the SQL export share; the bounds allow for either.
protocol KMeansStep: Sendable {
    /// The algorithm this step implements.
    static var algorithm: KMeansAlgorithm { get }

    /// Whether every labelling pass reports the inertia; otherwise only exact passes do and
    /// the driver derives an iteration's inertia from the cluster sums.
    static var measuresEveryPass: Bool { get }

    /// A step for `context.partition`'s rows.
    init(_ context: StepContext)

    /// Prepares the next labelling pass against `centres`; returns the distances it evaluated.
    mutating func prepare(_ centres: CentreTable) -> Int

    /// Labels the rows of one chunk against the prepared centres, moving rows in the
    /// partition. Called concurrently for different chunks. With `exact`, every row's squared
    /// distance to its centre is computed and summed into the tally's inertia.
    func label(_ chunk: ChunkInput, exact: Bool) -> ChunkTally

    /// Forgets what the step knows about `row`, whose label was changed from outside.
    func forget(row: Int)
}

/// What every step is built from.
struct StepContext: Sendable {
    let partition: Partition
    let rows: Int
    var k: Int { partition.k }
    var d: Int { partition.d }
}

/// One chunk of rows and the data a step reads.
struct ChunkInput {
    let chunk: Int
    let rows: Range<Int>
    /// The data, row-major.
    let x: UnsafePointer<Float>
    /// The sample weights, if any.
    let w: UnsafePointer<Double>?

    @inline(__always)
    func weight(_ row: Int) -> Double { w?[row] ?? 1 }
}

/// What a step did in one chunk.
struct ChunkTally: Sendable {
    /// Rows whose label changed.
    var changes = 0
    /// Distances evaluated.
    var evaluations = 0
    /// Σ w × squared distance to the assigned centre (exact passes, or every pass of a step
    /// that ``KMeansStep/measuresEveryPass``).
    var inertia = 0.0
}

/// Distance bounds that stay valid despite rounding.
///
/// The accelerated steps keep bounds on Euclidean distances and skip a centre only when a
/// bound proves it is strictly farther than the assigned one. Bounds come from `Float`
/// squared distances, whose relative error is at most γ = (d + 32)·2⁻²⁴ for the kernel's
/// summation (a generous bound: at most d/8 + 17 roundings touch any term). Upper bounds are
/// stored inflated by (1 + 4γ) and lower bounds deflated by (1 − 4γ); sums and differences
/// of bounds are rounded outwards. So `lower > upper` implies that the kernel's squared
/// distances compare the same way, strictly, and a pruned row gets exactly the label a full
/// pass would give it.
struct DistanceBounds: Sendable {
    /// Inflation of a distance taken from a kernel value into an upper bound.
    let up: Float
    /// Deflation of a distance taken from a kernel value into a lower bound.
    let down: Float

    init(d: Int) {
        let gamma = Float(d + 32) * 0x1p-24
        up = 1 + 4 * gamma
        down = max(0, 1 - 4 * gamma)
    }

    /// An upper bound on the distance (times 1 + γ) whose kernel value is `squared`.
    @inline(__always) func upper(_ squared: Float) -> Float { squared.squareRoot() * up }
    /// A lower bound on the distance (times 1 − γ) whose kernel value is `squared`.
    @inline(__always) func lower(_ squared: Float) -> Float { squared.squareRoot() * down }

    /// `bound + drift`, rounded up.
    @inline(__always) static func grown(_ bound: Float, by drift: Float) -> Float { (bound + drift) * (1 + 0x1p-21) }
    /// `max(0, bound − drift)`, rounded down.
    @inline(__always) static func shrunk(_ bound: Float, by drift: Float) -> Float { max(0, (bound - drift) * (1 - 0x1p-21)) }
}

/// What the accelerated steps know about the centres of a pass: how far each moved since the
/// previous pass, and half the distance between every two of them, as rounding-safe bounds.
final class CentreGeometry: @unchecked Sendable {
    let k: Int
    let d: Int
    let bounds: DistanceBounds
    /// The centres of the previous pass.
    private let last: WorkBuffer<Float>
    private var hasLast = false
    /// Upper bound on each centre's move since the previous pass (0 on the first).
    let drift: WorkBuffer<Float>
    /// k × k: lower bound on half the distance between two centres.
    let halfGaps: WorkBuffer<Float>
    /// Lower bound on half the distance from each centre to its nearest other centre
    /// (+∞ when k = 1).
    let halfNearest: WorkBuffer<Float>
    /// The largest drift, the centre that has it, and the largest drift of the others.
    private(set) var largestDrift: Float = 0
    private(set) var largestDriftCentre = 0
    private(set) var secondDrift: Float = 0

    init(k: Int, d: Int) {
        self.k = k
        self.d = d
        bounds = DistanceBounds(d: d)
        last = WorkBuffer(repeating: 0, count: k * d)
        drift = WorkBuffer(repeating: 0, count: k)
        halfGaps = WorkBuffer(repeating: 0, count: k * k)
        halfNearest = WorkBuffer(repeating: .infinity, count: k)
    }

    /// Measures the centres of the next pass; returns the distances evaluated.
    func update(_ centres: CentreTable) -> Int {
        let k = self.k, d = self.d
        var evaluations = 0
        largestDrift = 0; secondDrift = 0; largestDriftCentre = 0
        if hasLast {
            for c in 0..<k {
                let move = bounds.upper(DistanceKernel.squaredDistance(last.base + c * d, centres.row(c), d))
                drift[c] = move
                if move > largestDrift {
                    secondDrift = largestDrift
                    largestDrift = move; largestDriftCentre = c
                } else if move > secondDrift {
                    secondDrift = move
                }
            }
            evaluations += k
        }
        last.base.update(from: centres.rows.base, count: k * d)
        hasLast = true
        for a in 0..<k { halfNearest[a] = .infinity }
        for a in 0..<k {
            for b in (a + 1)..<max(a + 1, k) {
                let half = 0.5 * bounds.lower(DistanceKernel.squaredDistance(centres.row(a), centres.row(b), d))
                halfGaps[a * k + b] = half
                halfGaps[b * k + a] = half
                halfNearest[a] = min(halfNearest[a], half)
                halfNearest[b] = min(halfNearest[b], half)
            }
        }
        evaluations += k * (k - 1) / 2
        return evaluations
    }

    /// Upper bound on the largest drift of any centre but `c`.
    @inline(__always)
    func largestDrift(except c: Int) -> Float { c == largestDriftCentre ? secondDrift : largestDrift }
}
