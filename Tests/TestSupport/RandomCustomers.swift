import PersonaKit

/// Random schemas, customer tables and models for property tests.
///
/// Every draw comes from the generator passed in, so a test harness that seeds the generator
/// reproduces the case exactly. The tables are deliberately nasty: missing cells, values at
/// the edges of the `Double` range, subnormal numbers, negative zero, padded cells, text where
/// a number belongs, categories nobody declared, weights of zero and of huge magnitude.
public enum RandomCustomers {
    /// A random schema of 1–5 attributes (continuous, ordinal, binary, categorical) with random
    /// roles and weights, sometimes with a weight column. It may have no segment attribute
    /// at all: the encoder must then refuse it.
    public static func schema(using rng: inout some RandomNumberGenerator) -> PersonaSchema {
        let prefixes = ["lifestyle_", "media_", "online_", "wish_", "need_", "fear_", "finance_", "health_", "", "profile_"]
        let count = Int.random(in: 1...5, using: &rng)
        var attributes = [Attribute]()
        for i in 0..<count {
            let name = prefixes.randomElement(using: &rng)! + "a\(i)"
            let kind: AttributeKind
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: kind = .continuous
            case 1:
                let pool: [Double] = [-1e300, -3, -1, 0, 0.5, 1, 2, 3, 4, 5, 7.25, 1e15, 1e300]
                let levels = Array(Set((0..<Int.random(in: 1...5, using: &rng)).map { _ in pool.randomElement(using: &rng)! })).sorted()
                kind = .ordinal(levels: levels)
            case 2: kind = .binary
            default:
                let pool = ["a", "b", "c", "d", "ünï", "x y", "\"q\"", "1", "-0"]
                let wanted = Int.random(in: 0...4, using: &rng)   // 0: taken from the data
                kind = .categorical(categories: Array(pool.shuffled(using: &rng).prefix(wanted)))
            }
            let role: AttributeRole = [.segment, .segment, .segment, .segment, .profile, .ignore].randomElement(using: &rng)!
            let weight = [1, 1, 1, 0, 0.001, 0.5, 2, 1e-300, PersonaSchema.maximumWeight].randomElement(using: &rng)!
            attributes.append(Attribute(name: name, kind: kind, role: role, weight: weight))
        }
        let weighted = Int.random(in: 0..<5, using: &rng) == 0
        return PersonaSchema(idColumn: "customer_id", weightColumn: weighted ? "sample_weight" : nil, attributes: attributes)
    }

    /// How far a table strays from what a schema accepts.
    public enum Cells: Sendable, CaseIterable {
        /// Plain numbers of the attribute's kind, known categories, empty cells: accepted.
        case clean
        /// As `clean`, but continuous cells also take finite values at the edges of the
        /// `Double` range (±1.8e308, subnormals, −0): accepted by the reader, though the
        /// encoder may refuse a spread it cannot represent.
        case extreme
        /// Anything: text in numeric columns, infinities, NaN, values outside a binary or
        /// ordinal attribute's values, unknown categories, invalid weights.
        case nasty
    }

    /// A table of `rows` customers for `schema`: the identifier column first, then every
    /// attribute (and the weight column), cells drawn by ``cell(for:cells:using:)``.
    public static func table(for schema: PersonaSchema, rows: Int, cells: Cells = .nasty,
                             using rng: inout some RandomNumberGenerator) -> RawTable {
        var names = [schema.idColumn]
        var columns = [(0..<rows).map { "C\($0)" }]
        for attribute in schema.attributes {
            names.append(attribute.name)
            columns.append((0..<rows).map { _ in cell(for: attribute, cells: cells, using: &rng) })
        }
        if let weightColumn = schema.weightColumn {
            names.append(weightColumn)
            let pool = cells != .nasty ? ["1", "2", "0.5", "3"] : ["1", "1", "2", "0", "0.5", "1e-300", "1e300", "4.9e-324", "-1", "x", ""]
            columns.append((0..<rows).map { _ in pool.randomElement(using: &rng)! })
        }
        return RawTable(columnNames: names, columns: columns)
    }

    /// One cell for `attribute`: a typical value most of the time, otherwise a missing cell
    /// or (depending on `cells`) an extreme magnitude, a padded or malformed cell, or an
    /// unknown category.
    public static func cell(for attribute: Attribute, cells: Cells = .nasty,
                            using rng: inout some RandomNumberGenerator) -> String {
        let roll = Int.random(in: 0..<20, using: &rng)
        if roll < 2 { return "" }
        let clean = cells != .nasty
        switch attribute.kind {
        case .continuous:
            if cells == .clean || roll < 12 { return "\(Double.random(in: -1000...1000, using: &rng))" }
            return (cells == .extreme ? finiteExtremes : extremeNumbers).randomElement(using: &rng)!
        case .ordinal(let levels):
            if clean || roll < 17 { return "\(levels.randomElement(using: &rng)!)" }
            return ["6", "abc", "1e400", " 1 ", "-0"].randomElement(using: &rng)!
        case .binary:
            if clean || roll < 17 { return Bool.random(using: &rng) ? "1" : "0" }
            return ["2", "yes", " 1", "0.0", "-0", "1e0"].randomElement(using: &rng)!
        case .categorical(let categories):
            if !categories.isEmpty, clean || roll < 16 { return categories.randomElement(using: &rng)! }
            if clean { return "k\(Int.random(in: 0..<3, using: &rng))" }
            return ["zz", "unknown", "k0", "k1", " a ", "A"].randomElement(using: &rng)!
        }
    }

    /// Finite numbers at the edges of the `Double` range, as cells.
    public static let finiteExtremes = [
        "1e308", "-1e308", "1.7976931348623157e308", "-1.7976931348623157e308", "4.9e-324", "-4.9e-324",
        "2.2250738585072014e-308", "1e-300", "3.4028235e38", "-3.4028235e38", "1e20", "-0", "0", " 42 ", "\t-7.5",
    ]

    /// Cells at the edges of what a `Double` holds, and cells that are not finite numbers.
    public static let extremeNumbers = finiteExtremes + ["1e400", "inf", "-inf", "nan", "NaN", "abc", "0x1p3", "1_000"]

    /// A schema the encoder accepts: the first attribute is forced to be a weighted segment
    /// attribute, and there is no weight column.
    public static func segmentSchema(using rng: inout some RandomNumberGenerator) -> PersonaSchema {
        var schema = schema(using: &rng)
        schema.attributes[0].role = .segment
        if !(schema.attributes[0].weight >= 0.001) { schema.attributes[0].weight = 1 }
        schema.weightColumn = nil
        return schema
    }

    /// A random `Float` from every region of the type: zeros of both signs, subnormals,
    /// ordinary values and values near the largest finite one. Never NaN or infinite.
    public static func float(using rng: inout some RandomNumberGenerator) -> Float {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude,
                        -.greatestFiniteMagnitude, .leastNormalMagnitude, 1, -1].randomElement(using: &rng)!
        case 1:
            // Any finite bit pattern.
            while true {
                let value = Float(bitPattern: UInt32.random(in: .min ... .max, using: &rng))
                if value.isFinite { return value }
            }
        default: return Float.random(in: -10...10, using: &rng)
        }
    }

    /// A random `Double` from every region of the type (never NaN; infinite only when
    /// `infinite` is allowed).
    public static func double(infinite: Bool = false, using rng: inout some RandomNumberGenerator) -> Double {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return [0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                        .leastNormalMagnitude, 0.1, 1.0 / 3].randomElement(using: &rng)!
        case 1:
            while true {
                let value = Double(bitPattern: UInt64.random(in: .min ... .max, using: &rng))
                if value.isFinite || (infinite && value.isInfinite) { return value }
            }
        case 2 where infinite: return .infinity
        default: return Double.random(in: -1e6...1e6, using: &rng)
        }
    }
}
