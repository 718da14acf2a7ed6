import Foundation
import PersonaIO
import PersonaKit
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
}
