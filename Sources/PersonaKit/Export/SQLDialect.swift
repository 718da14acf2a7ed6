/// The SQL engines an assignment query can be written for (see ``AssignmentSQL``).
///
/// Each dialect differs in how identifiers are quoted, how exact constants are spelled, and
/// whether the engine has 32-bit floating-point arithmetic. DuckDB (`FLOAT`), PostgreSQL
/// (`real`) and Spark SQL (`FLOAT`) compute in 32 bits natively, exactly as `persona assign`
/// does; SQLite has only 64-bit `REAL`, so its query rounds every operation to 32 bits
/// explicitly (see `Docs/SQL.md`).
public enum SQLDialect: String, Sendable, Hashable, CaseIterable, Codable {
    /// SQLite 3.35 or later, built with its math functions (`sqrt`, `pow`), as Debian's is.
    case sqlite
    /// DuckDB.
    case duckdb
    /// PostgreSQL 12 or later.
    case postgres
    /// Spark SQL 3 or later.
    case spark

    /// `name` quoted as an identifier.
    /// - Complexity: O(name length).
    public func quoteIdentifier(_ name: String) -> String {
        switch self {
        case .spark: "`" + name.replacingAll("`", with: "``") + "`"
        case .sqlite, .duckdb, .postgres: "\"" + name.replacingAll("\"", with: "\"\"") + "\""
        }
    }

    /// A possibly qualified table name (`schema.table`, `catalog.schema.table`): each
    /// dot-separated part quoted.
    /// - Complexity: O(name length).
    public func quoteTableName(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false)
            .map { quoteIdentifier(String($0)) }.joined(separator: ".")
    }

    /// `text` as a string literal.
    /// - Complexity: O(text length).
    public func stringLiteral(_ text: String) -> String {
        switch self {
        // Spark reads backslash escapes in literals.
        case .spark: "'" + text.replacingAll("\\", with: "\\\\").replacingAll("'", with: "\\'") + "'"
        case .sqlite, .duckdb, .postgres: "'" + text.replacingAll("'", with: "''") + "'"
        }
    }

    /// The 64-bit floating-point type.
    var doubleType: String {
        switch self {
        case .sqlite: "REAL"
        case .duckdb, .spark: "DOUBLE"
        case .postgres: "DOUBLE PRECISION"
        }
    }

    /// The 32-bit floating-point type (SQLite has none: its `REAL` values hold 32-bit values).
    var floatType: String {
        switch self {
        case .sqlite: "REAL"
        case .duckdb, .spark: "FLOAT"
        case .postgres: "REAL"
        }
    }

    /// The text type a categorical column is read as.
    var textType: String {
        switch self {
        case .sqlite: "TEXT"
        case .duckdb: "VARCHAR"
        case .postgres: "TEXT"
        case .spark: "STRING"
        }
    }

    /// Whether the engine computes in 32-bit floating point; otherwise the query rounds each
    /// operation to 32 bits itself.
    var hasFloat32: Bool { self != .sqlite }

    /// An exact 64-bit constant: the engine reads back exactly `value`.
    ///
    /// DuckDB, PostgreSQL and Spark parse a string cast correctly rounded, so the shortest
    /// round-trip decimal suffices. SQLite 3.40's decimal reader can be off by one unit in the
    /// last place, so there the constant is spelled as an integer times a power of two, which
    /// is exact.
    func double(_ value: Double) -> String {
        precondition(!value.isNaN, "constants are numbers")
        if value.isInfinite {
            let sign = value < 0 ? "-" : ""
            return self == .sqlite ? "\(sign)9e999" : "CAST('\(sign)Infinity' AS \(doubleType))"
        }
        switch self {
        case .sqlite:
            if value == 0 { return "0.0" }
            if value.rounded() == value, abs(value) < 9_007_199_254_740_992 { return "\(Int64(value)).0" }
            // value = significand × 2^exponent with an odd integer significand below 2^53.
            var exponent = Int(value.exponent) - 52
            var significand = Int64(value.significand * 4_503_599_627_370_496)   // 2^52, exact
            while significand % 2 == 0 { significand /= 2; exponent += 1 }
            return "(\(value < 0 ? "-" : "")\(significand)*pow(2,\(exponent)))"
        case .duckdb, .spark, .postgres:
            return "CAST('\(value.description)' AS \(doubleType))"
        }
    }

    /// An exact 32-bit constant (in SQLite, a 64-bit value equal to it).
    func float(_ value: Float) -> String {
        precondition(value.isFinite, "constants are finite")
        switch self {
        case .sqlite: return double(Double(value))
        case .duckdb, .spark, .postgres: return "CAST('\(value.description)' AS \(floatType))"
        }
    }

    /// A 32-bit positive infinity (in SQLite, a 64-bit one).
    var floatInfinity: String {
        switch self {
        case .sqlite: "9e999"
        case .duckdb, .postgres, .spark: "CAST('Infinity' AS \(floatType))"
        }
    }

    /// `expression` with ASCII spaces and tabs removed from both ends, as `persona` trims cells.
    func trimmed(_ expression: String) -> String {
        switch self {
        case .sqlite: "trim(\(expression), ' ' || char(9))"
        case .duckdb: "trim(\(expression), ' ' || chr(9))"
        case .postgres: "btrim(\(expression), ' ' || chr(9))"
        case .spark: "trim(BOTH concat(' ', chr(9)) FROM \(expression))"
        }
    }

    /// The smallest of several expressions (at least two).
    func least(_ expressions: [String]) -> String {
        precondition(expressions.count >= 2, "least of at least two")
        return (self == .sqlite ? "min(" : "LEAST(") + expressions.joined(separator: ", ") + ")"
    }

    /// `WITH name AS (` — in SQLite materialised, so that a later step reads the rounded
    /// values instead of recomputing them.
    func commonTable(_ name: String) -> String {
        self == .sqlite ? "\(name) AS MATERIALIZED (" : "\(name) AS ("
    }
}

extension String {
    /// The string with every `target` character replaced by `replacement`.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
