/// The squared Euclidean distance kernels every step shares.
///
/// One kernel serves seeding, every iteration step and assignment, so a model assigns its
/// training rows exactly as training labelled them. Distances are summed in `Float` over
/// eight SIMD lanes, then across lanes; identical points are exactly 0 apart. (Plain multiply
/// and add, not `addingProduct`: without FMA in the target, that becomes a libm call per lane.)
enum DistanceKernel {
    /// ‖a − b‖² over `count` dimensions.
    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>()
        var j = 0
        while j + 8 <= count {
            let x = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
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

    /// The nearest centre to `point` and its squared distance; ties go to the lower index.
    @inline(__always)
    static func nearest(_ point: UnsafePointer<Float>, centers: UnsafePointer<Float>, k: Int, d: Int) -> (index: Int, distance: Float) {
        var best = 0
        var bestDistance = squaredDistance(point, centers, d)
        var c = 1
        while c < k {
            let dist = squaredDistance(point, centers + c * d, d)
            if dist < bestDistance { best = c; bestDistance = dist }
            c += 1
        }
        return (best, bestDistance)
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
}
