import Foundation
import PersonaIO
import PersonaKit
import Testing

/// Parses `text`, failing the test on an error.
private func table(_ text: String, file: String = "t.csv") throws -> RawTable {
    try CSVReader.parse(text, file: file)
}

/// The error `text` gives, or nil.
private func parseError(_ text: String, file: String = "customers.csv") -> CSVError? {
    parseError(Array(text.utf8), file: file)
}

private func parseError(_ bytes: [UInt8], file: String = "customers.csv") -> CSVError? {
    do {
        _ = try CSVReader.parse(bytes, file: file)
        return nil
    } catch {
        return error
    }
}

@Suite("CSVReader")
struct CSVReaderTests {
    @Test func simpleFileIsColumnMajor() throws {
        let t = try table("id,age,city\n1,34,Berlin\n2,,Paris\n")
        #expect(t.columnNames == ["id", "age", "city"])
        #expect(t.rowCount == 2)
        #expect(t.columns == [["1", "2"], ["34", ""], ["Berlin", "Paris"]])
    }

    @Test func crlfLineEndings() throws {
        let t = try table("a,b\r\n1,2\r\n3,4\r\n")
        #expect(t.columnNames == ["a", "b"])
        #expect(t.columns == [["1", "3"], ["2", "4"]])
    }

    @Test func loneCarriageReturnEndsALine() throws {
        let t = try table("a,b\r1,2\r3,4")
        #expect(t.columns == [["1", "3"], ["2", "4"]])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id,name\n7,Zoë\n".utf8)
        let t = try CSVReader.parse(bytes, file: "bom.csv")
        #expect(t.columnNames == ["id", "name"])
        #expect(t.columns == [["7"], ["Zoë"]])
    }

    @Test func lastLineWithoutNewline() throws {
        let t = try table("a,b\n1,2\n3,4")
        #expect(t.columns == [["1", "3"], ["2", "4"]])
        let empty = try table("a,b\n1,")
        #expect(empty.columns == [["1"], [""]])
    }

    @Test func blankLinesAtTheEndAreIgnored() throws {
        #expect(try table("a,b\n1,2\n\n\n").rowCount == 1)
        #expect(try table("a,b\r\n1,2\r\n\r\n\r\n").rowCount == 1)
        #expect(try table("a\nx\n\n").column(named: "a") == ["x"])
    }

    @Test func headerOnlyGivesZeroRows() throws {
        for text in ["a,b,c\n", "a,b,c", "a,b,c\r\n\r\n"] {
            let t = try table(text)
            #expect(t.columnNames == ["a", "b", "c"])
            #expect(t.rowCount == 0)
            #expect(t.columns == [[], [], []])
        }
    }

    @Test func quotedFields() throws {
        let text = "name,note\n"
            + "\"Smith, John\",\"He said \"\"hi\"\"\"\n"
            + "\"multi\nline\",\"a\r\nb\"\n"
            + "\"\",\"\"\"\""
        let t = try table(text + "\n")
        #expect(t.column(named: "name") == ["Smith, John", "multi\nline", ""])
        #expect(t.column(named: "note") == ["He said \"hi\"", "a\r\nb", "\""])
    }

    @Test func quotedHeaderNames() throws {
        let t = try table("\"id\",\"first, last\"\n1,x\n")
        #expect(t.columnNames == ["id", "first, last"])
    }

    @Test func cellsAreNotTrimmed() throws {
        let t = try table("a,b\n  1 , x\t\n")
        #expect(t.row(0) == ["  1 ", " x\t"])
    }

    @Test func unicodeCells() throws {
        let t = try table("name,city\nJosé,Zürich\n李雷,東京\n🙂,\"a,🙂\"\n")
        #expect(t.column(named: "name") == ["José", "李雷", "🙂"])
        #expect(t.column(named: "city") == ["Zürich", "東京", "a,🙂"])
    }

    @Test func singleColumnBlankLineInTheMiddleIsAnEmptyCell() throws {
        let t = try table("a\nx\n\ny\n")
        #expect(t.column(named: "a") == ["x", "", "y"])
    }

    @Test func semicolonSeparator() throws {
        let t = try CSVReader.parse("a;b\n1,5;\"x;y\"\n", file: "eu.csv", separator: ";")
        #expect(t.columns == [["1,5"], ["x;y"]])
    }

    @Test func dataAndNonContiguousInput() throws {
        let text = "a,b\n1,2\n"
        #expect(try CSVReader.parse(Data(text.utf8), file: "d.csv").columns == [["1"], ["2"]])
        // A lazy collection has no contiguous storage: the fallback copy path.
        let lazyBytes = Array(text.utf8).lazy.map { $0 }
        #expect(try CSVReader.parse(lazyBytes, file: "l.csv").columns == [["1"], ["2"]])
    }

    @Test func readsAFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("customers.csv")
        try Data("id,spend\nA,1.5\nB,2\n".utf8).write(to: url)
        let t = try CSVReader.read(contentsOf: url)
        #expect(t.columns == [["A", "B"], ["1.5", "2"]])
    }

    @Test func largeInputKeepsEveryRow() throws {
        var text = "id,value,label\n"
        for i in 0..<20_000 { text += "\(i),\(Double(i) / 4),\"l,\(i)\"\n" }
        let t = try table(text)
        #expect(t.rowCount == 20_000)
        #expect(t.row(19_999) == ["19999", "4999.75", "l,19999"])
    }

    // MARK: - Errors

    @Test func missingFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent-dir/customers.csv")
        let error = #expect(throws: CSVError.self) { try CSVReader.read(contentsOf: url) }
        #expect(error == .cannotRead(file: "customers.csv", reason: "no such file"))
        #expect(error?.description == "customers.csv: cannot read the file: no such file")
    }

    @Test func directoryIsNotReadable() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = #expect(throws: CSVError.self) {
            try CSVReader.read(contentsOf: dir, displayName: "in.csv")
        }
        #expect(error == .cannotRead(file: "in.csv", reason: "Is a directory"))
    }

    @Test func emptyFile() {
        for bytes: [UInt8] in [[], [0xEF, 0xBB, 0xBF], Array("\n\n".utf8), Array("\r\n".utf8)] {
            let error = parseError(bytes)
            #expect(error == .emptyFile(file: "customers.csv"))
        }
        #expect(parseError("")?.description == "customers.csv: the file is empty (a header row is required)")
    }

    @Test func raggedRowTooFew() {
        let error = parseError("a,b,c\n1,2,3\n4,5\n")
        #expect(error == .raggedRow(file: "customers.csv", row: 3, expected: 3, found: 2))
        #expect(error?.description == "customers.csv: row 3: expected 3 fields, found 2")
    }

    @Test func raggedRowTooMany() {
        let error = parseError("a,b\n1,2,3\n")
        #expect(error == .raggedRow(file: "customers.csv", row: 2, expected: 2, found: 3))
    }

    @Test func raggedRowCountsMultiLineRecordsAsOneRow() {
        // Row 2 spans three lines; the ragged record is row 3 (line 5).
        let error = parseError("a,b\n\"x\ny\nz\",1\n2\n")
        #expect(error == .raggedRow(file: "customers.csv", row: 3, expected: 2, found: 1))
    }

    @Test func raggedRowTwelveColumns() {
        let header = (1...12).map { "c\($0)" }.joined(separator: ",")
        let good = Array(repeating: "1", count: 12).joined(separator: ",")
        let bad = Array(repeating: "1", count: 11).joined(separator: ",")
        let text = header + "\n" + Array(repeating: good, count: 15).joined(separator: "\n") + "\n" + bad + "\n"
        #expect(parseError(text)?.description == "customers.csv: row 17: expected 12 fields, found 11")
    }

    @Test func blankLineInTheMiddleIsRagged() {
        let error = parseError("a,b\n1,2\n\n3,4\n")
        #expect(error == .raggedRow(file: "customers.csv", row: 3, expected: 2, found: 1))
    }

    @Test func unterminatedQuoteNamesTheRowWhereItStarted() {
        let error = parseError("a,b\n1,2\n3,\"open\n4,5\n6,7\n")
        #expect(error == .unterminatedQuote(file: "customers.csv", row: 3))
        #expect(error?.description == "customers.csv: row 3: a quoted field is never closed (missing closing \")")
    }

    @Test func strayQuoteInUnquotedField() {
        let error = parseError("id,size\n1,5\" screen\n")
        #expect(error == .malformedQuote(file: "customers.csv", row: 2, column: "size"))
        #expect(error?.description.hasPrefix("customers.csv: row 2, column 'size': misplaced quote") == true)
    }

    @Test func textAfterClosingQuote() {
        let error = parseError("id,name\n1,x\n2,\"Ann\"e\n")
        #expect(error == .malformedQuote(file: "customers.csv", row: 3, column: "name"))
        let spaceAfter = parseError("id,name\n\"1\" ,x\n")
        #expect(spaceAfter == .malformedQuote(file: "customers.csv", row: 2, column: "id"))
    }

    @Test func malformedQuoteInHeaderOrPastTheLastColumn() {
        #expect(parseError("a,b\"c\n") == .malformedQuote(file: "customers.csv", row: 1, column: "#2"))
        #expect(parseError("a\n1,x\"\n") == .malformedQuote(file: "customers.csv", row: 2, column: "#2"))
    }

    @Test func invalidUTF8() {
        var bytes = Array("a,b\n1,2\n3,".utf8)
        bytes += [0x66, 0xFF, 0x6F]  // "f\u{FF}o": 0xFF never occurs in UTF-8
        bytes += Array("\n".utf8)
        let error = parseError(bytes)
        #expect(error == .invalidUTF8(file: "customers.csv", row: 3))
        #expect(error?.description == "customers.csv: row 3: the text is not valid UTF-8 (save the file as UTF-8)")
    }

    @Test func invalidUTF8Forms() {
        // Latin-1 "é", overlong "/", a surrogate, above U+10FFFF, a truncated sequence, in a quoted field.
        let bad: [[UInt8]] = [[0xE9], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]]
        for sequence in bad {
            #expect(parseError(Array("a\n".utf8) + sequence + [0x0A]) == .invalidUTF8(file: "customers.csv", row: 2))
            #expect(parseError(Array("a\n\"".utf8) + sequence + Array("\"\"\"\n".utf8)) == .invalidUTF8(file: "customers.csv", row: 2))
            #expect(parseError(Array("a\n\"".utf8) + sequence + Array("\"\n".utf8)) == .invalidUTF8(file: "customers.csv", row: 2))
        }
        #expect(parseError([0xFE, 0x0A]) == .invalidUTF8(file: "customers.csv", row: 1))
    }

    @Test func emptyColumnName() {
        let error = parseError("id,,age\n1,2,3\n")
        #expect(error == .badHeader(file: "customers.csv", reason: "column 2 has no name"))
        #expect(error?.description == "customers.csv: row 1 (header): column 2 has no name")
        #expect(parseError("id,age,\n") == .badHeader(file: "customers.csv", reason: "column 3 has no name"))
        #expect(parseError("id, \n") == .badHeader(file: "customers.csv", reason: "column 2 has no name"))
    }

    @Test func blankFirstLine() {
        #expect(parseError("\nid,age\n1,2\n") == .badHeader(file: "customers.csv", reason: "the first line is blank; it must name the columns"))
    }

    @Test func duplicateColumnName() {
        let error = parseError("id,age,name,age\n")
        #expect(error == .badHeader(file: "customers.csv", reason: "column name 'age' appears twice (columns 2 and 4)"))
        #expect(error?.description == "customers.csv: row 1 (header): column name 'age' appears twice (columns 2 and 4)")
    }

    @Test func descriptionsStayOnOneLine() {
        let error = parseError("\"a\nb\",\"a\nb\"\n", file: "odd\nname.csv")
        let text = error?.description ?? ""
        #expect(!text.contains("\n"))
        #expect(text == "odd\\nname.csv: row 1 (header): column name 'a\\nb' appears twice (columns 1 and 2)")
    }
}
