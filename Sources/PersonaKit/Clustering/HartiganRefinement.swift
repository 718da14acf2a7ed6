/// Hartigan's single-point refinement of a k-means partition.
///
/// Lloyd's algorithm stops at a partition where every point is nearest to its own centre.
/// Hartigan's method goes further: it moves a point from cluster A to cluster B whenever that
/// lowers the objective once both centres are updated, i.e. when
///
///     W_B·w / (W_B + w) · ‖x − c_B‖²  <  W_A·w / (W_A − w) · ‖x − c_A‖²
///
/// (W = cluster weights, w = the point's weight). Every move strictly lowers the inertia, and
/// every partition Hartigan cannot improve is also one Lloyd cannot, so refinement never
/// loses quality; it often escapes a poor Lloyd fixed point.
///
/// Points are visited in row order, one at a time, so the result is deterministic and
/// independent of the thread count. Centres are recomputed exactly from the labels at the
/// start of every pass, so rounding does not build up: from the cluster sums the iterations
/// keep per chunk of rows (``Partition``), of which a pass redoes only those its moves touched.
///
/// Most points cannot move, and proving that is cheap. Every row keeps, across passes, an
/// upper bound on its distance to its own centre and a lower bound on its distance to every
/// other centre (Hamerly's bounds), against `Float` copies of the centres made at the start of
/// each pass and widened by how far each centre has since moved. A row whose bounds show that
/// no cluster could take it, even the smallest, is skipped. The others are measured against
/// every copy with the blocked `Float` kernel — ahead of the visit, in parallel, in windows of
/// ``windowRows`` — and tested centre by centre with those bounds; the exact decision, in
/// `Double`, is taken only for the few rows the bounds cannot rule out. Bounds are widened
/// for the kernel's and the copies' rounding, so a row they rule out is one the exact test
/// would leave: the moves are exactly those of testing every row exactly.
///
/// References: Hartigan & Wong, "A K-Means Clustering Algorithm", Applied Statistics 28,
/// 1979; Telgarsky & Vattani, "Hartigan's Method: k-means Clustering without Voronoi",
/// AISTATS 2010.
///
/// - Complexity: O(passes × n × k × d), mostly in parallel `Float` screening.
enum HartiganRefinement {
    /// Passes over the data at most.
    static let maximumPasses = 50
    /// Rows screened ahead at a time.
    static let windowRows = 16 * ChunkedParallel.chunkSize

    /// What a refinement did.
    struct Outcome {
        /// Points moved.
        var moves = 0
        /// Passes over the data.
        var passes = 0
        /// Point–centre distances evaluated (screening and exact tests).
        var evaluations = 0
    }

    /// Refines `labels` in place.
    static func refine(_ data: FeatureMatrix, weights: [Double]?, k: Int, partition: Partition,
                       threads: Int?) -> Outcome {
        var outcome = Outcome()
        guard k > 1 else { return outcome }
        var state = State(data, weights: weights, k: k, partition: partition, threads: threads)
        var moved = true
        while moved && outcome.passes < maximumPasses {
            outcome.passes += 1
            let moves = state.pass()
            outcome.moves += moves
            moved = moves > 0
        }
        outcome.evaluations = state.evaluations
        return outcome
    }

    /// The refinement's working state.
    private struct State {
        let data: FeatureMatrix
        let weights: [Double]?
        let k: Int
        let d: Int
        let paddedK: Int
        /// The labels and the cluster sums that follow them, and the chunks they are kept in.
        let partition: Partition
        var labels: WorkBuffer<Int32> { partition.labels }
        var plan: ChunkedParallel { partition.plan }
        let threads: Int?
        let bounds: DistanceBounds
        /// Exact centres (k × d) and cluster weights; the smallest cluster weight.
        let centres: WorkBuffer<Double>
        let clusterWeights: WorkBuffer<Double>
        var smallestWeight = 0.0
        /// The cluster weights as `Float`, padded with ones (the screen's only use of them).
        let screenWeights: WorkBuffer<Float>
        /// `Float` copies of the centres made at the start of the pass — the reference every
        /// bound refers to — and an upper bound on how far each centre now is from its copy
        /// (padded with zeros).
        let reference: CentreTable
        var hasReference = false
        let slack: WorkBuffer<Float>
        /// The largest slack, the centre that has it, and the largest slack of the others.
        var largestSlack: Float = 0
        var largestSlackCentre = 0
        var secondSlack: Float = 0
        /// Per row: an upper bound on its distance to its own centre's reference, and a lower
        /// bound on its distance to every other reference (+∞ and 0 when unknown).
        let ownUpper: WorkBuffer<Float>
        let otherLower: WorkBuffer<Float>
        /// The current window's screen: which rows were measured against every reference, and
        /// their lower bounds (rows × padded k).
        let screened: WorkBuffer<Bool>
        let lower: WorkBuffer<Float>
        /// The clusters the bounds leave possible for the row being visited, as bits per block.
        let candidates: WorkBuffer<UInt8>
        let chunkEvaluations: WorkBuffer<Int>
        var evaluations = 0

        init(_ data: FeatureMatrix, weights: [Double]?, k: Int, partition: Partition, threads: Int?) {
            self.data = data
            self.weights = weights
            self.k = k
            d = data.columns
            paddedK = (k + CentreTable.lanes - 1) / CentreTable.lanes * CentreTable.lanes
            self.partition = partition
            self.threads = threads
            bounds = DistanceBounds(d: d)
            centres = WorkBuffer(repeating: 0, count: k * d)
            clusterWeights = WorkBuffer(repeating: 0, count: k)
            screenWeights = WorkBuffer(repeating: 1, count: paddedK)
            reference = CentreTable(k: k, d: d)
            slack = WorkBuffer(repeating: 0, count: paddedK)
            ownUpper = WorkBuffer(repeating: .infinity, count: data.rows)
            otherLower = WorkBuffer(repeating: 0, count: data.rows)
            let window = min(data.rows, HartiganRefinement.windowRows)
            screened = WorkBuffer(repeating: false, count: window)
            lower = WorkBuffer(repeating: 0, count: window * paddedK)
            candidates = WorkBuffer(repeating: 0, count: paddedK / 8)
            chunkEvaluations = WorkBuffer(repeating: 0, count: (window + ChunkedParallel.chunkSize - 1) / ChunkedParallel.chunkSize)
        }

        /// One pass over the rows in order; returns the number of moves.
        mutating func pass() -> Int {
            let n = data.rows
            // Exact centres from the labels (only the sums that moves changed are redone).
            partition.refreshAll(data: data, weights: weights)
            for c in 0..<k {
                let weight = partition.weights[c]
                clusterWeights[c] = weight
                screenWeights[c] = Float(weight)
                for j in 0..<d {
                    centres[c * d + j] = weight > 0 ? partition.sums[c * d + j] / weight : 0
                }
            }
            smallestWeight = (0..<k).map { clusterWeights[$0] }.min()!
            rereference()
            var moves = 0
            var start = 0
            while start < n {
                let end = min(n, start + HartiganRefinement.windowRows)
                screen(start..<end)
                moves += visit(start..<end)
                start = end
            }
            return moves
        }

        /// New reference copies of the centres; the rows' bounds follow them.
        private mutating func rereference() {
            let k = self.k, d = self.d
            var shift = [Float](repeating: 0, count: k)
            for c in 0..<k {
                var error = 0.0, moved = 0.0
                for j in 0..<d {
                    let value = centres[c * d + j]
                    let copy = Float(value)
                    let t = value - Double(copy), m = Double(copy) - Double(reference.rows[c * d + j])
                    error += t * t
                    moved += m * m
                    reference.rows[c * d + j] = copy
                }
                slack[c] = Float(error.squareRoot() * (1 + 1e-6)).nextUp
                shift[c] = Float(moved.squareRoot() * (1 + 1e-6)).nextUp
            }
            reference.rebuildBlocks()
            updateLargestSlack()
            guard hasReference else { hasReference = true; return }
            var largest: Float = 0, second: Float = 0, largestCentre = 0
            for c in 0..<k {
                if shift[c] > largest { second = largest; largest = shift[c]; largestCentre = c }
                else if shift[c] > second { second = shift[c] }
            }
            let (labels, ownUpper, otherLower) = (self.labels, self.ownUpper, self.otherLower)
            plan.forEachChunk { [shift, largest, second, largestCentre] _, rows in
                for r in rows {
                    let a = Int(labels[r])
                    ownUpper[r] = DistanceBounds.grown(ownUpper[r], by: shift[a])
                    otherLower[r] = DistanceBounds.shrunk(otherLower[r], by: a == largestCentre ? second : largest)
                }
            }
        }

        private mutating func updateLargestSlack() {
            largestSlack = 0; secondSlack = 0; largestSlackCentre = 0
            for c in 0..<k {
                if slack[c] > largestSlack {
                    secondSlack = largestSlack
                    largestSlack = slack[c]; largestSlackCentre = c
                } else if slack[c] > secondSlack {
                    secondSlack = slack[c]
                }
            }
        }

        /// Whether the row's own bounds leave a move possible: only if joining some cluster B
        /// could cost less than staying in A, with the smallest cluster weight and the nearest
        /// possible other centre.
        @inline(__always)
        private func mayMove(_ r: Int, from a: Int, weight: Double) -> Bool {
            let wa = clusterWeights[a]
            let own = (ownUpper[r] + slack[a]) * (1 + 0x1p-21)
            let stay = Float(weight * wa / (wa - weight)) * own * own * (1 + 1e-5)
            let other = DistanceBounds.shrunk(otherLower[r], by: a == largestSlackCentre ? secondSlack : largestSlack)
            let join = Float(weight * smallestWeight / (smallestWeight + weight)) * (1 - 1e-5)
            return !(join * other * other >= stay)
        }

        /// Measures row `r` against every reference: its bounds and the screen's.
        @inline(__always)
        private func measure(_ r: Int, offset: Int, x: UnsafePointer<Float>) {
            let k = self.k, d = self.d
            let point = x + r * d
            let rowLower = lower.base + offset * paddedK
            let a = Int(labels[r])
            var nearestOther = Float.infinity
            var base = 0
            while base < k {
                let squared = DistanceKernel.blockDistances(point, reference.block(containing: base), d)
                var lanes = squared.squareRootBounds().lower * bounds.down
                lanes = DistanceKernel.padded(lanes, count: k - base)
                UnsafeMutableRawPointer(rowLower + base).storeBytes(of: lanes, as: SIMD8<Float>.self)
                if a >= base && a < base + 8 {
                    ownUpper[r] = bounds.upper(squared[a - base])
                    lanes = lanes.selecting(.infinity, where: LaneMask.only(a - base))
                }
                nearestOther = min(nearestOther, lanes.minimum())
                base += 8
            }
            otherLower[r] = nearestOther
            screened[offset] = true
        }

        /// Screens, in parallel, the rows of `window` whose bounds leave a move possible.
        private mutating func screen(_ window: Range<Int>) {
            let state = self
            ChunkedParallel(rows: window.count, threads: threads).forEachChunk { chunk, rows in
                state.data.withValues { x in
                    state.weights.withRowWeights { w in
                        var measured = 0
                        for offset in rows {
                            let r = window.lowerBound + offset
                            let weight = w?[r] ?? 1
                            let a = Int(state.labels[r])
                            state.screened[offset] = false
                            guard weight > 0, state.clusterWeights[a] - weight > 0,
                                  state.mayMove(r, from: a, weight: weight) else { continue }
                            state.measure(r, offset: offset, x: x)
                            measured += 1
                        }
                        state.chunkEvaluations[chunk] = measured * state.k
                    }
                }
            }
            for chunk in 0..<(window.count + ChunkedParallel.chunkSize - 1) / ChunkedParallel.chunkSize {
                evaluations += chunkEvaluations[chunk]
            }
        }

        /// Visits the rows of a screened window in order; returns the number of moves.
        private mutating func visit(_ window: Range<Int>) -> Int {
            let k = self.k
            var moves = 0
            data.withValues { x in
                weights.withRowWeights { w in
                    for r in window {
                        let weight = w?[r] ?? 1
                        let a = Int(labels[r])
                        let wa = clusterWeights[a]
                        guard weight > 0, wa - weight > 0, mayMove(r, from: a, weight: weight) else { continue }
                        let offset = r - window.lowerBound
                        if !screened[offset] {
                            measure(r, offset: offset, x: x)
                            evaluations += k
                        }
                        // Could any cluster take the row? Only if, for some B, the smallest possible
                        // cost of joining B is below the largest possible cost of staying in A.
                        let own = (ownUpper[r] + slack[a]) * (1 + 0x1p-21)
                        let stay = SIMD8(repeating: Float(weight * wa / (wa - weight)) * own * own * (1 + 1e-5))
                        let pointWeight = SIMD8<Float>(repeating: Float(weight))
                        let rowLower = lower.base + offset * paddedK
                        var possible = false
                        var base = 0
                        while base < k {
                            let gap = SIMD8(loading: rowLower + base) - SIMD8(loading: slack.base + base)
                            let near = gap.selecting(0, where: gap .< .zero)
                            let clusterWeight = SIMD8(loading: screenWeights.base + base)
                            var cost = clusterWeight * pointWeight / (clusterWeight + pointWeight) * near * near
                            if a >= base && a < base + 8 { cost = cost.selecting(.infinity, where: LaneMask.only(a - base)) }
                            let bits = LaneMask.bits(cost .< stay)
                            candidates[base / 8] = UInt8(truncatingIfNeeded: bits)
                            possible = possible || bits != 0
                            base += 8
                        }
                        guard possible else { continue }
                        if let target = exactTest(r, weight: weight) {
                            move(r, weight: weight, from: a, to: target)
                            moves += 1
                        }
                    }
                }
            }
            return moves
        }



        /// The cluster row `r` should move to, if any: the exact test, in `Double`, with
        /// distances summed in dimension order, against the clusters in `candidates` (those
        /// the bounds leave possible; the others cannot beat staying, so they are not measured).
        private mutating func exactTest(_ r: Int, weight w: Double) -> Int? {
            let d = self.d
            let a = Int(labels[r])
            let wa = clusterWeights[a]
            return data.withValues { x in
                let point = x + r * d
                let removal = w * (wa / (wa - w)) * squaredDistance(point, centres.base + a * d, d)
                evaluations += 1
                var best = a
                var bestCost = removal * (1 - 1e-12)   // a move must gain more than rounding
                for block in 0..<(paddedK / 8) {
                    var bits = Int(candidates[block])
                    while bits != 0 {
                        let b = block * 8 + bits.trailingZeroBitCount
                        bits &= bits - 1
                        let factor = clusterWeights[b] * w / (clusterWeights[b] + w)
                        let cost = factor * squaredDistance(point, centres.base + b * d, d)
                        evaluations += 1
                        if cost < bestCost { best = b; bestCost = cost }
                    }
                }
                return best == a ? nil : best
            }
        }

        /// Moves row `r` from `a` to `b`, updating both centres and their slack.
        private mutating func move(_ r: Int, weight w: Double, from a: Int, to b: Int) {
            let d = self.d
            let wa = clusterWeights[a], wb = clusterWeights[b]
            var shiftA = 0.0, shiftB = 0.0
            data.withValues { x in
                for j in 0..<d {
                    let v = Double(x[r * d + j])
                    let oldA = centres[a * d + j], oldB = centres[b * d + j]
                    centres[a * d + j] = (oldA * wa - w * v) / (wa - w)
                    centres[b * d + j] = (oldB * wb + w * v) / (wb + w)
                    shiftA += (centres[a * d + j] - oldA) * (centres[a * d + j] - oldA)
                    shiftB += (centres[b * d + j] - oldB) * (centres[b * d + j] - oldB)
                }
            }
            slack[a] = (slack[a] + Float(shiftA.squareRoot() * (1 + 1e-6))).nextUp
            slack[b] = (slack[b] + Float(shiftB.squareRoot() * (1 + 1e-6))).nextUp
            updateLargestSlack()
            clusterWeights[a] = wa - w
            clusterWeights[b] = wb + w
            screenWeights[a] = Float(wa - w)
            screenWeights[b] = Float(wb + w)
            smallestWeight = (0..<k).map { clusterWeights[$0] }.min()!
            partition.move(r, chunk: r / ChunkedParallel.chunkSize, to: b)
            ownUpper[r] = .infinity
            otherLower[r] = 0
        }
    }

    /// ‖x − c‖² in `Double`, summed in dimension order (the value every decision uses).
    @inline(__always)
    private static func squaredDistance(_ point: UnsafePointer<Float>, _ center: UnsafeMutablePointer<Double>, _ d: Int) -> Double {
        var sum = 0.0
        for j in 0..<d {
            let t = Double(point[j]) - center[j]
            sum += t * t
        }
        return sum
    }
}
