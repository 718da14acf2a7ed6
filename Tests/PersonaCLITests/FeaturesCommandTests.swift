import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing

@Suite("persona features")
struct FeaturesCommandTests {
    /// Two customers over two months, semicolons, decimal commas and day-first dates.
    static let log = """
    order;who;when;total;units
    1;K1;15/01/2026;10,5;1
    2;K2;31/01/2026;4;2
    3;K1;20.02.2026;9,5;3
    4;K1;01-03-2026;100;1
    """

    static func arguments(_ scratch: Scratch, orders: String, extra: [String] = []) -> [String] {
        ["features", "--orders", orders, "--customer-column", "who", "--date-column", "when", "--amount-column", "total",
         "--period", "month", "--out-dir", scratch.path("out"), "-q"] + extra
    }

    @Test("one table per month end; every column as worked by hand")
    func tables() throws {
        let scratch = try Scratch("features")
        let orders = try scratch.write(Self.log, to: "orders.csv")
        try runPersona(Self.arguments(scratch, orders: orders, extra: [
            "--separator", "semicolon", "--decimal", "comma", "--date-format", "day-first", "--quantity-column", "units"]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).sorted()
                == ["customers-2026-01-31.csv", "customers-2026-02-28.csv", "customers-2026-03-31.csv"])
        let header = "customer_id,online_recency_days,online_frequency_period,online_frequency_total,online_monetary_period,online_monetary_total,online_tenure_days,online_average_order_value,online_mean_days_between_orders,online_units_period,online_units_total"
        // 15 Jan → 31 Jan 16 days, → 20 Feb 36, → 28 Feb 44, → 1 Mar 45, → 31 Mar 75; 31 Jan → 28 Feb 28, → 31 Mar 59.
        #expect(try String(contentsOfFile: scratch.path("out/customers-2026-01-31.csv"), encoding: .utf8)
                == "\(header)\nK1,16,1,1,10.5,10.5,16,10.5,,1,1\nK2,0,1,1,4,4,0,4,,2,2\n")
        #expect(try String(contentsOfFile: scratch.path("out/customers-2026-02-28.csv"), encoding: .utf8)
                == "\(header)\nK1,8,1,2,9.5,20,44,10,36,3,4\nK2,28,0,1,0,4,28,4,,0,2\n")
        #expect(try String(contentsOfFile: scratch.path("out/customers-2026-03-31.csv"), encoding: .utf8)
                == "\(header)\nK1,30,1,3,100,120,75,40,22.5,1,5\nK2,59,0,1,0,4,59,4,,0,2\n")
    }

    @Test("--as-of drops later orders and names the last table after it")
    func asOf() throws {
        let scratch = try Scratch("features")
        let orders = try scratch.write(Self.log, to: "orders.csv")
        try runPersona(Self.arguments(scratch, orders: orders, extra: [
            "--separator", "semicolon", "--decimal", "comma", "--date-format", "day-first", "--as-of", "2026-02-10"]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).sorted()
                == ["customers-2026-01-31.csv", "customers-2026-02-10.csv"])
        let last = try readCSV(scratch.path("out/customers-2026-02-10.csv"))
        #expect(last.rowCount == 2)
        #expect(last.rawText(row: 0, column: 1) == "26")   // 15 Jan → 10 Feb
        #expect(last.rawText(row: 0, column: 3) == "1")
        #expect(last.columnNames.count == 9)
    }

    @Test("a bad cell names the file, row, column and value; nothing is written", arguments: [
        ("2;K2;31/02/2026;4;2", "when", "31/02/2026"),
        ("2;K2;2026-01-31;4;2", "when", "2026-01-31"),
        ("2;K2;31/01/2026;four;2", "total", "four"),
        ("2;K2;31/01/2026;;2", "total", ""),
        ("2;K2;31/01/2026;4;x", "units", "x"),
        ("2;;31/01/2026;4;2", "who", ""),
    ])
    func badRow(line: String, column: String, value: String) throws {
        let scratch = try Scratch("features")
        var lines = Self.log.split(separator: "\n").map(String.init)
        lines[2] = line
        let orders = try scratch.write(lines.joined(separator: "\n") + "\n", to: "orders.csv")
        let failure = expectFailure(Self.arguments(scratch, orders: orders, extra: [
            "--separator", "semicolon", "--decimal", "comma", "--date-format", "day-first", "--quantity-column", "units"]))
        expectOneLine(failure?.description ?? "", mentions: [orders, "column \(column)", "\"\(value)\""], rows: [3])
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out/customers-2026-01-31.csv")))
    }

    @Test("a missing column and a bad --as-of are one-line errors")
    func badOptions() throws {
        let scratch = try Scratch("features")
        let orders = try scratch.write(Self.log, to: "orders.csv")
        let missing = expectFailure(Self.arguments(scratch, orders: orders, extra: ["--separator", "semicolon"]).map { $0 == "who" ? "customer" : $0 })
        expectOneLine(missing?.description ?? "", mentions: ["customer", "--customer-column"])
        let asOf = expectFailure(Self.arguments(scratch, orders: orders, extra: ["--separator", "semicolon", "--as-of", "2026-02-30"]))
        expectOneLine(asOf?.description ?? "", mentions: ["--as-of", "2026-02-30"])
        let early = expectFailure(Self.arguments(scratch, orders: orders, extra: [
            "--separator", "semicolon", "--decimal", "comma", "--date-format", "day-first", "--as-of", "2025-12-31"]))
        expectOneLine(early?.description ?? "", mentions: ["no orders on or before"])
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out")))
    }

    @Test("persona train reads a table of the sample log without a schema")
    func trainsOnOutput() throws {
        let scratch = try Scratch("features")
        let sample = ExampleWorker.packageRoot.appendingPathComponent("SampleData/orders-2026.csv").path
        try runPersona(["features", "--orders", sample, "--customer-column", "customer", "--date-column", "order_date",
                        "--amount-column", "amount", "--quantity-column", "quantity", "--period", "quarter",
                        "--out-dir", scratch.path("out"), "-q"])
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).sorted()
        #expect(files.count == 8 && files.first == "customers-2025-03-31.csv" && files.last == "customers-2026-12-31.csv")
        let table = scratch.path("out/customers-2026-03-31.csv")
        try runPersona(["train", "--data", table, "--k", "4", "--out", scratch.path("model.json"), "-q"])
        let model = try ModelFile.read(from: URL(fileURLWithPath: scratch.path("model.json")))
        #expect(model.personas.count == 4)
        #expect(model.schema.idColumn == "customer_id")
        #expect(model.schema.segmentAttributes.count == 10)
        #expect(Set(model.schema.segmentAttributes.map(\.group)) == [.online])
        #expect(model.training.rowCount == (try readCSV(table)).rowCount)
    }
}
