import Foundation
import PersonaIO
import PersonaKit
import Testing

@Suite("CSVWriter")
struct CSVWriterTests {
    /// Cells that need every kind of care.
    static let trickyRows: [[String]] = [
        ["1", "plain", "3.5"],
        ["2", "Smith, John", "he said \"hi\""],
        ["3", "two\nlines", "cr\r\nlf"],
        ["4", "", ""],
        ["5", " leading", "trailing "],
        ["6", "Zoë 🙂 東京", "\""],
        ["7", "a;b", "\"\""],
        ["8", "\t", "x\ry"],
    ]

    @Test func quotingRoundTrip() throws {
        let header = ["id", "name", "note, with comma"]
        let text = CSVWriter.render(header: header, rows: Self.trickyRows)
        let table = try CSVReader.parse(text, file: "round.csv")
        #expect(table.columnNames == header)
        #expect(table.rowCount == Self.trickyRows.count)
        for (r, row) in Self.trickyRows.enumerated() {
            #expect(table.row(r) == row)
        }
    }

    @Test func semicolonRoundTrip() throws {
        let header = ["id", "betrag", "notiz"]
        let text = CSVWriter.render(header: header, rows: Self.trickyRows, separator: ";")
        let table = try CSVReader.parse(text, file: "eu.csv", separator: ";")
        #expect(table.columnNames == header)
        #expect(table == RawTable(columnNames: header, rows: Self.trickyRows))
    }

    @Test func exactOutput() {
        let text = CSVWriter.render(
            header: ["a", "b"],
            rows: [["1", "x,y"], ["", "say \"no\""], ["line\nbreak", " pad"], ["1,5", "a;b"]]
        )
        #expect(text == """
        a,b
        1,"x,y"
        ,"say ""no\"\"\"
        "line
        break"," pad"
        "1,5",a;b

        """)
    }

    @Test func semicolonQuotesSemicolonsNotCommas() {
        let text = CSVWriter.render(header: ["a", "b"], rows: [["1,5", "x;y"]], separator: ";")
        #expect(text == "a;b\n1,5;\"x;y\"\n")
    }

    @Test func singleEmptyCellIsQuoted() throws {
        // Otherwise the row would be a blank line, dropped at the end of the file.
        let text = CSVWriter.render(header: ["only"], rows: [["x"], [""], [""]])
        #expect(text == "only\nx\n\"\"\n\"\"\n")
        let table = try CSVReader.parse(text, file: "one.csv")
        #expect(table.column(named: "only") == ["x", "", ""])
    }

    @Test func incrementalBuilder() throws {
        var writer = CSVWriter(header: ["i", "square"], reservingCapacity: 1 << 20)
        for i in 0..<100_000 { writer.appendRow([String(i), CSVWriter.format(Double(i * i))]) }
        #expect(writer.columnCount == 2)
        #expect(writer.text.hasPrefix("i,square\n0,0\n1,1\n2,4\n"))
        #expect(writer.data.count == writer.bytes.count)
        let table = try CSVReader.parse(writer.bytes, file: "squares.csv")
        #expect(table.rowCount == 100_000)
        #expect(table.row(99_999) == ["99999", "9999800001"])
    }

    @Test func writeFileRoundTrip() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.csv")
        try CSVWriter.write(header: ["id", "note"], rows: [["1", "a,b"], ["2", "ü"]], to: url, separator: ";")
        let table = try CSVReader.read(contentsOf: url, separator: ";")
        #expect(table.columns == [["1", "2"], ["a,b", "ü"]])
        #expect(try leftoverTemporaryFiles(in: dir).isEmpty)
    }

    @Test func writeToMissingDirectoryThrows() {
        let url = URL(fileURLWithPath: "/nonexistent-persona-dir/x.csv")
        let error = #expect(throws: FileError.self) {
            try CSVWriter.write(header: ["a"], rows: [["1"]], to: url)
        }
        #expect(error?.description == "cannot write /nonexistent-persona-dir/x.csv: No such file or directory")
    }

    @Test func formatNumbers() {
        #expect(CSVWriter.format(3) == "3")
        #expect(CSVWriter.format(-42) == "-42")
        #expect(CSVWriter.format(0) == "0")
        #expect(CSVWriter.format(-0.0) == "0")
        #expect(CSVWriter.format(3.5) == "3.5")
        #expect(CSVWriter.format(0.1) == "0.1")
        #expect(CSVWriter.format(-0.25) == "-0.25")
        #expect(CSVWriter.format(1e-7) == "1e-07")
        #expect(CSVWriter.format(123_456_789_012) == "123456789012")
        #expect(CSVWriter.format(9_007_199_254_740_991) == "9007199254740991")
        #expect(CSVWriter.format(1e20) == "1e+20")
        #expect(CSVWriter.format(.nan) == "")
        #expect(CSVWriter.format(.infinity) == "inf")
        #expect(CSVWriter.format(-.infinity) == "-inf")
        for value in [1.0 / 3, 2.0 / 3, 1e-300, 123.456, .pi, -.ulpOfOne, .greatestFiniteMagnitude] {
            #expect(Double(CSVWriter.format(value)) == value)
        }
    }

    @Test("a row built cell by cell is the row of formatted strings", arguments: [",", ";"])
    func rowBuilderMatchesStrings(separator: String) {
        let separator = Character(separator)
        var rng = SeededGenerator(seed: 11)
        let texts = ["", "plain", "with, comma", "semi;colon", " padded", "quote \"x\"", "line\nbreak", "Müller"]
        let specials: [Double] = [0, -0.0, 1, -7, 0.1, 1e-300, 5e-324, 1e22, 9_007_199_254_740_992, 4_503_599_627_370_495.5,
                                  .infinity, -.infinity, .nan, Double.greatestFiniteMagnitude]
        var byCells = CSVWriter(header: ["a", "b", "c", "d"], separator: separator)
        var byStrings = CSVWriter(header: ["a", "b", "c", "d"], separator: separator)
        for i in 0..<2_000 {
            let text = texts[i % texts.count]
            let integer = Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 63)
            let number = i < specials.count ? specials[i] : Double(bitPattern: rng.next())
            let encoded = CSVWriter.encodedCell(texts[(i + 3) % texts.count], separator: separator)
            byCells.appendRow { row in
                row.cell(text)
                row.cell(integer)
                row.cell(number)
                row.encoded(encoded)
            }
            byStrings.appendRow([text, String(integer), CSVWriter.format(number), texts[(i + 3) % texts.count]])
        }
        #expect(byCells.bytes == byStrings.bytes)
        // One empty cell still reads back as a row.
        var single = CSVWriter(header: ["only"])
        single.appendRow { $0.empty() }
        var reference = CSVWriter(header: ["only"])
        reference.appendRow([""])
        #expect(single.bytes == reference.bytes)
    }
}
