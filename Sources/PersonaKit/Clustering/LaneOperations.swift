/// Lane operations on `SIMD8<Float>` that compile to vector instructions.
///
/// The standard library's generic `replacing(with:where:)`, `any(_:)`, `min()` and
/// `pointwiseMin` work lane by lane (through memory, in practice); comparisons and mask
/// logic on concrete eight-lane types are vectorised, so these helpers are built from them.
extension SIMD8 where Scalar == Float {
    /// The eight values from `pointer` on (no alignment needed).
    @inline(__always)
    init(loading pointer: UnsafePointer<Float>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    /// `other` in the lanes where `mask` is set, `self` elsewhere.
    @inline(__always)
    func selecting(_ other: Self, where mask: SIMDMask<SIMD8<Int32>>) -> Self {
        let mine = unsafeBitCast(self, to: SIMDMask<SIMD8<Int32>>.self)
        let theirs = unsafeBitCast(other, to: SIMDMask<SIMD8<Int32>>.self)
        return unsafeBitCast((theirs .& mask) .| (mine .& .!mask), to: Self.self)
    }

    /// `value` in the lanes where `mask` is set, `self` elsewhere.
    @inline(__always)
    func selecting(_ value: Float, where mask: SIMDMask<SIMD8<Int32>>) -> Self {
        selecting(Self(repeating: value), where: mask)
    }

    /// The lane-wise smaller of `self` and `other` (values are never NaN here).
    @inline(__always)
    func lanewiseMinimum(_ other: Self) -> Self {
        selecting(other, where: other .< self)
    }

    /// Bounds on the square roots of non-negative lanes, lower ≤ √x ≤ upper, each within
    /// about 2⁻¹⁹ of it: two Newton steps (y ← (y + x/y)/2) from a bit-level estimate. From any
    /// positive start a Newton step lands on or above √x, so the estimate bounds √x from above
    /// and x divided by it from below; a factor 1 ± 2⁻²⁰ covers the steps' rounding. Four
    /// vector divisions instead of eight scalar square roots; for bounds, not for values.
    @inline(__always)
    func squareRootBounds() -> (lower: Self, upper: Self) {
        let bits = unsafeBitCast(self, to: SIMD8<Int32>.self)
        var y = unsafeBitCast((bits &>> 1) &+ SIMD8<Int32>(repeating: 0x1FBD_1DF5), to: Self.self)
        y = 0.5 * (y + self / y)
        y = 0.5 * (y + self / y)
        return (self / y * (1 - 0x1p-20), y * (1 + 0x1p-20))
    }

    /// The smallest lane value.
    @inline(__always)
    func minimum() -> Float {
        let quarter = SIMD4<Float>.lanewiseMinimum(lowHalf, highHalf)
        let pair = SIMD2(quarter[0] < quarter[2] ? quarter[0] : quarter[2], quarter[1] < quarter[3] ? quarter[1] : quarter[3])
        return pair[0] < pair[1] ? pair[0] : pair[1]
    }
}

extension SIMD4 where Scalar == Float {
    /// The lane-wise smaller of `a` and `b` (values are never NaN here).
    @inline(__always)
    static func lanewiseMinimum(_ a: Self, _ b: Self) -> Self {
        let bits = b .< a
        let mine = unsafeBitCast(a, to: SIMDMask<SIMD4<Int32>>.self)
        let theirs = unsafeBitCast(b, to: SIMDMask<SIMD4<Int32>>.self)
        return unsafeBitCast((theirs .& bits) .| (mine .& .!bits), to: Self.self)
    }
}

/// Masks of eight lanes as bits.
enum LaneMask {
    /// Lane i holds 2^i.
    @inline(__always)
    static var laneBits: SIMD8<Int32> { SIMD8<Int32>(1, 2, 4, 8, 16, 32, 64, 128) }

    /// The lanes of `mask` as bits (lane i as 2^i).
    @inline(__always)
    static func bits(_ mask: SIMDMask<SIMD8<Int32>>) -> Int {
        let selected = unsafeBitCast(unsafeBitCast(laneBits, to: SIMDMask<SIMD8<Int32>>.self) .& mask, to: SIMD8<Int32>.self)
        let half = selected.lowHalf &+ selected.highHalf
        let quarter = half.lowHalf &+ half.highHalf
        return Int(quarter[0] &+ quarter[1])
    }

    /// Whether any lane of `mask` is set.
    @inline(__always)
    static func any(_ mask: SIMDMask<SIMD8<Int32>>) -> Bool { bits(mask) != 0 }

    /// The lanes from `count` on (for the padding of a last block).
    @inline(__always)
    static func from(_ count: Int) -> SIMDMask<SIMD8<Int32>> {
        laneBits .>= SIMD8(repeating: Int32(truncatingIfNeeded: 1 << min(count, 8)))
    }

    /// Lane `lane` alone.
    @inline(__always)
    static func only(_ lane: Int) -> SIMDMask<SIMD8<Int32>> {
        laneBits .== SIMD8(repeating: Int32(truncatingIfNeeded: 1 << lane))
    }
}
