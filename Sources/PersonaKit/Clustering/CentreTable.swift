/// Centres in the two layouts the kernels use: row-major (k × d), and in blocks of eight
/// centres stored dimension by dimension, so that ``DistanceKernel/blockDistances(_:_:_:)``
/// measures a point against eight centres with one vector operation per dimension.
///
/// Padding lanes of the last block hold zeros; callers ignore them.
final class CentreTable: @unchecked Sendable {
    /// Centres per block.
    static let lanes = 8

    let k: Int
    let d: Int
    /// Row-major centres, k × d.
    let rows: WorkBuffer<Float>
    /// Blocks of `lanes` centres: value j of centre `b·lanes + i` at `(b·d + j)·lanes + i`.
    private let blocks: WorkBuffer<Float>

    /// A table of `k` centres of width `d`, all at the origin.
    init(k: Int, d: Int) {
        self.k = k
        self.d = d
        rows = WorkBuffer(repeating: 0, count: k * d)
        blocks = WorkBuffer(repeating: 0, count: (k + Self.lanes - 1) / Self.lanes * Self.lanes * d)
    }

    /// A table holding `values` (k × d, row-major).
    convenience init(_ values: [Float], k: Int, d: Int) {
        self.init(k: k, d: d)
        values.withUnsafeBufferPointer { rows.base.update(from: $0.baseAddress!, count: k * d) }
        rebuildBlocks()
    }

    /// Centre `c`, row-major.
    @inline(__always)
    func row(_ c: Int) -> UnsafeMutablePointer<Float> { rows.base + c * d }

    /// The block holding centre `c` (a multiple of `lanes`).
    @inline(__always)
    func block(containing c: Int) -> UnsafePointer<Float> { UnsafePointer(blocks.base + c * d) }

    /// Copies the row-major centres into the blocks; call after changing `rows`.
    func rebuildBlocks() {
        let lanes = Self.lanes
        for c in 0..<k {
            let block = blocks.base + (c / lanes) * d * lanes
            for j in 0..<d { block[j * lanes + c % lanes] = rows[c * d + j] }
        }
    }

    /// The centres as a `[Float]`, row-major.
    var values: [Float] { rows.array }
}
