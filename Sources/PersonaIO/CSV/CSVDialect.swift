import Foundation
import PersonaKit

/// How a customer file writes its fields and numbers: the separator, the decimal mark and the
/// cells that stand for a missing value.
///
/// The default is RFC 4180 as `persona` writes it: commas, a decimal point, and only the
/// empty cell missing. European spreadsheets export `;`-separated files with decimal commas
/// (`CSVDialect(separator: .semicolon, decimalMark: .comma)`); R, pandas and database exports
/// write `NA` or `NULL` for a missing value (`missingValues: ["NA", "NULL"]`). The same
/// customers give the same typed values, and so the same model, in every dialect.
public struct CSVDialect: Sendable, Hashable {
    /// The field separator.
    public enum Separator: String, Sendable, Hashable, CaseIterable {
        /// `,`
        case comma
        /// `;`
        case semicolon
        /// A tab.
        case tab
        /// Whichever of `,`, `;` and tab occurs most often (outside quotes) in the header;
        /// comma when none does.
        case auto
    }

    /// The character between a number's integer and fractional digits.
    public enum DecimalMark: String, Sendable, Hashable, CaseIterable {
        /// `3.5`
        case point
        /// `3,5`. A point still reads as a decimal point (`3.5`); digit grouping (`1.234,5`)
        /// is not a number.
        case comma
    }

    /// The field separator.
    public var separator: Separator
    /// The decimal mark of numbers.
    public var decimalMark: DecimalMark
    /// Cell texts (compared after trimming spaces and tabs, case-sensitively) read as a
    /// missing value, as the empty cell always is.
    public var missingValues: [String]

    /// A dialect.
    public init(separator: Separator = .comma, decimalMark: DecimalMark = .point, missingValues: [String] = []) {
        self.separator = separator
        self.decimalMark = decimalMark
        self.missingValues = missingValues
    }

    /// Commas, decimal points, only empty cells missing.
    public static let standard = CSVDialect()

    /// The separator byte for a file whose first bytes are `prefix` (``Separator/auto``
    /// decides from the first line).
    public func separatorByte(forFileStartingWith prefix: some Collection<UInt8>) -> UInt8 {
        switch separator {
        case .comma: return 0x2C
        case .semicolon: return 0x3B
        case .tab: return 0x09
        case .auto: return Self.detectSeparator(prefix)
        }
    }

    /// The separator of the first line of `bytes`: the most frequent of `,`, `;` and tab
    /// outside quotes, comma on a tie with it or when there is none.
    static func detectSeparator(_ bytes: some Collection<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        var quoted = false
        for byte in bytes {
            if byte == 0x22 { quoted.toggle(); continue }
            if quoted { continue }
            if byte == 0x0A || byte == 0x0D { break }
            if counts[byte] != nil { counts[byte]! += 1 }
        }
        var best: UInt8 = 0x2C
        for candidate: UInt8 in [0x3B, 0x09] where counts[candidate]! > counts[best]! { best = candidate }
        return best
    }

    /// How cells are read as values in this dialect.
    var reading: CellReading {
        CellReading(decimalComma: decimalMark == .comma,
                    missing: missingValues.map { Array($0.trimmingCharacters(in: CellReading.blanks).utf8) }.filter { !$0.isEmpty })
    }
}

/// The decimal mark and missing-value texts of a dialect, applied to a cell's bytes.
struct CellReading: Sendable, Hashable {
    var decimalComma = false
    /// Trimmed texts read as missing; none empty.
    var missing: [[UInt8]] = []

    static let standard = CellReading()

    /// What a cell is trimmed of: spaces and tabs.
    static let blanks = CharacterSet(charactersIn: " \t")

    /// Whether cells are read as RFC 4180 with a decimal point and only empty cells missing.
    var isStandard: Bool { !decimalComma && missing.isEmpty }

    /// The bounds of `start..<end` without the spaces and tabs around it.
    @inline(__always)
    static func trim(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
        var (start, end) = (start, end)
        while start < end, base[start] == 0x20 || base[start] == 0x09 { start += 1 }
        while end > start, base[end - 1] == 0x20 || base[end - 1] == 0x09 { end -= 1 }
        return (start, end)
    }

    /// Whether the trimmed bytes `start..<end` are one of the missing-value texts.
    func isMissing(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard !missing.isEmpty else { return false }
        let (s, e) = Self.trim(base, start, end)
        let length = e - s
        for token in missing where token.count == length {
            var same = true
            for i in 0..<length where base[s + i] != token[i] { same = false; break }
            if same { return true }
        }
        return false
    }

    /// An unquoted field (no doubled quotes) read as a number in this reading.
    func numericCell(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, readable: Int) -> NumericCell {
        if isMissing(base, start, end) { return .empty }
        guard decimalComma else { return NumberParser.parse(base, from: start, to: end, readable: readable) }
        let (s, e) = Self.trim(base, start, end)
        if s == e { return .empty }
        // One decimal comma becomes a point; a field with two marks is text.
        var commas = 0
        for i in s..<e where base[i] == 0x2C { commas += 1 }
        if commas == 0 { return NumberParser.parse(base, from: s, to: e, readable: readable) }
        if commas > 1 { return .text }
        for i in s..<e where base[i] == 0x2E { return .text }
        let length = e - s
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length + 8) { buffer in
            let out = buffer.baseAddress!
            for i in 0..<length { out[i] = base[s + i] == 0x2C ? 0x2E : base[s + i] }
            for i in length..<(length + 8) { out[i] = 0x20 }
            return NumberParser.parse(UnsafePointer(out), from: 0, to: length, readable: length + 8)
        }
    }

    /// A cell's text as a value: the empty string for a missing-value text, else as given.
    func text(_ trimmed: String) -> String {
        guard !missing.isEmpty, missing.contains(where: { $0.elementsEqual(trimmed.utf8) }) else { return trimmed }
        return ""
    }

    /// A whole cell of a table of text, rewritten so that the table's plain reading gives
    /// what this reading gives: a missing-value text becomes empty, a decimal-comma number
    /// gets a point.
    func normalized(_ cell: String) -> String {
        if isStandard { return cell }
        let count = cell.utf8.count
        var bytes = Array(cell.utf8) + Array(repeating: 0x20, count: 8)   // padding the parser may read
        return bytes.withUnsafeMutableBufferPointer { buffer -> String in
            let base = UnsafePointer(buffer.baseAddress!)
            if isMissing(base, 0, count) { return "" }
            guard decimalComma, buffer[..<count].contains(0x2C),
                  case .number = numericCell(base, 0, count, readable: count + 8) else { return cell }
            for i in 0..<count where buffer[i] == 0x2C { buffer[i] = 0x2E }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }
}
