import Foundation
@testable import PersonaIO
import PersonaKit
import Testing

/// `NumberParser.parse` on `text`'s bytes, alone in memory and followed by other bytes (which
/// the parser may read, as in a batch, but must not take as part of the cell); the two must
/// agree.
private func parsed(_ text: String) -> NumericCell {
    let bytes = Array(text.utf8)
    let alone = bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else {
            return NumberParser.parse(UnsafePointer(bitPattern: 1)!, from: 0, to: 0, readable: 0)
        }
        return NumberParser.parse(base, from: 0, to: buffer.count, readable: buffer.count)
    }
    let followed = (bytes + Array(",12345678\n9.5e3".utf8)).withUnsafeBufferPointer { buffer in
        NumberParser.parse(buffer.baseAddress!, from: 0, to: bytes.count, readable: buffer.count)
    }
    #expect(same(alone, followed), "\(text): \(alone) alone, \(followed) followed by more")
    return alone
}

/// What `Double(String)` makes of the trimmed text, as a cell.
private func expected(_ text: String) -> NumericCell {
    let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
    if trimmed.isEmpty { return .empty }
    return Double(trimmed).map(NumericCell.number) ?? .text
}

/// Whether two cells are the same, numbers bit for bit (any NaN matching any NaN).
private func same(_ a: NumericCell, _ b: NumericCell) -> Bool {
    switch (a, b) {
    case (.empty, .empty), (.text, .text): true
    case (.number(let x), .number(let y)): x.isNaN ? y.isNaN : x.bitPattern == y.bitPattern
    default: false
    }
}

private func digits(_ count: Int, _ rng: inout SeededGenerator) -> String {
    String((0..<count).map { _ in Character(String(rng.next() % 10)) })
}

@Suite("NumberParser")
struct NumberParserTests {
    @Test("edge cases read exactly as Double(String) reads them")
    func edgeCases() {
        let cells = [
            "", " ", "\t", "0", "-0", "+0", "0.0", "-0.0", "-0e5", "0e999", "-0e-999", "00", "007", "0.000",
            "1", "-1", "+1", "1.", "-1.", ".5", "-.5", "+.5", ".", "-", "+", "+-1", "--1", "1..2", "1.2.3",
            "5.", " 5.", "5. ", "\t-2.25\t", " 1 2 ", "1 ", " 1", "1e", "1e+", "1e-", "e5", ".e5", "1.e5", ".5e1",
            "1E5", "1e+5", "1e-5", "1e05", "1e0000000000000000000005", "2.5E-3", "1e22", "1e23", "1e-22", "1e-23",
            "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
            "18446744073709551615", "18446744073709551616", "9999999999999999999", "99999999999999999999",
            "1234567890123456789", "12345678901234567890", "0.1234567890123456789", "123456789.0123456789",
            "0.30000000000000004", "0.1", "0.2", "0.3", "2.2250738585072014e-308", "2.2250738585072011e-308",
            "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "-1e-400",
            "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "-1e400",
            "1e-64", "1e64", "1e-65", "1e65", "9.999999999999999e63", "123456789012345678e-64", "123456789012345678e46",
            "inf", "-inf", "Infinity", "-Infinity", "nan", "NaN", "-nan", "0x1p3", "0x10", "1_000", "12a", "a12",
            "c123", "c0", " c1 ", "x1", "Z", "e", "E5", "Inf", "INF", "INFINITY", "infinit", "nAn", "NaN(123)",
            "nan(0x1)", "-nan(abc)", "+inf", "\n5", "\r5", "\u{0B}5", "\u{0C}5", "5\n", "@1", "[1", "`1", "{1", "_1",
            "1,5", "١٢", "1e5x", "1.5e3.2", "4e-0", "4e+0", "7.0e-1", "0.7", "7e-1", "3.4028235e38",
            "8.98846567431158e307", "1.1125369292536007e-308", "5e-324", "0.000001234", "123.456e-7",
            "1448997445238699", "2.2250738585072012e-308", "7.2057594037927933e16", "9223372036854775807",
            "9223372036854775808", "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
            "0.500000000000000166533453693773481063544750213623046875", "3.0000000000000004",
            "123456789012345678901234567890", "-0.0000000000000000000000000000001",
            "12345678", "1234567.8", ".1234567", "1234567.", "-12345678", "+.1234567", "99999999", "9999999.9",
            "0000000.", "00000000", ".0000000", "1.2.3.4", "..", "1..", "..1", "12345:78", "1234/678", "1234 678",
            "12e4", "1.5e3", "-.5e-1", "1.234567", "12.34567", "123.4567", "1234.567", "12345.67", "123456.7",
            "0.3757", "-2.1004", "1.6826", "-0.0000", "123456789", "1234567.89", "1.2345678", "\u{0}123", "1\u{0}",
        ]
        for cell in cells {
            #expect(same(parsed(cell), expected(cell)), "\(cell): \(parsed(cell)) vs \(expected(cell))")
        }
    }

    @Test("random decimals of up to 25 digits, signs, points and exponents read exactly as Double(String) reads them")
    func randomDecimals() {
        var rng = SeededGenerator(seed: 20_260_401)
        for _ in 0..<200_000 {
            var text = ["", "-", "+", "-", ""][Int(rng.next() % 5)]
            let integer = Int(rng.next() % 12)
            let fraction = Int(rng.next() % 14)
            let extra = rng.next() % 4 == 0 ? Int(rng.next() % 9) : 0   // sometimes beyond 19 digits
            if rng.next() % 6 == 0 { text += String(repeating: "0", count: Int(rng.next() % 4)) }
            text += digits(integer, &rng)
            if fraction > 0 || rng.next() % 5 == 0 { text += "." + digits(fraction + extra, &rng) }
            switch rng.next() % 4 {
            case 0: text += ["e", "E"][Int(rng.next() % 2)] + ["", "+", "-"][Int(rng.next() % 3)] + String(rng.next() % 80)
            case 1: text += "e" + String(Int(rng.next() % 700) - 350)
            default: break
            }
            if rng.next() % 50 == 0 { text = " " + text + "\t" }
            #expect(same(parsed(text), expected(text)), "\(text): \(parsed(text)) vs \(expected(text))")
        }
    }

    @Test("short cells of digits, points, signs and other bytes (the 8-byte path) read exactly as Double(String) reads them")
    func shortCells() {
        var rng = SeededGenerator(seed: 8)
        let alphabet = Array("0123456789012345678901234567890123456789....--+eE x/:\u{7F}é")
        for _ in 0..<200_000 {
            let length = 1 + Int(rng.next() % 10)
            let text = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            #expect(same(parsed(text), expected(text)), "\(text): \(parsed(text)) vs \(expected(text))")
        }
    }

    @Test("numbers as Double.description writes them (17 significant digits) read back exactly")
    func roundTrips() {
        var rng = SeededGenerator(seed: 77)
        for _ in 0..<100_000 {
            let scale = Double(sign: .plus, exponent: Int(rng.next() % 440) - 220, significand: 1)
            let value = (Double(rng.next() >> 11) / Double(1 << 53) - 0.5) * scale
            for text in [value.description, String(format: "%.17g", value), String(format: "%.6f", value),
                         String(format: "%.19e", value)] {
                #expect(same(parsed(text), expected(text)), "\(text): \(parsed(text)) vs \(expected(text))")
            }
        }
    }

    @Test("the Eisel-Lemire path gives Double(String)'s value whenever it decides, over its whole exponent range")
    func eiselLemireMatchesStrings() {
        var rng = SeededGenerator(seed: 3)
        var decided = 0, total = 0
        for q in NumberParser.exponentRange {
            for _ in 0..<400 {
                // Mantissas of every length, including ones next to powers of two and of ten.
                let bits = 1 + Int(rng.next() % 64)
                var w = rng.next() >> UInt64(64 - bits)
                switch rng.next() % 6 {
                case 0: w = 1 << UInt64(rng.next() % 64)
                case 1: w = (1 << UInt64(rng.next() % 64)) &- 1
                case 2: w = [1, 10, 100, 1_000_000, 10_000_000_000_000_000_000, 9_007_199_254_740_993][Int(rng.next() % 6)]
                default: break
                }
                if w == 0 { w = 1 }
                total += 1
                guard let value = NumberParser.eiselLemire(w, q) else { continue }
                decided += 1
                let text = "\(w)e\(q)"
                #expect(value.bitPattern == Double(text)!.bitPattern, "\(text): \(value) vs \(Double(text)!)")
            }
        }
        #expect(decided > total * 99 / 100)
        #expect(NumberParser.eiselLemire(1, NumberParser.exponentRange.upperBound + 1) == nil)
        #expect(NumberParser.eiselLemire(1, NumberParser.exponentRange.lowerBound - 1) == nil)
    }

    @Test("halfway cases between two doubles round to even")
    func ties() {
        // 2^53 + 1 and friends: exactly between two doubles.
        for text in ["9007199254740993", "9007199254740995", "9007199254740997", "18014398509481986",
                     "18014398509481990", "4503599627370496.5", "4503599627370497.5", "900719925474099.25e1",
                     "1152921504606846977", "1152921504606847105", "0.9007199254740993e16", "9007199254740993e-5"] {
            #expect(same(parsed(text), expected(text)), "\(text)")
            #expect(same(parsed("-" + text), expected("-" + text)), "-\(text)")
        }
    }
}

/// Everything the scanner makes of `bytes`: fields, where it stopped, the row, and the outcome or error.
private struct ScanResult: Equatable {
    var fields: [UInt64]
    var position: Int
    var row: Int
    var outcome: String
}

private func scanAll(_ bytes: [UInt8], width: Int, separator: UInt8, isFinal: Bool, plain: Bool) -> ScanResult {
    bytes.withUnsafeBufferPointer { buffer in
        var scanner = CSVScanner(base: buffer.baseAddress!, start: 0, end: buffer.count, isFinal: isFinal, file: "f.csv",
                                 separator: separator, row: 1, columnNames: (0..<width).map { "c\($0)" })
        var fields = [FieldBounds]()
        var outcome = ""
        do {
            while true {
                if plain { _ = scanner.scanPlainRecords(width: width, limit: .max, into: &fields) }
                let next = try scanner.scanRecord(width: width, into: &fields)
                if next != .record { outcome = "\(next)"; break }
            }
        } catch {
            outcome = "\(error)"
        }
        return ScanResult(fields: fields.map(\.packed), position: scanner.position, row: scanner.row, outcome: outcome)
    }
}

@Suite("CSV plain-record scanning")
struct PlainRecordScanTests {
    /// Long random CSV, mostly plain numbers, with now and then a quoted cell, CRLF or CR, a
    /// blank line, non-ASCII or invalid UTF-8, spaces, a stray quote or a ragged row.
    private func randomBytes(_ rng: inout SeededGenerator, width: Int, separator: UInt8) -> [UInt8] {
        let sep = String(UnicodeScalar(separator))
        var text = ""
        var bytes = [UInt8]()
        for _ in 0..<Int(rng.next() % 60) {
            let count = rng.next() % 40 == 0 ? width + Int(rng.next() % 3) - 1 : width
            var cells = [String]()
            for _ in 0..<max(count, 1) {
                var cell = String(format: "%.4f", Double(Int(rng.next() % 200_000) - 100_000) / 10_000)
                switch rng.next() % 80 {
                case 0: cell = "\"\(cell)\""
                case 1: cell = "\"a\(sep)\"\"b\"\"\nc\""
                case 2: cell = ""
                case 3: cell = " \(cell) "
                case 4: cell = "é\(cell)日本"
                case 5: cell = "x\"y"
                case 6: cell = "+\(cell)!\t"
                default: break
                }
                cells.append(cell)
            }
            text += cells.joined(separator: sep)
            text += rng.next() % 30 == 0 ? ["\r\n", "\r", "\n\n", "\r\n\r\n"][Int(rng.next() % 4)] : "\n"
            if rng.next() % 200 == 0 {
                bytes += Array(text.utf8) + [0xFF, 0xC3]
                text = ""
            }
        }
        bytes += Array(text.utf8)
        if rng.next() % 3 == 0 { bytes += Array(["", "\n\n", "\r\n", "1", "\"open"][Int(rng.next() % 5)].utf8) }
        return bytes
    }

    @Test("records read 64 bytes at a time are exactly those read byte by byte; errors are the same")
    func plainScanMatchesGeneralScan() {
        var rng = SeededGenerator(seed: 11)
        for trial in 0..<3_000 {
            let width = 1 + Int(rng.next() % 6)
            let separator: UInt8 = [0x2C, 0x3B, 0x09, 0x7C, 0x20][Int(rng.next() % 5)]
            let bytes = randomBytes(&rng, width: width, separator: separator)
            for isFinal in [true, false] {
                // Also every buffer cut short, as a chunk of a file.
                let cut = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count + 1))
                for piece in [bytes, Array(bytes[..<cut])] where !piece.isEmpty {
                    let general = scanAll(piece, width: width, separator: separator, isFinal: isFinal, plain: false)
                    let plain = scanAll(piece, width: width, separator: separator, isFinal: isFinal, plain: true)
                    #expect(plain == general, "trial \(trial): \(String(decoding: piece, as: UTF8.self).debugDescription)")
                }
            }
        }
    }

    @Test("a long plain file is read by the fast scan in whole")
    func plainFileIsReadQuickly() {
        let row = "c1,0.3757,-2.1004,12.5\n"
        let bytes = Array(String(repeating: row, count: 1_000).utf8)
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = CSVScanner(base: buffer.baseAddress!, start: 0, end: buffer.count, isFinal: true, file: "f.csv",
                                     separator: 0x2C, row: 1, columnNames: ["a", "b", "c", "d"])
            var fields = [FieldBounds]()
            let records = scanner.scanPlainRecords(width: 4, limit: .max, into: &fields)
            #expect(records >= 997)   // all but the last 64 bytes
            #expect(fields.count == records * 4)
            #expect(scanner.row == 1 + records)
        }
    }
}
