import PersonaKit
import TestSupport
import Testing

@Suite("schema inference and reading")
struct SchemaTests {
    let header = ["customer_id", "lifestyle_age", "media_channel", "online_has_app", "wish_quality", "finance_income",
                  "profile_customer_value", "notes_score"]
    var rows: [[String]] {
        [["a", "31", "tv", "1", "4", "2500.5", "120", "0.5"],
         ["b", "45", "social", "0", "2", "", "80", "1.5"],
         ["c", "", "tv", "1", "5", "4100", "300", "2"],
         ["d", "62", "", "0", "1", "1800", "45.5", "7"]]
    }

    @Test("groups come from the column prefix, kinds from the contents, profile_ columns are profile-only")
    func inference() throws {
        let schema = try PersonaSchema.infer(from: Fixtures.table(header, rows))
        func attribute(_ name: String) throws -> Attribute { try #require(schema.attribute(named: name)) }
        #expect(try attribute("lifestyle_age").group == .lifestyle)
        #expect(try attribute("lifestyle_age").kind == .continuous)
        #expect(try attribute("media_channel").group == .media)
        #expect(try attribute("media_channel").kind == .categorical(categories: ["social", "tv"]))
        #expect(try attribute("online_has_app").kind == .binary)
        #expect(try attribute("wish_quality").group == .wishes)
        #expect(try attribute("wish_quality").kind == .ordinal(levels: [1, 2, 3, 4, 5]))
        #expect(try attribute("finance_income").group == .finance)
        #expect(try attribute("profile_customer_value").role == .profile)
        #expect(try attribute("notes_score").group == .other)
        #expect(schema.attribute(named: "customer_id") == nil)
        #expect(schema.segmentAttributes.count == 6)
    }

    @Test("every group prefix is recognised")
    func prefixes() {
        for group in AttributeGroup.allCases {
            let name = (group.columnPrefix ?? "x_") + "thing"
            #expect(AttributeGroup(columnName: name) == group)
        }
    }

    @Test("reading checks every cell and names row, column and value")
    func readingErrors() throws {
        func read(_ edit: (inout [[String]]) -> Void) throws {
            var rows = self.rows
            edit(&rows)
            let table = Fixtures.table(header, rows)
            let schema = try PersonaSchema.infer(from: Fixtures.table(header, self.rows))
            _ = try CustomerData(table: table, schema: schema)
        }
        #expect(throws: PersonaDataError.notANumber(row: 1, column: "finance_income", value: "lots")) {
            try read { $0[1][5] = "lots" }
        }
        #expect(throws: PersonaDataError.notFinite(row: 2, column: "lifestyle_age", value: "NaN")) {
            try read { $0[2][1] = "NaN" }
        }
        #expect(throws: PersonaDataError.notFinite(row: 0, column: "finance_income", value: "inf")) {
            try read { $0[0][5] = "inf" }
        }
        #expect(throws: PersonaDataError.duplicateId(id: "a", firstRow: 0, row: 3, column: "customer_id")) {
            try read { $0[3][0] = "a" }
        }
        #expect(throws: PersonaDataError.emptyId(row: 2, column: "customer_id")) {
            try read { $0[2][0] = " " }
        }
        #expect(throws: PersonaDataError.notBinary(row: 0, column: "online_has_app", value: "2")) {
            try read { $0[0][3] = "2" }
        }
        #expect(throws: PersonaDataError.notALevel(row: 1, column: "wish_quality", value: "7", levels: [1, 2, 3, 4, 5])) {
            try read { $0[1][4] = "7" }
        }
        #expect(throws: PersonaDataError.unknownCategory(row: 0, column: "media_channel", value: "radio", known: ["social", "tv"])) {
            try read { $0[0][2] = "radio" }
        }
        let message = PersonaDataError.notANumber(row: 1, column: "finance_income", value: "lots").describe(rowOffset: 2)
        #expect(message == "row 3, column 'finance_income': 'lots' is not a number")
    }

    @Test("a column of mostly numbers with a stray word is numeric, so the word is an error")
    func strayWord() throws {
        var rows = self.rows
        rows[2][5] = "n/a"
        let table = Fixtures.table(header, rows)
        let schema = try PersonaSchema.infer(from: table)
        #expect(schema.attribute(named: "finance_income")?.kind == .continuous)
        #expect(throws: PersonaDataError.notANumber(row: 2, column: "finance_income", value: "n/a")) {
            try CustomerData(table: table, schema: schema)
        }
    }

    @Test("missing id column, duplicate columns and empty data are rejected")
    func headerErrors() {
        #expect(throws: PersonaDataError.missingIdColumn(name: "id", available: header)) {
            try PersonaSchema.infer(from: Fixtures.table(header, rows), idColumn: "id")
        }
        #expect(throws: PersonaDataError.duplicateColumn(name: "x")) {
            try PersonaSchema.infer(from: Fixtures.table(["customer_id", "x", "x"], [["a", "1", "2"]]))
        }
        #expect(throws: PersonaDataError.noRows) {
            try PersonaSchema.infer(from: Fixtures.table(header, []))
        }
    }

    @Test("a schema round-trips through JSON and validates weights and levels")
    func schemaFile() throws {
        let schema = try PersonaSchema.infer(from: Fixtures.table(header, rows))
        let data = try JSONEncoder().encode(schema)
        #expect(try JSONDecoder().decode(PersonaSchema.self, from: data) == schema)
        var bad = schema
        bad.attributes[0].weight = -1
        #expect(throws: PersonaDataError.self) { try bad.validate() }
        bad = schema
        bad.attributes[3].kind = .ordinal(levels: [3, 1])
        #expect(throws: PersonaDataError.self) { try bad.validate() }
        bad = schema
        for i in bad.attributes.indices { bad.attributes[i].role = .profile }
        #expect(throws: PersonaDataError.noSegmentAttributes) { try bad.validate() }
    }
}

import Foundation

@Suite("data survey in batches")
struct DataSurveyTests {
    @Test("surveying batches (merged in order, numbers before text looked at again) infers what the whole table infers",
          arguments: [1, 2, 3, 7] as [Int])
    func batchesMatchWhole(batchCount: Int) throws {
        // A mostly-text column whose numbers come first, a numeric column with one text cell,
        // an ordinal and a binary column, and a text column with many values (ignored).
        var rows = [[String]]()
        for i in 0..<60 {
            let mixed = i < 10 ? String(i % 3) : ["red", "blue", "green"][i % 3]
            let numeric = i == 41 ? "n/a" : String(Double(i) * 1.5)
            rows.append(["C\(i)", mixed, numeric, String(1 + i % 5), String(i % 2), "code-\(i)", i % 7 == 0 ? "" : "x"])
        }
        let table = RawTable(columnNames: ["customer_id", "lifestyle_colour", "finance_spend", "wish_quality", "online_app",
                                           "other_code", "profile_flag"], rows: rows)
        let whole = try PersonaSchema.infer(from: table)

        let size = (table.rowCount + batchCount - 1) / batchCount
        let batches = stride(from: 0, to: table.rowCount, by: size).map { table.selecting(rows: $0 ..< min(table.rowCount, $0 + size)) }
        let empty = try DataSurvey(columnNames: table.columnNames)
        var survey = empty
        for batch in batches {
            var part = empty
            try part.add(batch)
            survey.merge(part)
        }
        for column in survey.columnsNeedingNumericTexts {
            for batch in batches { try survey.addNumericTexts(batch, column: column) }
        }
        #expect(try survey.schema() == whole)
        #expect(whole.attribute(named: "lifestyle_colour")?.kind == .categorical(categories: ["0", "1", "2", "blue", "green", "red"]))
        #expect(whole.attribute(named: "finance_spend")?.kind == .continuous)
        #expect(whole.attribute(named: "other_code")?.role == .ignore)

        // The encoder fitted from the survey matches the one fitted on the data itself
        // (the one text cell of the numeric column removed, as reading would require).
        var clean = rows
        clean[41][2] = ""
        let cleanTable = RawTable(columnNames: table.columnNames, rows: clean)
        let cleanSchema = try PersonaSchema.infer(from: cleanTable)
        var cleanSurvey = try DataSurvey(columnNames: table.columnNames)
        for batch in stride(from: 0, to: 60, by: size).map({ cleanTable.selecting(rows: $0 ..< min(60, $0 + size)) }) {
            var part = try DataSurvey(columnNames: table.columnNames)
            try part.add(batch)
            cleanSurvey.merge(part)
        }
        for column in cleanSurvey.columnsNeedingNumericTexts { try cleanSurvey.addNumericTexts(cleanTable, column: column) }
        let fromSurvey = try FeatureEncoder(survey: cleanSurvey, schema: cleanSchema)
        let fromData = try FeatureEncoder(fitting: try CustomerData(table: cleanTable, schema: cleanSchema))
        #expect(fromSurvey.columnNames == fromData.columnNames)
        for (a, b) in zip(fromSurvey.attributes, fromData.attributes) {
            for (x, y) in zip(a.centers + a.scales, b.centers + b.scales) { #expect(abs(x - y) <= 1e-12 * max(1, abs(y))) }
        }
    }

    @Test("a schema for a new period keeps every attribute but leaves categories to the new data")
    func forNewPeriod() throws {
        let schema = PersonaSchema(idColumn: "id", attributes: [
            Attribute(name: "media_channel", group: .media, kind: .categorical(categories: ["tv", "web"]), weight: 2),
            Attribute(name: "wish_quality", group: .wishes, kind: .ordinal(levels: [1, 2, 3, 4, 5])),
        ])
        let next = schema.forNewPeriod
        #expect(next.attributes.map(\.name) == schema.attributes.map(\.name))
        #expect(next.attributes.map(\.weight) == schema.attributes.map(\.weight))
        #expect(next.attributes[0].kind == .categorical(categories: []))
        #expect(next.attributes[1].kind == schema.attributes[1].kind)
        #expect(next.idColumn == "id")
    }
}
