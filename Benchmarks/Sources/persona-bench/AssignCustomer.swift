import ArgumentParser
import BenchmarkSupport
import Foundation
import PersonaIO
import PersonaKit

/// `persona-bench assign-customer`: single-customer assignment as a service calls it.
///
/// Every row of a customer file becomes a `[String: CustomerValue?]` (numbers as numbers,
/// categories as text, empty cells `nil`); each call of `PersonaModel.assign(customer:)` is
/// timed on its own, on one thread, and compared with the one-row table path it replaces and
/// with batch assignment of the whole file (which must agree on every row).
struct AssignCustomer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time typed single-customer assignment (median and p99 per call) against the one-row table path."
    )

    @Option(help: "The model file.")
    var model: String

    @Option(help: "A customer CSV file with the model's columns.")
    var data: String

    @Option(help: "Passes over the file's rows.")
    var passes = 20

    struct Result: Encodable {
        var command = "assign-customer"
        var customers: Int
        var calls: Int
        var typedMedianMicroseconds: Double
        var typedP99Microseconds: Double
        var tableMedianMicroseconds: Double
        var tableP99Microseconds: Double
        var agreesWithBatch: Bool
    }

    func run() throws {
        let model = try ModelFile.read(from: URL(fileURLWithPath: model))
        let table = try CSVReader.read(contentsOf: URL(fileURLWithPath: data))
        let columns = model.schema.attributes.compactMap { a in table.columnIndex(named: a.name).map { (a, $0) } }
        let customers: [[String: CustomerValue?]] = (0..<table.rowCount).map { r in
            var customer = [String: CustomerValue?]()
            for (attribute, c) in columns {
                let cell = table.trimmedText(row: r, column: c)
                if cell.isEmpty { customer[attribute.name] = .some(nil); continue }
                if case .categorical = attribute.kind { customer[attribute.name] = .category(cell) } else {
                    customer[attribute.name] = Double(cell).map(CustomerValue.number) ?? .category(cell)
                }
            }
            return customer
        }
        let batch = try model.assign(table: table)
        var agrees = true
        let clock = ContinuousClock()
        func micro(_ d: Duration) -> Double { Double(d.components.attoseconds) * 1e-12 + Double(d.components.seconds) * 1e6 }
        var typed = [Double](), viaTable = [Double]()
        typed.reserveCapacity(passes * customers.count)
        for pass in 0..<passes {
            for (r, customer) in customers.enumerated() {
                var a: PersonaAssignment?
                typed.append(micro(try clock.measure { a = try model.assign(customer: customer) }))
                if pass == 0 && a != batch[r] { agrees = false }
            }
        }
        // The path it replaces: a one-row table of strings, read, then assigned.
        let names = [model.schema.idColumn] + columns.map(\.0.name)
        for r in 0..<min(customers.count, 2000) {
            let row = [table.rawText(row: r, column: table.columnIndex(named: model.schema.idColumn)!)]
                + columns.map { table.rawText(row: r, column: $0.1) }
            viaTable.append(micro(try clock.measure {
                _ = try model.assign(table: RawTable(columnNames: names, rows: [row]), threads: 1)
            }))
        }
        func quantile(_ v: [Double], _ q: Double) -> Double { let s = v.sorted(); return s[min(s.count - 1, Int(Double(s.count) * q))] }
        try emit(Result(customers: customers.count, calls: typed.count,
                        typedMedianMicroseconds: Measurement.median(typed), typedP99Microseconds: quantile(typed, 0.99),
                        tableMedianMicroseconds: Measurement.median(viaTable), tableP99Microseconds: quantile(viaTable, 0.99),
                        agreesWithBatch: agrees))
    }
}
