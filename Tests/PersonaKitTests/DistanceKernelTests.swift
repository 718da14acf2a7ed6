@_spi(Benchmarks) import PersonaKit
import TestSupport
import Testing

/// The blocked C kernels (portable and AVX code) against the Swift reference kernel, one row
/// and one centre at a time: every distance bit for bit, every nearest and second-nearest
/// index, ties included.
@Suite("distance kernels")
struct DistanceKernelTests {
    /// Rows and centres of width `d`; with `grid`, small integers, so that many distances tie.
    static func matrices(rows: Int, k: Int, d: Int, grid: Bool, seed: UInt64) -> (FeatureMatrix, FeatureMatrix) {
        var rng = SeededGenerator(seed: seed, stream: 0)
        func value() -> Float {
            grid ? Float(Int(rng.nextUnitDouble() * 3)) : Float(rng.nextUnitDouble() * 20 - 10)
        }
        let x = (0..<rows * d).map { _ in value() }
        var c = (0..<k * d).map { _ in value() }
        // A centre equal to a row and two equal centres.
        if k >= 3 {
            for j in 0..<d { c[j] = x[j]; c[2 * d + j] = c[d + j] }
        }
        return (FeatureMatrix(rows: rows, columns: d, values: x), FeatureMatrix(rows: k, columns: d, values: c))
    }

    static let shapes: [(d: Int, k: Int)] = [
        (1, 1), (1, 5), (3, 8), (7, 9), (8, 8), (9, 2), (15, 16), (16, 17), (17, 3), (30, 8), (30, 32),
        (31, 33), (64, 12), (70, 41),
    ]

    @Test("blocked nearest-two equals the reference kernel, portable and vector code", arguments: shapes)
    func nearestTwo(shape: (d: Int, k: Int)) {
        for grid in [false, true] {
            // 37 rows: groups of four and a remainder.
            let (x, c) = Self.matrices(rows: 37, k: shape.k, d: shape.d, grid: grid, seed: UInt64(shape.d * 100 + shape.k))
            let reference = KMeansKernels.referenceNearestTwo(x, centres: c)
            #expect(KMeansKernels.blockedNearestTwo(x, centres: c, portable: true) == reference, "grid \(grid)")
            #expect(KMeansKernels.blockedNearestTwo(x, centres: c) == reference, "grid \(grid)")
        }
    }

    @Test("one row against a block equals the reference distances", arguments: shapes)
    func blockDistances(shape: (d: Int, k: Int)) {
        let (x, c) = Self.matrices(rows: 5, k: shape.k, d: shape.d, grid: false, seed: UInt64(shape.d + shape.k))
        for row in 0..<x.rows {
            let expected = (0..<8).map { lane -> UInt32 in
                let centre = lane < c.rows ? c.row(lane) : [Float](repeating: 0, count: c.columns)
                let point = x.row(row)
                return KMeansKernels.squaredDistance(point, centre, count: c.columns).bitPattern
            }
            #expect(KMeansKernels.blockDistances(x, row: row, centres: c, portable: true).map(\.bitPattern) == expected)
            #expect(KMeansKernels.blockDistances(x, row: row, centres: c).map(\.bitPattern) == expected)
        }
    }

    @Test("two rows against four centres equal the reference distances", arguments: shapes)
    func pairedBlockDistances(shape: (d: Int, k: Int)) {
        let (x, c) = Self.matrices(rows: 6, k: min(4, shape.k), d: shape.d, grid: false, seed: UInt64(shape.d * 7 + shape.k))
        for (a, b) in [(0, 1), (2, 2), (5, 3)] {
            let expected = (0..<8).map { lane -> UInt32 in
                let row = lane < 4 ? a : b, centre = lane % 4
                let target = centre < c.rows ? c.row(centre) : [Float](repeating: 0, count: c.columns)
                return KMeansKernels.squaredDistance(x.row(row), target, count: c.columns).bitPattern
            }
            #expect(KMeansKernels.pairedBlockDistances(x, rows: a, b, centres: c, portable: true).map(\.bitPattern) == expected)
            #expect(KMeansKernels.pairedBlockDistances(x, rows: a, b, centres: c).map(\.bitPattern) == expected)
        }
    }

    @Test("the fused kernel of the iterations gives the bits of fused multiply–adds in dimension order, portable and vector code",
          arguments: shapes)
    func fusedNearest(shape: (d: Int, k: Int)) {
        for grid in [false, true] {
            let (x, c) = Self.matrices(rows: 37, k: shape.k, d: shape.d, grid: grid, seed: UInt64(shape.d * 31 + shape.k))
            let reference = KMeansKernels.referenceFusedNearest(x, centres: c)
            #expect(KMeansKernels.fusedNearest(x, centres: c, portable: true) == reference, "grid \(grid)")
            #expect(KMeansKernels.fusedNearest(x, centres: c) == reference, "grid \(grid)")
            for row in [0, 17, 36] {
                let expected = (0..<8).map { lane -> UInt32 in
                    let centre = lane < c.rows ? c.row(lane) : [Float](repeating: 0, count: c.columns)
                    return KMeansKernels.referenceFusedSquaredDistance(x.row(row), centre).bitPattern
                }
                #expect(KMeansKernels.fusedBlockDistances(x, row: row, centres: c).map(\.bitPattern) == expected)
                #expect(KMeansKernels.fusedBlockDistances(x, row: row, centres: c, portable: true).map(\.bitPattern) == expected)
                for centre in 0..<c.rows {
                    let a = x.row(row), b = c.row(centre)
                    let want = KMeansKernels.referenceFusedSquaredDistance(a, b).bitPattern
                    #expect(KMeansKernels.fusedSquaredDistance(a, b, count: a.count).bitPattern == want)
                    #expect(KMeansKernels.fusedSquaredDistance(a, b, count: a.count, portable: true).bitPattern == want)
                }
            }
        }
    }

    @Test("the kernels over listed rows give each row the bits of the one-row kernels", arguments: shapes)
    func listedRows(shape: (d: Int, k: Int)) {
        for grid in [false, true] {
            let (x, c) = Self.matrices(rows: 37, k: shape.k, d: shape.d, grid: grid, seed: UInt64(shape.d * 17 + shape.k))
            var rng = SeededGenerator(seed: UInt64(shape.k), stream: 1)
            // Out of order and repeated, and counts that leave remainders after batches of 4 and 8.
            for count in [0, 1, 3, 4, 8, 13, 21] {
                let rows = (0..<count).map { _ in Int32(rng.nextUnitDouble() * 37) }
                let labels = (0..<37).map { _ in Int32(rng.nextUnitDouble() * Double(c.rows)) }
                let own = KMeansKernels.fusedOwnDistances(x, rows: rows, labels: labels, centres: c)
                for (i, row) in rows.enumerated() {
                    let want = KMeansKernels.referenceFusedSquaredDistance(x.row(Int(row)), c.row(Int(labels[Int(row)])))
                    #expect(own[i].bitPattern == want.bitPattern, "grid \(grid), row \(row)")
                }
                for block in 0..<(c.rows + 7) / 8 {
                    let fused = KMeansKernels.listedBlockDistances(x, rows: rows, centres: c, block: block, fused: true)
                    let exact = KMeansKernels.listedBlockDistances(x, rows: rows, centres: c, block: block, fused: false)
                    for (i, row) in rows.enumerated() {
                        for lane in 0..<8 where block * 8 + lane < c.rows {
                            let a = x.row(Int(row)), b = c.row(block * 8 + lane)
                            #expect(fused[i][lane].bitPattern == KMeansKernels.referenceFusedSquaredDistance(a, b).bitPattern)
                            #expect(exact[i][lane].bitPattern == KMeansKernels.squaredDistance(a, b, count: a.count).bitPattern)
                        }
                    }
                }
            }
        }
    }

    @Test("the whole-chunk kernel finds each block's nearest lane, its distance and the next", arguments: shapes)
    func fusedGroups(shape: (d: Int, k: Int)) {
        for grid in [false, true] {
            let (x, c) = Self.matrices(rows: 29, k: shape.k, d: shape.d, grid: grid, seed: UInt64(shape.d * 13 + shape.k))
            let groups = (c.rows + 7) / 8
            let (least, lane, other) = KMeansKernels.fusedGroups(x, centres: c)
            for r in 0..<x.rows {
                for g in 0..<groups {
                    let distances = (g * 8 ..< min(c.rows, g * 8 + 8)).map {
                        KMeansKernels.referenceFusedSquaredDistance(x.row(r), c.row($0))
                    }
                    let smallest = distances.min()!
                    let first = distances.firstIndex(of: smallest)!
                    var rest = distances
                    rest.remove(at: first)
                    let at = r * groups + g
                    #expect(least[at].bitPattern == smallest.bitPattern, "grid \(grid), row \(r), block \(g)")
                    #expect(Int(lane[at]) == first, "grid \(grid), row \(r), block \(g)")
                    #expect(other[at] == (rest.min() ?? .infinity), "grid \(grid), row \(r), block \(g)")
                }
            }
        }
    }

    @Test("a fit's iterations use the fused kernel, its final labels the exact one: labels equal exact assignment, ties included",
          arguments: [(2, 3), (30, 8), (9, 20), (30, 32)])
    func finalLabellingIsExact(shape: (d: Int, k: Int)) throws {
        for grid in [false, true] {
            let (x, _) = Self.matrices(rows: 600, k: 1, d: shape.d, grid: grid, seed: UInt64(shape.d * 5 + shape.k))
            for algorithm in [KMeansAlgorithm.lloyd, .hamerly, .elkan, .yinyang] {
                let fit = try KMeans.fit(x, configuration: KMeansConfiguration(clusterCount: shape.k, restarts: 1, seed: 3,
                                                                                algorithm: algorithm, swapTrials: 0))
                let exact = KMeansKernels.referenceNearestTwo(x, centres: fit.centroids)
                #expect(fit.labels == exact.map(\.first), "\(algorithm), grid \(grid)")
                let inertia = exact.reduce(0.0) { $0 + Double(Float(bitPattern: $1.firstDistance)) }
                #expect(fit.inertia == inertia, "\(algorithm), grid \(grid)")
            }
        }
    }

    @Test("the reference kernel sums in the documented order")
    func documentedOrder() {
        // Dimension j to lane j mod 8 below d rounded down to eight, each lane in order of j,
        // the lanes added in order, then the rest one by one. With 10⁴ in dimension 0, the
        // small squares vanish one at a time in that order (1e8 + 2 rounds to 1e8) but not
        // when added among themselves first.
        var a = [Float](repeating: 1, count: 19)
        a[0] = 1e4
        let b = [Float](repeating: 0, count: 19)
        let squares = zip(a, b).map { ($0 - $1) * ($0 - $1) }
        var lanes = [Float](repeating: 0, count: 8)
        for j in 0..<16 { lanes[j % 8] += squares[j] }
        var documented = lanes[0]
        for lane in 1..<8 { documented += lanes[lane] }
        for j in 16..<19 { documented += squares[j] }
        let smallFirst = squares[0] + squares[1...].reduce(0, +)
        #expect(documented != smallFirst)
        #expect(KMeansKernels.squaredDistance(a, b, count: 19) == documented)
        let (x, c) = (FeatureMatrix(rows: 1, columns: 19, values: a), FeatureMatrix(rows: 1, columns: 19, values: b))
        #expect(KMeansKernels.blockDistances(x, row: 0, centres: c)[0] == documented)
        #expect(KMeansKernels.blockDistances(x, row: 0, centres: c, portable: true)[0] == documented)
    }
}

@Suite("radix sort")
struct RadixSortTests {
    @Test("sorts non-negative doubles exactly as sorted() does", arguments: [0, 1, 300, 5_000, 70_000])
    func matchesSorted(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count), stream: 3)
        // Wide magnitudes, repeats, zeros, subnormals and infinity.
        var values = (0..<count).map { i -> Double in
            switch i % 7 {
            case 0: 0
            case 1: Double.leastNonzeroMagnitude * Double(i)
            case 2: Double(Int(rng.nextUnitDouble() * 10))
            case 3: .infinity
            default: rng.nextUnitDouble() * Double(sign: .plus, exponent: Int(rng.nextUnitDouble() * 120) - 60, significand: 1)
            }
        }
        #expect(KMeansKernels.radixSorted(values).map(\.bitPattern) == values.sorted().map(\.bitPattern))
        // Values the bit order would misplace fall back to the comparison sort.
        values.append(-1)
        values.append(-0.0)
        #expect(KMeansKernels.radixSorted(values).map(\.bitPattern) == values.sorted().map(\.bitPattern))
    }
}
