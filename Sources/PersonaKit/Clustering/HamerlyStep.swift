/// Hamerly's step: Lloyd's labels with one upper and one lower bound per row.
///
/// Each row keeps an upper bound u on the distance to its centre a and a lower bound l on
/// the distance to every other centre. When the centres move, u grows by a's move and l
/// shrinks by the largest move of another centre. A row whose
/// max(l, ½·min_{b≠a} ‖c_a − c_b‖) exceeds u keeps its label without any distance; otherwise
/// u is made exact (one distance) and the test repeated; only then are all k distances
/// computed. On well-separated data most rows cost no distance at all, at O(n) memory.
///
/// Making u exact costs one distance and pays only when the test then succeeds often
/// enough; early on, while centres still move far, it rarely does, and the step goes
/// straight to all k distances (measured with the blocked kernel, so little dearer than one).
/// When most rows need all k distances anyway, a pass measures every row outright, as
/// Lloyd's does, and resets the bounds exactly. Each pass records how its rows' bounds fared
/// and decides how the next pass runs; the labels are the same either way.
///
/// Reference: Hamerly, "Making k-means even faster", SIAM International Conference on Data
/// Mining (SDM) 2010.
///
/// - Complexity: O(n × k × d) per pass at worst, O(n + k² × d) when bounds hold.
struct HamerlyStep: KMeansStep {
    static let algorithm = KMeansAlgorithm.hamerly
    static let measuresEveryPass = false

    private let partition: Partition
    private let geometry: CentreGeometry
    /// Per row: upper bound on the distance to its centre, lower bound on the others.
    private let upper: WorkBuffer<Float>
    private let lower: WorkBuffer<Float>
    /// Per chunk: rows whose bounds failed, and how many of them an exact u would have kept.
    private let tightenings: WorkBuffer<SIMD2<Int>>
    /// Rows labelled so far (not counting a first labelling).
    private let labelled: WorkBuffer<Int>
    private var tighten = true
    /// Whether this pass measures every row (most needed all k distances last time).
    private var dense = false
    private var centres: CentreTable?

    init(_ context: StepContext) {
        partition = context.partition
        geometry = CentreGeometry(k: context.k, d: context.d)
        upper = WorkBuffer(repeating: .infinity, count: context.rows)
        lower = WorkBuffer(repeating: 0, count: context.rows)
        tightenings = WorkBuffer(repeating: .zero, count: context.partition.plan.chunkCount)
        labelled = WorkBuffer(repeating: 0, count: context.partition.plan.chunkCount)
    }

    mutating func prepare(_ centres: CentreTable) -> Int {
        self.centres = centres
        // Exact u pays when it spares the k distances more often than 1 in (blocks × 3): one
        // distance costs about a third of a block of eight.
        var total = SIMD2<Int>.zero, rows = 0
        for chunk in 0..<partition.plan.chunkCount {
            total &+= tightenings[chunk]
            rows += labelled[chunk]
            tightenings[chunk] = .zero
            labelled[chunk] = 0
        }
        let blocks = (centres.k + CentreTable.lanes - 1) / CentreTable.lanes
        tighten = total[0] == 0 || 3 * blocks * total[1] >= total[0]
        // Measuring every row costs a little more per row than the bounds' full path, and
        // saves their bookkeeping: it pays once about 3 rows in 5 take that path.
        dense = rows > 0 && 5 * (total[0] - total[1]) >= 3 * rows
        return geometry.update(centres)
    }

    func label(_ input: ChunkInput, exact: Bool) -> ChunkTally {
        let table = centres!, k = table.k, d = table.d
        let geometry = self.geometry, bounds = geometry.bounds
        let labels = partition.labels.base, upper = self.upper.base, lower = self.lower.base
        let halfNearest = geometry.halfNearest.base, drift = geometry.drift.base
        var tally = ChunkTally()
        var tried = SIMD2<Int>.zero
        if dense && !exact {
            let start = input.rows.lowerBound, count = input.rows.count
            DistanceKernel.withFusedNearest(rows: input.x + start * d, count: count, in: table) { index, distance, runnerUp in
                for i in 0..<count {
                    let r = start + i
                    let a = Int(labels[r])
                    let near = (index: Int(index[i]), distance: distance[i], runnerUp: runnerUp[i])
                    if a >= 0 {
                        // How the bounds would have fared, for the next pass's choice.
                        let l = DistanceBounds.shrunk(lower[r], by: geometry.largestDrift(except: a))
                        let bound = max(halfNearest[a], l)
                        if !(bound > DistanceBounds.grown(upper[r], by: drift[a])) {
                            tried[0] += 1
                            if near.index == a && bound > bounds.upper(near.distance) { tried[1] += 1 }
                        }
                    }
                    if near.index != a {
                        partition.move(r, chunk: input.chunk, to: near.index)
                        tally.changes += 1
                    }
                    upper[r] = bounds.upper(near.distance)
                    lower[r] = bounds.lower(near.runnerUp)
                }
            }
            tally.evaluations = input.rows.count * k
            tightenings[input.chunk] = tried
            labelled[input.chunk] = input.rows.count
            return tally
        }
        var rows = 0
        for r in input.rows {
            let point = input.x + r * d
            let a = Int(labels[r])
            var known: (base: Int, lanes: SIMD8<Float>)? = nil
            if a >= 0 {
                rows += 1
                // Follow the centres' moves; most rows stop here.
                let l = DistanceBounds.shrunk(lower[r], by: geometry.largestDrift(except: a))
                let u = DistanceBounds.grown(upper[r], by: drift[a])
                upper[r] = u; lower[r] = l
                let bound = max(halfNearest[a], l)
                if !exact && bound > u { continue }
                let squared: Float
                if tighten || exact {
                    squared = DistanceKernel.squaredDistance(point, table.row(a), d, fused: !exact)
                    tally.evaluations += 1
                } else {
                    let base = a & ~(CentreTable.lanes - 1)
                    let lanes = DistanceKernel.blockDistances(point, table.block(containing: base), d, fused: !exact)
                    tally.evaluations += min(CentreTable.lanes, k - base)
                    known = (base, lanes)
                    squared = lanes[a - base]
                }
                tried[0] += 1
                if bound > bounds.upper(squared) {
                    tried[1] += 1
                    // With one block, all k distances are at hand: take the exact bounds.
                    if known == nil || k > CentreTable.lanes {
                        upper[r] = bounds.upper(squared)
                        if exact { tally.inertia += input.weight(r) * Double(squared) }
                        continue
                    }
                }
            }
            let near = DistanceKernel.nearestAndRunnerUp(point, in: table, known: known, fused: !exact)
            tally.evaluations += known == nil ? k : k - min(CentreTable.lanes, k - known!.base)
            if near.index != a {
                partition.move(r, chunk: input.chunk, to: near.index)
                tally.changes += 1
            }
            upper[r] = bounds.upper(near.distance)
            lower[r] = bounds.lower(near.runnerUp)
            if exact { tally.inertia += input.weight(r) * Double(near.distance) }
        }
        tightenings[input.chunk] = tried
        labelled[input.chunk] = rows
        return tally
    }

    func forget(row: Int) {
        upper[row] = .infinity
        lower[row] = 0
    }
}
