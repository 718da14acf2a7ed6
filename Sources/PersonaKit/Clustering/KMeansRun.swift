/// One k-means start from given centres: labelling passes of a ``KMeansStep``, centre
/// updates, the empty-cluster policy, and the final labelling. The same driver serves every
/// step, so they differ only in which distances they compute.
struct KMeansRun<Step: KMeansStep> {
    let data: FeatureMatrix
    let weights: [Double]?
    let plan: ChunkedParallel
    let partition: Partition
    let centres: CentreTable
    private(set) var step: Step
    private let tallies: WorkBuffer<ChunkTally>
    /// The cluster sums and weights an iteration moves the centres to (after relocation).
    private let sums: WorkBuffer<Double>
    private let clusterWeights: WorkBuffer<Double>
    /// Distances evaluated so far.
    private(set) var evaluations = 0

    var k: Int { centres.k }
    var d: Int { centres.d }

    init(_ data: FeatureMatrix, weights: [Double]?, start: FeatureMatrix, threads: Int?) {
        self.data = data
        self.weights = weights
        let k = start.rows, d = data.columns
        plan = ChunkedParallel(rows: data.rows, threads: threads)
        partition = Partition(rows: data.rows, k: k, d: d, plan: plan)
        centres = CentreTable(start.values, k: k, d: d)
        step = Step(StepContext(partition: partition, rows: data.rows))
        tallies = WorkBuffer(repeating: ChunkTally(), count: plan.chunkCount)
        sums = WorkBuffer(repeating: 0, count: k * d)
        clusterWeights = WorkBuffer(repeating: 0, count: k)
    }

    /// What the iterations did.
    struct Iterations {
        var iterations = 0
        var converged = false
        var inertiaHistory = [Double]()
        var relocations = 0
    }

    /// Iterates until no label changes, the summed squared centre shift is at most
    /// `threshold`, or `maxIterations` (scikit-learn's stopping rules). The centres are left
    /// at the means of the last labelling; the labels are those of the last labelling.
    mutating func iterate(maxIterations: Int?, threshold: Double, moments: DataMoments?) -> Iterations {
        var outcome = Iterations()
        let k = self.k, d = self.d
        while maxIterations.map({ outcome.iterations < $0 }) ?? true {
            let tally = labelPass(exact: false)
            partition.combine()
            sums.base.update(from: partition.sums.base, count: k * d)
            clusterWeights.base.update(from: partition.weights.base, count: k)
            if Step.measuresEveryPass {
                outcome.inertiaHistory.append(tally.inertia)
            } else if let moments {
                outcome.inertiaHistory.append(moments.inertia(centres: centres, sums: sums.base, weights: clusterWeights.base))
            }
            var changes = tally.changes
            outcome.relocations += relocateEmptyClusters(changes: &changes)
            var shift = 0.0
            for c in 0..<k where clusterWeights[c] > 0 {
                let centre = centres.row(c)
                for j in 0..<d {
                    let updated = Float(sums[c * d + j] / clusterWeights[c])
                    let delta = Double(updated) - Double(centre[j])
                    shift += delta * delta
                    centre[j] = updated
                }
            }
            centres.rebuildBlocks()
            outcome.iterations += 1
            if changes == 0 || shift <= threshold {
                outcome.converged = true
                break
            }
        }
        return outcome
    }

    /// One labelling pass against the current centres. Unless `exact`, the partition's
    /// chunk sums follow the new labels.
    @discardableResult
    mutating func labelPass(exact: Bool) -> ChunkTally {
        evaluations += step.prepare(centres)
        let (step, partition, data, weights, tallies) = (self.step, self.partition, self.data, self.weights, self.tallies)
        plan.forEachChunk { chunk, rows in
            data.withValues { x in
                weights.withRowWeights { w in
                    partition.beginRelabelling(chunk: chunk, rows: rows)
                    let input = ChunkInput(chunk: chunk, rows: rows, x: x, w: w)
                    tallies[chunk] = step.label(input, exact: exact)
                    if !exact { partition.refresh(chunk: chunk, rows: rows, data: x, weights: w) }
                }
            }
        }
        var total = ChunkTally()
        for chunk in 0..<plan.chunkCount {
            total.changes += tallies[chunk].changes
            total.evaluations += tallies[chunk].evaluations
            total.inertia += tallies[chunk].inertia
        }
        evaluations += total.evaluations
        return total
    }

    /// Moves each empty cluster to one of the rows farthest from their centres (largest
    /// squared distance first, ties to the lower row), taking the row out of its old cluster,
    /// as scikit-learn does. Adjusts `changes` (rows whose label differs from before the
    /// pass) and returns the number of relocations.
    private mutating func relocateEmptyClusters(changes: inout Int) -> Int {
        let k = self.k, d = self.d
        let empty = (0..<k).filter { clusterWeights[$0] == 0 }
        guard !empty.isEmpty else { return 0 }
        let far = farthestRows(count: empty.count)
        var moved = 0
        data.withValues { x in
            for (cluster, row) in zip(empty, far) {
                let old = Int(partition.labels[row])
                let w = weights?[row] ?? 1
                guard clusterWeights[old] > w else { continue }
                for j in 0..<d {
                    let v = w * Double(x[row * d + j])
                    sums[old * d + j] -= v
                    sums[cluster * d + j] = v
                }
                clusterWeights[old] -= w
                clusterWeights[cluster] = w
                let before = Int(partition.previous[row])
                changes += (cluster != before ? 1 : 0) - (old != before ? 1 : 0)
                partition.move(row, chunk: row / ChunkedParallel.chunkSize, to: cluster)
                step.forget(row: row)
                moved += 1
            }
        }
        return moved
    }

    /// The `count` positive-weight rows farthest from their centres, farthest first (ties to
    /// the lower row).
    private mutating func farthestRows(count: Int) -> [Int] {
        let n = data.rows, d = self.d
        let distances = WorkBuffer<Float>(repeating: 0, count: n)
        let (data, partition, centres) = (self.data, self.partition, self.centres)
        plan.forEachChunk { _, rows in
            data.withValues { x in
                for r in rows {
                    distances[r] = DistanceKernel.squaredDistance(x + r * d, centres.row(Int(partition.labels[r])), d)
                }
            }
        }
        evaluations += n
        var chosen = [Int]()   // farthest first
        func before(_ a: Int, _ b: Int) -> Bool {
            distances[a] != distances[b] ? distances[a] > distances[b] : a < b
        }
        for r in 0..<n where (weights?[r] ?? 1) > 0 {
            guard chosen.count < count || before(r, chosen[count - 1]) else { continue }
            let position = chosen.firstIndex { before(r, $0) } ?? chosen.count
            chosen.insert(r, at: position)
            if chosen.count > count { chosen.removeLast() }
        }
        return chosen
    }

    /// Sets the centres to the exact means of the current labels (the partition's sums, as
    /// after any labelling pass) and tells the step which rows changed cluster since `before`.
    mutating func recentre(labelsBefore before: WorkBuffer<Int32>) {
        let k = self.k, d = self.d
        partition.refreshAll(data: data, weights: weights)
        for c in 0..<k where partition.weights[c] > 0 {
            for j in 0..<d { centres.rows[c * d + j] = Float(partition.sums[c * d + j] / partition.weights[c]) }
        }
        centres.rebuildBlocks()
        let (step, labels) = (self.step, partition.labels)
        plan.forEachChunk { _, rows in
            for r in rows where labels[r] != before[r] { step.forget(row: r) }
        }
    }
}
