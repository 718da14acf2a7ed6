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
public struct PackedCustomerData: Sendable {
    enum Column: Sendable {
        case numbers(PackedNumbers)
        case categories([Int32])
    }

    let schema: PersonaSchema
    /// The number of customers.
    public let count: Int
    let weights: [Double]?
    let columns: [String: Column]
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
    /// - Precondition: `ids.count == count`.
    public func unpacked(ids: [String]) -> CustomerData {
        precondition(ids.count == count, "one identifier per customer")
        let values = columns.mapValues { column -> AttributeValues in
            switch column {
            case .categories(let codes): return .categories(codes)
            case .numbers(let numbers): return .numbers(numbers.unpacked())
            }
        }
        return CustomerData(schema: schema, ids: ids, weights: weights, values: values, unknownCategories: unknownCategories,
                            unknownCategoryCount: unknownCategoryCount)
    }

    /// Bytes the values take (for tests and diagnostics).
    public var valueBytes: Int {
        columns.values.reduce(0) { total, column in
            switch column {
            case .categories(let v): total + 4 * v.count
            case .numbers(let v): total + v.byteCount
            }
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
