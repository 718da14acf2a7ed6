import CPersonaKernels

/// The labels of a k-means start and the cluster sums that follow them.
///
/// Every chunk of rows (see ``ChunkedParallel``) keeps its own per-cluster sums in `Double`,
/// added in row order, and the totals are the chunk sums added in chunk order: so the totals
/// do not depend on the thread count. A chunk's sums for a cluster are recomputed only when a
/// row of that chunk joined or left the cluster, and a total only when one of its chunk sums
/// changed. The result is bit-identical to summing every row afresh after every labelling,
/// but late iterations, where few labels change, cost almost nothing.
final class Partition: @unchecked Sendable {
    let k: Int
    let d: Int
    let plan: ChunkedParallel
    /// The cluster of every row (-1 before the first labelling).
    let labels: WorkBuffer<Int32>
    /// The labels before the current labelling pass, kept for the empty-cluster policy.
    let previous: WorkBuffer<Int32>
    /// Chunks whose `previous` labels are out of date.
    private let staleChunks: WorkBuffer<Bool>
    /// chunks × k: that chunk's sums for that cluster are out of date.
    private let dirty: WorkBuffer<Bool>
    /// chunks × k: that chunk's sums for that cluster changed since the totals were formed.
    private let changed: WorkBuffer<Bool>
    private let chunkSums: WorkBuffer<Double>
    private let chunkWeights: WorkBuffer<Double>
    /// Per-cluster totals, k × d and k.
    let sums: WorkBuffer<Double>
    let weights: WorkBuffer<Double>

    init(rows: Int, k: Int, d: Int, plan: ChunkedParallel) {
        self.k = k
        self.d = d
        self.plan = plan
        let chunks = plan.chunkCount
        labels = WorkBuffer(repeating: -1, count: rows)
        previous = WorkBuffer(repeating: -1, count: rows)
        staleChunks = WorkBuffer(repeating: false, count: chunks)
        dirty = WorkBuffer(repeating: false, count: chunks * k)
        changed = WorkBuffer(repeating: false, count: chunks * k)
        chunkSums = WorkBuffer(repeating: 0, count: chunks * k * d)
        chunkWeights = WorkBuffer(repeating: 0, count: chunks * k)
        sums = WorkBuffer(repeating: 0, count: k * d)
        weights = WorkBuffer(repeating: 0, count: k)
    }

    /// Labels `row` (of `chunk`) with `cluster`, marking the sums it touches out of date.
    @inline(__always)
    func move(_ row: Int, chunk: Int, to cluster: Int) {
        let old = Int(labels[row])
        labels[row] = Int32(cluster)
        if old >= 0 { dirty[chunk * k + old] = true }
        dirty[chunk * k + cluster] = true
        staleChunks[chunk] = true
    }

    /// Brings `previous` up to date for `chunk`; call before relabelling its rows.
    @inline(__always)
    func beginRelabelling(chunk: Int, rows: Range<Int>) {
        guard staleChunks[chunk] else { return }
        (previous.base + rows.lowerBound).update(from: labels.base + rows.lowerBound, count: rows.count)
        staleChunks[chunk] = false
    }

    /// Recomputes the out-of-date cluster sums of one chunk.
    func refresh(chunk: Int, rows: Range<Int>, data x: UnsafePointer<Float>, weights w: UnsafePointer<Double>?) {
        let k = self.k, d = self.d
        let flags = dirty.base + chunk * k
        var any = false
        for c in 0..<k where flags[c] {
            any = true
            (chunkSums.base + (chunk * k + c) * d).update(repeating: 0, count: d)
            chunkWeights[chunk * k + c] = 0
        }
        guard any else { return }
        // Row by row in row order, as `add` would (in C, with AVX where available).
        pk_sum_rows(x + rows.lowerBound * d, rows.count, d, labels.base + rows.lowerBound, flags,
                    w.map { $0 + rows.lowerBound }, chunkSums.base + chunk * k * d, chunkWeights.base + chunk * k)
        for c in 0..<k where flags[c] {
            flags[c] = false
            changed[chunk * k + c] = true
        }
    }

    /// Brings every out-of-date chunk sum up to date (in parallel) and then the totals:
    /// afterwards `sums` and `weights` are those of the current labels.
    func refreshAll(data: FeatureMatrix, weights: [Double]?) {
        plan.forEachChunk { chunk, rows in
            data.withValues { x in
                weights.withRowWeights { w in self.refresh(chunk: chunk, rows: rows, data: x, weights: w) }
            }
        }
        combine()
    }

    /// Updates the totals of the clusters whose chunk sums changed, adding chunk sums in
    /// chunk order.
    func combine() {
        let k = self.k, d = self.d, chunks = plan.chunkCount
        for c in 0..<k {
            var touched = false
            for chunk in 0..<chunks where changed[chunk * k + c] {
                touched = true
                changed[chunk * k + c] = false
            }
            guard touched else { continue }
            let total = sums.base + c * d
            total.update(repeating: 0, count: d)
            weights[c] = 0
            for chunk in 0..<chunks {
                let part = chunkSums.base + (chunk * k + c) * d
                for j in 0..<d { total[j] += part[j] }
                weights[c] += chunkWeights[chunk * k + c]
            }
        }
    }

    /// target[j] += Double(point[j]) (the same as adding 1 × the value).
    @inline(__always)
    static func add(_ point: UnsafePointer<Float>, to target: UnsafeMutablePointer<Double>, _ d: Int) {
        var j = 0
        while j + 4 <= d {
            let v = SIMD4<Double>(UnsafeRawPointer(point + j).loadUnaligned(as: SIMD4<Float>.self))
            let t = UnsafeMutableRawPointer(target + j)
            t.storeBytes(of: t.loadUnaligned(as: SIMD4<Double>.self) + v, as: SIMD4<Double>.self)
            j += 4
        }
        while j < d { target[j] += Double(point[j]); j += 1 }
    }

    /// target[j] += weight × Double(point[j]).
    @inline(__always)
    static func add(_ point: UnsafePointer<Float>, times weight: Double, to target: UnsafeMutablePointer<Double>, _ d: Int) {
        var j = 0
        let w = SIMD4<Double>(repeating: weight)
        while j + 4 <= d {
            let v = SIMD4<Double>(UnsafeRawPointer(point + j).loadUnaligned(as: SIMD4<Float>.self))
            let t = UnsafeMutableRawPointer(target + j)
            t.storeBytes(of: t.loadUnaligned(as: SIMD4<Double>.self) + w * v, as: SIMD4<Double>.self)
            j += 4
        }
        while j < d { target[j] += weight * Double(point[j]); j += 1 }
    }
}
