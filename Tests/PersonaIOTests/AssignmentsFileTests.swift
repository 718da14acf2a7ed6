import Foundation
import PersonaIO
import PersonaKit
import PersonaSynthetic
import TestSupport
import Testing

@Suite("assignment files")
struct AssignmentsFileTests {
    /// A small trained model and `count` made-up assignments over its personas.
    static func fixture(count: Int) throws -> (PersonaModel, [String], [PersonaAssignment]) {
        let table = SyntheticCustomers(configuration: .init(customerCount: 400, seed: 5)).firstPeriod().table
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let model = try PersonaModel.train(data, options: TrainingOptions(clusterCount: 4)).model
        var rng = SeededGenerator(seed: 11)
        let ids = (0..<count).map { "c\($0), \"quoted\"" }
        let assignments = (0..<count).map { r -> PersonaAssignment in
            let persona = model.personas[Int.random(in: 0..<4, using: &rng)].id
            let distance = Double.random(in: 0..<9, using: &rng)
            let runnerUp = r % 7 == 0 ? nil : model.personas.first { $0.id != persona }!.id
            return PersonaAssignment(persona: persona, distance: distance, runnerUp: runnerUp,
                                     runnerUpDistance: runnerUp == nil ? nil : distance + Double(r % 5),
                                     isOutlier: r % 11 == 0)
        }
        return (model, ids, assignments)
    }

    @Test("formatting in pieces on several cores gives the bytes one thread writes, with and without the header",
          arguments: [1, 32_768, 32_769, 100_001])
    func piecesJoinToTheSequentialBytes(count: Int) throws {
        let (model, ids, assignments) = try Self.fixture(count: count)
        for includeHeader in [true, false] {
            let one = AssignmentsFile.render(ids: ids, assignments: assignments, model: model, includeHeader: includeHeader, threads: 1)
            for threads in [2, 3, 8] {
                let many = AssignmentsFile.render(ids: ids, assignments: assignments, model: model,
                                                  includeHeader: includeHeader, threads: threads)
                #expect(many == one, "\(threads) threads, header \(includeHeader)")
            }
            // Every row is there, in order, and reads back.
            let text = String(decoding: one, as: UTF8.self)
            let table = try CSVReader.parse(includeHeader ? text : AssignmentsFile.header(idColumn: "customer_id").joined(separator: ",") + "\n" + text,
                                            file: "assignments.csv")
            #expect(table.rowCount == count)
            #expect(table.columns[0] == ids)
            #expect(table.column(named: "persona")! == assignments.map { String($0.persona) })
        }
    }

    @Test("staging the pieces writes the file render gives, byte for byte")
    func stagedPiecesAreTheRenderedFile() throws {
        let (model, ids, assignments) = try Self.fixture(count: 70_000)
        let pieces = AssignmentsFile.renderPieces(ids: ids, assignments: assignments, model: model, threads: 3)
        #expect(pieces.count == 3)   // 32,768 rows per piece
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("a.csv")
        var outputs = OutputSet()
        try outputs.stage(pieces: pieces, at: url)
        try outputs.commit()
        #expect(try AtomicFile.readBytes(at: url) == AssignmentsFile.render(ids: ids, assignments: assignments, model: model, threads: 1))
    }

    @Test("read gives back every identifier's persona and distance as written; bad files are named with row and column")
    func readBack() throws {
        let (model, ids, assignments) = try Self.fixture(count: 500)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assignments-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("a.csv")
        try AssignmentsFile.write(ids: ids, assignments: assignments, model: model, to: url)
        let members = try AssignmentsFile.read(contentsOf: url)
        #expect(members.personas.count == ids.count)
        for (id, assignment) in zip(ids, assignments) {
            #expect(members.personas[id] == assignment.persona)
            #expect(members.distances?[id] == assignment.distance, "the shortest round-trip text reads back exactly")
        }

        let cases: [(String, [String])] = [
            ("id,name\nA,x\n", ["bad.csv", "not an assignment file"]),
            ("id,persona\nA,1\nB,two\n", ["bad.csv", "row 3", "'persona'", "'two'"]),
            ("id,persona\nA,1\nA,2\n", ["bad.csv", "row 3", "'id'", "'A'", "twice"]),
        ]
        for (text, fragments) in cases {
            let bad = directory.appendingPathComponent("bad.csv")
            try Data(text.utf8).write(to: bad)
            #expect {
                _ = try AssignmentsFile.read(contentsOf: bad)
            } throws: { error in
                let message = "\(error)"
                return fragments.allSatisfy { message.contains($0) }
            }
        }
        // Without a distance column there are no distances.
        let plain = directory.appendingPathComponent("plain.csv")
        try Data("id,persona\nA,1\nB,2\n".utf8).write(to: plain)
        #expect(try AssignmentsFile.read(contentsOf: plain) == AssignmentsFile.Members(personas: ["A": 1, "B": 2], distances: nil))
    }

    @Test("the batch job, run on every batch of a streamed file, writes the file render writes for the whole", arguments: [512, 1 << 16])
    func batchJobJoinsToTheWholeFile(chunkSize: Int) throws {
        let table = SyntheticCustomers(configuration: .init(customerCount: 700, seed: 8)).firstPeriod().table
        let schema = try PersonaSchema.infer(from: table)
        let model = try PersonaModel.train(try CustomerData(table: table, schema: schema), options: TrainingOptions(clusterCount: 3)).model
        var writer = CSVWriter(header: table.columnNames)
        for r in 0..<table.rowCount { writer.appendRow(table.row(r)) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("batch-job-\(UUID().uuidString).csv")
        try AtomicFile.write(writer.bytes, to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let job = AssignmentsFile.BatchJob(model: model, idColumn: nil, policy: .treatAsMissing, file: "c.csv", keepRows: true)
        let reader = try CSVStreamReader(contentsOf: url, chunkSize: chunkSize)
        var bytes = [UInt8](), pieces = 0, records = [(String, Int, Double)]()
        while let batch = try reader.nextBatch() {
            let piece = try job.run(batch)
            if pieces == 0 { bytes += piece.header }
            bytes += piece.bytes
            records += piece.records
            pieces += 1
        }
        let customers = try model.read(table)
        let assignments = try model.assign(customers)
        #expect(bytes == AssignmentsFile.render(ids: customers.ids, assignments: assignments, model: model))
        #expect(records.map(\.1) == assignments.map(\.persona) && records.map(\.0) == customers.ids)
        if chunkSize == 512 { #expect(pieces > 10) }
    }
}
