/// Why an assignment query cannot be written.
public enum SQLExportError: Error, Equatable, CustomStringConvertible {
    /// The table name is empty (or has an empty part, as in `sales..customers`).
    case emptyTableName(String)
    /// The identifier column name is empty.
    case emptyIdColumn
    /// Memberships were asked for and the model cannot give them.
    case memberships(MembershipError)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .emptyTableName(let name): "table name '\(name)' is empty or has an empty part"
        case .emptyIdColumn: "the identifier column name is empty"
        case .memberships(let error): error.description
        }
    }
}

/// Writes one SQL query that assigns the customers of a table to a model's personas exactly
/// as ``PersonaModel/assign(_:threads:)-(FeatureMatrix,_)`` does, so the nearest-centroid step can run where the
/// data lives (Spark, DuckDB, PostgreSQL, SQLite).
///
/// The query reproduces every step of `persona assign`:
/// - the encoding (``FeatureEncoder``): each numeric column `x` becomes
///   `Float((x − mean) × scale)` with the model's constants, a missing value (`NULL`, or an
///   empty text cell) becomes 0; each categorical column becomes its indicator columns, with a
///   missing or unknown category as 0 in all of them (the default
///   ``UnknownCategoryPolicy/treatAsMissing``); category cells are compared after trimming
///   spaces and tabs, case-sensitively;
/// - the squared distance to each centre, in 32-bit floating point and in the very order
///   of the `persona` kernel (eight lanes over the dimensions, the lanes added in order, then
///   the remaining dimensions), so the sums are bit-identical;
/// - the nearest persona and the runner-up, ties going to the persona listed first in the
///   model; the distance and margin as the square roots of those sums in 64 bits; the outlier
///   flag against each persona's `outlierDistance`.
///
/// Columns of the result, as in the assignment CSV: the identifier column, `persona`,
/// `persona_name`, `distance`, `runner_up`, `margin`, `outlier` (0/1). With one persona,
/// `runner_up` and `margin` are `NULL`. With `memberships`, one more column per persona in
/// model order, `membership_<id>`: the soft membership of
/// ``PersonaModel/memberships(_:scale:threads:)``, from the same 32-bit squared distances with
/// the same operations in the same order (`exp` is the engine's).
///
/// ```swift
/// let sql = try AssignmentSQL.query(for: model, dialect: .duckdb, table: "customers")
/// ```
public enum AssignmentSQL {
    /// The assignment query for `model` on `table`.
    ///
    /// - Parameters:
    ///   - model: the trained model.
    ///   - dialect: the engine the query is for.
    ///   - table: the table (or view) holding the customers: the identifier column and every
    ///     segment attribute of the model, under their names. Dots separate schema parts.
    ///   - idColumn: the identifier column; by default the model's.
    ///   - memberships: also return the `membership_<id>` columns, with the model's
    ///     ``PersonaModel/membershipScale()``.
    /// - Throws: ``SQLExportError`` for an empty table or column name, or memberships the
    ///   model cannot give.
    /// - Complexity: O(k × width) text, plus O(categories²) per categorical attribute and
    ///   O(k²) for the memberships.
    public static func query(for model: PersonaModel, dialect: SQLDialect, table: String,
                             idColumn: String? = nil, memberships: Bool = false) throws(SQLExportError) -> String {
        guard !table.isEmpty, !table.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw .emptyTableName(table)
        }
        let id = idColumn ?? model.schema.idColumn
        guard !id.isEmpty else { throw .emptyIdColumn }
        var scale: MembershipScale? = nil
        if memberships {
            do { scale = try model.membershipScale() } catch { throw .memberships(error) }
        }
        return Writer(model: model, dialect: dialect, table: table, idColumn: id, membershipScale: scale).query()
    }
}

/// Builds the query text; see ``AssignmentSQL``.
private struct Writer {
    let model: PersonaModel
    let dialect: SQLDialect
    let table: String
    let idColumn: String
    /// The spread of the membership columns, or `nil` for none.
    let membershipScale: MembershipScale?

    /// The name the identifier travels under between the steps.
    static let key = "id__"

    var k: Int { model.personas.count }
    var width: Int { model.encoder.width }

    func query() -> String {
        var steps: [(name: String, body: String, materialized: Bool)] = [("encoded", encodedStep(), true)]
        if dialect.hasFloat32 {
            steps.append(("distances", nativeDistanceStep(), false))
        } else {
            steps += roundedDistanceSteps().map { ($0.name, $0.body, true) }
        }
        steps += selectionSteps().map { ($0.name, $0.body, false) }
        if let membershipScale, weighsMemberships { steps.append(("weighted", membershipStep(membershipScale), false)) }
        var text = header()
        text += "WITH\n"
        text += steps.map { step in
            (step.materialized ? dialect.commonTable(step.name) : "\(step.name) AS (") + "\n" + step.body + "\n)"
        }.joined(separator: ",\n")
        text += "\n" + finalSelect() + ";\n"
        return text
    }

    // MARK: - Header

    func header() -> String {
        var lines = [
            "-- Persona assignment query (\(dialect.rawValue)): \(k) persona(s), \(model.encoder.attributes.count) segment attribute(s), \(width) encoded column(s).",
            "-- Reproduces `persona assign` on table \(safe(table)): same encoding, missing values, nearest persona, runner-up, margin and outlier flag"
                + (membershipScale.map { ", and memberships (softmax of -d²/(2σ²), σ² = \($0.variance))" } ?? "") + ".",
            "-- Model: trained on \(model.training.rowCount) rows, data hash \(model.training.dataHash ?? "none"); written by persona \(personaKitVersion).",
            "-- Expected columns (NULL or an empty text cell is a missing value):",
            "--   \(safe(idColumn)): the customer identifier (returned as is)",
        ]
        let kinds = Dictionary(model.schema.attributes.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
        for attribute in model.encoder.attributes {
            let kind = kinds[attribute.name]
            let type: String
            switch kind {
            case .categorical(let categories)?: type = "text, one of \(categories.count) categories (others count as missing)"
            case .binary?: type = "number 0 or 1"
            case .ordinal(let levels)?: type = "number, one of the levels \(levels.map(\.description).joined(separator: ", "))"
            default: type = "number"
            }
            lines.append("--   \(safe(attribute.name)): \(type)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` fit for a one-line comment.
    func safe(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    // MARK: - Encoding

    func encodedStep() -> String {
        var columns = ["  \(dialect.quoteIdentifier(idColumn)) AS \(Self.key)"]
        for attribute in model.encoder.attributes {
            let column = dialect.quoteIdentifier(attribute.name)
            if case .categorical(let categories)? = model.schema.attributes.first(where: { $0.name == attribute.name })?.kind {
                let cell = dialect.trimmed(dialect == .sqlite ? column : "CAST(\(column) AS \(dialect.textType))")
                for j in categories.indices {
                    let on = Float((1 - attribute.centers[j]) * attribute.scales[j])
                    let off = Float((0 - attribute.centers[j]) * attribute.scales[j])
                    let arms = categories.enumerated().map { i, category in
                        "WHEN \(dialect.stringLiteral(category)) THEN \(dialect.float(i == j ? on : off))"
                    }
                    columns.append("  -- \(safe(attribute.name)) = \(safe(categories[j]))\n"
                                   + "  CASE \(cell) \(arms.joined(separator: " ")) ELSE \(dialect.float(0)) END AS e\(attribute.firstColumn + j)")
                }
            } else {
                let number = dialect == .sqlite
                    ? "CASE WHEN typeof(\(column)) = 'text' THEN CAST(NULLIF(\(dialect.trimmed(column)), '') AS REAL) ELSE \(column) END"
                    : "CAST(\(column) AS \(dialect.doubleType))"
                let scaled = "(\(number) - \(dialect.double(attribute.centers[0]))) * \(dialect.double(attribute.scales[0]))"
                columns.append("  -- \(safe(attribute.name)): mean \(attribute.centers[0]), scale \(attribute.scales[0])\n"
                               + "  COALESCE(\(roundedToFloat(scaled)), \(dialect.float(0))) AS e\(attribute.firstColumn)")
            }
        }
        return "SELECT\n" + columns.joined(separator: ",\n") + "\nFROM \(dialect.quoteTableName(table))"
    }

    /// `expression` (64-bit) rounded to the nearest 32-bit value, ties to even.
    ///
    /// SQLite: Veltkamp's splitting with the factor 2^29 + 1 rounds a 64-bit value to 24
    /// significant bits, which is the 32-bit rounding for values in the normal 32-bit range
    /// (Dekker 1971); the expression is read three times.
    func roundedToFloat(_ expression: String) -> String {
        if dialect.hasFloat32 { return "CAST(\(expression) AS \(dialect.floatType))" }
        let split = "(\(expression)) * 536870913.0"
        return "(\(split) - (\(split) - (\(expression))))"
    }

    // MARK: - Distances

    /// The squared distance to one centre as the `persona` kernel sums it.
    indirect enum Term {
        /// Encoded column `column` minus the centre's coordinate.
        case difference(column: Int, persona: Int)
        case square(Term)
        case sum(Term, Term)
    }

    /// The kernel's order (`DistanceKernel.squaredDistance`): dimension j goes to lane j mod 8
    /// while eight whole dimensions remain; the lanes are added in order; the remaining
    /// dimensions one by one. (Adding to the initial zero is exact, so it is left out.)
    func distanceTerm(persona p: Int) -> Term {
        let squares = (0..<width).map { Term.square(.difference(column: $0, persona: p)) }
        let full = width & ~7
        var total: Term? = nil
        if full > 0 {
            for lane in 0..<8 {
                let sum = stride(from: lane + 8, to: full, by: 8).reduce(squares[lane]) { .sum($0, squares[$1]) }
                total = total.map { .sum($0, sum) } ?? sum
            }
        }
        for j in full..<width { total = total.map { .sum($0, squares[j]) } ?? squares[j] }
        return total!
    }

    func coordinate(_ p: Int, _ j: Int) -> String { dialect.float(model.personas[p].centroid[j]) }

    /// Native 32-bit engines: each distance as one expression over `encoded`.
    func nativeDistanceStep() -> String {
        func render(_ term: Term) -> String {
            switch term {
            case .difference(let j, let p): "(e\(j) - \(coordinate(p, j)))"
            case .square(let t): "(\(render(t)) * \(render(t)))"
            case .sum(let a, let b): "(\(render(a)) + \(render(b)))"
            }
        }
        let columns = ["  \(Self.key)"] + (0..<k).map { "  \(render(distanceTerm(persona: $0))) AS d\($0)" }
        return "SELECT\n" + columns.joined(separator: ",\n") + "\nFROM encoded"
    }

    /// SQLite: every 32-bit operation rounded explicitly, one materialised step per level of
    /// the sums so that no rounded value is recomputed.
    func roundedDistanceSteps() -> [(name: String, body: String)] {
        // Flatten the terms into numbered nodes with their depth (squared differences are 1).
        struct Node { var expression: (([String]) -> String); var children: [Int]; var depth: Int }
        var nodes = [Node]()
        var memo = [String: Int]()
        func add(_ term: Term) -> Int {
            let key: String
            let node: Node
            switch term {
            case .difference:
                preconditionFailure("differences are rounded inside their squares")
            case .square(.difference(let j, let p)):
                // The difference is read six times here; recomputing it is cheaper than a step.
                key = "s\(p)_\(j)"
                let difference = roundedToFloat("e\(j) - \(coordinate(p, j))")
                node = Node(expression: { _ in roundedToFloat("\(difference) * \(difference)") }, children: [], depth: 1)
            case .square:
                preconditionFailure("squares are of differences")
            case .sum(let a, let b):
                let (left, right) = (add(a), add(b))
                key = "a\(left)_\(right)"
                if let known = memo[key] { return known }
                node = Node(expression: { c in roundedToFloat("\(c[0]) + \(c[1])") }, children: [left, right],
                            depth: max(nodes[left].depth, nodes[right].depth) + 1)
            }
            nodes.append(node)
            memo[key] = nodes.count - 1
            return nodes.count - 1
        }
        let roots = (0..<k).map { add(distanceTerm(persona: $0)) }
        let deepest = nodes.map(\.depth).max()!
        // The deepest step at which each node is still needed.
        var lastUse = [Int](repeating: 0, count: nodes.count)
        for node in nodes { for c in node.children { lastUse[c] = max(lastUse[c], node.depth) } }
        for r in roots { lastUse[r] = deepest + 1 }
        func name(_ i: Int) -> String { "v\(i)" }

        var steps = [(name: String, body: String)]()
        for depth in 1...deepest {
            var columns = ["  \(Self.key)"]
            for i in nodes.indices where nodes[i].depth < depth && lastUse[i] > depth {
                columns.append("  \(name(i))")
            }
            for (i, node) in nodes.enumerated() where node.depth == depth {
                columns.append("  \(node.expression(node.children.map(name))) AS \(name(i))")
            }
            steps.append(("rounded\(depth)", "SELECT\n" + columns.joined(separator: ",\n") + "\nFROM \(depth == 1 ? "encoded" : "rounded\(depth - 1)")"))
        }
        let columns = ["  \(Self.key)"] + roots.enumerated().map { "  \(name($1)) AS d\($0)" }
        steps.append(("distances", "SELECT\n" + columns.joined(separator: ",\n") + "\nFROM rounded\(deepest)"))
        return steps
    }

    // MARK: - Nearest and runner-up

    var distanceColumns: [String] { (0..<k).map { "d\($0)" } }

    func selectionSteps() -> [(name: String, body: String)] {
        let d = distanceColumns
        let all = ([Self.key] + d).map { "  " + $0 }.joined(separator: ",\n")
        guard k > 1 else {
            return [("ranked", "SELECT\n  \(Self.key),\n  0 AS first__,\n  d0 AS best__\nFROM distances")]
        }
        // The first persona (in model order) at the smallest distance: `assign`'s tie rule.
        let first = "CASE " + (0..<(k - 1)).map { "WHEN d\($0) = best__ THEN \($0)" }.joined(separator: " ") + " ELSE \(k - 1) END"
        let others = (0..<k).map { "CASE WHEN first__ = \($0) THEN \(dialect.floatInfinity) ELSE d\($0) END" }
        return [
            ("smallest", "SELECT\n\(all),\n  \(dialect.least(d)) AS best__\nFROM distances"),
            ("nearest", "SELECT\n\(all),\n  best__,\n  \(first) AS first__\nFROM smallest"),
            ("ranked", "SELECT\n\(all),\n  best__,\n  first__,\n  \(dialect.least(others)) AS second_best__\nFROM nearest"),
        ]
    }

    // MARK: - Memberships

    /// Whether the query has the `weighted` step: memberships asked for, and more than one
    /// persona to share them (one persona's membership is the constant 1).
    var weighsMemberships: Bool { membershipScale != nil && k > 1 }

    /// Each persona's unnormalised membership `w<p>`: 1 at the smallest distance, else
    /// exp(−(d²ₚ − d²₀) × rate) in 64 bits (0 when σ² = 0), as `PersonaModel.softmax` computes it.
    func membershipStep(_ scale: MembershipScale) -> String {
        let passed = ([Self.key] + distanceColumns + ["best__", "first__", "second_best__"]).map { "  " + $0 }
        let best = "CAST(best__ AS \(dialect.doubleType))"
        let weights = (0..<k).map { p in
            let other = scale.variance > 0
                ? "exp(-((CAST(d\(p) AS \(dialect.doubleType)) - \(best)) * \(dialect.double(scale.rate))))"
                : dialect.double(0)
            return "  CASE WHEN d\(p) = best__ THEN \(dialect.double(1)) ELSE \(other) END AS w\(p)"
        }
        return "SELECT\n" + (passed + weights).joined(separator: ",\n") + "\nFROM ranked"
    }

    /// The membership columns: each `w<p>` over their sum, added in model order.
    func membershipColumns() -> [String] {
        let personas = model.personas
        let name = { (p: Int) in PersonaMemberships.columnName(persona: personas[p].id) }
        guard weighsMemberships else { return ["  \(dialect.double(1)) AS \(name(0))"] }
        let total = (1..<k).reduce("w0") { "(\($0) + w\($1))" }
        return (0..<k).map { "  w\($0) / \(total) AS \(name($0))" }
    }

    func finalSelect() -> String {
        let personas = model.personas
        func byFirst(_ value: (Int) -> String) -> String {
            k == 1 ? value(0) : "CASE first__ " + (0..<k).map { "WHEN \($0) THEN \(value($0))" }.joined(separator: " ") + " END"
        }
        let distance = "sqrt(CAST(best__ AS \(dialect.doubleType)))"
        var columns = [
            "  \(Self.key) AS \(dialect.quoteIdentifier(idColumn))",
            "  \(byFirst { String(personas[$0].id) }) AS persona",
            "  \(byFirst { dialect.stringLiteral(personas[$0].name) }) AS persona_name",
            "  \(distance) AS distance",
        ]
        if k == 1 {
            columns += ["  CAST(NULL AS INTEGER) AS runner_up", "  CAST(NULL AS \(dialect.doubleType)) AS margin"]
        } else {
            // The first persona other than the nearest at the second smallest distance.
            let second = "CASE " + (0..<k).map { "WHEN first__ <> \($0) AND d\($0) = second_best__ THEN \(personas[$0].id)" }
                .joined(separator: " ") + " END"
            columns += ["  \(second) AS runner_up",
                        "  sqrt(CAST(second_best__ AS \(dialect.doubleType))) - \(distance) AS margin"]
        }
        columns.append("  CASE WHEN \(distance) > \(byFirst { dialect.double(personas[$0].outlierDistance) }) THEN 1 ELSE 0 END AS outlier")
        if membershipScale != nil { columns += membershipColumns() }
        return "SELECT\n" + columns.joined(separator: ",\n") + "\nFROM \(weighsMemberships ? "weighted" : "ranked")"
    }
}
