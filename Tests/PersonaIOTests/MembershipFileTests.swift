import Foundation
import PersonaIO
import PersonaKit
import TestSupport
import Testing

// The membership spread in model files, and the membership columns of the assignment CSV.

@Suite("memberships in model and assignment files")
struct MembershipFileTests {
    /// The model file as a JSON object.
    static func json(_ model: PersonaModel) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: ModelFile.encode(model)) as? [String: Any])
    }

    @Test("σ² is written under training.membershipVariance and reads back bit for bit")
    func roundTrip() throws {
        let model = try MembershipFixture.model()
        let training = try #require(try Self.json(model)["training"] as? [String: Any])
        let written = try #require(training["membershipVariance"] as? Double)
        #expect(abs(written - 0.8) < 1e-12)   // 4 / (5 × 1), see MembershipFixture
        let decoded = try ModelFile.decode(try ModelFile.encode(model), file: "m.json")
        #expect(decoded.training.membershipVariance == model.training.membershipVariance)
        #expect(try decoded.membershipScale() == model.membershipScale())
    }

    @Test("a model file written before σ² was recorded still decodes; its memberships estimate σ² (π/3 here)")
    func oldModel() throws {
        let model = try MembershipFixture.model()
        var json = try Self.json(model)
        var training = try #require(json["training"] as? [String: Any])
        training.removeValue(forKey: "membershipVariance")
        json["training"] = training
        let old = try ModelFile.decode(try JSONSerialization.data(withJSONObject: json), file: "old.json")
        #expect(old.training.membershipVariance == nil)
        #expect(old.personas == model.personas)
        let scale = try old.membershipScale()
        #expect(scale.source == .personaDistances)
        #expect(abs(scale.variance - Double.pi / 3) < 1e-12)
        // Written again, it stays without the field.
        let again = try #require(try Self.json(old)["training"] as? [String: Any])
        #expect(again["membershipVariance"] == nil)
    }

    @Test("a negative σ² in a model file is refused on load", arguments: [-0.5, -1e-300])
    func negative(_ value: Double) throws {
        let model = try MembershipFixture.model()
        var json = try Self.json(model)
        var training = try #require(json["training"] as? [String: Any])
        training["membershipVariance"] = value
        json["training"] = training
        let data = try JSONSerialization.data(withJSONObject: json)
        #expect(throws: ModelFileError.self) { try ModelFile.decode(data, file: "m.json") }
        do { _ = try ModelFile.decode(data, file: "m.json") } catch {
            #expect(error.description.contains("membershipVariance"))
        }
    }

    @Test("the assignment CSV gains membership_<id> columns after the existing ones; the rest is unchanged")
    func assignmentColumns() throws {
        let model = try MembershipFixture.model()
        let table = RawTable(columnNames: ["customer_id", "finance_x"], rows: [["p", "5.5"], ["q", "6"], ["r", "0"]])
        let data = try model.read(table)
        let matrix = try model.encoder.transform(data)
        let assignments = model.assign(matrix)
        let memberships = try model.memberships(matrix)
        let plain = AssignmentsFile.render(ids: data.ids, assignments: assignments, model: model)
        let soft = AssignmentsFile.render(ids: data.ids, assignments: assignments, model: model, memberships: memberships)
        let plainRows = try CSVReader.parse(plain, file: "plain.csv")
        let rows = try CSVReader.parse(soft, file: "soft.csv")
        #expect(rows.columnNames == plainRows.columnNames + ["membership_1", "membership_2"])
        for (c, column) in plainRows.columns.enumerated() { #expect(rows.columns[c] == column) }
        // Hand-worked (see MembershipTests): x = 5.5 is 0.9980732653366725 persona 1; x = 6 is
        // halfway; x = 0 is at d² 1 and 121 from the centres, exponent −120 / 1.6 = −75.
        let m1 = rows.columns[7].map { Double($0)! }, m2 = rows.columns[8].map { Double($0)! }
        #expect(abs(m1[0] - 0.9980732653366725) < 1e-12 && abs(m2[0] - 0.0019267346633274755) < 1e-12)
        #expect(m1[1] == 0.5 && m2[1] == 0.5)
        #expect(abs(m2[2] / exp(-75) - 1) < 1e-12 && m1[2] == 1)
        // The cells are the memberships, exactly.
        #expect(zip(m1, m2).map { [$0, $1] }.flatMap { $0 } == memberships.values)
    }

    @Test("a batch job with a membership scale writes the columns render writes")
    func batchJob() throws {
        let model = try MembershipFixture.model()
        let text = "customer_id,finance_x\np,5.5\nq,6\nr,0\n"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("membership-batch-\(UUID().uuidString).csv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try CSVStreamReader(contentsOf: url)
        let job = AssignmentsFile.BatchJob(model: model, idColumn: nil, policy: .treatAsMissing, file: "c.csv", keepRows: false,
                                           membershipScale: try model.membershipScale())
        var bytes = [UInt8]()
        try reader.forEachBatch(workers: 1, transform: { batch in try job.run(batch) }) { (_, piece: AssignmentsFile.BatchJob.Piece) in
            if bytes.isEmpty { bytes += piece.header }
            bytes += piece.bytes
        }
        let table = RawTable(columnNames: ["customer_id", "finance_x"], rows: [["p", "5.5"], ["q", "6"], ["r", "0"]])
        let data = try model.read(table)
        let matrix = try model.encoder.transform(data)
        let expected = AssignmentsFile.render(ids: data.ids, assignments: model.assign(matrix), model: model,
                                              memberships: try model.memberships(matrix))
        #expect(bytes == expected)
    }
}
