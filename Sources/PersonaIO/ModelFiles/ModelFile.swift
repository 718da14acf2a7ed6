import Foundation
import PersonaKit

/// Why a model file could not be read or written.
public enum ModelFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or written.
    case file(FileError)
    /// The file is not a persona model (not JSON, missing fields, inconsistent values).
    case corrupted(file: String, reason: String)
    /// The file was written by a newer version of Persona.
    case newerFormat(file: String, found: Int, supported: Int)

    /// A one-line description naming the file.
    public var description: String {
        switch self {
        case .file(let error): error.description
        case .corrupted(let file, let reason): "\(file): not a usable persona model: \(reason)"
        case .newerFormat(let file, let found, let supported):
            "\(file): model formatVersion \(found) is newer than this version of persona reads (\(supported)); upgrade persona"
        }
    }
}

/// Reads and writes model files: versioned JSON (`formatVersion` at the top), written
/// atomically. See `Docs/FileFormats.md`.
public enum ModelFile {
    private struct Header: Decodable { var formatVersion: Int? }

    /// Encodes a model as pretty-printed JSON with sorted keys (stable, diff-friendly).
    /// - Throws: an `EncodingError` (not expected for valid models).
    public static func encode(_ model: PersonaModel) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity",
                                                                      negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(model)
    }

    /// Decodes and validates a model.
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - file: the name to use in errors.
    /// - Throws: ``ModelFileError``.
    public static func decode(_ data: Data, file: String) throws(ModelFileError) -> PersonaModel {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity",
                                                                        negativeInfinity: "-Infinity", nan: "NaN")
        let header: Header
        do { header = try decoder.decode(Header.self, from: data) } catch {
            let first = data.first { !(" \t\r\n" as String).utf8.contains($0) }
            let reason = switch first {
            case nil: "the file is empty"
            case UInt8(ascii: "{"): "invalid or truncated JSON"
            default: "not JSON (a model file starts with '{')"
            }
            throw .corrupted(file: file, reason: reason)
        }
        guard let version = header.formatVersion else {
            throw .corrupted(file: file, reason: "no formatVersion field")
        }
        if version > PersonaModel.formatVersion {
            throw .newerFormat(file: file, found: version, supported: PersonaModel.formatVersion)
        }
        guard version >= 1 else { throw .corrupted(file: file, reason: "formatVersion \(version) is not valid") }
        let model: PersonaModel
        do { model = try decoder.decode(PersonaModel.self, from: data) } catch {
            throw .corrupted(file: file, reason: brief(error))
        }
        do { try model.validate() } catch { throw .corrupted(file: file, reason: error.reason) }
        return model
    }

    /// Reads and validates the model at `url`.
    /// - Throws: ``ModelFileError``.
    public static func read(from url: URL) throws(ModelFileError) -> PersonaModel {
        let data: Data
        do { data = try AtomicFile.readData(at: url) } catch { throw .file(error) }
        return try decode(data, file: url.path)
    }

    /// Writes a model atomically (temporary file, then rename): a reader sees the old file
    /// or the new one, never half of one.
    /// - Throws: ``ModelFileError``.
    public static func write(_ model: PersonaModel, to url: URL) throws(ModelFileError) {
        let data: Data
        do { data = try encode(model) } catch { throw .corrupted(file: url.path, reason: brief(error)) }
        do { try AtomicFile.write(data, to: url) } catch { throw .file(error) }
    }

    /// A one-line account of a JSON decoding error, with the path of the offending field.
    public static func brief(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "" : " at \(p)"
        }
        let text: String
        switch error {
        case DecodingError.keyNotFound(let key, let context): text = "missing field '\(key.stringValue)'\(path(context))"
        case DecodingError.typeMismatch(_, let context): text = "wrong type\(path(context)): \(context.debugDescription)"
        case DecodingError.valueNotFound(_, let context): text = "missing value\(path(context))"
        case DecodingError.dataCorrupted(let context): text = "\(context.debugDescription)\(path(context))"
        default: text = "\(error)"
        }
        return text.replacingOccurrences(of: "\n", with: " ")
    }
}
