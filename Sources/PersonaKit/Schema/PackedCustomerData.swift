/// Customer data held in less memory, losslessly: what a reader keeps of the rows it has
/// encoded until the fit has labelled them (to profile the personas from the values as read).
///
/// Every number column is stored in the narrowest of three forms that gives back every value
/// bit for bit (missing values included):
/// - whole numbers 0…254 (Likert levels, flags, small counts) in one byte each;
/// - decimals with at most 9 digits after the point whose value × 10^p is below 2^31 in
///   magnitude (prices, measures, z-scores written with a fixed number of decimals) as a
///   32-bit integer k with one p per column: k / 10^p, both exact doubles, is correctly
///   rounded, and so equals the number as it was read from its decimal text;
/// - anything else as the `Double` itself.
/// Each form is checked value by value when packing; a column that does not come back exactly
/// stays a `Double` column. Category codes stay 32-bit codes. The identifiers are not kept:
/// the reader has them already.
///
/// A number column the rows' encoding gives back exactly need not be kept at all
/// (``leavingInMatrix(_:encoder:)``): it is read from the encoded matrix when unpacked.
public struct PackedCustomerData: Sendable {
    enum Column: Sendable {
        case numbers(PackedNumbers)
        case categories([Int32])
        case inMatrix(MatrixNumbers)
    }

    let schema: PersonaSchema
    /// The number of customers.
    public let count: Int
    let weights: [Double]?
    private(set) var columns: [String: Column]
    let unknownCategories: [UnknownCategory]
    let unknownCategoryCount: Int

    /// Packs `data`.
    /// - Complexity: O(rows × attributes).
    public init(_ data: CustomerData) {
        schema = data.schema
        count = data.count
        weights = data.weights
        unknownCategories = data.unknownCategories
        unknownCategoryCount = data.unknownCategoryCount
        columns = data.values.mapValues { values in
            switch values {
            case .categories(let codes): .categories(codes)
            case .numbers(let numbers): .numbers(PackedNumbers(numbers))
            }
        }
    }

    /// Packs `data`, taking the numbers of the attributes in `packed` as packed already: each
    /// must hold exactly that attribute's values (a reader that packed them as it parsed them).
    /// - Complexity: O(rows × attributes not in `packed`).
    package init(_ data: CustomerData, packed: [String: PackedNumbers]) {
        schema = data.schema
        count = data.count
        weights = data.weights
        unknownCategories = data.unknownCategories
        unknownCategoryCount = data.unknownCategoryCount
        var columns = [String: Column](minimumCapacity: data.values.count)
        for (name, values) in data.values {
            switch values {
            case .categories(let codes): columns[name] = .categories(codes)
            case .numbers(let numbers):
                if let given = packed[name], given.count == numbers.count { columns[name] = .numbers(given) } else {
                    columns[name] = .numbers(PackedNumbers(numbers))
                }
            }
        }
        self.columns = columns
    }

    /// The data as it was packed, with the identifiers given back.
    /// - Parameters:
    ///   - ids: the customers' identifiers.
    ///   - matrix: the rows' encoding, from row `firstRow` on, when
    ///     ``leavingInMatrix(_:encoder:)`` left columns in it.
    /// - Precondition: `ids.count == count`; `matrix` holds the rows when a column is left in it.
    public func unpacked(ids: [String], matrix: FeatureMatrix? = nil, firstRow: Int = 0) -> CustomerData {
        precondition(ids.count == count, "one identifier per customer")
        let values = columns.mapValues { column -> AttributeValues in
            switch column {
            case .categories(let codes): return .categories(codes)
            case .numbers(let numbers): return .numbers(numbers.unpacked())
            case .inMatrix(let numbers):
                guard let matrix else { preconditionFailure("a column left in the matrix needs the matrix") }
                return .numbers(numbers.values(in: matrix, firstRow: firstRow, count: count))
            }
        }
        return CustomerData(schema: schema, ids: ids, weights: weights, values: values, unknownCategories: unknownCategories,
                            unknownCategoryCount: unknownCategoryCount)
    }

    /// The data without the number columns that `matrix` — these rows encoded by `encoder` —
    /// gives back bit for bit (``MatrixNumbers``): each such column is then read from the
    /// matrix when unpacked instead of being kept. Checked value by value; a column with a
    /// missing value (encoded as 0, like the centre) or a value the encoding does not give
    /// back stays as it is.
    /// - Precondition: `matrix` is these rows encoded by `encoder`.
    /// - Complexity: O(rows × number attributes).
    public func leavingInMatrix(_ matrix: FeatureMatrix, encoder: FeatureEncoder) -> PackedCustomerData {
        precondition(matrix.rows == count && matrix.columns == encoder.width, "the rows encoded by the encoder")
        var left = self
        for attribute in encoder.attributes where attribute.width == 1 {
            guard case .numbers(let packed)? = columns[attribute.name],
                  let numbers = MatrixNumbers(packed, column: attribute.firstColumn, center: attribute.centers[0],
                                              scale: attribute.scales[0], matrix: matrix) else { continue }
            left.columns[attribute.name] = .inMatrix(numbers)
        }
        return left
    }

    /// Whether some column is read from the encoded matrix when unpacked.
    public var needsMatrix: Bool {
        columns.values.contains { if case .inMatrix = $0 { true } else { false } }
    }

    /// Bytes the values take (for tests and diagnostics); a column left in the matrix takes none.
    public var valueBytes: Int {
        columns.values.reduce(0) { total, column in
            switch column {
            case .categories(let v): total + 4 * v.count
            case .numbers(let v): total + v.byteCount
            case .inMatrix: total
            }
        }
    }
}

/// A number column given back by its encoded column alone: value = k / 10^p with
/// k = round((Double(z) × (1 / scale) + center) × 10^p), z the encoded `Float` — where each
/// value was checked to come back so. It holds for numbers written with a few decimals and
/// encoded at a moderate scale (a z-score of 4-decimal data misses by about 10^-7 of a unit,
/// far from the 0.5 × 10^-4 that would round to another decimal), which is most of a
/// customer file: its values need not be kept a second time beside the matrix.
struct MatrixNumbers: Sendable {
    let column: Int
    let center: Double
    let inverseScale: Double
    let power: Double

    /// The column of `packed` left in `matrix`'s column `column` (encoded as
    /// `Float((x − center) × scale)`), or `nil` when a value would not come back exactly.
    init?(_ packed: PackedNumbers, column: Int, center: Double, scale: Double, matrix: FeatureMatrix) {
        guard scale != 0, scale.isFinite, (1 / scale).isFinite, center.isFinite else { return nil }
        let integers: (Int) -> Double?
        let power: Double
        switch packed.storage {
        case .numbers: return nil
        case .small(let bytes):
            power = 1
            integers = { bytes[$0] == PackedNumbers.missingByte ? nil : Double(bytes[$0]) }
        case .decimals(let values, let digits):
            power = PackedNumbers.powersOfTen[digits]
            integers = { values[$0] == Int32.min ? nil : Double(values[$0]) }
        }
        self.column = column
        self.center = center
        inverseScale = 1 / scale
        self.power = power
        let width = matrix.columns
        let exact = matrix.withValues { z in
            (0..<packed.count).allSatisfy { r in
                guard let k = integers(r) else { return false }
                return integer(z[r * width + column]) == k
            }
        }
        guard exact else { return nil }
    }

    /// k of an encoded value (+0, never −0: a packed value is never −0).
    @inline(__always)
    private func integer(_ z: Float) -> Double {
        ((Double(z) * inverseScale + center) * power).rounded() + 0
    }

    /// The values of rows `firstRow ..< firstRow + count` of `matrix`.
    func values(in matrix: FeatureMatrix, firstRow: Int, count: Int) -> [Double] {
        let width = matrix.columns
        return matrix.withValues { z in
            (firstRow ..< firstRow + count).map { r in integer(z[r * width + column]) / power }
        }
    }
}

/// A column of numbers held losslessly in the narrowest of the forms ``PackedCustomerData``
/// describes: one byte per whole number 0…254, a 32-bit integer per decimal of up to 9
/// fraction digits, or the `Double` itself. NaN (a missing value) comes back as NaN; every
/// other value bit for bit.
public struct PackedNumbers: Sendable {
    enum Storage: Sendable {
        /// Whole numbers 0…254; 255 is a missing value.
        case small([UInt8])
        /// Value = k / 10^scale; `Int32.min` is a missing value.
        case decimals([Int32], scale: Int)
        case numbers([Double])
    }

    let storage: Storage

    /// Packs `numbers`.
    /// - Complexity: O(count).
    public init(_ numbers: [Double]) {
        storage = Self.pack(numbers)
    }

    /// The number of values.
    public var count: Int {
        switch storage {
        case .small(let v): v.count
        case .decimals(let v, _): v.count
        case .numbers(let v): v.count
        }
    }

    /// Bytes the values take.
    public var byteCount: Int {
        switch storage {
        case .small(let v): v.count
        case .decimals(let v, _): 4 * v.count
        case .numbers(let v): 8 * v.count
        }
    }

    /// The value at `index`, as it was packed.
    public subscript(index: Int) -> Double {
        switch storage {
        case .numbers(let numbers): return numbers[index]
        case .small(let bytes): return bytes[index] == Self.missingByte ? .nan : Double(bytes[index])
        case .decimals(let integers, let scale): return integers[index] == Int32.min ? .nan : Double(integers[index]) / Self.powersOfTen[scale]
        }
    }

    /// The numbers as they were packed.
    public func unpacked() -> [Double] {
        switch storage {
        case .numbers(let numbers): return numbers
        case .small(let bytes): return bytes.map { $0 == Self.missingByte ? .nan : Double($0) }
        case .decimals(let integers, let scale):
            let power = Self.powersOfTen[scale]
            return integers.map { $0 == Int32.min ? .nan : Double($0) / power }
        }
    }

    static let missingByte: UInt8 = 255
    /// 10^0 … 10^9, exact.
    static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

    /// The narrowest column that gives back every value of `numbers` exactly.
    static func pack(_ numbers: [Double]) -> Storage {
        if numbers.allSatisfy({ $0.isNaN || ($0 >= 0 && $0 <= 254 && $0.rounded() == $0 && $0.sign == .plus) }) {
            return .small(numbers.map { $0.isNaN ? missingByte : UInt8($0) })
        }
        // One pass with the fewest decimals so far; when a value needs more, the integers
        // before it are scaled up (k × 10^Δ / 10^(p + Δ) is the same number, correctly rounded
        // to the same double).
        let powers = powersOfTen
        var scale = 0, power = 1.0
        var integers = [Int32]()
        integers.reserveCapacity(numbers.count)
        for x in numbers {
            if x.isNaN { integers.append(Int32.min); continue }
            if let k = integer(x, power: power) { integers.append(k); continue }
            let before = scale
            var k: Int32? = nil
            while k == nil {
                scale += 1
                guard scale < powers.count else { return .numbers(numbers) }
                power = powers[scale]
                k = integer(x, power: power)
            }
            let factor = Int64(powers[scale - before])
            for i in integers.indices where integers[i] != Int32.min {
                let scaled = Int64(integers[i]) * factor
                guard abs(scaled) < Int64(Int32.max) else { return .numbers(numbers) }
                integers[i] = Int32(scaled)
            }
            integers.append(k!)
        }
        return .decimals(integers, scale: scale)
    }

    /// k with k / power == x bit for bit and |k| < 2^31 − 1, if there is one (none for −0,
    /// which an integer cannot give back); `power` is 10^0 … 10^9.
    @inline(__always)
    static func integer(_ x: Double, power: Double) -> Int32? {
        let k = (x * power).rounded()
        guard abs(k) < 2_147_483_647, !(x == 0 && x.sign == .minus) else { return nil }
        return (k / power).bitPattern == x.bitPattern ? Int32(k) : nil
    }
}
