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

    /// Why a schema file cannot be used.
    public enum ReadError: Error, Sendable, CustomStringConvertible {
        /// The file cannot be read.
        case cannotRead(FileError)
        /// The file is not a schema's JSON.
        case notASchema(file: String, reason: String)
        /// The schema is not valid (duplicate names, bad levels, …).
        case invalid(file: String, PersonaDataError)

        public var description: String {
            switch self {
            case .cannotRead(let error): error.description
            case .notASchema(let file, let reason): "\(file): not a valid schema file: \(reason)"
            case .invalid(let file, let error): "\(file): \(error.description)"
            }
        }
    }

    /// Decodes and validates a schema from JSON.
    /// - Parameter file: the name used in errors.
    /// - Throws: ``ReadError/notASchema(file:reason:)`` or ``ReadError/invalid(file:_:)``.
    public static func decode(_ data: Data, file: String) throws(ReadError) -> PersonaSchema {
        let schema: PersonaSchema
        do { schema = try JSONDecoder().decode(PersonaSchema.self, from: data) } catch {
            throw .notASchema(file: file, reason: ModelFile.brief(error))
        }
        do { try schema.validate() } catch { throw .invalid(file: file, error) }
        return schema
    }

    /// Reads, decodes and validates a schema file.
    /// - Throws: ``ReadError`` naming the file.
    public static func read(from url: URL, displayName: String? = nil) throws(ReadError) -> PersonaSchema {
        let name = displayName ?? url.path
        let data: Data
        do { data = try AtomicFile.readData(at: url) } catch { throw .cannotRead(error) }
        return try decode(data, file: name)
    }
}
