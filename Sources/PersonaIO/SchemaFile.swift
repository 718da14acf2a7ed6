import Foundation
import PersonaKit

/// Schema files: JSON `{"idColumn", "weightColumn"?, "attributes": [...]}`, see `Docs/Schema.md`.
public enum SchemaFile {
    /// Encodes a schema as pretty-printed JSON ending in a newline.
    /// - Throws: an `EncodingError` (not expected).
    public static func encode(_ schema: PersonaSchema) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(schema) + Data("\n".utf8)
    }
}
