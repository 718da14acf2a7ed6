import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing

/// Sample data written by `persona sample` into a fresh directory.
struct SampleWorkspace {
    let scratch: Scratch
    let customers: Int
    var periodOne: String { scratch.path("data/customers-2026-q1.csv") }
    var periodTwo: String { scratch.path("data/customers-2026-q2.csv") }
    var schema: String { scratch.path("data/schema.json") }

    init(customers: Int = 600) throws {
        scratch = try Scratch("e2e")
        self.customers = customers
        try runPersona(["sample", "--out-dir", scratch.path("data"), "--customers", String(customers), "-q"])
    }

    /// Trains on period 1 and returns the model's path.
    @discardableResult
    func train(_ name: String, _ extra: [String] = [], k: Int = 4) throws -> String {
        let model = scratch.path(name)
        try runPersona(["train", "--data", periodOne, "--k", String(k), "--out", model, "-q"] + extra)
        return model
    }
}

/// The personas.csv of a report, by column.
struct PersonasReport {
    let table: RawTable

    init(_ path: String) throws { table = try readCSV(path) }

    func column(_ name: String) throws -> [String] {
        try #require(table.column(named: name), "personas.csv has no column \(name)")
    }
    func numbers(_ name: String) throws -> [Double] {
        try column(name).map { try #require(Double($0), "'\($0)' in column \(name) is not a number") }
    }
}

@Suite("End to end")
struct EndToEndTests {
    @Test("sample → train → assign → report")
    func trainAssignReport() throws {
        let w = try SampleWorkspace()
        let sample = try readCSV(w.periodOne)
        #expect(sample.rowCount == 600)

        let model = w.scratch.path("m.json")
        let trainAssignments = w.scratch.path("a.csv")
        let trainReport = w.scratch.path("rep")
        try runPersona(["train", "--data", w.periodOne, "--k", "4", "--assignments", trainAssignments,
                        "--report-dir", trainReport, "--out", model, "-q"])
        let decoded = try ModelFile.read(from: URL(fileURLWithPath: model))
        #expect(decoded.personas.count == 4)
        let ids = decoded.personas.map(\.id)

        // assign gives the same file as train's --assignments.
        let assigned = w.scratch.path("assigned.csv")
        try runPersona(["assign", "--model", model, "--data", w.periodOne, "--out", assigned, "-q"])
        #expect(try bytes(assigned) == bytes(trainAssignments), "assign and train --assignments differ")

        // report writes its files for the model's personas.
        let reportDir = w.scratch.path("report")
        try runPersona(["report", "--model", model, "--data", w.periodOne, "--out-dir", reportDir, "-q"])
        let names = try FileManager.default.contentsOfDirectory(atPath: reportDir).sorted()
        #expect(names == ReportSupport.fileNames.sorted())
        // train --report-dir and report describe the same customers with the same model.
        for name in ReportSupport.fileNames {
            #expect(try bytes(reportDir + "/" + name) == bytes(trainReport + "/" + name),
                    "\(name) from train --report-dir differs from report's")
        }

        let personas = try PersonasReport(reportDir + "/personas.csv")
        #expect(try personas.column("persona").map { Int($0) } == ids.map(Optional.some))
        let attributes = try readCSV(reportDir + "/attributes.csv")
        let attributePersonas = Set(try #require(attributes.column(named: "persona")).compactMap { Int($0) })
        #expect(attributePersonas == Set(ids))

        // Sizes sum to the row count, shares to 1; they match the model's training sizes.
        let sizes = try personas.numbers("size")
        #expect(sizes.reduce(0, +) == Double(sample.rowCount))
        #expect(abs(try personas.numbers("share").reduce(0, +) - 1) < 1e-9)
        #expect(sizes == decoded.personas.map { Double($0.size) })

        // The assignment file covers every customer, in data order.
        let assignments = try readCSV(assigned)
        let sampleIds = try #require(sample.column(named: "customer_id"))
        #expect(assignments.column(named: "customer_id") == sampleIds)
        let assignedPersona = try #require(assignments.column(named: "persona")).map { Int($0)! }
        for (id, size) in zip(ids, sizes) {
            #expect(Double(assignedPersona.lazy.filter { $0 == id }.count) == size, "persona \(id)")
        }

        // An independent per-persona mean of two numeric attributes (one segment, one
        // profile-only) from the input and the assignments matches personas.csv.
        for attribute in ["finance_monthly_income_eur", "profile_customer_value", "wish_sustainability"] {
            let cells = try #require(sample.column(named: attribute), "no column \(attribute)")
            var sum = [Int: Double](), count = [Int: Double]()
            for (cell, persona) in zip(cells, assignedPersona) {
                guard let value = Double(cell) else { continue }  // empty cells are missing values
                sum[persona, default: 0] += value
                count[persona, default: 0] += 1
            }
            let reported = try personas.numbers(attribute)
            for (id, mean) in zip(ids, reported) {
                let expected = try #require(sum[id]) / (try #require(count[id]))
                #expect(abs(mean - expected) <= 1e-9 * max(1, abs(expected)),
                        "\(attribute), persona \(id): report \(mean), computed \(expected)")
            }
        }
    }

    @Test("the same seed gives the same model")
    func sameSeedSameModel() throws {
        let w = try SampleWorkspace()
        let first = try w.train("first.json", ["--seed", "7"])
        let second = try w.train("second.json", ["--seed", "7"])
        #expect(try modelJSONWithoutCreatedAt(first) == modelJSONWithoutCreatedAt(second))
        let a = try ModelFile.read(from: URL(fileURLWithPath: first))
        let b = try ModelFile.read(from: URL(fileURLWithPath: second))
        #expect(a.personas == b.personas)
        #expect(a.training.inertia == b.training.inertia)
        #expect(a.training.createdAt != nil)
        // A different seed is recorded (and may give other personas).
        let other = try ModelFile.read(from: URL(fileURLWithPath: try w.train("other.json", ["--seed", "8"])))
        #expect(other.training.configuration.seed == 8)
    }

    @Test("--threads 1 and --threads 2 give identical models and assignments")
    func threadCountDoesNotMatter() throws {
        // More rows than one parallel chunk (4096), so that two threads really split the work.
        let w = try SampleWorkspace(customers: 9000)
        var models = [String](), assignments = [String]()
        for threads in ["1", "2"] {
            let model = w.scratch.path("m\(threads).json"), a = w.scratch.path("a\(threads).csv")
            try runPersona(["train", "--data", w.periodOne, "--k", "4", "--restarts", "2", "--threads", threads,
                            "--assignments", a, "--out", model, "-q"])
            models.append(model)
            assignments.append(a)
        }
        let one = try ModelFile.read(from: URL(fileURLWithPath: models[0]))
        let two = try ModelFile.read(from: URL(fileURLWithPath: models[1]))
        #expect(one.personas.map(\.centroid) == two.personas.map(\.centroid))
        #expect(try modelJSONWithoutCreatedAt(models[0]) == modelJSONWithoutCreatedAt(models[1]))
        #expect(try bytes(assignments[0]) == bytes(assignments[1]))

        // assign, too.
        let assigned1 = w.scratch.path("assigned1.csv"), assigned2 = w.scratch.path("assigned2.csv")
        try runPersona(["assign", "--model", models[0], "--data", w.periodTwo, "--out", assigned1, "--threads", "1", "-q"])
        try runPersona(["assign", "--model", models[0], "--data", w.periodTwo, "--out", assigned2, "--threads", "2", "-q"])
        #expect(try bytes(assigned1) == bytes(assigned2))
    }

    @Test("period 2 can be assigned with the model of period 1")
    func assignSecondPeriod() throws {
        let w = try SampleWorkspace()
        let model = try w.train("m.json")
        let out = w.scratch.path("q2-assignments.csv")
        try runPersona(["assign", "--model", model, "--data", w.periodTwo, "--out", out, "-q"])
        let q2 = try readCSV(w.periodTwo)
        let assignments = try readCSV(out)
        #expect(assignments.columnNames == AssignmentsFile.header(idColumn: "customer_id"))
        #expect(assignments.column(named: "customer_id") == q2.column(named: "customer_id"))
        let ids = Set(try ModelFile.read(from: URL(fileURLWithPath: model)).personas.map(\.id))
        let assigned = try #require(assignments.column(named: "persona")).map { Int($0) }
        #expect(assigned.allSatisfy { $0.map(ids.contains) == true })

        // And the report of period 2 with the period-1 model.
        let reportDir = w.scratch.path("q2-report")
        try runPersona(["report", "--model", model, "--data", w.periodTwo, "--out-dir", reportDir, "-q"])
        let sizes = try PersonasReport(reportDir + "/personas.csv").numbers("size")
        #expect(sizes.reduce(0, +) == Double(q2.rowCount))
    }

    @Test("training options give k personas", arguments: [
        ["--scaling", "none"], ["--balance-groups"], ["--scaling", "none", "--balance-groups"],
    ])
    func trainingOptions(_ options: [String]) throws {
        let w = try SampleWorkspace()
        let path = w.scratch.path("m.json"), a = w.scratch.path("a.csv")
        try runPersona(["train", "--data", w.periodOne, "--k", "4", "--out", path, "--assignments", a, "-q"] + options)
        let model = try ModelFile.read(from: URL(fileURLWithPath: path))
        #expect(model.personas.count == 4)
        #expect(model.personas.map(\.id) == [1, 2, 3, 4])
        #expect(model.personas.allSatisfy { $0.size > 0 })
        #expect(try readCSV(a).rowCount == w.customers)
        // The option changes the model compared with the default.
        let plain = try ModelFile.read(from: URL(fileURLWithPath: try w.train("plain.json")))
        #expect(plain.encoder != model.encoder, "\(options) made no difference to the encoder")
    }

    @Test("train --schema with the written schema gives the inferred model")
    func schemaRoundTrip() throws {
        let w = try SampleWorkspace()
        let schema = w.scratch.path("s.json")
        try runPersona(["schema", "--data", w.periodOne, "--out", schema])
        let inferred = try w.train("inferred.json")
        let declared = try w.train("declared.json", ["--schema", schema])
        let a = try ModelFile.read(from: URL(fileURLWithPath: inferred))
        let b = try ModelFile.read(from: URL(fileURLWithPath: declared))
        #expect(a.personas.map(\.centroid) == b.personas.map(\.centroid))
        #expect(a.schema == b.schema)
        #expect(try modelJSONWithoutCreatedAt(inferred) == modelJSONWithoutCreatedAt(declared))
        // The schema command writes what `sample` wrote for the same data.
        #expect(try bytes(schema) == bytes(w.schema))
    }
}
