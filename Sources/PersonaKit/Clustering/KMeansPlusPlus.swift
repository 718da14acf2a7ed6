import Foundation

/// Greedy k-means++ seeding.
///
/// The first centre is a row drawn with probability proportional to its weight. Each next
/// centre is the best of several candidates drawn with probability proportional to
/// weight × squared distance to the nearest centre so far: the candidate that lowers the
/// total potential most wins (scikit-learn's greedy variant, `2 + ⌊ln k⌋` candidates).
///
/// Most rows cannot get closer to a candidate y than to their nearest centre c: by the
/// triangle inequality, ‖x − y‖ ≥ ‖x − c‖ whenever ‖y − c‖ ≥ 2‖x − c‖. Every row keeps the
/// index of its nearest centre, so one comparison with the (few) candidate–centre distances
/// skips it, with a margin that covers the kernel's rounding. Rows that are not skipped are
/// measured against all candidates at once with the blocked kernel. The chosen centres, and
/// every potential, are bit-identical to measuring every row against every candidate: a
/// skipped row contributes exactly its current distance, as `min` would give.
///
/// References: Arthur & Vassilvitskii, "k-means++: The Advantages of Careful Seeding",
/// SODA 2007; Celebi, Kingravi & Vela, "A comparative study of efficient initialization
/// methods for the k-means clustering algorithm", 2013 (greedy variant); Elkan 2003 for the
/// triangle-inequality test.
enum KMeansPlusPlus {
    /// Chooses `k` rows of `data` as initial centres.
    ///
    /// - Throws: ``ClusteringError/tooFewDistinctRows(distinct:clusters:)`` when every
    ///   positive-weight row coincides with a chosen centre before `k` are chosen.
    /// - Complexity: O(n × k × trials × d) at worst; rows far from every candidate cost O(1).
    static func seed(_ data: FeatureMatrix, weights: [Double]?, k: Int, trials: Int,
                     threads: Int?, using rng: inout SeededGenerator,
                     evaluations: inout Int) throws(ClusteringError) -> FeatureMatrix {
        let n = data.rows, d = data.columns
        var centers = [Float](repeating: 0, count: k * d)
        let plan = ChunkedParallel(rows: n, threads: threads)

        // First centre: weighted uniform draw.
        let first: Int
        if let weights {
            var running = 0.0
            let cumulative = weights.map { running += $0; return running }
            first = sample(cumulative: cumulative, target: rng.nextUnitDouble() * running)
        } else {
            first = min(n - 1, Int(rng.nextUnitDouble() * Double(n)))
        }
        copyRow(first, of: data, into: &centers, at: 0)
        var chosen = [first]

        // Squared distance of every row to its nearest centre so far, and that centre.
        let closest = WorkBuffer<Float>(repeating: 0, count: n)
        let nearest = WorkBuffer<Int32>(repeating: 0, count: n)
        plan.forEachChunk { _, rows in
            data.withValues { x in
                for r in rows { closest[r] = DistanceKernel.squaredDistance(x + r * d, x + first * d, d) }
            }
        }
        evaluations += n
        let potentials = RunningPotential(plan: plan)
        var running = potentials.accumulate(closest, weights: weights)
        var potential = running
        let pass = CandidatePass(data, weights: weights, plan: plan, k: k, trials: trials)

        for c in 1..<max(1, k) {
            guard potential > 0 else { throw .tooFewDistinctRows(distinct: c, clusters: k) }
            if c > 1 { running = potentials.accumulate(closest, weights: weights) }
            // Draw candidates proportional to weight × closest squared distance.
            let candidates = (0..<trials).map { _ in
                potentials.sample(closest, weights: weights, target: rng.nextUnitDouble() * running)
            }
            // Potential of each candidate, per chunk, combined in chunk order.
            let totals = pass.measure(candidates, chosen: chosen, closest: closest, nearest: nearest,
                                      evaluations: &evaluations)
            var best = 0
            var bestPotential = Double.infinity
            for t in 0..<trials where totals[t] < bestPotential { best = t; bestPotential = totals[t] }
            copyRow(candidates[best], of: data, into: &centers, at: c)
            chosen.append(candidates[best])
            pass.choose(best, as: c, closest: closest, nearest: nearest)
            potential = bestPotential
        }
        return FeatureMatrix(rows: k, columns: d, values: centers)
    }

    /// The first index whose cumulative value exceeds `target` (never a zero-mass row), or
    /// the last index when none does.
    static func sample(cumulative: [Double], target: Double) -> Int {
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return low
    }

    static func copyRow(_ row: Int, of data: FeatureMatrix, into centers: inout [Float], at index: Int) {
        let d = data.columns
        for j in 0..<d { centers[index * d + j] = data.values[row * d + j] }
    }
}

/// One greedy k-means++ step's candidates measured against every row: the potential each
/// would leave, and each row's distance to each, ready for the chosen one.
///
/// Per chunk: (1) rows the triangle inequality cannot rule out are listed; (2) they are
/// measured, eight candidates at a time with the blocked kernel, four listed rows per
/// call of the kernel — or, with at most four candidates, two rows at a time; (3) every row's contribution is added in row order, one
/// `Double` lane per candidate, exactly as a plain loop over rows per candidate would add it.
final class CandidatePass: @unchecked Sendable {
    let data: FeatureMatrix
    let weights: [Double]?
    let plan: ChunkedParallel
    let trials: Int
    /// Candidates per group (one SIMD block); more candidates make more groups.
    let groups: Int
    /// Whether two rows share a block (at most four candidates, stored twice per block).
    let paired: Bool
    /// Per group, the candidates laid out for the blocked kernel.
    private let blocks: WorkBuffer<Float>
    /// centres × groups × 8: squared distance from every chosen centre to every candidate
    /// (+∞ in unused lanes).
    private let gaps: WorkBuffer<Float>
    /// groups × n: the rows of each chunk that were measured (in that chunk's slots), their
    /// count per chunk, and their distances to the group's candidates (min'ed with the
    /// current closest distance).
    private let pending: WorkBuffer<Int32>
    private let counts: WorkBuffer<Int>
    private let values: WorkBuffer<SIMD8<Float>>
    /// chunks × trials potentials; per-chunk evaluations.
    private let chunkPotentials: WorkBuffer<Double>
    private let chunkEvaluations: WorkBuffer<Int>

    init(_ data: FeatureMatrix, weights: [Double]?, plan: ChunkedParallel, k: Int, trials: Int) {
        self.data = data
        self.weights = weights
        self.plan = plan
        self.trials = trials
        groups = (trials + 7) / 8
        paired = trials <= 4
        let n = data.rows, chunks = plan.chunkCount
        blocks = WorkBuffer(repeating: 0, count: groups * data.columns * 8)
        gaps = WorkBuffer(repeating: .infinity, count: k * groups * 8)
        pending = WorkBuffer(repeating: 0, count: groups * n)
        counts = WorkBuffer(repeating: 0, count: groups * chunks)
        values = WorkBuffer(repeating: .zero, count: groups * n)
        chunkPotentials = WorkBuffer(repeating: 0, count: chunks * trials)
        chunkEvaluations = WorkBuffer(repeating: 0, count: chunks)
    }

    /// The potential each candidate would leave, Σ w × min(closest, ‖x − candidate‖²), each
    /// summed per chunk in row order and then in chunk order.
    func measure(_ candidates: [Int], chosen: [Int], closest: WorkBuffer<Float>, nearest: WorkBuffer<Int32>,
                 evaluations: inout Int) -> [Double] {
        let d = data.columns, n = data.rows
        let (data, weights, trials, groups, paired) = (self.data, self.weights, self.trials, self.groups, self.paired)
        let (blocks, gaps, pending, counts, values) = (self.blocks, self.gaps, self.pending, self.counts, self.values)
        let (chunkPotentials, chunkEvaluations) = (self.chunkPotentials, self.chunkEvaluations)
        data.withValues { x in
            for (t, candidate) in candidates.enumerated() {
                let group = blocks.base + (t / 8) * d * 8
                for j in 0..<d {
                    group[j * 8 + t % 8] = x[candidate * d + j]
                    if paired { group[j * 8 + t + 4] = x[candidate * d + j] }
                }
                for (centre, row) in chosen.enumerated() {
                    gaps[(centre * groups + t / 8) * 8 + t % 8] = DistanceKernel.squaredDistance(x + candidate * d, x + row * d, d)
                }
            }
        }
        evaluations += trials * chosen.count
        // ‖y − c‖² ≥ 4 (1 + 8γ) ‖x − c‖² implies ‖x − y‖² ≥ ‖x − c‖² for the kernel's values.
        let reach = 4 * (1 + 8 * Float(d + 32) * 0x1p-24)
        plan.forEachChunk { chunk, rows in
            data.withValues { x in
                weights.withRowWeights { w in
                    var measured = 0
                    for group in 0..<groups {
                        let block = blocks.base + group * d * 8
                        let lanes = min(8, trials - group * 8)
                        // (1) The rows bounds cannot settle.
                        let list = pending.base + group * n + rows.lowerBound
                        var count = 0
                        for r in rows {
                            let gap = SIMD8(loading: gaps.base + (Int(nearest[r]) * groups + group) * 8)
                            if LaneMask.any(gap .< SIMD8(repeating: closest[r] * reach)) {
                                list[count] = Int32(r)
                                count += 1
                            }
                        }
                        counts[group * plan.chunkCount + chunk] = count
                        measured += count * lanes
                        // (2) Their distances, two rows at a time when they share a block.
                        let out = values.base + group * n + rows.lowerBound
                        if paired {
                            var i = 0
                            while i < count {
                                let r = Int(list[i])
                                let s = i + 1 < count ? Int(list[i + 1]) : r
                                let both = DistanceKernel.pairedBlockDistances(x + r * d, x + s * d, block, d)
                                let current = SIMD8(lowHalf: SIMD4(repeating: closest[r]), highHalf: SIMD4(repeating: closest[s]))
                                let kept = current.lanewiseMinimum(both)
                                out[i] = SIMD8(lowHalf: kept.lowHalf, highHalf: kept.lowHalf)
                                if i + 1 < count { out[i + 1] = SIMD8(lowHalf: kept.highHalf, highHalf: kept.highHalf) }
                                i += 2
                            }
                        } else {
                            DistanceKernel.listedBlockDistances(x, d, block, rows: list, count: count, into: out)
                            for i in 0..<count { out[i] = SIMD8<Float>(repeating: closest[Int(list[i])]).lanewiseMinimum(out[i]) }
                        }
                        // (3) Every row's contribution, in row order.
                        var low = SIMD4<Double>.zero, high = SIMD4<Double>.zero
                        var listed = 0
                        for r in rows {
                            let value: SIMD8<Float>
                            if listed < count && Int(list[listed]) == r {
                                value = out[listed]
                                listed += 1
                            } else {
                                value = SIMD8(repeating: closest[r])
                            }
                            if let w {
                                let weight = SIMD4<Double>(repeating: w[r])
                                low += weight * SIMD4<Double>(value.lowHalf)
                                high += weight * SIMD4<Double>(value.highHalf)
                            } else {
                                low += SIMD4<Double>(value.lowHalf)
                                high += SIMD4<Double>(value.highHalf)
                            }
                        }
                        let sums = chunkPotentials.base + chunk * trials + group * 8
                        for lane in 0..<lanes { sums[lane] = lane < 4 ? low[lane] : high[lane - 4] }
                    }
                    chunkEvaluations[chunk] = measured
                }
            }
        }
        var totals = [Double](repeating: 0, count: trials)
        for chunk in 0..<plan.chunkCount {
            evaluations += chunkEvaluations[chunk]
            for t in 0..<trials { totals[t] += chunkPotentials[chunk * trials + t] }
        }
        return totals
    }

    /// Makes candidate `trial` (of the last `measure`) centre `centre`: every row's closest
    /// distance and nearest centre follow.
    func choose(_ trial: Int, as centre: Int, closest: WorkBuffer<Float>, nearest: WorkBuffer<Int32>) {
        let (pending, counts, values, n, chunks) = (self.pending, self.counts, self.values, data.rows, plan.chunkCount)
        let group = trial / 8, lane = trial % 8
        plan.forEachChunk { chunk, rows in
            let list = pending.base + group * n + rows.lowerBound
            let out = values.base + group * n + rows.lowerBound
            for i in 0..<counts[group * chunks + chunk] {
                let r = Int(list[i]), value = out[i][lane]
                if value < closest[r] { nearest[r] = Int32(centre) }
                closest[r] = value
            }
        }
    }
}

/// The running sum of weight × squared distance over the rows in order — the cumulative
/// distribution k-means++ draws from — kept only at chunk boundaries: a draw adds up one
/// chunk again, in the same order, so it finds the same row as a full cumulative array would
/// without writing one.
struct RunningPotential {
    let plan: ChunkedParallel
    /// The running sum before each chunk, and the total last.
    private let starts: WorkBuffer<Double>

    init(plan: ChunkedParallel) {
        self.plan = plan
        starts = WorkBuffer(repeating: 0, count: plan.chunkCount + 1)
    }

    /// Adds up weight × `closest` over all rows in order; returns the total.
    /// - Complexity: O(n).
    func accumulate(_ closest: WorkBuffer<Float>, weights: [Double]?) -> Double {
        var running = 0.0
        weights.withRowWeights { w in
            for chunk in 0..<plan.chunkCount {
                starts[chunk] = running
                if let w {
                    for r in plan.range(of: chunk) { running += w[r] * Double(closest[r]) }
                } else {
                    for r in plan.range(of: chunk) { running += Double(closest[r]) }
                }
            }
        }
        starts[plan.chunkCount] = running
        return running
    }

    /// The first row whose running sum exceeds `target` (see ``KMeansPlusPlus/sample(cumulative:target:)``).
    /// - Complexity: O(log(n / chunk) + chunk).
    func sample(_ closest: WorkBuffer<Float>, weights: [Double]?, target: Double) -> Int {
        // The first chunk whose running sum at its end exceeds the target.
        var low = 0, high = plan.chunkCount
        while low < high {
            let mid = (low + high) / 2
            if starts[mid + 1] > target { high = mid } else { low = mid + 1 }
        }
        guard low < plan.chunkCount else { return plan.rows - 1 }
        var running = starts[low]
        for r in plan.range(of: low) {
            running += (weights?[r] ?? 1) * Double(closest[r])
            if running > target { return r }
        }
        return plan.range(of: low).upperBound - 1   // not reached: the chunk's end exceeds the target
    }
}
