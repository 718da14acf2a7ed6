import PersonaKit
import TestSupport
import Testing

/// One model shared by many tasks at once (Swift concurrency), each assigning — with the
/// model's own worker threads inside — must give exactly what one task gives. Run under the
/// thread sanitizer too (see `Docs/Assignment.md`, "Thread safety").
@Suite("concurrent assignment")
struct ConcurrentAssignmentTests {
    /// Fails to compile if a type that tasks share is not `Sendable`.
    static func requireSendable<T: Sendable>(_: T.Type) {}

    static func shared() throws -> (model: PersonaModel, table: RawTable, data: CustomerData, matrix: FeatureMatrix) {
        // Three assignment chunks' worth of rows (4096 each), so the kernel uses worker threads.
        let table = PersonaModelTests.customers(n: 9_000, seed: 3)
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let model = try PersonaModel.train(data, options: TrainingOptions(
            kmeans: KMeansConfiguration(clusterCount: 4, restarts: 1, seed: 8), projectionComponents: 0)).model
        let read = try model.read(table)
        return (model, table, read, try model.encoder.transform(read))
    }

    @Test("48 tasks assigning with one shared model, through every entry point and thread count, agree with a single call")
    func manyTasks() async throws {
        Self.requireSendable(PersonaModel.self)
        Self.requireSendable(FeatureEncoder.self)
        Self.requireSendable(FeatureMatrix.self)
        Self.requireSendable(CustomerData.self)
        Self.requireSendable(RawTable.self)
        Self.requireSendable(PersonaAssignment.self)

        let (model, table, data, matrix) = try Self.shared()
        let expected = model.assign(matrix, threads: 1)
        #expect(try model.assign(table: table, threads: 1) == expected)

        let tasks = 48
        let results = try await withThrowingTaskGroup(of: (Int, Range<Int>, [PersonaAssignment]).self) { group in
            for t in 0..<tasks {
                group.addTask {
                    let all = 0..<matrix.rows
                    switch t % 6 {
                    case 0: return (t, all, model.assign(matrix))                       // every core
                    case 1: return (t, all, model.assign(matrix, threads: 1 + t % 3))
                    case 2: return (t, all, try model.assign(data, threads: 2))         // encodes too
                    case 3: return (t, all, try model.assign(table: table))             // reads, encodes
                    case 4:
                        // A slice of its own, so tasks also assign different rows at once.
                        let start = (t * 997) % matrix.rows, end = min(matrix.rows, start + 1 + (t * 3_001) % 5_000)
                        return (t, start..<end, model.assign(matrix.selecting(rows: start..<end)))
                    default:
                        let copy = model   // a copy shares storage with the original
                        return (t, all, copy.assign(matrix, threads: 3))
                    }
                }
            }
            var results = [(Int, Range<Int>, [PersonaAssignment])]()
            for try await result in group { results.append(result) }
            return results
        }
        #expect(results.count == tasks)
        for (t, rows, assignments) in results {
            #expect(assignments == Array(expected[rows]), "task \(t) disagrees with a single call")
        }
    }
}
