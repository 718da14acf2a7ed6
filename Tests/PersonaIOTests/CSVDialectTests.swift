import Foundation
@testable import PersonaIO
import PersonaKit
import TestSupport
import Testing

// Customer files as analysts have them: `;` or tab between fields, decimal commas, `NA` and
// `NULL` for missing values. Each must read as the same values as the plain CSV.

/// Writes `text` to a fresh file and opens it with `dialect`.
private func open(_ text: String, dialect: CSVDialect, chunkSize: Int = 1 << 18, rowsPerBatch: Int? = nil) throws -> CSVStreamReader {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dialect-\(UUID().uuidString).csv")
    try Data(text.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let reader = try CSVStreamReader(contentsOf: url, displayName: "eu.csv", dialect: dialect, chunkSize: chunkSize)
    reader.rowsPerBatch = rowsPerBatch
    return reader
}

/// Every batch of `reader`.
private func batches(_ reader: CSVStreamReader) throws -> [CSVBatch] {
    var all = [CSVBatch]()
    while let batch = try reader.nextBatch() { all.append(batch) }
    return all
}

/// Every cell of every batch as a number cell, row by row.
private func numericCells(_ batches: [CSVBatch]) -> [[NumericCell]] {
    batches.flatMap { batch in (0..<batch.count).map { r in (0..<batch.columnNames.count).map { batch.numericCell(row: r, column: $0) } } }
}

@Suite("CSV dialects")
struct CSVDialectTests {
    @Test("auto picks the separator the header uses most, outside quotes; comma when there is none",
          arguments: [("a;b;c\n1;2;3\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a,b\n1;2\n", ","), ("\"x;y;z\",b\n", ","),
                      ("single\n1\n", ","), ("a,b;c;d\n", ";"), ("a,b;c\n", ",")])
    func autoSeparator(_ text: String, _ expected: String) throws {
        let reader = try open(text, dialect: CSVDialect(separator: .auto))
        #expect(reader.separatorCharacter == Character(expected))
    }

    @Test("a semicolon file with decimal commas and NA reads as the same numbers as the plain CSV")
    func semicolonDecimalComma() throws {
        let plain = try open("id,x,y,c\nA,3.5,-1e3,red\nB,,0.25,blue\nC,7,,\n", dialect: .standard)
        let european = try open("id;x;y;c\nA;3,5;-1e3;red\nB;NA;0,25;blue\nC;7; NULL ;NA\n",
                                dialect: CSVDialect(separator: .auto, decimalMark: .comma, missingValues: ["NA", "NULL"]))
        #expect(european.header == plain.header)
        let p = try batches(plain), e = try batches(european)
        #expect(numericCells(e) == numericCells(p))
        #expect(e[0].trimmedTexts(column: 3) == p[0].trimmedTexts(column: 3))
        #expect(e[0].trimmedText(row: 2, column: 3) == "")
        #expect(e[0].finiteNumbers(column: 1).values.map { $0.isNaN ? -99 : $0 } == [3.5, -99, 7])
        #expect(e[0].finiteNumbers(column: 1).exceptions.isEmpty)
        // Identifiers are kept as written.
        #expect(e[0].text(row: 0, column: 0) == "A")
    }

    @Test("with a decimal comma, quoted numbers in a comma file read too; grouping and two marks are text")
    func decimalCommaCells() throws {
        let reader = try open("id,x\nA,\"3,5\"\nB,1.234\nC,\"1.234,5\"\nD,\"1,2,3\"\nE,\" -0,5 \"\nF,2e3\n",
                              dialect: CSVDialect(decimalMark: .comma))
        let cells = try batches(reader).flatMap { b in (0..<b.count).map { b.numericCell(row: $0, column: 1) } }
        #expect(cells == [.number(3.5), .number(1.234), .text, .text, .number(-0.5), .number(2000)])
    }

    @Test("missing-value texts are compared trimmed and exactly; other cells are untouched")
    func missingValues() throws {
        let reader = try open("id,x,c\nA,NA,NA\nB, NA ,na\nC,NULL,N/A\n", dialect: CSVDialect(missingValues: ["NA", "NULL"]))
        let batch = try #require(try batches(reader).first)
        #expect((0..<3).map { batch.numericCell(row: $0, column: 1) } == [.empty, .empty, .empty])
        #expect(batch.trimmedTexts(column: 2) == ["", "na", "N/A"])
        #expect(batch.numericCell(row: 1, column: 2) == .text)
    }

    @Test("a table read in a dialect gives every cell the value its batches give", arguments: [1, 2, 3])
    func tableAgreesWithBatches(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let pieces = ["3,5", "-2", "1.25", "NA", "", " 7,0 ", "x", "1.234,5", "NULL", "0,001", "\"4,5\""]
        var lines = ["id;a;b;c"]
        for r in 0..<200 {
            lines.append((["C\(r)"] + (0..<3).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }).joined(separator: ";"))
        }
        let text = lines.joined(separator: "\n") + "\n"
        let dialect = CSVDialect(separator: .semicolon, decimalMark: .comma, missingValues: ["NA", "NULL"])
        let table = try CSVReader.parse(Array(text.utf8), file: "eu.csv", dialect: dialect)
        let fromBatches = numericCells(try batches(try open(text, dialect: dialect, chunkSize: 97)))
        let fromTable = (0..<table.rowCount).map { r in (0..<4).map { table.numericCell(row: r, column: $0) } }
        #expect(fromTable == fromBatches)
    }

    @Test("rows per batch: every batch but the last holds exactly that many rows, in any chunk size",
          arguments: [7, 64, 1 << 12])
    func rowsPerBatch(chunkSize: Int) throws {
        let text = "id,v\n" + (0..<1000).map { "C\($0),\(String(repeating: "9", count: $0 % 13))" }.joined(separator: "\n") + "\n"
        let all = try batches(try open(text, dialect: .standard, chunkSize: chunkSize, rowsPerBatch: 128))
        #expect(all.map(\.count) == Array(repeating: 128, count: 7) + [104])
        #expect(all.map(\.firstRow) == (0..<8).map { 2 + 128 * $0 })
        #expect(all.last.map { $0.text(row: $0.count - 1, column: 0) } == "C999")
    }
}
