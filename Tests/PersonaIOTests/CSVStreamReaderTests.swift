import Foundation
@testable import PersonaIO
import PersonaKit
import TestSupport
import Testing

/// Streams `bytes` through a file in chunks of `chunkSize`, collecting the header and rows, or
/// the error.
private func stream(_ bytes: [UInt8], chunkSize: Int, in dir: URL) -> Result<RawTable, CSVError> {
    let url = dir.appendingPathComponent("stream-\(chunkSize).csv")
    do { try Data(bytes).write(to: url) } catch { Issue.record("cannot write the test file"); return .failure(.emptyFile(file: "")) }
    do {
        let reader = try CSVStreamReader(contentsOf: url, displayName: "customers.csv", chunkSize: chunkSize)
        var rows = [[String]]()
        var expectedFirstRow = 2
        while let batch = try reader.nextBatch() {
            #expect(batch.firstRow == expectedFirstRow)
            #expect(batch.count > 0)
            expectedFirstRow += batch.count
            for r in 0..<batch.count { rows.append((0..<reader.header.count).map { batch.text(row: r, column: $0) }) }
        }
        return .success(RawTable(columnNames: reader.header, rows: rows))
    } catch {
        return .failure(error)
    }
}

private func whole(_ bytes: [UInt8]) -> Result<RawTable, CSVError> {
    Result { () throws(CSVError) in try CSVReader.parse(bytes, file: "customers.csv") }
}

/// Random CSV-like bytes: quoted cells with separators, doubled quotes and line breaks,
/// CRLF and CR line ends, blank lines, non-ASCII text, occasional ragged rows or stray quotes.
private func randomCSV(_ rng: inout SeededGenerator, valid: Bool) -> [UInt8] {
    let pieces = ["a", "12", "-3.5", "é", "日本", " x ", "", "1e3"]
    let width = 1 + Int(rng.next() % 4)
    var text = rng.next() % 5 == 0 ? "\u{FEFF}" : ""
    let rows = Int(rng.next() % 12)
    for r in 0...rows {
        var cells = [String]()
        let count = valid || rng.next() % 10 != 0 ? width : width + 1
        for c in 0..<count {
            var cell = r == 0 ? "h\(c)" : pieces[Int(rng.next() % UInt64(pieces.count))]
            switch rng.next() % 6 {
            case 0 where r > 0: cell = "\"q,\(cell)\""
            case 1 where r > 0: cell = "\"say \"\"\(cell)\"\"\""
            case 2 where r > 0: cell = "\"two\nlines\r\n\(cell)\""
            case 3 where r > 0 && !valid: cell = "x\"y"
            default: break
            }
            cells.append(cell)
        }
        text += cells.joined(separator: ",")
        if r < rows || rng.next() % 2 == 0 { text += ["\n", "\r\n", "\r"][Int(rng.next() % 3)] }
    }
    if rng.next() % 4 == 0 { text += "\n\n\r\n" }
    if !valid, rng.next() % 8 == 0 { text += "\"open" }
    return Array(text.utf8)
}

@Suite("CSVStreamReader")
struct CSVStreamReaderTests {
    @Test("streaming in chunks of any size reads what the whole-file reader reads, or fails the same way",
          arguments: [false, true])
    func matchesWholeFileReader(valid: Bool) throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededGenerator(seed: valid ? 11 : 12)
        for _ in 0..<60 {
            let bytes = randomCSV(&rng, valid: valid)
            let expected = whole(bytes)
            for chunkSize in [1, 2, 3, 7, 16, 1 << 20] {
                let got = stream(bytes, chunkSize: chunkSize, in: dir)
                switch (expected, got) {
                case (.success(let a), .success(let b)):
                    #expect(a == b, "chunk size \(chunkSize): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                case (.failure(let a), .failure(let b)):
                    #expect(a == b, "chunk size \(chunkSize): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                default:
                    Issue.record("chunk size \(chunkSize): whole \(expected), streamed \(got) for \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                }
            }
        }
    }

    @Test("a long file is read in many batches whose rows are numbered across them")
    func rowsNumberedAcrossBatches() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "id,value\n"
        for i in 0..<5_000 { text += "C\(i),\(i)\n" }
        text += "C5000,7,extra\n"
        let url = dir.appendingPathComponent("long.csv")
        try Data(text.utf8).write(to: url)
        let reader = try CSVStreamReader(contentsOf: url, chunkSize: 1_000)
        var batches = 0, rows = 0
        let error = #expect(throws: CSVError.self) {
            while let batch = try reader.nextBatch() {
                batches += 1
                for r in 0..<batch.count { #expect(batch.number(row: r, column: 1) == Double(rows + r)) }
                rows += batch.count
            }
        }
        #expect(batches > 50)
        #expect(rows > 4_000 && rows <= 5_000)   // the batch holding the bad row is not delivered
        #expect(error == .raggedRow(file: "long.csv", row: 5_002, expected: 2, found: 3))
    }

    @Test("numbers are read from bytes exactly as Double(String) reads them")
    func numbersMatchDoubleParsing() throws {
        var cells = ["0", "-0", "+7", "1.", ".5", "-.25", "00012", "1e5", "1E-5", "2.5e+3", "1e", "e5", ".", "-", "+",
                     "1.2.3", "0x1p3", "inf", "-Infinity", "nan", "1e400", "-1e-400", "123456789012345678901234",
                     "0.1", "0.30000000000000004", "9007199254740993", "1_000", "12a", " 3 ", "\t4.5", "1 2",
                     "4.9406564584124654e-324", "1.7976931348623157e308", "0.000001234", "123.456e-7", "99999999999999999999"]
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<3_000 {
            let digits = Int(rng.next() % 22) + 1
            var text = rng.next() % 2 == 0 ? "-" : ""
            for d in 0..<digits {
                text += String(rng.next() % 10)
                if d == Int(rng.next() % UInt64(digits)) && !text.contains(".") { text += "." }
            }
            if rng.next() % 3 == 0 { text += "e\(Int(rng.next() % 60) - 30)" }
            cells.append(text)
        }
        let csv = "v\n" + cells.map { "\"\($0)\"" }.joined(separator: "\n") + "\n"
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("numbers.csv")
        try Data(csv.utf8).write(to: url)
        let reader = try CSVStreamReader(contentsOf: url)
        var index = 0
        while let batch = try reader.nextBatch() {
            for r in 0..<batch.count {
                let cell = cells[index]
                let trimmed = cell.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
                let expected = Double(trimmed)
                let got = batch.number(row: r, column: 0)
                if let expected, expected.isNaN {
                    #expect(got?.isNaN == true, "\(cell)")
                } else {
                    #expect(got?.bitPattern == expected?.bitPattern, "\(cell): \(String(describing: got)) vs \(String(describing: expected))")
                }
                index += 1
            }
        }
        #expect(index == cells.count)
    }

    @Test("memory stays bounded: a batch holds about one chunk of the file")
    func batchesAreBounded() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "id,a,b\n"
        for i in 0..<20_000 { text += "C\(i),\(i),\(i * 2)\n" }
        let url = dir.appendingPathComponent("bounded.csv")
        try Data(text.utf8).write(to: url)
        let reader = try CSVStreamReader(contentsOf: url, chunkSize: 8_192)
        while let batch = try reader.nextBatch() {
            #expect(batch.bytes.count <= 8_192 + 64)
        }
        #expect(reader.bytesRead == text.utf8.count)
    }

    @Test("errors name the file; a missing file and a directory are reported as with the whole-file reader")
    func openErrors() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = #expect(throws: CSVError.self) {
            try CSVStreamReader(contentsOf: dir.appendingPathComponent("none.csv"))
        }
        #expect(missing == .cannotRead(file: "none.csv", reason: "no such file"))
        let directory = #expect(throws: CSVError.self) { try CSVStreamReader(contentsOf: dir, displayName: "in.csv") }
        #expect(directory == .cannotRead(file: "in.csv", reason: "Is a directory"))
    }
}
