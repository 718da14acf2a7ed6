import Foundation
import PersonaIO
import PersonaKit
import Testing

/// The inputs of `Fuzz/`: the seed corpora and every input that once crashed, hung or
/// allocated without bound (`Fuzz/Regressions/<harness>/`). Each must give a result or a clear
/// error; the named tests pin the error of each fixed bug.
@Suite("fuzzing regressions")
struct FuzzRegressionTests {
    static let fuzz = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The files of `Fuzz/<kind>/<harness>/`, by name.
    static func inputs(_ kind: String, _ harness: String) -> [String] {
        let directory = fuzz.appendingPathComponent(kind).appendingPathComponent(harness)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(kind)/\(harness)/\($0)" }
    }

    static func bytes(_ input: String) throws -> Data {
        try Data(contentsOf: fuzz.appendingPathComponent(input))
    }

    static let csvInputs = inputs("Corpus", "CSVReader") + inputs("Regressions", "CSVReader")
    static let schemaInputs = inputs("Corpus", "SchemaReader") + inputs("Regressions", "SchemaReader")
    static let modelInputs = inputs("Corpus", "ModelLoader") + inputs("Regressions", "ModelLoader")

    @Test("the fuzzing inputs are in place")
    func inputsPresent() {
        #expect(Self.csvInputs.count >= 10)
        #expect(Self.schemaInputs.count >= 5)
        #expect(Self.modelInputs.count >= 4)
    }

    // MARK: - CSV reader

    /// The whole-buffer reader's header and cells, or its error.
    static func whole(_ bytes: Data) -> Result<[[String]], CSVError> {
        Result { () throws(CSVError) in
            let table = try CSVReader.parse(bytes, file: "fuzz.csv")
            return [table.columnNames] + (0..<table.rowCount).map { r in table.columns.map { $0[r] } }
        }
    }

    /// The stream reader's header and cells, or its error.
    static func streamed(_ url: URL, chunkSize: Int) -> Result<[[String]], CSVError> {
        Result { () throws(CSVError) in
            let reader = try CSVStreamReader(contentsOf: url, displayName: "fuzz.csv", chunkSize: chunkSize)
            var rows = [reader.header]
            while let batch = try reader.nextBatch() {
                for r in 0..<batch.count { rows.append((0..<reader.header.count).map { batch.text(row: r, column: $0) }) }
            }
            return rows
        }
    }

    @Test("CSV inputs: the stream reader agrees with the whole-file reader at every chunk size", arguments: csvInputs)
    func csvReadersAgree(input: String) throws {
        let url = Self.fuzz.appendingPathComponent(input)
        let expected = Self.whole(try Self.bytes(input))
        for chunkSize in [1, 2, 7, 64, 1 << 18] {
            #expect(Self.streamed(url, chunkSize: chunkSize) == expected, "chunk size \(chunkSize)")
        }
        // What reads a table read as the CLI does: errors, never a crash.
        if case .success = expected {
            let table = try CSVReader.parse(try Self.bytes(input), file: "fuzz.csv")
            let idColumn = table.columnNames.contains("customer_id") ? "customer_id" : table.columnNames[0]
            if let schema = try? PersonaSchema.infer(from: table, idColumn: idColumn),
               let data = try? CustomerData(table: table, schema: schema),
               let encoder = try? FeatureEncoder(fitting: data) {
                let matrix = try encoder.transform(data)
                #expect(matrix.rows == table.rowCount)
            }
        }
    }

    @Test("CSV: a record far longer than a chunk is read in linear time")
    func longRecordIsLinear() throws {
        // An unterminated quote at the start of a 1 MB file, read one byte at a time: the
        // reader must reach the end to report it. Growing the buffer one chunk at a time and
        // copying and rescanning it after every read took O(n²/chunk) ≈ 10¹² byte steps (hours);
        // growing it geometrically takes O(n) (milliseconds). The clock runs over the reads
        // only: with the whole suite on two cores, a test may wait long before it runs.
        let clock = ContinuousClock(), start = clock.now
        defer { #expect(start.duration(to: clock.now) < .seconds(60)) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-long-record-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        var bytes = Array("customer_id,note\n1,\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        try Data(bytes).write(to: url)
        #expect(throws: CSVError.unterminatedQuote(file: "long.csv", row: 2)) {
            let reader = try CSVStreamReader(contentsOf: url, displayName: "long.csv", chunkSize: 1)
            while try reader.nextBatch() != nil {}
        }
        // The same for a header row longer than a chunk.
        let header = Array("customer_id,".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20) + Array("\n1,2\n".utf8)
        try Data(header).write(to: url)
        let reader = try CSVStreamReader(contentsOf: url, displayName: "long.csv", chunkSize: 1)
        #expect(reader.header.count == 2)
        #expect(try reader.nextBatch()?.count == 1)
    }

    // MARK: - Schema reader

    @Test("schema inputs: decoded and validated, or refused with a clear error", arguments: schemaInputs)
    func schemaInput(input: String) throws {
        let data = try Self.bytes(input)
        let schema: PersonaSchema
        do { schema = try JSONDecoder().decode(PersonaSchema.self, from: data) } catch {
            #expect(!ModelFile.brief(error).isEmpty)
            return
        }
        do throws(PersonaDataError) { try schema.validate() } catch {
            #expect(!error.description.isEmpty)
            return
        }
        let reread = try JSONDecoder().decode(PersonaSchema.self, from: try SchemaFile.encode(schema))
        #expect(reread == schema)
    }

    // MARK: - Model loader

    @Test("model inputs: loaded and usable, or refused with a clear error", arguments: modelInputs)
    func modelInput(input: String) throws {
        let bytes = try Self.bytes(input)
        let model: PersonaModel
        do throws(ModelFileError) { model = try ModelFile.decode(bytes, file: "model.json") } catch {
            #expect(error.description.hasPrefix("model.json: "))
            return
        }
        #expect(try ModelFile.decode(try ModelFile.encode(model), file: "model.json") == model)
    }

    @Test("the seed models load")
    func seedModelsLoad() throws {
        for name in ["model-inferred.json", "model-declared-weighted.json"] {
            let model = try ModelFile.decode(try Self.bytes("Corpus/ModelLoader/\(name)"), file: name)
            #expect(model.nextPersonaID > model.personas.map(\.id).max()!)
        }
    }

    @Test("a model whose nextPersonaID would overflow is refused (retrain trapped counting on)")
    func nextPersonaIDOverflow() throws {
        let data = try Self.bytes("Regressions/ModelLoader/next-persona-id-overflow.json")
        #expect(throws: ModelFileError.corrupted(
            file: "m.json",
            reason: "nextPersonaID 9223372036854775807 is above the largest persona identifier, 2147483647")) {
            try ModelFile.decode(data, file: "m.json")
        }
    }

    @Test("a model whose nextPersonaID is already in use is refused (retrain could give two personas one identifier)")
    func nextPersonaIDReused() throws {
        let data = try Self.bytes("Regressions/ModelLoader/next-persona-id-reused.json")
        #expect(throws: ModelFileError.corrupted(
            file: "m.json", reason: "nextPersonaID 2 is not above the identifiers already used (up to 3)")) {
            try ModelFile.decode(data, file: "m.json")
        }
    }
}
