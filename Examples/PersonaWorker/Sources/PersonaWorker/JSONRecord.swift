import Foundation
import PersonaKit

/// A value of an input object's field.
enum JSONCell: Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case text(String)
    /// An object, an array, or a number beyond `Double`.
    case unsupported

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int64.self) { self = .integer(v) }
        else if let v = try? c.decode(Double.self) { self = .number(v) }
        else if let v = try? c.decode(String.self) { self = .text(v) }
        else { self = .unsupported }
    }

    /// The value as the model takes it: numbers and booleans (1 and 0) as numbers, strings as
    /// categories (or numbers spelled as text), null as a missing value; `.none` when the
    /// value cannot be an attribute's.
    var customerValue: CustomerValue?? {
        switch self {
        case .null: .some(nil)
        case .bool(let v): .some(.number(v ? 1 : 0))
        case .integer(let v): .some(.number(Double(v)))
        case .number(let v): .some(.number(v))
        case .text(let v): .some(.category(v))
        case .unsupported: .none
        }
    }
}

/// Why an input line could not be read as a customer.
struct LineError: Error {
    var message: String
    /// The customer's identifier, when the line got as far as naming it.
    var id: String?
}

/// One input line read as a customer: the identifier and the attribute values.
struct CustomerRecord {
    var line: Int
    var id: String
    var values: [String: CustomerValue?]

    /// Reads a JSON object with an identifier field and the given attribute fields; an absent
    /// attribute field is a missing value, fields the model does not use are ignored.
    static func parse(_ bytes: ArraySlice<UInt8>, line: Int, idField: String,
                      attributes: [String]) throws(LineError) -> CustomerRecord {
        let fields: [String: JSONCell]
        do {
            fields = try JSONDecoder().decode([String: JSONCell].self, from: Data(bytes))
        } catch DecodingError.typeMismatch {
            throw LineError(message: "expected a JSON object, one customer per line")
        } catch {
            throw LineError(message: "not valid JSON")
        }
        let id: String
        switch fields[idField] {
        case .text(let text) where !text.trimmingCharacters(in: .whitespaces).isEmpty: id = text
        case .integer(let value): id = String(value)
        case nil: throw LineError(message: "the identifier field '\(idField)' is missing")
        default: throw LineError(message: "the identifier field '\(idField)' must be a non-empty string or an integer")
        }
        var values = [String: CustomerValue?](minimumCapacity: attributes.count)
        for name in attributes {
            guard let field = fields[name] else { continue }
            guard let value = field.customerValue else {
                throw LineError(message: "field '\(name)': expected a number, a string, a boolean or null", id: id)
            }
            values[name] = value
        }
        return CustomerRecord(line: line, id: id, values: values)
    }
}

/// Output lines, written by hand so that fields keep their order.
struct JSONLineWriter {
    private(set) var bytes = [UInt8]()

    /// Starts an object.
    mutating func begin() { bytes.append(UInt8(ascii: "{")) }

    /// Ends the object and the line.
    mutating func end() { bytes.append(contentsOf: "}\n".utf8) }

    mutating func field(_ key: String, _ value: String) { name(key); string(value) }
    mutating func field(_ key: String, _ value: Int) { name(key); bytes.append(contentsOf: String(value).utf8) }
    mutating func field(_ key: String, _ value: Bool) { name(key); bytes.append(contentsOf: (value ? "true" : "false").utf8) }

    /// A finite number in the shortest form that reads back exactly; null otherwise.
    mutating func field(_ key: String, _ value: Double?) {
        name(key)
        guard let value, value.isFinite else { bytes.append(contentsOf: "null".utf8); return }
        bytes.append(contentsOf: "\(value)".utf8)
    }

    mutating func field(_ key: String, _ value: Int?) {
        if let value { field(key, value) } else { name(key); bytes.append(contentsOf: "null".utf8) }
    }

    private mutating func name(_ key: String) {
        if bytes.last != UInt8(ascii: "{") { bytes.append(UInt8(ascii: ",")) }
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): bytes.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): bytes.append(contentsOf: "\\t".utf8)
            case ..<0x20:
                let hex = String(byte, radix: 16)
                bytes.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
