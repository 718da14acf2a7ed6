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
