/// Elkan's step: Lloyd's labels with one upper bound per row and one lower bound per row and
/// centre.
///
/// A row skips centre b when its lower bound l(x, b) or half the distance between its
/// centre a and b exceeds its upper bound u; a row whose u is below half the distance from a
/// to a's nearest other centre skips them all. Per-centre bounds prune far more than
/// Hamerly's single one when k is large, at O(n × k) memory.
///
/// Lower bounds are kept lazily: each centre's cumulative drift Δ_b is tracked, a bound is
/// stored as l + Δ_b when set and read as (stored − Δ_b), so a pass only touches the bounds
/// of rows it examines instead of all n × k of them. The tests run eight centres at a time
/// (one SIMD comparison per block); where several centres of a block survive them, the whole
/// block is measured with the blocked kernel, which costs about as much as three single
/// distances.
///
/// Reference: Elkan, "Using the triangle inequality to accelerate k-means", International
/// Conference on Machine Learning (ICML) 2003.
///
/// - Complexity: O(n × k × d) per pass at worst; O(n + k² × d) when bounds hold.
struct ElkanStep: KMeansStep {
    static let algorithm = KMeansAlgorithm.elkan
    static let measuresEveryPass = false

    private let partition: Partition
    private let geometry: CentreGeometry
    private let paddedK: Int
    /// Per row: upper bound on the distance to its centre.
    private let upper: WorkBuffer<Float>
    /// n × padded k: lower bound on the distance from row to centre, plus that centre's
    /// cumulative drift when it was set.
    private let lower: WorkBuffer<Float>
    /// Each centre's cumulative drift, rounded up (padded with zeros).
    private let offset: WorkBuffer<Float>
    /// k × padded k: half the distance between two centres, +∞ on the diagonal and in the
    /// padding, so that neither is ever a candidate.
    private let gaps: WorkBuffer<Float>
    private var centres: CentreTable?
    private var passes = 0

    init(_ context: StepContext) {
        partition = context.partition
        geometry = CentreGeometry(k: context.k, d: context.d)
        paddedK = (context.k + CentreTable.lanes - 1) / CentreTable.lanes * CentreTable.lanes
        upper = WorkBuffer(repeating: .infinity, count: context.rows)
        lower = WorkBuffer(repeating: 0, count: context.rows * paddedK)
        offset = WorkBuffer(repeating: 0, count: paddedK)
        gaps = WorkBuffer(repeating: .infinity, count: context.k * paddedK)
    }

    mutating func prepare(_ centres: CentreTable) -> Int {
        self.centres = centres
        let k = centres.k
        let evaluations = geometry.update(centres)
        if passes > 0 {
            for c in 0..<k { offset[c] = DistanceBounds.grown(offset[c], by: geometry.drift[c]) }
        }
        passes += 1
        for a in 0..<k {
            for b in 0..<k where b != a { gaps[a * paddedK + b] = geometry.halfGaps[a * k + b] }
        }
        return evaluations
    }

    func label(_ input: ChunkInput, exact: Bool) -> ChunkTally {
        let table = centres!, k = table.k, d = table.d, paddedK = self.paddedK
        let geometry = self.geometry, bounds = geometry.bounds
        let labels = partition.labels.base, upper = self.upper.base, drift = geometry.drift.base
        let halfNearest = geometry.halfNearest.base, offset = self.offset.base
        let down = SIMD8<Float>(repeating: bounds.down), shrink = SIMD8<Float>(repeating: 1 - 0x1p-21)
        var tally = ChunkTally()
        for r in input.rows {
            let old = Int(labels[r])
            var a = old
            var u = upper[r]
            if a >= 0 {
                // Follow the centres' moves; most rows stop here.
                u = DistanceBounds.grown(u, by: drift[a])
                upper[r] = u
                if !exact && halfNearest[a] > u { continue }
            }
            let point = input.x + r * d
            let rowLower = lower.base + r * paddedK
            /// Stores lower bounds from the squared distances of the block at `base`.
            func store(_ squared: SIMD8<Float>, at base: Int) {
                let stored = (squared.squareRootBounds().lower * down + SIMD8(loading: offset + base)) * shrink
                UnsafeMutableRawPointer(rowLower + base).storeBytes(of: stored, as: SIMD8<Float>.self)
            }
            /// Stores a lower bound from the squared distance to `c`.
            func store(_ squared: Float, for c: Int) {
                rowLower[c] = (bounds.lower(squared) + offset[c]) * (1 - 0x1p-21)
            }
            var best: Float = -1   // the squared distance to `a`, once measured
            if a < 0 {
                // First pass: every distance.
                var base = 0
                while base < k {
                    let squared = DistanceKernel.blockDistances(point, table.block(containing: base), d, fused: !exact)
                    store(squared, at: base)
                    let (lane, distance) = DistanceKernel.smallest(DistanceKernel.padded(squared, count: k - base))
                    if best < 0 || distance < best { a = base + lane; best = distance }
                    base += CentreTable.lanes
                }
                tally.evaluations += k
                u = bounds.upper(best)
            } else {
                /// Measures the `candidates` of the block at `base`: the whole block when
                /// several survive (about the price of three single distances).
                func measure(_ candidates: Int, at base: Int) {
                    if candidates.nonzeroBitCount >= 3 {
                        let squared = DistanceKernel.blockDistances(point, table.block(containing: base), d, fused: !exact)
                        store(squared, at: base)
                        tally.evaluations += min(CentreTable.lanes, k - base)
                        if best < 0 { best = squared[a - base]; u = bounds.upper(best) }
                        let (lane, distance) = DistanceKernel.smallest(DistanceKernel.padded(squared, count: k - base))
                        if distance < best || (distance == best && base + lane < a) {
                            a = base + lane; best = distance; u = bounds.upper(distance)
                        }
                        return
                    }
                    var candidates = candidates
                    while candidates != 0 {
                        let c = base + candidates.trailingZeroBitCount
                        candidates &= candidates - 1
                        let squared = DistanceKernel.squaredDistance(point, table.row(c), d, fused: !exact)
                        tally.evaluations += 1
                        store(squared, for: c)
                        if squared < best || (squared == best && c < a) {
                            a = c; best = squared; u = bounds.upper(squared)
                        }
                    }
                }
                /// Makes u exact.
                func tighten() {
                    best = DistanceKernel.squaredDistance(point, table.row(a), d, fused: !exact)
                    tally.evaluations += 1
                    u = bounds.upper(best)
                    store(best, for: a)
                }
                // The own centre's block first: measured whole, it makes u exact too.
                let own = a & ~(CentreTable.lanes - 1)
                let candidates = self.candidates(rowLower, own, a, u)
                if candidates.nonzeroBitCount >= 3 {
                    measure(candidates, at: own)
                } else if exact || candidates != 0 {
                    tighten()
                    measure(self.candidates(rowLower, own, a, u), at: own)
                }
                var base = 0
                while base < k {
                    defer { base += CentreTable.lanes }
                    guard base != own else { continue }
                    var candidates = self.candidates(rowLower, base, a, u)
                    guard candidates != 0 else { continue }
                    if best < 0 {
                        tighten()
                        candidates = self.candidates(rowLower, base, a, u)
                        guard candidates != 0 else { continue }
                    }
                    measure(candidates, at: base)
                }
            }
            upper[r] = u
            if a != old {
                partition.move(r, chunk: input.chunk, to: a)
                tally.changes += 1
            }
            if exact { tally.inertia += input.weight(r) * Double(best) }
        }
        return tally
    }

    /// The centres of the block at `base` that bounds cannot rule out for a row labelled `a`
    /// with upper bound `u`, as bits.
    @inline(__always)
    private func candidates(_ rowLower: UnsafeMutablePointer<Float>, _ base: Int, _ a: Int, _ u: Float) -> Int {
        let bound = (SIMD8(loading: rowLower + base) - SIMD8(loading: offset.base + base)) * (1 - 0x1p-21)
        let limit = SIMD8<Float>(repeating: u)
        return LaneMask.bits((SIMD8(loading: gaps.base + a * paddedK + base) .<= limit) .& (bound .<= limit))
    }



    func forget(row: Int) {
        upper[row] = .infinity
        (lower.base + row * paddedK).update(repeating: 0, count: paddedK)
    }
}
