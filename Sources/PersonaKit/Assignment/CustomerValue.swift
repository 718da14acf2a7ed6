/// One attribute value of a customer, as a service holds it.
///
/// A customer is a `[String: CustomerValue?]` keyed by attribute name; an absent key or `nil`
/// is a missing value. Literals work directly:
///
/// ```swift
/// let a = try model.assign(customer: ["need_convenience": 4, "media_channel": "web",
///                                     "finance_monthly_income_eur": nil])
/// ```
///
/// Values are read as a CSV cell with the same content is: a ``category(_:)`` given to a
/// numeric attribute is parsed as a number (`"4"` is 4), and a ``number(_:)`` given to a
/// categorical attribute stands for the category spelled the shortest way (`3` is `"3"`,
/// `2.5` is `"2.5"`). Text is trimmed of ASCII spaces and tabs, as cells are.
public enum CustomerValue: Sendable, Hashable {
    /// A number: continuous, ordinal (a level's value) or binary (0 or 1).
    case number(Double)
    /// A category (or text holding a number, read as a CSV cell would be).
    case category(String)
}

extension CustomerValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, CustomStringConvertible {
    /// An integer literal is a number.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A float literal is a number.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string literal is a category.
    public init(stringLiteral value: String) { self = .category(value) }
    /// `true` is 1 and `false` is 0 (for binary attributes).
    public init(booleanLiteral value: Bool) { self = .number(value ? 1 : 0) }

    /// The value as a CSV cell would hold it.
    public var description: String {
        switch self {
        case .number(let v): formatNumber(v)
        case .category(let text): text
        }
    }
}

/// A customer value that cannot be assigned, naming the attribute and the value.
public struct CustomerValueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Why the value was refused.
    public enum Reason: Equatable, Sendable {
        /// Text given to a numeric attribute does not read as a number.
        case notANumber
        /// The number is NaN or infinite.
        case notFinite
        /// A binary attribute takes 0 or 1 only.
        case notBinary
        /// An ordinal attribute takes one of these levels only.
        case notALevel(levels: [Double])
        /// The category was not seen in training (with ``UnknownCategoryPolicy/reject``).
        case unknownCategory(known: [String])
        /// The number lies so far from the training values that its encoding exceeds `Float`.
        case outOfRange
    }

    /// The position of the customer in a batch, or `nil` for a single customer.
    public var customer: Int?
    /// The attribute the value was given for.
    public var attribute: String
    /// The value refused.
    public var value: CustomerValue
    /// Why it was refused.
    public var reason: Reason

    /// Creates an error.
    public init(customer: Int? = nil, attribute: String, value: CustomerValue, reason: Reason) {
        self.customer = customer
        self.attribute = attribute
        self.value = value
        self.reason = reason
    }

    /// A one-line description quoting the customer, attribute and value.
    public var description: String {
        let place = (customer.map { "customer \($0), " } ?? "") + "attribute '\(attribute)': '\(value)'"
        switch reason {
        case .notANumber: return "\(place) is not a number"
        case .notFinite: return "\(place) is not a finite number"
        case .notBinary: return "\(place) is not 0 or 1"
        case .notALevel(let levels): return "\(place) is not one of the levels \(levels.map(formatNumber).joined(separator: ", "))"
        case .unknownCategory(let known):
            return "\(place) is a category not seen in training (known: \(known.prefix(8).joined(separator: ", ")))"
        case .outOfRange: return "\(place) is too far from the training values to encode"
        }
    }
}

/// What a model needs to encode and assign one customer at a time, built once per model:
/// each segment attribute's output columns and category codes, and the centres in the
/// layout the nearest-two kernel reads.
final class CustomerEncoding: Sendable, Hashable {
    /// The indicator values of a categorical attribute's categories, with each category's code.
    final class Categories: Sendable {
        let codes: [String: Int]
        let names: [String]
        let off: [Float]
        let on: [Float]
        init(codes: [String: Int], names: [String], off: [Float], on: [Float]) {
            self.codes = codes
            self.names = names
            self.off = off
            self.on = on
        }
    }

    /// One segment attribute: a number becomes `(x − center) × scale` after its kind is checked;
    /// a category becomes its indicator values. Plain fields, read in place, so encoding a value
    /// retains nothing.
    struct Entry: Sendable {
        let name: String
        let firstColumn: Int
        let center: Double
        let scale: Double
        let kind: AttributeKind
        /// Set for a categorical attribute.
        let categories: Categories?
    }

    let entries: [Entry]
    /// Open-addressing table from a name's hash to its entry (index + 1; 0 is empty), a power
    /// of two at least four times the entries: finding a customer's keys this way costs a
    /// fraction of a `Dictionary` lookup per attribute.
    private let slots: [Int32]
    let width: Int
    /// The centres (row-major and blocked), in the model's persona order.
    let centres: CentreTable
    let ids: [Int]
    let outlierLimits: [Double]

    init(schema: PersonaSchema, encoder: FeatureEncoder, personas: [Persona]) {
        let kinds = Dictionary(schema.attributes.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        entries = encoder.attributes.map { attribute in
            let kind = kinds[attribute.name] ?? .continuous
            if case .categorical(let names) = kind {
                let codes = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
                let off = attribute.centers.indices.map { Float((0 - attribute.centers[$0]) * attribute.scales[$0]) }
                let on = attribute.centers.indices.map { Float((1 - attribute.centers[$0]) * attribute.scales[$0]) }
                return Entry(name: attribute.name, firstColumn: attribute.firstColumn, center: 0, scale: 0, kind: .continuous,
                             categories: Categories(codes: codes, names: names, off: off, on: on))
            }
            return Entry(name: attribute.name, firstColumn: attribute.firstColumn, center: attribute.centers[0],
                         scale: attribute.scales[0], kind: kind, categories: nil)
        }
        var slots = [Int32](repeating: 0, count: 1 << max(3, Int.bitWidth - (entries.count * 4 - 1).leadingZeroBitCount))
        for (i, entry) in entries.enumerated() {
            var slot = Self.hash(entry.name) & (slots.count - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = Int32(i + 1)
        }
        self.slots = slots
        width = encoder.width
        centres = CentreTable(personas.flatMap(\.centroid), k: personas.count, d: encoder.width)
        ids = personas.map(\.id)
        outlierLimits = personas.map(\.outlierDistance)
    }

    /// Derived from the model's stored parts, so any two are interchangeable.
    static func == (lhs: CustomerEncoding, rhs: CustomerEncoding) -> Bool { true }
    func hash(into hasher: inout Hasher) {}

    /// FNV-1a over the name's UTF-8 bytes.
    @inline(__always)
    static func hash(_ name: String) -> Int {
        func fnv(_ bytes: some Sequence<UInt8>) -> Int {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            return Int(truncatingIfNeeded: h ^ (h >> 32))
        }
        return name.utf8.withContiguousStorageIfAvailable(fnv) ?? fnv(name.utf8)
    }

    /// The segment attribute named `name`, if any.
    @inline(__always)
    func entry(named name: String) -> Int? {
        var slot = Self.hash(name) & (slots.count - 1)
        while true {
            let i = Int(slots[slot]) - 1
            if i < 0 { return nil }
            if entries[i].name == name { return i }
            slot = (slot + 1) & (slots.count - 1)
        }
    }

    /// Writes one customer's encoded row into `row` (`width` zeros on entry).
    /// - Throws: ``CustomerValueError`` for a value its attribute cannot take.
    /// - Complexity: O(keys + width).
    func encode(_ customer: [String: CustomerValue?], into row: UnsafeMutablePointer<Float>,
                unknownCategories policy: UnknownCategoryPolicy) throws(CustomerValueError) {
        do {
            try entries.withUnsafeBufferPointer { entries throws(CustomerValueError) in
                for (name, value) in customer {
                    guard let value, let i = entry(named: name) else { continue }
                    try encode(value, of: entries.baseAddress! + i, into: row, unknownCategories: policy)
                }
            }
        } catch {
            // Several bad values: report the first in schema order, whatever the order the
            // dictionary iterates in.
            try entries.withUnsafeBufferPointer { entries throws(CustomerValueError) in
                for i in entries.indices {
                    guard case .some(.some(let value)) = customer[entries[i].name] else { continue }
                    try encode(value, of: entries.baseAddress! + i, into: row, unknownCategories: policy)
                }
            }
            throw error
        }
    }

    /// Writes one attribute's value into its output columns of `row`.
    @inline(__always)
    private func encode(_ value: CustomerValue, of entry: UnsafePointer<Entry>, into row: UnsafeMutablePointer<Float>,
                        unknownCategories policy: UnknownCategoryPolicy) throws(CustomerValueError) {
        func refuse(_ reason: CustomerValueError.Reason) -> CustomerValueError {
            CustomerValueError(attribute: entry.pointee.name, value: value, reason: reason)
        }
        let first = entry.pointee.firstColumn
        if let categories = entry.pointee.categories {
            let code: Int?
            switch value {
            case .category(let text):
                let cell = trimmed(text)
                if cell.isEmpty { return }
                code = categories.codes[cell.utf8.count == text.utf8.count ? text : String(cell)]
            case .number(let v): code = categories.codes[formatNumber(v)]
            }
            guard let code else {
                if policy == .reject { throw refuse(.unknownCategory(known: categories.names)) }
                return
            }
            categories.off.withUnsafeBufferPointer { off in
                categories.on.withUnsafeBufferPointer { on in
                    for j in off.indices { row[first + j] = j == code ? on[j] : off[j] }
                }
            }
            return
        }
        let x: Double
        switch value {
        case .number(let v): x = v
        case .category(let text):
            let cell = trimmed(text)
            if cell.isEmpty { return }
            guard let v = Double(cell) else { throw refuse(.notANumber) }
            x = v
        }
        guard x.isFinite else { throw refuse(.notFinite) }
        switch entry.pointee.kind {
        case .binary: guard x == 0 || x == 1 else { throw refuse(.notBinary) }
        case .ordinal(let levels): guard levels.contains(x) else { throw refuse(.notALevel(levels: levels)) }
        case .continuous, .categorical: break
        }
        let encoded = Float((x - entry.pointee.center) * entry.pointee.scale)
        guard encoded.isFinite else { throw refuse(.outOfRange) }
        row[first] = encoded
    }

    /// The nearest and runner-up personas of `count` encoded rows, exactly as
    /// ``PersonaModel/assign(_:threads:)`` finds them.
    func nearest(rows: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<PersonaAssignment.Packed>) {
        DistanceKernel.withNearestTwo(rows: rows, count: count, in: centres) { first, firstDistance, second, secondDistance in
            for i in 0..<count {
                out[i] = PersonaAssignment.Packed(first: first[i], firstDistance: firstDistance[i],
                                                  second: second[i], secondDistance: secondDistance[i])
            }
        }
    }

    /// The assignment the kernel's raw result stands for.
    @inline(__always)
    func assignment(_ near: PersonaAssignment.Packed) -> PersonaAssignment {
        let distance = Double(near.firstDistance).squareRoot()
        let first = Int(near.first), second = Int(near.second)
        return PersonaAssignment(persona: ids[first], distance: distance,
                                 runnerUp: second >= 0 ? ids[second] : nil,
                                 runnerUpDistance: second >= 0 ? Double(near.secondDistance).squareRoot() : nil,
                                 isOutlier: distance > outlierLimits[first])
    }
}

extension PersonaModel {
    /// Assigns one customer given as typed values.
    ///
    /// Gives exactly the persona, distance and runner-up that ``assign(table:unknownCategories:threads:)``
    /// gives for the same customer read from a CSV. No table is built: each segment attribute
    /// is looked up once and encoded straight into the row the distance kernel reads.
    ///
    /// - Parameters:
    ///   - customer: values by attribute name; an absent key or `nil` is a missing value,
    ///     and keys that are not segment attributes are ignored (as extra CSV columns are).
    ///   - unknownCategories: what a category not seen in training does: count as missing
    ///     (default, as `persona assign` does) or throw.
    /// - Throws: ``CustomerValueError`` naming the attribute and value.
    /// - Complexity: O(attributes + k × width).
    public func assign(customer: [String: CustomerValue?],
                       unknownCategories: UnknownCategoryPolicy = .treatAsMissing) throws(CustomerValueError) -> PersonaAssignment {
        let encoding = customerEncoding
        return try withUnsafeTemporaryAllocation(of: Float.self, capacity: encoding.width) { row throws(CustomerValueError) in
            row.initialize(repeating: 0)
            try encoding.encode(customer, into: row.baseAddress!, unknownCategories: unknownCategories)
            var near = PersonaAssignment.Packed()
            encoding.nearest(rows: row.baseAddress!, count: 1, into: &near)
            return encoding.assignment(near)
        }
    }

    /// Assigns customers given as typed values, on every core.
    ///
    /// Each result equals ``assign(customer:unknownCategories:)`` for that customer.
    /// - Parameters:
    ///   - customers: one dictionary per customer, as for ``assign(customer:unknownCategories:)``.
    ///   - unknownCategories: what a category not seen in training does.
    ///   - threads: worker threads, or `nil` for every core; results do not depend on it.
    /// - Throws: ``CustomerValueError`` for the first customer (in order) with a bad value,
    ///   its ``CustomerValueError/customer`` set to that customer's position.
    /// - Complexity: O(customers × (attributes + k × width)).
    public func assign(customers: [[String: CustomerValue?]], unknownCategories: UnknownCategoryPolicy = .treatAsMissing,
                       threads: Int? = nil) throws(CustomerValueError) -> [PersonaAssignment] {
        assign(try encode(customers: customers, unknownCategories: unknownCategories, threads: threads), threads: threads)
    }

    /// Encodes customers given as typed values with ``encoder``, on every core: the rows
    /// ``assign(_:threads:)``, ``memberships(_:threads:)`` and
    /// ``update(with:weights:decay:threads:)`` take.
    /// - Parameters:
    ///   - customers: one dictionary per customer, as for ``assign(customer:unknownCategories:)``.
    ///   - unknownCategories: what a category not seen in training does.
    ///   - threads: worker threads, or `nil` for every core; results do not depend on it.
    /// - Throws: ``CustomerValueError`` for the first customer (in order) with a bad value,
    ///   its ``CustomerValueError/customer`` set to that customer's position.
    /// - Complexity: O(customers × (attributes + width)).
    public func encode(customers: [[String: CustomerValue?]], unknownCategories: UnknownCategoryPolicy = .treatAsMissing,
                       threads: Int? = nil) throws(CustomerValueError) -> FeatureMatrix {
        let encoding = customerEncoding, n = customers.count, d = encoding.width
        let rows = WorkBuffer<Float>(repeating: 0, count: n * d)
        let chunks = ChunkedParallel(rows: n, threads: threads)
        // Per chunk, the first customer whose values were refused (or -1).
        let refused = WorkBuffer<Int>(repeating: -1, count: chunks.chunkCount)
        chunks.forEachChunk { chunk, range in
            for r in range {
                do throws(CustomerValueError) {
                    try encoding.encode(customers[r], into: rows.base + r * d, unknownCategories: unknownCategories)
                } catch {
                    refused[chunk] = r
                    return
                }
            }
        }
        if let r = refused.array.first(where: { $0 >= 0 }) {
            // Encoded again on this thread to recover the error itself.
            do throws(CustomerValueError) {
                try withUnsafeTemporaryAllocation(of: Float.self, capacity: d) { row throws(CustomerValueError) in
                    row.initialize(repeating: 0)
                    try encoding.encode(customers[r], into: row.baseAddress!, unknownCategories: unknownCategories)
                }
            } catch {
                var located = error
                located.customer = r
                throw located
            }
        }
        return FeatureMatrix(rows: n, columns: d, values: rows.array)
    }
}
