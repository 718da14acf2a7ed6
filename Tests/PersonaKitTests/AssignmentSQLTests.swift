@testable import PersonaKit
import TestSupport
import Testing

@Suite("Assignment SQL")
struct AssignmentSQLTests {
    /// The SQLite query rounds to 32 bits with Veltkamp's splitting; this is that formula in
    /// Swift, operation for operation.
    static func veltkamp(_ x: Double) -> Double {
        let split = x * 536870913.0
        return split - (split - x)
    }

    @Test("Veltkamp's splitting rounds 64-bit results to 32 bits as Float(_:) does, ties to even")
    func veltkampRoundsLikeFloat() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<200_000 {
            let a = Double(Float(Fixtures.gaussian(&rng) * 8)), b = Double(Float(Fixtures.gaussian(&rng)))
            for x in [a - b, a * a, a + b * b, (a - 0.37) * 1.7] {
                #expect(Self.veltkamp(x) == Double(Float(x)), "x = \(x)")
            }
            // An exact tie: a 24-bit significand plus one half.
            let m = Double(Int(rng.next() >> 40) | 1 << 23)
            let tie = (m + 0.5) * Double(sign: .plus, exponent: Int(rng.next() % 60) - 30, significand: 1)
            #expect(Self.veltkamp(tie) == Double(Float(tie)), "tie \(tie)")
        }
    }

    /// Reads back a SQLite constant `(m*pow(2,e))`, `m.0` or `0.0`.
    static func readSQLite(_ text: String) -> Double? {
        if text.hasSuffix(".0"), let whole = Int64(text.dropLast(2)) { return Double(whole) }
        guard text.hasPrefix("("), text.hasSuffix("))") else { return nil }
        let parts = text.dropFirst().dropLast(2).split(separator: "*pow(2,")
        guard parts.count == 2, let m = Int64(parts[0]), let e = Int(parts[1]) else { return nil }
        return Double(m) * Double(sign: .plus, exponent: e, significand: 1)
    }

    @Test("SQLite constants are spelled exactly", arguments: [0.0, 1, -3, 0.1, -0.30012903, 43.77345, 1e-7, 6.02e23, -2.5e-300, .pi])
    func sqliteConstantsAreExact(_ value: Double) throws {
        let text = SQLDialect.sqlite.double(value)
        #expect(Self.readSQLite(text) == value, "\(value) spelled \(text)")
        let float = Float(value)
        if float.isFinite { #expect(Self.readSQLite(SQLDialect.sqlite.float(float)) == Double(float)) }
    }

    @Test("identifiers and strings are quoted per dialect")
    func quoting() {
        #expect(SQLDialect.duckdb.quoteIdentifier("a\"b") == "\"a\"\"b\"")
        #expect(SQLDialect.spark.quoteIdentifier("a`b") == "`a``b`")
        #expect(SQLDialect.postgres.quoteTableName("sales.customers") == "\"sales\".\"customers\"")
        #expect(SQLDialect.postgres.stringLiteral("it's") == "'it''s'")
        #expect(SQLDialect.spark.stringLiteral("it's a\\b") == "'it\\'s a\\\\b'")
    }

    @Test("the query names the table, the identifier and every encoded column; ties go to the first persona")
    func queryShape() throws {
        let (_, trained) = try PersonaModelTests.trained(k: 3)
        let model = trained.model
        for dialect in SQLDialect.allCases {
            let sql = try AssignmentSQL.query(for: model, dialect: dialect, table: "crm.people", idColumn: "person")
            #expect(sql.contains("FROM \(dialect.quoteTableName("crm.people"))"))
            #expect(sql.contains("AS \(dialect.quoteIdentifier("person"))"))
            for j in 0..<model.encoder.width { #expect(sql.contains(" AS e\(j),\n") || sql.contains(" AS e\(j)\nFROM")) }
            // The nearest persona: the first whose distance equals the smallest.
            #expect(sql.contains("CASE WHEN d0 = best__ THEN 0 WHEN d1 = best__ THEN 1 ELSE 2 END AS first__"))
            for persona in model.personas { #expect(sql.contains(dialect.stringLiteral(persona.name))) }
            #expect(sql.hasSuffix(";\n"))
            #expect(sql.contains("MATERIALIZED") == (dialect == .sqlite))
        }
    }

    @Test("a one-persona model has no runner-up or margin")
    func onePersona() throws {
        let (_, trained) = try PersonaModelTests.trained(k: 1)
        let sql = try AssignmentSQL.query(for: trained.model, dialect: .duckdb, table: "t")
        #expect(sql.contains("CAST(NULL AS INTEGER) AS runner_up"))
        #expect(sql.contains("CAST(NULL AS DOUBLE) AS margin"))
        #expect(!sql.contains("LEAST("))
    }

    @Test("empty table and column names are refused")
    func emptyNames() throws {
        let (_, trained) = try PersonaModelTests.trained(k: 2)
        #expect(throws: SQLExportError.emptyTableName("")) { try AssignmentSQL.query(for: trained.model, dialect: .spark, table: "") }
        #expect(throws: SQLExportError.emptyTableName("a.")) { try AssignmentSQL.query(for: trained.model, dialect: .spark, table: "a.") }
        #expect(throws: SQLExportError.emptyIdColumn) {
            try AssignmentSQL.query(for: trained.model, dialect: .sqlite, table: "t", idColumn: "")
        }
    }
}
