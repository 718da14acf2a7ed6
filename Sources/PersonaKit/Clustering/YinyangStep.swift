import CPersonaKernels

/// The Yinyang step: Lloyd's labels with one upper bound per row and one lower bound per row
/// and group of centres, the groups being the kernel's blocks of eight.
///
/// A row keeps an upper bound u on the distance to its centre a and, for every group, a
/// lower bound on the distance to every centre of the group but a. When the centres move, u
/// grows by a's move and a group's bound shrinks by the largest move in the group. A row
/// whose bounds all exceed u (or whose u is below half the distance from a to a's nearest
/// other centre) keeps its label without any distance; otherwise u is made exact and the
/// test repeated, and only the groups whose bound does not exceed u are measured — a whole
/// block of eight at a time with the blocked kernel, which costs about three single
/// distances. Between Hamerly's one bound per row and Elkan's one per centre: k/8 bounds per
/// row, which prune almost as well as Elkan's at large k while a pass reads an eighth of
/// their memory.
///
/// An iteration's pass takes a chunk of rows in stages — all bounds, then the own-centre
/// distances of the rows left, then group by group the blocks still in question — so that
/// independent distances are computed together rather than one row at a time. A chunk
/// whose last staged pass measured more than a quarter of its distances (early iterations,
/// and rows near many centres) is measured whole instead, eight rows against eight centres
/// at a time, which also makes every bound exact. Either way every row gets the label a
/// full pass would give it, so the choice changes only the distances counted.
///
/// Reference: Ding, Zhao, Shen, Musuvathi and Mytkowicz, "Yinyang K-Means: A Drop-In
/// Replacement of the Classic K-Means with Consistent Speedup", International Conference on
/// Machine Learning (ICML) 2015 (groups of centres and their group filter; here the groups
/// are fixed blocks of eight rather than clusters of the initial centres).
///
/// - Complexity: O(n × k × d) per pass at worst; O(n × k/8 + k² × d) when bounds hold.
struct YinyangStep: KMeansStep {
    static let algorithm = KMeansAlgorithm.yinyang
    static let measuresEveryPass = false

    private let partition: Partition
    private let geometry: CentreGeometry
    /// Groups of centres (blocks of eight).
    private let groups: Int
    /// Per row: upper bound on the distance to its centre.
    private let upper: WorkBuffer<Float>
    /// n × groups: lower bound on the distance from the row to every centre of the group
    /// other than its own.
    private let lower: WorkBuffer<Float>
    /// Per group: an upper bound on the largest move of its centres since the last pass.
    private let groupDrift: WorkBuffer<Float>
    /// Per chunk: the distances its last pass in stages evaluated (0 after a whole pass).
    private let chunkWork: WorkBuffer<Int>
    private var centres: CentreTable?

    init(_ context: StepContext) {
        partition = context.partition
        geometry = CentreGeometry(k: context.k, d: context.d)
        groups = (context.k + CentreTable.lanes - 1) / CentreTable.lanes
        upper = WorkBuffer(repeating: .infinity, count: context.rows)
        lower = WorkBuffer(repeating: 0, count: context.rows * groups)
        groupDrift = WorkBuffer(repeating: 0, count: groups)
        chunkWork = WorkBuffer(repeating: 0, count: context.partition.plan.chunkCount)
    }

    mutating func prepare(_ centres: CentreTable) -> Int {
        self.centres = centres
        let evaluations = geometry.update(centres)
        for g in 0..<groups {
            var largest: Float = 0
            for c in g * CentreTable.lanes ..< min(centres.k, (g + 1) * CentreTable.lanes) {
                largest = max(largest, geometry.drift[c])
            }
            groupDrift[g] = largest
        }
        return evaluations
    }

    func label(_ input: ChunkInput, exact: Bool) -> ChunkTally {
        var tally = ChunkTally()
        let labels = partition.labels.base
        if exact {
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: groups) { measured in
                for r in input.rows { labelRowExactly(r, input, measured: measured.baseAddress!, &tally) }
            }
            return tally
        }
        // A chunk whose bounds spared little in its last pass (and the first pass, which has
        // no labels) is measured whole; the others in stages.
        if Double(chunkWork[input.chunk]) > Self.wholeChunkShare * Double(input.rows.count * partition.k)
            || input.rows.contains(where: { labels[$0] < 0 }) {
            labelWhole(input, &tally)
            // The next pass tries the fresh bounds.
            chunkWork[input.chunk] = 0
        } else {
            labelInStages(input, &tally)
            chunkWork[input.chunk] = tally.evaluations
        }
        return tally
    }

    /// The share of a chunk's row–centre distances above which its next pass measures every
    /// distance: the bounds then cost more than the distances they spare, and a whole pass,
    /// eight rows against eight centres at a time, sets every bound afresh.
    static let wholeChunkShare = 0.25

    /// Every row of a chunk against every centre, with the fused kernel: labels, and every
    /// bound made exact. The first pass, which has no labels yet, goes this way.
    private func labelWhole(_ input: ChunkInput, _ tally: inout ChunkTally) {
        let table = centres!, k = table.k, d = table.d, groups = self.groups, lanes = CentreTable.lanes
        let bounds = geometry.bounds
        let labels = partition.labels.base, upper = self.upper.base, lower = self.lower.base
        let n = input.rows.count, first = input.rows.lowerBound
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * n * groups) { floats in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: n * groups) { ints in
                let least = floats.baseAddress!, other = least + n * groups, lane = ints.baseAddress!
                pk_fused_groups(input.x + first * d, n, d, table.block(containing: 0), k, least, lane, other)
                tally.evaluations += n * k
                for i in 0..<n {
                    let r = first + i, old = Int(labels[r])
                    let rowLeast = least + i * groups, rowLane = lane + i * groups, rowOther = other + i * groups
                    // The nearest: earlier groups win ties, and within a group the lowest lane.
                    var a = 0, best = Float.infinity
                    for g in 0..<groups where rowLeast[g] < best {
                        best = rowLeast[g]
                        a = g * lanes + Int(rowLane[g])
                    }
                    let rowLower = lower + r * groups, own = a / lanes
                    for g in 0..<groups { rowLower[g] = bounds.lower(g == own ? rowOther[g] : rowLeast[g]) }
                    upper[r] = bounds.upper(best)
                    if a != old {
                        partition.move(r, chunk: input.chunk, to: a)
                        tally.changes += 1
                    }
                }
            }
        }
    }

    /// One row of the final labelling, with the exact kernel: the row's own centre is
    /// measured whatever the bounds and added to the inertia, then the groups the bounds
    /// cannot rule out (without a label, every group). `block` holds a block of distances per
    /// group.
    @inline(__always)
    private func labelRowExactly(_ r: Int, _ input: ChunkInput, measured block: UnsafeMutablePointer<SIMD8<Float>>,
                                 _ tally: inout ChunkTally) {
        let table = centres!, k = table.k, d = table.d, groups = self.groups, lanes = CentreTable.lanes
        let geometry = self.geometry, bounds = geometry.bounds
        let labels = partition.labels.base, upper = self.upper.base, lower = self.lower.base
        // -1 in lane 0 of a group's block (a squared distance is never negative, and lane 0
        // always holds a centre) marks a group not measured.
        let point = input.x + r * d
        let rowLower = lower + r * groups
        let old = Int(labels[r])
        var a = old
        var best: Float
        if a < 0 {
            // First pass: every distance.
            best = .infinity
            for g in 0..<groups {
                let squared = DistanceKernel.padded(DistanceKernel.blockDistances(point, table.block(containing: g * lanes), d, fused: false),
                                                    count: k - g * lanes)
                block[g] = squared
                let (lane, distance) = DistanceKernel.smallest(squared)
                if distance < best { a = g * lanes + lane; best = distance }
            }
            tally.evaluations += k
            a = max(a, 0)
            for g in 0..<groups { rowLower[g] = bounds.lower(Self.smallest(block[g], excluding: a - g * lanes)) }
        } else {
            // Follow the centres' moves, then measure the own centre: u is exact.
            let bound = followMoves(r, centre: a).bound
            best = DistanceKernel.squaredDistance(point, table.row(a), d, fused: false)
            tally.evaluations += 1
            let u = bounds.upper(best)
            if bound > u {
                upper[r] = u
                tally.inertia += input.weight(r) * Double(best)
                return
            }
            // Measure the groups the bounds cannot rule out, in index order; ties go to
            // the lower index.
            let own = old, ownDistance = best
            for g in 0..<groups {
                block[g][0] = -1
                guard !(rowLower[g] > bounds.upper(best)) else { continue }
                let squared = DistanceKernel.padded(DistanceKernel.blockDistances(point, table.block(containing: g * lanes), d, fused: false),
                                                    count: k - g * lanes)
                tally.evaluations += min(lanes, k - g * lanes)
                block[g] = squared
                let (lane, distance) = DistanceKernel.smallest(squared)
                let c = g * lanes + lane
                if distance < best || (distance == best && c < a) { a = c; best = distance }
            }
            // New group bounds: measured groups from their distances (all but the new
            // centre); the old centre's group, if not measured, must now cover it.
            for g in 0..<groups where block[g][0] >= 0 {
                rowLower[g] = bounds.lower(Self.smallest(block[g], excluding: a - g * lanes))
            }
            let ownGroup = own / lanes
            if a != own && block[ownGroup][0] < 0 {
                rowLower[ownGroup] = min(rowLower[ownGroup], bounds.lower(ownDistance))
            }
        }
        upper[r] = bounds.upper(best)
        if a != old {
            partition.move(r, chunk: input.chunk, to: a)
            tally.changes += 1
        }
        tally.inertia += input.weight(r) * Double(best)
    }

    /// An iteration's pass over a chunk whose rows all have labels, in stages, each over the
    /// rows the one before left: (1) every row's bounds follow the centres' moves; (2) the
    /// rows whose bounds fail are measured against their own centre, all at once; (3) for
    /// each group in index order, the rows whose bounds still do not rule it out are measured
    /// against its block, all at once. Each row sees the tests and distances of
    /// ``labelRowExactly(_:_:measured:_:)``, in the same order (a group's test uses the nearest
    /// distance over the groups before it), so labels, bounds and evaluations are the same;
    /// the stages only let the processor overlap independent distances, which one row at a
    /// time waits on.
    private func labelInStages(_ input: ChunkInput, _ tally: inout ChunkTally) {
        let table = centres!, k = table.k, d = table.d, groups = self.groups, lanes = CentreTable.lanes
        let geometry = self.geometry, bounds = geometry.bounds
        let labels = partition.labels.base, upper = self.upper.base, lower = self.lower.base
        let n = input.rows.count
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * n) { ints in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: n * (3 + 2 * groups + lanes)) { floats in
                // The rows still in question and, per row: its bound, its own distance, the
                // nearest centre and distance so far; per row and group, the smallest
                // distance of the group's block (-1: not measured) and the smallest but
                // that of its first nearest lane.
                let rows = ints.baseAddress!, nearest = rows + n, chosen = nearest + n, listed = chosen + n
                let bound = floats.baseAddress!, own = bound + n, best = own + n
                let groupLeast = best + n, groupOther = groupLeast + n * groups, measured = groupOther + n * groups
                // (1) Bounds.
                var m = 0
                for r in input.rows {
                    let (u, b) = followMoves(r, centre: Int(labels[r]))
                    if b > u { upper[r] = u; continue }
                    rows[m] = Int32(r); bound[m] = b
                    m += 1
                }
                guard m > 0 else { return }
                // (2) The own centre's distance makes u exact.
                pk_fused_own_distances(input.x, d, table.rows.base, labels, rows, m, own)
                tally.evaluations += m
                var s = 0
                for i in 0..<m {
                    let r = Int(rows[i]), distance = own[i]
                    let u = bounds.upper(distance)
                    if bound[i] > u { upper[r] = u; continue }
                    rows[s] = rows[i]; own[s] = distance; best[s] = distance; nearest[s] = labels[r]
                    s += 1
                }
                guard s > 0 else { return }
                // (3) The groups the bounds cannot rule out, in index order; ties go to the
                // lower index.
                for g in 0..<groups {
                    var q = 0
                    for i in 0..<s {
                        groupLeast[i * groups + g] = -1
                        guard !(lower[Int(rows[i]) * groups + g] > bounds.upper(best[i])) else { continue }
                        chosen[q] = Int32(i); listed[q] = rows[i]
                        q += 1
                    }
                    guard q > 0 else { continue }
                    pk_fused_listed_block_distances(input.x, d, table.block(containing: g * lanes), listed, q, measured)
                    tally.evaluations += q * min(lanes, k - g * lanes)
                    for t in 0..<q {
                        let i = Int(chosen[t])
                        let squared = DistanceKernel.padded(UnsafeRawPointer(measured + t * lanes).loadUnaligned(as: SIMD8<Float>.self),
                                                            count: k - g * lanes)
                        let (lane, distance) = DistanceKernel.smallest(squared)
                        let c = g * lanes + lane
                        if distance < best[i] || (distance == best[i] && c < Int(nearest[i])) { nearest[i] = Int32(c); best[i] = distance }
                        groupLeast[i * groups + g] = distance
                        groupOther[i * groups + g] = Self.smallest(squared, excluding: lane)
                    }
                }
                // New bounds and labels. A measured group's bound is its smallest distance
                // but the new centre's (which, in its group, is the first nearest lane); the
                // old centre's group, if not measured, must now cover it.
                for i in 0..<s {
                    let r = Int(rows[i]), a = Int(nearest[i]), old = Int(labels[r])
                    let rowLower = lower + r * groups, known = groupLeast + i * groups
                    for g in 0..<groups where known[g] >= 0 {
                        rowLower[g] = bounds.lower(a / lanes == g ? groupOther[i * groups + g] : known[g])
                    }
                    let ownGroup = old / lanes
                    if a != old && known[ownGroup] < 0 {
                        rowLower[ownGroup] = min(rowLower[ownGroup], bounds.lower(own[i]))
                    }
                    upper[r] = bounds.upper(best[i])
                    if a != old {
                        partition.move(r, chunk: input.chunk, to: a)
                        tally.changes += 1
                    }
                }
            }
        }
    }

    /// Row `r`'s bounds after the centres' moves, its group bounds shrunk in place: an upper
    /// bound on the distance to its centre `a`, and a bound that every other centre's
    /// distance exceeds.
    @inline(__always)
    private func followMoves(_ r: Int, centre a: Int) -> (upper: Float, bound: Float) {
        let rowLower = lower.base + r * groups
        let u = DistanceBounds.grown(upper[r], by: geometry.drift[a])
        var least = Float.infinity
        for g in 0..<groups {
            let l = DistanceBounds.shrunk(rowLower[g], by: groupDrift[g])
            rowLower[g] = l
            least = min(least, l)
        }
        return (u, max(geometry.halfNearest[a], least))
    }

    /// The smallest lane of `lanes` other than `lane` (any lane when `lane` is outside 0..<8).
    @inline(__always)
    private static func smallest(_ lanes: SIMD8<Float>, excluding lane: Int) -> Float {
        guard lane >= 0 && lane < CentreTable.lanes else { return lanes.minimum() }
        return lanes.selecting(.infinity, where: LaneMask.only(lane)).minimum()
    }

    func forget(row: Int) {
        upper[row] = .infinity
        (lower.base + row * groups).update(repeating: 0, count: groups)
    }
}
