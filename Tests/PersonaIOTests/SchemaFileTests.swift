import Foundation
import PersonaIO
import PersonaKit
import Testing

@Suite("schema files")
struct SchemaFileTests {
    static func schema() throws -> PersonaSchema {
        let table = RawTable(columnNames: ["customer_id", "lifestyle_age", "media_channel", "wish_quality", "online_mobile"],
                             rows: [["A", "23", "tv", "5", "1"], ["B", "61", "print", "2", "0"], ["C", "40", "web", "3", "1"]])
        return try PersonaSchema.infer(from: table)
    }

    @Test("encode then decode gives the schema back")
    func roundTrip() throws {
        let schema = try Self.schema()
        #expect(try SchemaFile.decode(try SchemaFile.encode(schema), file: "s.json") == schema)
    }

    @Test("bad JSON, a wrong field and an invalid schema are named with the file")
    func errors() throws {
        var duplicated = try Self.schema()
        duplicated.attributes.append(duplicated.attributes[0])
        let cases: [(Data, [String])] = [
            (Data("{".utf8), ["s.json", "not a valid schema file"]),
            (Data(#"{"idColumn": 3, "attributes": []}"#.utf8), ["s.json", "not a valid schema file", "idColumn"]),
            (try SchemaFile.encode(duplicated), ["s.json", "lifestyle_age", "twice"]),
        ]
        for (data, fragments) in cases {
            #expect {
                _ = try SchemaFile.decode(data, file: "s.json")
            } throws: { error in
                let message = "\(error)"
                return fragments.allSatisfy { message.contains($0) }
            }
        }
        #expect(throws: SchemaFile.ReadError.self) {
            _ = try SchemaFile.read(from: URL(fileURLWithPath: "/nonexistent/schema.json"))
        }
    }
}
