import Foundation
@testable import PersonaIO
import PersonaKit
import TestSupport
import Testing

/// Every batch of `text` read with `dialect`.
private func batches(_ text: String, dialect: CSVDialect = .standard, rowsPerBatch: Int = 3) throws -> [CSVBatch] {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("typed-\(UUID().uuidString).csv")
    try Data(text.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let reader = try CSVStreamReader(contentsOf: url, displayName: "typed.csv", dialect: dialect)
    reader.rowsPerBatch = rowsPerBatch
    var all = [CSVBatch]()
    while let batch = try reader.nextBatch() { all.append(batch) }
    return all
}

private func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

@Suite("a batch parsed once into typed columns")
struct TypedBatchTests {
    static let mixed = """
        customer_id,need_a,media_b,finance_c,lifestyle_d
        007,1,web,12.5,x
        C2,,shop,-0,2
        C3,4, web ,inf,3
        C4,2,,1e300,
        C5,5,tv,0.125,4
        C6,3,10,-7.25,y

        """

    @Test("numbers, number cells and kept texts are the CSV batch's, before and after packing",
          arguments: [CSVDialect.standard, CSVDialect(separator: .semicolon, decimalMark: .comma, missingValues: ["NA"])])
    func sameCells(_ dialect: CSVDialect) throws {
        var text = Self.mixed
        if dialect.decimalMark == .comma {
            text = text.replacingOccurrences(of: ",", with: ";").replacingOccurrences(of: ".", with: ",")
                .replacingOccurrences(of: ";;", with: ";NA;")
        }
        for batch in try batches(text, dialect: dialect) {
            var typed = TypedBatch(batch, textColumns: [0])
            for round in 0..<2 {
                for c in batch.columnNames.indices {
                    let (a, x) = batch.finiteNumbers(column: c), (b, y) = typed.finiteNumbers(column: c)
                    #expect(bits(a.map { $0.isNaN ? .nan : $0 }) == bits(b.map { $0.isNaN ? .nan : $0 }), "column \(c), round \(round)")
                    #expect(x == y)
                    #expect(batch.numericCells(column: c) == typed.numericCells(column: c))
                    for r in 0..<batch.rowCount { #expect(batch.numericCell(row: r, column: c) == typed.numericCell(row: r, column: c)) }
                    if typed.holdsTexts(column: c) { #expect(batch.trimmedTexts(column: c) == typed.trimmedTexts(column: c)) }
                }
                // The identifier column's texts are kept as asked; a column with a text cell keeps its own.
                #expect(typed.holdsTexts(column: 0))
                #expect(typed.trimmedTexts(column: 0) == batch.trimmedTexts(column: 0))
                typed.pack()
            }
            #expect(typed.holdsTexts(column: 2))
        }
    }

    @Test("surveying typed batches gives the schema and encoder the CSV batches give")
    func sameSurvey() throws {
        let all = try batches(Self.mixed)
        let header = all[0].columnNames
        var fromCSV = try DataSurvey(columnNames: header), fromTyped = fromCSV
        for batch in all {
            try fromCSV.add(batch)
            try fromTyped.add(TypedBatch(batch, textColumns: [0]))
        }
        // finance_c has an infinity: declared continuous it is an error, so survey what is readable.
        #expect(try fromCSV.schema() == fromTyped.schema())
        let schema = try fromCSV.schema()
        let readable = PersonaSchema(idColumn: schema.idColumn, weightColumn: nil,
                                     attributes: schema.attributes.filter { $0.name != "finance_c" })
        let a = try FeatureEncoder(survey: fromCSV, schema: readable), b = try FeatureEncoder(survey: fromTyped, schema: readable)
        #expect(a == b)
    }

    @Test("a categorical column whose first batches held only numbers trains as the whole table does")
    func numbersBeforeTexts() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // media_tier shows only numbers in its first 600 rows, then mostly words: categorical.
        var text = "customer_id,need_a,lifestyle_b,media_tier\n"
        let tiers = ["gold", "silver", "bronze", "lead"]
        for i in 0..<3_000 {
            let tier = i < 600 ? "\(i % 3 + 1)0" : tiers[i % 4]
            text += "C\(i),\(i % 5 + 1),\(Double(i % 97) / 8),\(tier)\n"
        }
        let url = dir.appendingPathComponent("tiers.csv")
        try Data(text.utf8).write(to: url)
        var file = CustomerFile(url: url)
        file.rowsPerBatch = 100
        let options = TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 3, restarts: 1, seed: 2))
        let streamed = try file.train(options: options)
        let table = try CSVReader.read(contentsOf: url)
        let whole = try PersonaModel.train(try CustomerData(table: table, schema: try PersonaSchema.infer(from: table)), options: options)
        #expect(streamed.model.schema == whole.model.schema)
        #expect(streamed.model.schema.attribute(named: "media_tier")?.kind == .categorical(categories: ["10", "20", "30"] + tiers.sorted()))
        #expect(streamed.assignments.map(\.persona) == whole.assignments.map(\.persona))
    }

    @Test("reading whole from the typed batches gives what reading the file again gives")
    func readAllFromTypedBatches() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (url, _) = try CustomerFileTests.sampleFile(in: dir, customers: 700, seed: 11)
        var file = CustomerFile(url: url)
        file.rowsPerBatch = 64
        let once = try file.readAll()                                   // one read
        let twice = try file.readAll(unknownCategories: .treatAsMissing)   // survey, then the file again
        CustomerFileReadTests.expectSame(once, twice)
    }

    @Test("a bad cell found in the typed batches is named as the file writes it")
    func errorsQuoteTheFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let schema = PersonaSchema(idColumn: "customer_id", weightColumn: nil, attributes: [
            Attribute(name: "need_flag", kind: .binary), Attribute(name: "lifestyle_x", kind: .continuous),
        ])
        var text = "customer_id,need_flag,lifestyle_x\n"
        for i in 0..<500 { text += "C\(i),\(i % 2),\(i)\n" }
        text += "C500,  2.50 ,1\n"
        let url = dir.appendingPathComponent("flags.csv")
        try Data(text.utf8).write(to: url)
        var file = CustomerFile(url: url, displayName: "flags.csv", schema: schema)
        file.rowsPerBatch = 64
        let error = #expect(throws: CustomerFileError.self) { try file.train(options: TrainingOptions(clusterCount: 2)) }
        #expect(error?.description.contains("row 502") == true)
        #expect(error?.description.contains("'  2.50 '") == true, "\(error?.description ?? "")")
    }
}
