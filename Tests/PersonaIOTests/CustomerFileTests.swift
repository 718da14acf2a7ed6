import Foundation
import PersonaIO
import PersonaKit
import PersonaSynthetic
import TestSupport
import Testing

@Suite("training from a file in batches")
struct CustomerFileTests {
    /// Writes a synthetic customer table as CSV and returns its URL and the table.
    static func sampleFile(in dir: URL, customers: Int = 1_500, seed: UInt64 = 3) throws -> (URL, RawTable) {
        let table = SyntheticCustomers(configuration: .init(customerCount: customers, seed: seed)).firstPeriod().table
        let rows = (0..<table.rowCount).map { table.row($0) }
        let url = dir.appendingPathComponent("customers.csv")
        try Data(CSVWriter.encode(header: table.columnNames, rows: rows)).write(to: url)
        return (url, table)
    }

    static let options = TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 5, restarts: 2, seed: 9))

    @Test("many small batches give the model the whole table gives: same assignments, names and sizes; centres equal up to rounding")
    func batchesMatchWholeTable() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (url, table) = try Self.sampleFile(in: dir)
        var file = CustomerFile(url: url)
        file.chunkSize = 2_000   // dozens of batches
        let streamed = try file.train(options: Self.options)

        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let whole = try PersonaModel.train(data, options: Self.options)

        #expect(streamed.ids == data.ids)
        #expect(streamed.model.schema == whole.model.schema)
        #expect(streamed.assignments.map(\.persona) == whole.assignments.map(\.persona))
        #expect(streamed.model.personas.map(\.name) == whole.model.personas.map(\.name))
        #expect(streamed.model.personas.map(\.size) == whole.model.personas.map(\.size))
        for (a, b) in zip(streamed.model.personas, whole.model.personas) {
            for (x, y) in zip(a.centroid, b.centroid) { #expect(abs(x - y) <= 1e-5 * max(1, abs(y))) }
        }
        for (a, b) in zip(streamed.model.encoder.attributes, whole.model.encoder.attributes) {
            for (x, y) in zip(a.centers + a.scales, b.centers + b.scales) { #expect(abs(x - y) <= 1e-12 * max(1, abs(y))) }
        }
        for (p, q) in zip(streamed.profiles, whole.profiles) {
            for (a, b) in zip(p.comparisons, q.comparisons) {
                #expect(a.attribute == b.attribute && a.category == b.category)
                if let x = a.personaMean, let y = b.personaMean { #expect(abs(x - y) <= 1e-9 * max(1, abs(y))) }
            }
        }
    }

    @Test("the model does not depend on the number of threads, bit for bit")
    func threadsDoNotMatter() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (url, _) = try Self.sampleFile(in: dir, customers: 2_000, seed: 4)
        var models = [Data]()
        for threads in [1, 2, 3] {
            var file = CustomerFile(url: url)
            file.chunkSize = 4_096
            var options = Self.options
            options.kmeans.threads = threads
            let result = try file.train(options: options)
            models.append(try ModelFile.encode(result.model))
        }
        #expect(models[0] == models[1])
        #expect(models[0] == models[2])
    }

    @Test("a bad cell in a late batch is reported with its file row")
    func errorsNameTheFileRow() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "customer_id,lifestyle_age,finance_income\n"
        for i in 0..<3_000 { text += "C\(i),\(20 + i % 50),\(1000 + i)\n" }
        text += "C3000,abc,5\n"
        let url = dir.appendingPathComponent("late.csv")
        try Data(text.utf8).write(to: url)
        var file = CustomerFile(url: url, displayName: "late.csv")
        file.chunkSize = 1_000
        // Inferred: the column stays numeric (one text cell in 3,001), so the cell is an error.
        let error = #expect(throws: CustomerFileError.self) { try file.train(options: TrainingOptions(clusterCount: 2)) }
        #expect(error?.description == "late.csv: row 3002, column 'lifestyle_age': 'abc' is not a number")
    }

    @Test("a duplicate identifier in different batches is found")
    func duplicateAcrossBatches() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "customer_id,lifestyle_age\n"
        for i in 0..<2_000 { text += "C\(i),\(i % 70)\n" }
        text += "C7,30\n"
        let url = dir.appendingPathComponent("dup.csv")
        try Data(text.utf8).write(to: url)
        var file = CustomerFile(url: url, displayName: "dup.csv")
        file.chunkSize = 1_000
        let error = #expect(throws: CustomerFileError.self) { try file.train(options: TrainingOptions(clusterCount: 2)) }
        #expect(error?.description == "dup.csv: row 2002, column 'customer_id': identifier 'C7' already used on row 9")
    }
}

@Suite("reading a customer file whole")
struct CustomerFileReadTests {
    @Test("reading in many batches gives the customer data of the whole table")
    func readAllMatchesWholeTable() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (url, table) = try CustomerFileTests.sampleFile(in: dir, customers: 900, seed: 8)
        var file = CustomerFile(url: url)
        file.chunkSize = 3_000
        let streamed = try file.readAll()
        let whole = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        Self.expectSame(streamed, whole)
    }

    /// The same schema, identifiers and weights, and every column bit for bit.
    static func expectSame(_ a: CustomerData, _ b: CustomerData) {
        #expect(a.schema == b.schema)
        #expect(a.ids == b.ids && a.weights == b.weights)
        #expect(a.values.keys.sorted() == b.values.keys.sorted())
        for (name, column) in b.values {
            switch (column, a.values[name]!) {
            case (.numbers(let x), .numbers(let y)): #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "\(name)")
            case (.categories(let x), .categories(let y)): #expect(x == y, "\(name)")
            default: Issue.record("\(name): different kinds")
            }
        }
    }
}
