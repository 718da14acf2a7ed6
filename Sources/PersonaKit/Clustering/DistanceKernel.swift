import CPersonaKernels

/// The squared Euclidean distance kernels every step shares.
///
/// The exact kernel serves seeding, the final labelling of a fit and assignment, so a model
/// assigns its training rows exactly as training labelled them; the iterations between use
/// its fused twin (``squaredDistance(_:_:_:fused:)``), the same order with one fused
/// multiply–add per dimension. Distances are summed in `Float` over
/// eight SIMD lanes, then across lanes; identical points are exactly 0 apart. (Plain multiply
/// and add, not `addingProduct`: without FMA in the target, that becomes a libm call per lane.)
///
/// The blocked form (``blockDistances(_:_:_:)``) computes one point against several
/// centres at once, one centre per SIMD lane, and performs for every lane exactly the
/// operations of ``squaredDistance(_:_:_:)`` in the same order: its results are bit-identical,
/// only faster. The blocked kernels that carry most of the work run in C
/// (`CPersonaKernels`), with AVX where the processor has it, in the same order again.
enum DistanceKernel {
    /// ‖a − b‖² over `count` dimensions.
    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        var j = 0
        while j + 8 <= count {
            let x = SIMD8(loading: a + j)
            let y = SIMD8(loading: b + j)
            let t = x - y
            acc += t * t
            j += 8
        }
        var sum = acc.sum()
        while j < count {
            let t = a[j] - b[j]
            sum += t * t
            j += 1
        }
        return sum
    }

    /// ‖x − c‖² for the eight centres `c` of a block (see ``CentreTable``), one per lane;
    /// lane i is bit-identical to `squaredDistance(x, c_i, d)`.
    ///
    /// `squaredDistance` accumulates dimension j in lane j mod 8, then adds the eight lanes in
    /// order, then the remaining dimensions one by one. Here each of those eight partial sums
    /// is built in turn, for all centres of the block at once, and combined in the same order.
    /// (It subtracts x from c rather than c from x: rounding is symmetric, so the squares are
    /// the same, and the broadcast x needs no copy.)
    @inline(__always)
    static func blockDistances(_ x: UnsafePointer<Float>, _ block: UnsafePointer<Float>, _ d: Int) -> SIMD8<Float> {
        var lanes = SIMD8<Float>()
        withUnsafeMutableBytes(of: &lanes) { pk_block_distances(x, block, d, $0.baseAddress!.assumingMemoryBound(to: Float.self)) }
        return lanes
    }

    /// ``blockDistances(_:_:_:)`` for the listed rows of `x` (width `d`), one block of lanes
    /// per row into `out`: the same bits, the rows measured four at a time.
    @inline(__always)
    static func listedBlockDistances(_ x: UnsafePointer<Float>, _ d: Int, _ block: UnsafePointer<Float>,
                                     rows: UnsafePointer<Int32>, count: Int, into out: UnsafeMutablePointer<SIMD8<Float>>) {
        UnsafeMutableRawPointer(out).withMemoryRebound(to: Float.self, capacity: 8 * count) {
            pk_listed_block_distances(x, d, block, rows, count, $0)
        }
    }

    /// For `count` consecutive rows from `x`: the nearest centre of `table` (ties to the lower
    /// index) and its squared distance, and the second nearest (-1 when k = 1; among equal
    /// distances the lower index) and its squared distance (+∞ when k = 1), handed to `body`
    /// as four buffers of `count` values, valid during the call. Every distance is
    /// bit-identical to ``squaredDistance(_:_:_:)``; the choices are those of
    /// ``nearestTwo(_:centers:k:d:)``.
    @inline(__always)
    static func withNearestTwo<R>(rows x: UnsafePointer<Float>, count: Int, in table: CentreTable,
                                  _ body: (_ first: UnsafePointer<Int32>, _ firstDistance: UnsafePointer<Float>,
                                           _ second: UnsafePointer<Int32>, _ secondDistance: UnsafePointer<Float>) -> R) -> R {
        withScratch(rows: count) { l, f, capacity in
            pk_nearest_two(x, count, table.d, table.block(containing: 0), table.k, l, f, l + capacity, f + capacity)
            return body(l, f, l + capacity, f + capacity)
        }
    }

    /// ‖x − c‖² in lanes 0–3 and ‖y − c‖² in lanes 4–7, for a block holding four centres twice
    /// (lanes i and i + 4 alike): two rows against four centres in one pass, each lane
    /// bit-identical to `squaredDistance`.
    @inline(__always)
    static func pairedBlockDistances(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                     _ block: UnsafePointer<Float>, _ d: Int) -> SIMD8<Float> {
        var lanes = SIMD8<Float>()
        withUnsafeMutableBytes(of: &lanes) { pk_paired_block_distances(x, y, block, d, $0.baseAddress!.assumingMemoryBound(to: Float.self)) }
        return lanes
    }

    /// ‖a − b‖² with the fused kernel of the iterations (`fused`) or the exact one: the
    /// iterations of a fit measure with the fused kernel, every other distance with the exact.
    ///
    /// The fused kernel (`pk_fused_distance` in `CPersonaKernels`) sums in this kernel's
    /// order with p ← fma(b_j − a_j, b_j − a_j, p) where this one multiplies and adds:
    /// correctly rounded operations, so the same bits on every machine, and within the
    /// relative error ``DistanceBounds`` allows for, so the accelerated steps' bounds hold
    /// for both kernels.
    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int, fused: Bool) -> Float {
        fused ? pk_fused_distance(a, b, count) : squaredDistance(a, b, count)
    }

    /// ``blockDistances(_:_:_:)`` with the fused kernel (`fused`) or the exact one; lane i of
    /// the fused form is bit-identical to `squaredDistance(x, c_i, d, fused: true)`.
    @inline(__always)
    static func blockDistances(_ x: UnsafePointer<Float>, _ block: UnsafePointer<Float>, _ d: Int, fused: Bool) -> SIMD8<Float> {
        guard fused else { return blockDistances(x, block, d) }
        var lanes = SIMD8<Float>()
        withUnsafeMutableBytes(of: &lanes) { pk_fused_block_distances(x, block, d, $0.baseAddress!.assumingMemoryBound(to: Float.self)) }
        return lanes
    }

    /// For `count` consecutive rows from `x`, with the fused kernel: the nearest centre of
    /// `table` (ties to the lower index), its squared distance and the squared distance to the
    /// next-nearest centre (+∞ when k = 1), handed to `body` as three buffers of `count` values,
    /// valid during the call. The choices are those of a scan in index order with
    /// `squaredDistance(_:_:_:fused:)`.
    @inline(__always)
    static func withFusedNearest<R>(rows x: UnsafePointer<Float>, count: Int, in table: CentreTable,
                                    _ body: (_ first: UnsafePointer<Int32>, _ firstDistance: UnsafePointer<Float>,
                                             _ secondDistance: UnsafePointer<Float>) -> R) -> R {
        withScratch(rows: count) { l, f, capacity in
            pk_fused_nearest(x, count, table.d, table.block(containing: 0), table.k, l, f, f + capacity)
            return body(l, f, f + capacity)
        }
    }

    /// Two label and two distance buffers of `capacity` (at least `rows`, at least 1) values
    /// each, back to back, for the nearest-centre passes; valid during the call.
    @inline(__always)
    private static func withScratch<R>(rows: Int, _ body: (_ labels: UnsafeMutablePointer<Int32>, _ distances: UnsafeMutablePointer<Float>,
                                                         _ capacity: Int) -> R) -> R {
        let capacity = max(rows, 1)
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * capacity) { labels in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * capacity) { distances in
                body(labels.baseAddress!, distances.baseAddress!, capacity)
            }
        }
    }

    /// The nearest and second-nearest centres and their squared distances (second is -1
    /// when k = 1); ties go to the lower index.
    @inline(__always)
    static func nearestTwo(_ point: UnsafePointer<Float>, centers: UnsafePointer<Float>, k: Int, d: Int)
        -> (first: Int, firstDistance: Float, second: Int, secondDistance: Float) {
        var first = 0, second = -1
        var firstDistance = squaredDistance(point, centers, d)
        var secondDistance = Float.infinity
        var c = 1
        while c < k {
            let dist = squaredDistance(point, centers + c * d, d)
            if dist < firstDistance {
                second = first; secondDistance = firstDistance
                first = c; firstDistance = dist
            } else if dist < secondDistance {
                second = c; secondDistance = dist
            }
            c += 1
        }
        return (first, firstDistance, second, secondDistance)
    }

    /// The nearest centre of a table (ties to the lower index), its squared distance, and the
    /// squared distance to the next-nearest centre (+∞ when k = 1). `known` is a block already
    /// measured (its first centre and its distances), if any.
    @inline(__always)
    static func nearestAndRunnerUp(_ point: UnsafePointer<Float>, in table: CentreTable,
                                   known: (base: Int, lanes: SIMD8<Float>)? = nil, fused: Bool = false)
        -> (index: Int, distance: Float, runnerUp: Float) {
        let k = table.k, d = table.d
        var first = 0
        var firstDistance = Float.infinity
        var secondDistance = Float.infinity
        var base = 0
        while base < k {
            let measured = known?.base == base ? known!.lanes : blockDistances(point, table.block(containing: base), d, fused: fused)
            let lanes = padded(measured, count: k - base)
            let (lane, distance) = smallest(lanes)
            let runnerUp = removing(lane, from: lanes).minimum()
            // Earlier blocks win ties, as a scan in index order would.
            if distance < firstDistance {
                secondDistance = min(firstDistance, runnerUp)
                first = base + lane; firstDistance = distance
            } else {
                secondDistance = min(secondDistance, distance)
            }
            base += 8
        }
        return (first, firstDistance, secondDistance)
    }

    /// `lanes` with the lanes from `count` on set to +∞.
    @inline(__always)
    static func padded(_ lanes: SIMD8<Float>, count: Int) -> SIMD8<Float> {
        count < 8 ? lanes.selecting(.infinity, where: LaneMask.from(count)) : lanes
    }

    /// `lanes` with lane `lane` set to +∞.
    @inline(__always)
    private static func removing(_ lane: Int, from lanes: SIMD8<Float>) -> SIMD8<Float> {
        lanes.selecting(.infinity, where: LaneMask.only(lane))
    }

    /// The smallest lane and its value; ties go to the lower lane. Branch-free.
    @inline(__always)
    static func smallest(_ lanes: SIMD8<Float>) -> (lane: Int, value: Float) {
        let value = lanes.minimum()
        return (LaneMask.bits(lanes .== SIMD8(repeating: value)).trailingZeroBitCount, value)
    }
}

