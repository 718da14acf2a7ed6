// libFuzzer harness for the CSV reader and what reads its tables: the whole-buffer reader
// (`CSVReader.parse`), the streaming reader (`CSVStreamReader`) with a tiny, a small and the
// default chunk size, then schema inference, customer data, the encoder and a small training
// run on the parsed table, and the batch-wise path of `CustomerFile`.
//
// Invariants checked (a violation is reported as a crash):
// - the streaming reader, whatever its chunk size, gives the whole-buffer reader's header and
//   cells, or the same error;
// - inferring a schema from a table and surveying the file in batches give the same schema;
// - encoded values are finite, and a trained model survives a round trip through its file
//   format.
//
// Build and run: Fuzz/run.sh CSVReader [seconds].

import Foundation
import PersonaIO
import PersonaKit

/// The scratch file the path-based readers read (one per process).
let scratch = URL(fileURLWithPath: NSTemporaryDirectory())
    .appendingPathComponent("persona-fuzz-csv-\(ProcessInfo.processInfo.processIdentifier).csv")

struct Table: Equatable {
    var header: [String]
    var rows: [[String]]
}

func wholeRead(_ bytes: [UInt8]) -> Result<(Table, RawTable), CSVError> {
    do throws(CSVError) {
        let table = try CSVReader.parse(bytes, file: "fuzz.csv")
        let rows = (0..<table.rowCount).map { r in table.columns.map { $0[r] } }
        return .success((Table(header: table.columnNames, rows: rows), table))
    } catch {
        return .failure(error)
    }
}

func streamRead(chunkSize: Int) -> Result<Table, CSVError> {
    do throws(CSVError) {
        let reader = try CSVStreamReader(contentsOf: scratch, displayName: "fuzz.csv", chunkSize: chunkSize)
        var rows = [[String]]()
        while let batch = try reader.nextBatch() {
            precondition(batch.count > 0, "a batch holds at least one record")
            for r in 0..<batch.count {
                rows.append((0..<reader.header.count).map { batch.text(row: r, column: $0) })
                for c in 0..<reader.header.count {
                    _ = batch.number(row: r, column: c)
                    _ = batch.trimmedText(row: r, column: c)
                }
            }
        }
        return .success(Table(header: reader.header, rows: rows))
    } catch {
        return .failure(error)
    }
}

func describe<T>(_ result: Result<T, CSVError>) -> String {
    switch result {
    case .success(let value): "success \(value)"
    case .failure(let error): "error \(error)"
    }
}

/// The data path of `persona train` on a parsed table.
func exerciseData(_ table: RawTable) {
    guard let first = table.columnNames.first else { return }
    let idColumn = table.columnNames.contains("customer_id") ? "customer_id" : first
    let weightColumn = table.columnNames.first { $0 == "weight" && $0 != idColumn }
    let inferred: PersonaSchema
    do { inferred = try PersonaSchema.infer(from: table, idColumn: idColumn, weightColumn: weightColumn) } catch { return }
    // Inference may leave no segment attribute (validation says so); the steps below must
    // still fail cleanly on such a schema.
    _ = try? inferred.validate()

    // The batch-wise path (survey, then typed rows) must infer the same schema.
    var file = CustomerFile(url: scratch, displayName: "fuzz.csv")
    file.idColumn = idColumn
    file.weightColumn = weightColumn
    file.chunkSize = 16
    if let customers = try? file.readAll(unknownCategories: .reject, threads: 1) {
        precondition(customers.schema == inferred, "batch survey and table inference disagree:\n\(customers.schema)\n\(inferred)")
    }

    let data: CustomerData
    do { data = try CustomerData(table: table, schema: inferred) } catch { return }
    let encoder: FeatureEncoder
    let matrix: FeatureMatrix
    do {
        encoder = try FeatureEncoder(fitting: data)
        matrix = try encoder.transform(data)
    } catch { return }
    matrix.withValues { values in
        for i in 0..<(matrix.rows * matrix.columns) where !values[i].isFinite {
            fatalError("encoded value \(values[i]) at row \(i / matrix.columns), column \(i % matrix.columns)")
        }
    }
    guard data.count >= 2, data.count <= 200 else { return }
    let options = TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 2, restarts: 1, maxIterations: 20, threads: 1))
    guard let trained = try? PersonaModel.train(data, options: options, createdAt: "2026-01-01T00:00:00Z") else { return }
    let model = trained.model
    let bytes: Data
    do { bytes = try ModelFile.encode(model) } catch { fatalError("a trained model does not encode: \(error)") }
    let decoded: PersonaModel
    do { decoded = try ModelFile.decode(bytes, file: "model.json") } catch { fatalError("a trained model does not decode: \(error)") }
    if let assignments = try? decoded.assign(table: table, threads: 1) {
        precondition(assignments.count == table.rowCount, "one assignment per row")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = wholeRead(bytes)
    let wholeTable = whole.map(\.0)
    do { try Data(bytes).write(to: scratch) } catch { fatalError("cannot write \(scratch.path): \(error)") }
    for chunkSize in [1, 7, 64, 1 << 18] {
        let streamed = streamRead(chunkSize: chunkSize)
        if streamed != wholeTable {
            fatalError("chunk size \(chunkSize): the stream reader gives \(describe(streamed)), the whole-file reader \(describe(wholeTable))")
        }
    }
    if case .success(let (_, table)) = whole { exerciseData(table) }
    return 0
}
