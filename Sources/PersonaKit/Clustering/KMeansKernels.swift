import CPersonaKernels

/// Entry points to the k-means kernels for benchmarks (`@_spi(Benchmarks) import PersonaKit`).
///
/// They run the library's own code paths on fixed work, so a benchmark can time one kernel
/// at a time: a distance, a labelling pass, iterations of one step, the seeding.
@_spi(Benchmarks) public enum KMeansKernels {
    /// ‖a − b‖² with the library's kernel.
    /// - Complexity: O(count).
    public static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        DistanceKernel.squaredDistance(a, b, count)
    }

    /// The nearest and second-nearest centre of a row, as the kernels report them.
    public struct Nearest: Equatable, Sendable {
        public var first: Int32
        public var firstDistance: UInt32
        public var second: Int32
        public var secondDistance: UInt32

        /// `first`/`second` are centre indices (`second` -1 when k = 1); the distances are the
        /// bit patterns of the `Float` squared distances, so that equality is bitwise.
        public init(first: Int32, firstDistance: Float, second: Int32, secondDistance: Float) {
            self.first = first
            self.firstDistance = firstDistance.bitPattern
            self.second = second
            self.secondDistance = secondDistance.bitPattern
        }
    }

    /// Whether the C kernels run their AVX code on this machine.
    public static var usesAVX: Bool { pk_vector_level() == 1 }

    /// The nearest and second-nearest centre of every row from the blocked C kernel, through
    /// its AVX code where the processor has it, or its portable code (`portable`).
    /// - Complexity: O(n × k × d).
    public static func blockedNearestTwo(_ data: FeatureMatrix, centres: FeatureMatrix, portable: Bool = false) -> [Nearest] {
        precondition(centres.rows >= 1 && centres.columns == data.columns, "centres must be k × d with k ≥ 1")
        let n = data.rows, k = centres.rows, d = data.columns
        let table = CentreTable(centres.values, k: k, d: d)
        var first = [Int32](repeating: 0, count: n), second = first
        var firstDistance = [Float](repeating: 0, count: n), secondDistance = firstDistance
        data.withValues { x in
            let nearest = portable ? pk_nearest_two_portable : pk_nearest_two
            nearest(x, n, d, table.block(containing: 0), k, &first, &firstDistance, &second, &secondDistance)
        }
        return (0..<n).map { Nearest(first: first[$0], firstDistance: firstDistance[$0],
                                     second: second[$0], secondDistance: secondDistance[$0]) }
    }

    /// The same through the Swift reference kernel, one row and one centre at a time
    /// (``squaredDistance(_:_:count:)`` in index order).
    /// - Complexity: O(n × k × d).
    public static func referenceNearestTwo(_ data: FeatureMatrix, centres: FeatureMatrix) -> [Nearest] {
        precondition(centres.rows >= 1 && centres.columns == data.columns, "centres must be k × d with k ≥ 1")
        let d = data.columns
        return data.withValues { x in
            centres.values.withUnsafeBufferPointer { c in
                (0..<data.rows).map { r in
                    let near = DistanceKernel.nearestTwo(x + r * d, centers: c.baseAddress!, k: centres.rows, d: d)
                    return Nearest(first: Int32(near.first), firstDistance: near.firstDistance,
                                   second: Int32(near.second), secondDistance: near.secondDistance)
                }
            }
        }
    }

    /// A row's nearest centre and distances under the fused kernel of the iterations.
    public struct FusedNearest: Equatable, Sendable {
        public var first: Int32
        /// Bit patterns of the `Float` squared distances, so that equality is bitwise.
        public var firstDistance: UInt32
        public var secondDistance: UInt32

        public init(first: Int32, firstDistance: Float, secondDistance: Float) {
            self.first = first
            self.firstDistance = firstDistance.bitPattern
            self.secondDistance = secondDistance.bitPattern
        }
    }

    /// The fused kernel's squared distance between two rows, through its AVX2 + FMA code
    /// where the processor has it, or its portable code (`portable`).
    public static func fusedSquaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
                                            portable: Bool = false) -> Float {
        portable ? pk_fused_distance_portable(a, b, count) : pk_fused_distance(a, b, count)
    }

    /// The fused squared distance written out in Swift, one operation at a time: dimension j
    /// below d rounded down to a multiple of 8 goes to partial sum j mod 8,
    /// p ← fma(b_j − a_j, b_j − a_j, p) (`addingProduct` is the correctly rounded fused
    /// multiply–add); the partial sums are added in order; then s ← fma(t, t, s) for the
    /// remaining dimensions.
    public static func referenceFusedSquaredDistance(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "rows of one width")
        let full = a.count - a.count % 8
        var sum: Float = 0
        if full > 0 {
            for p in 0..<8 {
                var part: Float = 0
                for j in stride(from: p, to: full, by: 8) {
                    let t = b[j] - a[j]
                    part = part.addingProduct(t, t)
                }
                sum = p == 0 ? part : sum + part
            }
        }
        for j in full..<a.count {
            let t = b[j] - a[j]
            sum = sum.addingProduct(t, t)
        }
        return sum
    }

    /// The fused kernel's nearest centre and distances of every row, from the blocked C kernel
    /// (AVX2 + FMA where present, or `portable`).
    /// - Complexity: O(n × k × d).
    public static func fusedNearest(_ data: FeatureMatrix, centres: FeatureMatrix, portable: Bool = false) -> [FusedNearest] {
        precondition(centres.rows >= 1 && centres.columns == data.columns, "centres must be k × d with k ≥ 1")
        let n = data.rows, k = centres.rows, d = data.columns
        let table = CentreTable(centres.values, k: k, d: d)
        var first = [Int32](repeating: 0, count: n)
        var firstDistance = [Float](repeating: 0, count: n), secondDistance = firstDistance
        data.withValues { x in
            let nearest = portable ? pk_fused_nearest_portable : pk_fused_nearest
            nearest(x, n, d, table.block(containing: 0), k, &first, &firstDistance, &secondDistance)
        }
        return (0..<n).map { FusedNearest(first: first[$0], firstDistance: firstDistance[$0], secondDistance: secondDistance[$0]) }
    }

    /// The same from ``referenceFusedSquaredDistance(_:_:)``, one centre at a time in index
    /// order (strictly smaller wins).
    /// - Complexity: O(n × k × d).
    public static func referenceFusedNearest(_ data: FeatureMatrix, centres: FeatureMatrix) -> [FusedNearest] {
        (0..<data.rows).map { r in
            var first: Int32 = 0
            var best = Float.infinity, second = Float.infinity
            for c in 0..<centres.rows {
                let distance = referenceFusedSquaredDistance(data.row(r), centres.row(c))
                if distance < best {
                    second = best; best = distance; first = Int32(c)
                } else if distance < second {
                    second = distance
                }
            }
            return FusedNearest(first: first, firstDistance: best, secondDistance: second)
        }
    }

    /// The fused squared distances from row `row` of `data` to the first eight centres
    /// (padded with zero centres), through the step's entry point for one row and one block.
    public static func fusedBlockDistances(_ data: FeatureMatrix, row: Int, centres: FeatureMatrix, portable: Bool = false) -> [Float] {
        let d = data.columns
        let table = CentreTable(centres.values, k: centres.rows, d: d)
        var out = [Float](repeating: 0, count: 8)
        data.withValues { x in
            if portable {
                pk_fused_block_distances_portable(x + row * d, table.block(containing: 0), d, &out)
            } else {
                let lanes = DistanceKernel.blockDistances(x + row * d, table.block(containing: 0), d, fused: true)
                for i in 0..<8 { out[i] = lanes[i] }
            }
        }
        return out
    }

    /// The squared distances from row `row` of `data` to the first eight centres (padded
    /// with zero centres) through the blocked C kernel for one row.
    public static func blockDistances(_ data: FeatureMatrix, row: Int, centres: FeatureMatrix, portable: Bool = false) -> [Float] {
        let d = data.columns
        let table = CentreTable(centres.values, k: centres.rows, d: d)
        var out = [Float](repeating: 0, count: 8)
        data.withValues { x in
            let kernel = portable ? pk_block_distances_portable : pk_block_distances
            kernel(x + row * d, table.block(containing: 0), d, &out)
        }
        return out
    }

    /// The distances from the listed rows of `data` to the eight centres of block `block`
    /// (padded with zero centres), one array per listed row, through the kernels for listed
    /// rows: the fused one of the Yinyang step, or the exact one of the seeding.
    public static func listedBlockDistances(_ data: FeatureMatrix, rows: [Int32], centres: FeatureMatrix, block: Int,
                                            fused: Bool) -> [[Float]] {
        let d = data.columns
        let table = CentreTable(centres.values, k: centres.rows, d: d)
        var out = [Float](repeating: 0, count: 8 * rows.count)
        data.withValues { x in
            let kernel = fused ? pk_fused_listed_block_distances : pk_listed_block_distances
            kernel(x, d, table.block(containing: block * 8), rows, rows.count, &out)
        }
        return (0..<rows.count).map { Array(out[8 * $0 ..< 8 * $0 + 8]) }
    }

    /// The fused distance from each listed row of `data` to its centre, `labels[row]`, through
    /// the Yinyang step's kernel for listed rows.
    public static func fusedOwnDistances(_ data: FeatureMatrix, rows: [Int32], labels: [Int32], centres: FeatureMatrix) -> [Float] {
        precondition(labels.count == data.rows && centres.columns == data.columns, "a label per row, centres k × d")
        var out = [Float](repeating: 0, count: rows.count)
        data.withValues { x in
            centres.values.withUnsafeBufferPointer { c in
                pk_fused_own_distances(x, data.columns, c.baseAddress!, labels, rows, rows.count, &out)
            }
        }
        return out
    }

    /// Per row of `data` and block of eight centres: the smallest fused distance, its lane
    /// and the smallest of the block's other lanes (row-major, ⌈k / 8⌉ per row), through
    /// the Yinyang step's whole-chunk kernel.
    public static func fusedGroups(_ data: FeatureMatrix, centres: FeatureMatrix) -> (least: [Float], lane: [Int32], other: [Float]) {
        let n = data.rows, k = centres.rows, d = data.columns, groups = (k + 7) / 8
        let table = CentreTable(centres.values, k: k, d: d)
        var least = [Float](repeating: 0, count: n * groups), other = least
        var lane = [Int32](repeating: 0, count: n * groups)
        data.withValues { x in pk_fused_groups(x, n, d, table.block(containing: 0), k, &least, &lane, &other) }
        return (least, lane, other)
    }

    /// `values` sorted as `sorted()` does, by the radix sort the outlier limits use.
    /// - Complexity: O(n).
    public static func radixSorted(_ values: [Double]) -> [Double] { RadixSort.ascending(values) }

    /// The squared distances from rows `x` (lanes 0–3) and `y` (lanes 4–7) of `data` to the
    /// first four centres, through the paired C kernel.
    public static func pairedBlockDistances(_ data: FeatureMatrix, rows x: Int, _ y: Int, centres: FeatureMatrix,
                                            portable: Bool = false) -> [Float] {
        precondition(centres.rows >= 1 && centres.rows <= 4, "one to four centres")
        let d = data.columns
        let padded = centres.values + [Float](repeating: 0, count: (4 - centres.rows) * d)
        let table = CentreTable(padded + padded, k: 8, d: d)
        var out = [Float](repeating: 0, count: 8)
        data.withValues { values in
            let kernel = portable ? pk_paired_block_distances_portable : pk_paired_block_distances
            kernel(values + x * d, values + y * d, table.block(containing: 0), d, &out)
        }
        return out
    }

    /// One full nearest-centre pass (labels only), on `threads` threads (`nil`: every core);
    /// ties go to the lower centre index.
    /// - Precondition: `centres` has at least one row and as many columns as `data`.
    /// - Complexity: O(n × k × d).
    public static func assignNearest(_ data: FeatureMatrix, centres: FeatureMatrix, threads: Int?) -> [Int32] {
        precondition(centres.rows >= 1 && centres.columns == data.columns, "centres must be k × d with k ≥ 1")
        let table = CentreTable(centres.values, k: centres.rows, d: centres.columns)
        let labels = WorkBuffer<Int32>(repeating: 0, count: data.rows)
        let d = data.columns
        ChunkedParallel(rows: data.rows, threads: threads).forEachChunk { _, rows in
            data.withValues { x in
                DistanceKernel.withNearestTwo(rows: x + rows.lowerBound * d, count: rows.count, in: table) { first, _, _, _ in
                    (labels.base + rows.lowerBound).update(from: first, count: rows.count)
                }
            }
        }
        return labels.array
    }

    /// Runs exactly `iterations` iterations (or fewer if converged) of `algorithm` from
    /// `start`, no refinement; returns iterations done and distance evaluations.
    ///
    /// A start converges when no label changes (tolerance 0); there is no final labelling
    /// pass, so the work is exactly that of the iterations.
    /// - Precondition: `start` is k × d with 1 ≤ k ≤ n; `iterations` ≥ 1.
    /// - Complexity: O(iterations × n × k × d) at worst.
    public static func iterate(_ data: FeatureMatrix, start: FeatureMatrix, algorithm: KMeansAlgorithm,
                               iterations: Int, threads: Int?) -> (iterations: Int, distanceEvaluations: Int) {
        precondition(start.rows >= 1 && start.rows <= data.rows && start.columns == data.columns,
                     "start must be k × d with 1 ≤ k ≤ n")
        precondition(iterations >= 1, "iterations must be at least 1")
        switch algorithm.resolved(k: start.rows, d: data.columns, rows: data.rows) {
        case .lloyd, .auto: return iterate(LloydStep.self, data, start: start, iterations: iterations, threads: threads)
        case .hamerly: return iterate(HamerlyStep.self, data, start: start, iterations: iterations, threads: threads)
        case .elkan: return iterate(ElkanStep.self, data, start: start, iterations: iterations, threads: threads)
        case .yinyang: return iterate(YinyangStep.self, data, start: start, iterations: iterations, threads: threads)
        }
    }

    private static func iterate<Step: KMeansStep>(_: Step.Type, _ data: FeatureMatrix, start: FeatureMatrix,
                                                  iterations: Int, threads: Int?) -> (iterations: Int, distanceEvaluations: Int) {
        var run = KMeansRun<Step>(data, weights: nil, start: start, threads: threads)
        let outcome = run.iterate(maxIterations: iterations, threshold: -1, moments: nil)
        return (outcome.iterations, run.evaluations)
    }

    /// Greedy k-means++ seeding only (the first start of a fit with this seed and default
    /// trials).
    /// - Precondition: 1 ≤ k ≤ the number of distinct rows.
    /// - Complexity: O(n × k × trials × d) at worst.
    public static func seed(_ data: FeatureMatrix, k: Int, seed: UInt64, threads: Int?) -> FeatureMatrix {
        let configuration = KMeansConfiguration(clusterCount: k, seed: seed, threads: threads)
        do {
            return try KMeans.seed(data, configuration: configuration)
        } catch {
            preconditionFailure("seeding failed: \(error)")
        }
    }
}
