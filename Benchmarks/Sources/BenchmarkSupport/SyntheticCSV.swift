import Foundation
import PersonaKit

/// Customer CSV files for the parsing benchmarks: a `customer_id` column and numeric
/// attribute columns named with the persona group prefixes.
public enum SyntheticCSV {
    /// The group prefixes attribute columns are named with, in order.
    public static let groups = ["lifestyle", "media", "online", "wish", "need", "fear", "finance", "health"]

    /// `count` attribute names spread as evenly as possible over the eight groups, the first
    /// groups taking one more: for 30, `lifestyle_1`…`lifestyle_4`, …, `health_1`…`health_3`.
    /// `compare.py` names its columns the same way.
    public static func attributeNames(count: Int) -> [String] {
        let base = count / groups.count, extra = count % groups.count
        var names = [String]()
        for (g, group) in groups.enumerated() {
            let size = base + (g < extra ? 1 : 0)
            for i in 0..<size { names.append("\(group)_\(i + 1)") }
        }
        return names
    }

    /// Writes `data` as CSV to `url`: header `customer_id,<attributeNames>`, ids `c0`, `c1`, …,
    /// values with four decimals. Returns the number of bytes written.
    /// - Complexity: O(rows × columns).
    @discardableResult
    public static func write(_ data: FeatureMatrix, to url: URL) throws -> Int {
        var bytes = [UInt8]()
        bytes.reserveCapacity(data.rows * (data.columns * 8 + 10) + 64)
        bytes.append(contentsOf: Array((["customer_id"] + attributeNames(count: data.columns)).joined(separator: ",").utf8))
        bytes.append(UInt8(ascii: "\n"))
        for r in 0..<data.rows {
            bytes.append(UInt8(ascii: "c"))
            appendInteger(UInt64(r), to: &bytes)
            for j in 0..<data.columns {
                bytes.append(UInt8(ascii: ","))
                appendFixed(data[r, j], to: &bytes)
            }
            bytes.append(UInt8(ascii: "\n"))
        }
        try Data(bytes).write(to: url)
        return bytes.count
    }

    /// Appends `value` rounded to four decimals (`-1.2345`, `0.0000`).
    static func appendFixed(_ value: Float, to bytes: inout [UInt8]) {
        let scaled = (Double(value) * 10_000).rounded()
        if scaled < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = UInt64(abs(scaled))
        appendInteger(magnitude / 10_000, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        var fraction = magnitude % 10_000
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: 4)
        for i in stride(from: 3, through: 0, by: -1) {
            digits[i] = UInt8(ascii: "0") + UInt8(fraction % 10)
            fraction /= 10
        }
        bytes.append(contentsOf: digits)
    }

    static func appendInteger(_ value: UInt64, to bytes: inout [UInt8]) {
        if value >= 10 { appendInteger(value / 10, to: &bytes) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
