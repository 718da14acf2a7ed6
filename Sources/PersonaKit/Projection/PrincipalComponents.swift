// LAPACK: Accelerate's on Apple platforms, the system library (Debian's liblapack-dev) elsewhere.
#if canImport(Accelerate)
import Accelerate
#else
import CLAPACK
#endif

/// A principal-component analysis of encoded customers, computed with LAPACK.
///
/// The (weighted) covariance matrix of the columns is decomposed with LAPACK's `dsyevd`
/// (symmetric eigen-decomposition, divide and conquer); the components are its eigenvectors
/// by decreasing eigenvalue. Each component's sign is fixed so that its largest-magnitude
/// entry is positive, making results reproducible across LAPACK builds.
///
/// - Complexity: O(n × d²) for the covariance plus O(d³) for the decomposition.
public struct PrincipalComponents: Sendable, Hashable, Codable {
    /// The column means the data was centred on.
    public let mean: [Double]
    /// The components, one row of `d` loadings each, by decreasing variance.
    public let components: [[Double]]
    /// The variance along each component.
    public let explainedVariance: [Double]
    /// Each component's share of the total variance.
    public let explainedVarianceRatio: [Double]

    /// What went wrong in the decomposition.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// LAPACK reported `info ≠ 0`.
        case lapack(routine: String, info: Int)
        /// There are no rows or no columns.
        case empty

        /// A one-line description.
        public var description: String {
            switch self {
            case .lapack(let routine, let info):
                "the principal components could not be computed (LAPACK \(routine) reported info=\(info))"
            case .empty: "the principal components need at least one row and one column"
            }
        }
    }

    /// Fits the leading `count` components of `data`.
    ///
    /// - Parameters:
    ///   - data: encoded rows.
    ///   - weights: optional sample weights.
    ///   - count: how many components to keep (at most the column count).
    /// - Throws: ``Failure``.
    public init(fitting data: FeatureMatrix, weights: [Double]? = nil, count: Int = 2) throws(Failure) {
        let n = data.rows, d = data.columns
        guard n > 0, d > 0 else { throw .empty }
        guard let (mean, total) = data.columnMeans(weights: weights) else { throw .empty }
        var covariance = Self.scatter(data, weights: weights, mean: mean)
        for i in covariance.indices { covariance[i] /= total }

        let (values, vectors) = try Self.symmetricEigen(covariance, order: d)
        let keep = min(count, d)
        let sum = values.reduce(0) { $0 + max(0, $1) }
        var components = [[Double]]()
        var variance = [Double]()
        for i in 0..<keep {
            let index = d - 1 - i            // dsyevd returns ascending eigenvalues
            var vector = Array(vectors[index * d ..< (index + 1) * d])
            let largest = vector.indices.max { abs(vector[$0]) < abs(vector[$1]) }!
            if vector[largest] < 0 { vector = vector.map { -$0 } }
            components.append(vector)
            variance.append(max(0, values[index]))
        }
        self.mean = mean
        self.components = components
        self.explainedVariance = variance
        self.explainedVarianceRatio = variance.map { sum > 0 ? $0 / sum : 0 }
    }

    /// Rows per slice of the scatter matrix; slices are summed separately (in parallel) and
    /// added in slice order, so the result does not depend on the thread count.
    static let sliceRows = 16_384

    /// The upper triangle of Σ w (x − mean)(x − mean)ᵀ, column-major as LAPACK expects (the
    /// matrix is symmetric; the lower triangle is zero).
    /// - Complexity: O(n × d²), on every core.
    static func scatter(_ data: FeatureMatrix, weights: [Double]?, mean: [Double]) -> [Double] {
        let n = data.rows, d = data.columns
        let slices = max(1, (n + sliceRows - 1) / sliceRows)
        // Row-major upper triangles, one per slice.
        let partial = WorkBuffer<Double>(repeating: 0, count: slices * d * d)
        TaskPool.run(count: slices, threads: nil) { slice in
            let acc = partial.base + slice * d * d
            withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { centred in
                let c = centred.baseAddress!
                data.withValues { x in
                    mean.withUnsafeBufferPointer { m in
                        for r in slice * sliceRows ..< min(n, (slice + 1) * sliceRows) {
                            let w = weights?[r] ?? 1
                            for j in 0..<d { c[j] = Double(x[r * d + j]) - m[j] }
                            for a in 0..<d {
                                let wa = w * c[a], row = acc + a * d
                                for b in a..<d { row[b] += wa * c[b] }
                            }
                        }
                    }
                }
            }
        }
        var covariance = [Double](repeating: 0, count: d * d)
        for slice in 0..<slices {
            let acc = partial.base + slice * d * d
            for a in 0..<d {
                for b in a..<d { covariance[b * d + a] += acc[a * d + b] }
            }
        }
        return covariance
    }

    /// The coordinates of `point` (length d) on the components.
    /// - Complexity: O(count × d).
    public func project(_ point: [Float]) -> [Double] {
        components.map { component in
            var s = 0.0
            for j in component.indices { s += component[j] * (Double(point[j]) - mean[j]) }
            return s
        }
    }

    /// Eigenvalues (ascending) and eigenvectors (column-major, one per column) of a
    /// symmetric matrix given column-major with its upper triangle filled.
    static func symmetricEigen(_ matrix: [Double], order d: Int) throws(Failure) -> ([Double], [Double]) {
        var a = matrix
        var w = [Double](repeating: 0, count: d)
        var n = Int32(d), lda = Int32(d), info: Int32 = 0
        var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "U"))
        // Workspace query, then the decomposition.
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workSize = 0.0
        var iworkSize: Int32 = 0
        dsyevd(&jobz, &uplo, &n, &a, &lda, &w, &workSize, &lwork, &iworkSize, &liwork, &info)
        guard info == 0 else { throw .lapack(routine: "dsyevd", info: Int(info)) }
        lwork = Int32(workSize)
        liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd(&jobz, &uplo, &n, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else { throw .lapack(routine: "dsyevd", info: Int(info)) }
        return (w, a)
    }
}

/// LAPACK's `dsyevd` (symmetric eigenproblem, divide and conquer) with every argument by
/// pointer. Accelerate declares the CLAPACK prototype; the Fortran library takes one hidden
/// length per character argument as well (both are one character long here).
private func dsyevd(
    _ jobz: UnsafeMutablePointer<CChar>, _ uplo: UnsafeMutablePointer<CChar>, _ n: UnsafeMutablePointer<Int32>,
    _ a: UnsafeMutablePointer<Double>, _ lda: UnsafeMutablePointer<Int32>, _ w: UnsafeMutablePointer<Double>,
    _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafeMutablePointer<Int32>,
    _ iwork: UnsafeMutablePointer<Int32>, _ liwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
) {
    #if canImport(Accelerate)
    dsyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info)
    #else
    dsyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, 1, 1)
    #endif
}
