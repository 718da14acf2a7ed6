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
    private var centres: CentreTable?

    init(_ context: StepContext) {
        partition = context.partition
        geometry = CentreGeometry(k: context.k, d: context.d)
        groups = (context.k + CentreTable.lanes - 1) / CentreTable.lanes
        upper = WorkBuffer(repeating: .infinity, count: context.rows)
        lower = WorkBuffer(repeating: 0, count: context.rows * groups)
        groupDrift = WorkBuffer(repeating: 0, count: groups)
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
        let table = centres!, k = table.k, d = table.d, groups = self.groups, lanes = CentreTable.lanes
        let geometry = self.geometry, bounds = geometry.bounds
        let labels = partition.labels.base, upper = self.upper.base, lower = self.lower.base
        let halfNearest = geometry.halfNearest.base, drift = geometry.drift.base, groupDrift = self.groupDrift.base
        var tally = ChunkTally()
        // The distances of the groups measured for the current row; -1 in lane 0 (a squared
        // distance is never negative, and lane 0 always holds a centre) marks a group not measured.
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: groups) { measured in
            let block = measured.baseAddress!
            for r in input.rows {
                let point = input.x + r * d
                let rowLower = lower + r * groups
                let old = Int(labels[r])
                var a = old
                var best: Float
                if a < 0 {
                    // First pass: every distance.
                    best = .infinity
                    for g in 0..<groups {
                        let squared = DistanceKernel.padded(DistanceKernel.blockDistances(point, table.block(containing: g * lanes), d, fused: !exact),
                                                            count: k - g * lanes)
                        block[g] = squared
                        let (lane, distance) = DistanceKernel.smallest(squared)
                        if distance < best { a = g * lanes + lane; best = distance }
                    }
                    tally.evaluations += k
                    a = max(a, 0)
                    for g in 0..<groups { rowLower[g] = bounds.lower(Self.smallest(block[g], excluding: a - g * lanes)) }
                } else {
                    // Follow the centres' moves; most rows stop here.
                    var u = DistanceBounds.grown(upper[r], by: drift[a])
                    var least = Float.infinity
                    for g in 0..<groups {
                        let l = DistanceBounds.shrunk(rowLower[g], by: groupDrift[g])
                        rowLower[g] = l
                        least = min(least, l)
                    }
                    let bound = max(halfNearest[a], least)
                    if !exact && bound > u { upper[r] = u; continue }
                    // Make u exact and test again.
                    best = DistanceKernel.squaredDistance(point, table.row(a), d, fused: !exact)
                    tally.evaluations += 1
                    u = bounds.upper(best)
                    if bound > u {
                        upper[r] = u
                        if exact { tally.inertia += input.weight(r) * Double(best) }
                        continue
                    }
                    // Measure the groups the bounds cannot rule out, in index order; ties go to
                    // the lower index.
                    let own = old, ownDistance = best
                    for g in 0..<groups {
                        block[g][0] = -1
                        guard !(rowLower[g] > bounds.upper(best)) else { continue }
                        let squared = DistanceKernel.padded(DistanceKernel.blockDistances(point, table.block(containing: g * lanes), d, fused: !exact),
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
                if exact { tally.inertia += input.weight(r) * Double(best) }
            }
        }
        return tally
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
