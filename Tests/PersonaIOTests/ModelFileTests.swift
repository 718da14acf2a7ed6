import Foundation
import PersonaIO
import PersonaKit
import PersonaSynthetic
import TestSupport
import Testing

@Suite("model files")
struct ModelFileTests {
    static func model() throws -> (PersonaModel, RawTable, [PersonaAssignment]) {
        let table = SyntheticCustomers(configuration: .init(customerCount: 400, seed: 5)).firstPeriod().table
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let trained = try PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 4, seed: 2)),
                                             dataHash: "fnv1a64:0", createdAt: "2026-01-01T00:00:00Z")
        return (trained.model, table, trained.assignments)
    }

    @Test("a model round-trips through its file exactly and assigns as training did")
    func roundTrip() throws {
        let (model, table, assignments) = try Self.model()
        let data = try ModelFile.encode(model)
        let decoded = try ModelFile.decode(data, file: "m.json")
        #expect(decoded == model)
        #expect(try decoded.assign(table: table) == assignments)
        #expect(try ModelFile.encode(decoded) == data)   // stable bytes
    }

    @Test("a newer format version is refused with both versions named")
    func newerVersion() throws {
        let (model, _, _) = try Self.model()
        var json = try #require(try JSONSerialization.jsonObject(with: ModelFile.encode(model)) as? [String: Any])
        json["formatVersion"] = PersonaModel.formatVersion + 1
        let data = try JSONSerialization.data(withJSONObject: json)
        #expect(throws: ModelFileError.newerFormat(file: "m.json", found: 2, supported: 1)) {
            try ModelFile.decode(data, file: "m.json")
        }
        #expect(ModelFileError.newerFormat(file: "m.json", found: 2, supported: 1).description.contains("upgrade"))
    }

    @Test("corrupted files are refused, never half-used", arguments: ["", "not json", "{\"formatVersion\": 1", "{}", "[1, 2]"])
    func corrupted(text: String) {
        #expect(throws: ModelFileError.self) { try ModelFile.decode(Data(text.utf8), file: "m.json") }
    }

    @Test("an inconsistent model (a centroid of the wrong width) is refused")
    func inconsistent() throws {
        let (model, _, _) = try Self.model()
        var json = try #require(try JSONSerialization.jsonObject(with: ModelFile.encode(model)) as? [String: Any])
        var personas = try #require(json["personas"] as? [[String: Any]])
        personas[0]["centroid"] = [0.5, 1.5]
        json["personas"] = personas
        let data = try JSONSerialization.data(withJSONObject: json)
        #expect(throws: ModelFileError.self) { try ModelFile.decode(data, file: "m.json") }
        do {
            _ = try ModelFile.decode(data, file: "m.json")
        } catch {
            #expect(error.description.contains("persona 1 has 2 centroid values"))
        }
    }

    @Test("writing is atomic: the file is complete and no temporary file is left")
    func atomicWrite() throws {
        let (model, _, _) = try Self.model()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("persona-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.json")
        try ModelFile.write(model, to: url)
        try ModelFile.write(model, to: url)
        #expect(try ModelFile.read(from: url) == model)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.json"])
    }
}
