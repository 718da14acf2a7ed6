@testable import PersonaKit
import PersonaSynthetic
import Testing

@Suite("packed customer data")
struct PackedCustomerDataTests {
    /// Every value of every column as its bits (NaN as one pattern: every missing value is
    /// missing), and the categories as codes.
    static func bits(_ data: CustomerData) -> [String: [UInt64]] {
        data.values.mapValues { values in
            switch values {
            case .numbers(let v): v.map { $0.isNaN ? UInt64.max : $0.bitPattern }
            case .categories(let v): v.map { UInt64(bitPattern: Int64($0)) }
            }
        }
    }

    /// A table with one column per storage form, read as a CSV reader would read it.
    static func table(rows: Int, seed: UInt64) -> (RawTable, PersonaSchema) {
        var rng = SeededGenerator(seed: seed, stream: 0)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var cells = [[String]]()
        for r in 0..<rows {
            let likert = uniform() < 0.1 ? "" : "\(1 + Int(uniform() * 5))"
            // Whole numbers first, decimals later: the column's scale grows mid-way.
            let price = r < rows / 2 ? "\(Int(uniform() * 900))" : String(format: "%.2f", uniform() * 900 - 100)
            let z = String(format: "%.6f", uniform() * 8 - 4)
            let ratio = "\(uniform() / 3)"                     // 17 significant digits: stays a Double
            let signedZero = r == 3 ? "-0" : "\(Int(uniform() * 3))"   // −0 cannot be an integer
            let big = "\(Int(uniform() * 5_000_000_000))"       // beyond 32 bits
            cells.append(["c\(r)", likert, price, z, ratio, signedZero, big, ["a", "b", "c"][r % 3]])
        }
        let names = ["customer_id", "need_level", "finance_price", "online_z", "health_ratio", "media_count", "finance_big",
                     "lifestyle_kind"]
        let table = RawTable(columnNames: names, rows: cells)
        return (table, try! PersonaSchema.infer(from: table))
    }

    /// Numbers packed by a reader as it parsed them are taken as they are, and give what
    /// packing the data itself gives; a column given with another length is packed afresh.
    @Test func prepackedNumbers() throws {
        let (table, schema) = Self.table(rows: 300, seed: 5)
        let data = try CustomerData(table: table, schema: schema)
        var given = [String: PackedNumbers]()
        for (name, values) in data.values { if case .numbers(let v) = values { given[name] = PackedNumbers(v) } }
        given["need_level"] = PackedNumbers([1, 2])
        let fresh = PackedCustomerData(data), reused = PackedCustomerData(data, packed: given)
        #expect(reused.valueBytes == fresh.valueBytes)
        #expect(Self.bits(reused.unpacked(ids: data.ids)) == Self.bits(data))
        for (name, values) in data.values {
            guard case .numbers(let v) = values else { continue }
            let packed = PackedNumbers(v)
            #expect(packed.count == v.count)
            #expect((0..<v.count).allSatisfy { i in packed[i].isNaN ? v[i].isNaN : packed[i].bitPattern == v[i].bitPattern }, "\(name)")
        }
    }

    /// Every value comes back bit for bit, with the weights and the unknown categories, and
    /// each column takes the narrowest form that does.
    @Test(arguments: [1, 7, 2048])
    func unpackedEqualsTheOriginal(rows: Int) throws {
        let (table, schema) = Self.table(rows: max(rows, 8), seed: UInt64(rows))
        let data = try CustomerData(table: table, schema: schema)
        let packed = PackedCustomerData(data)
        let back = packed.unpacked(ids: data.ids)
        #expect(packed.count == data.count)
        #expect(Self.bits(back) == Self.bits(data))
        #expect(back.ids == data.ids && back.weights == data.weights && back.schema == data.schema)
        #expect(back.unknownCategories == data.unknownCategories && back.unknownCategoryCount == data.unknownCategoryCount)
        // Likert: 1 byte; price, z: 4 bytes; ratio, the column with −0 and the 33-bit
        // integers: 8 bytes; the category codes: 4 bytes.
        let n = data.count
        #expect(packed.valueBytes == n * (1 + 4 + 4 + 8 + 8 + 8 + 4))
    }

    /// Decimal texts of 0 to 9 places, both signs, read by `Double(String)` as the CSV reader
    /// reads them, come back exactly from 4 bytes each (whole numbers 0…254 from one).
    @Test(arguments: 0...9)
    func decimalTextsComeBackExactly(places: Int) throws {
        var rng = SeededGenerator(seed: 5, stream: UInt64(places))
        let texts: [String] = (0..<500).map { _ in
            let digits = String(rng.next() % 2_000_000_000)
            let padded = String(repeating: "0", count: max(0, places + 1 - digits.count)) + digits
            let number = places == 0 ? padded : padded.dropLast(places) + "." + padded.suffix(places)
            return (rng.next() % 2 == 0 ? "-" : "") + number
        }
        let table = RawTable(columnNames: ["customer_id", "finance_x"], rows: texts.enumerated().map { ["c\($0.offset)", $0.element] })
        let data = try CustomerData(table: table, schema: PersonaSchema.infer(from: table))
        let packed = PackedCustomerData(data)
        #expect(Self.bits(packed.unpacked(ids: data.ids)) == Self.bits(data))
        #expect(packed.valueBytes == 4 * texts.count)
    }

    /// Columns the encoding gives back exactly are read from the matrix instead of kept, and
    /// every value still comes back bit for bit, from a batch's own rows of a larger matrix too;
    /// a column with a missing value, one stored as `Double`, and one the encoding's `Float`
    /// cannot give back stay as they are.
    @Test(arguments: [(300, 0), (600, 37)])
    func columnsLeftInTheMatrix(rows: Int, offset: Int) throws {
        let (table, schema) = Self.table(rows: rows, seed: UInt64(rows))
        // Nine decimals over a spread of about 2: the encoded Float's error (about 10^-7 of
        // the spread) is far beyond half the last decimal.
        let wide = RawTable(columnNames: table.columnNames + ["wish_amount"],
                            columns: table.columns + [(0..<rows).map { String(format: "%.9f", Double(($0 * 7919) % 97) * 0.0212345671 + 1e-9 * Double($0 % 7)) }])
        let wideSchema = try PersonaSchema.infer(from: wide)
        let data = try CustomerData(table: wide, schema: wideSchema)
        let encoder = try FeatureEncoder(fitting: data)
        let own = try encoder.transform(data)
        // The batch's rows at `offset` of a matrix holding other rows before and after them.
        let before = FeatureMatrix(rows: offset, columns: own.columns, values: (0 ..< offset * own.columns).map { Float($0) })
        let matrix = FeatureMatrix(rows: offset + rows + 3, columns: own.columns,
                                   values: before.values + own.values + [Float](repeating: 7, count: 3 * own.columns))
        let packed = PackedCustomerData(data)
        let left = packed.leavingInMatrix(own, encoder: encoder)
        #expect(left.needsMatrix && !packed.needsMatrix)
        let back = left.unpacked(ids: data.ids, matrix: matrix, firstRow: offset)
        #expect(Self.bits(back) == Self.bits(data))
        #expect(back.ids == data.ids && back.schema == data.schema)
        // Price and z are read from the matrix; the Likert column (missing values), ratio,
        // −0 and the 33-bit integers (doubles), the categories and the wide amounts stay.
        let n = data.count
        #expect(packed.valueBytes == n * (1 + 4 + 4 + 8 + 8 + 8 + 4 + 4))
        #expect(left.valueBytes == n * (1 + 8 + 8 + 8 + 4 + 4))
    }

    /// Customers of every attribute kind come back exactly, in less memory.
    @Test func syntheticCustomersPackSmaller() throws {
        let table = SyntheticCustomers(configuration: .init(customerCount: 900, seed: 4)).firstPeriod().table
        let data = try CustomerData(table: table, schema: PersonaSchema.infer(from: table))
        let packed = PackedCustomerData(data)
        #expect(Self.bits(packed.unpacked(ids: data.ids)) == Self.bits(data))
        let encoder = try FeatureEncoder(fitting: data)
        let matrix = try encoder.transform(data)
        let left = packed.leavingInMatrix(matrix, encoder: encoder)
        let back = Self.bits(left.unpacked(ids: data.ids, matrix: matrix)), original = Self.bits(data)
        for (name, bits) in original { #expect(back[name] == bits, "\(name)") }
        #expect(left.valueBytes <= packed.valueBytes)
        #expect(packed.valueBytes < data.values.values.reduce(0) { total, column in
            switch column {
            case .numbers(let v): total + 8 * v.count
            case .categories(let v): total + 4 * v.count
            }
        })
    }
}
