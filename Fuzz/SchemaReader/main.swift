// libFuzzer harness for the schema reader: the JSON decoding `persona train --schema` does,
// then `PersonaSchema.validate()`. A schema that validates is then used: it survives a round
// trip through `SchemaFile.encode`, completes a survey of a few rows that fit it, reads them
// into customer data, fits an encoder and encodes them (values must be finite), and trains a
// two-persona model on them.
//
// Build and run: Fuzz/run.sh SchemaReader [seconds].

import Foundation
import PersonaIO
import PersonaKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let schema = try? JSONDecoder().decode(PersonaSchema.self, from: bytes) else { return 0 }
    _ = schema.attributes.map(\.label)
    do { try schema.validate() } catch {
        _ = error.description
        return 0
    }

    // Written and read back, a valid schema is the same schema.
    let written: Data
    do { written = try SchemaFile.encode(schema) } catch { fatalError("a valid schema does not encode: \(error)") }
    do {
        let reread = try JSONDecoder().decode(PersonaSchema.self, from: written)
        precondition(reread == schema, "the schema changed in a round trip:\n\(schema)\n\(reread)")
    } catch { fatalError("an encoded schema does not decode: \(error)") }

    // Used as `persona train --schema` uses it.
    let table = SampleRows.table(for: schema)
    let completed: PersonaSchema
    do {
        var survey = try DataSurvey(columnNames: table.columnNames, declared: schema)
        try survey.add(table)
        for column in survey.columnsNeedingNumericTexts { try survey.addNumericTexts(table, column: column) }
        completed = try survey.schema()
    } catch { return 0 }
    let customers: CustomerData
    let matrix: FeatureMatrix
    do {
        customers = try CustomerData(table: table, schema: completed)
        matrix = try FeatureEncoder(fitting: customers).transform(customers)
    } catch { return 0 }
    matrix.withValues { values in
        for i in 0..<(matrix.rows * matrix.columns) where !values[i].isFinite {
            fatalError("encoded value \(values[i]) at row \(i / matrix.columns), column \(i % matrix.columns)")
        }
    }
    let options = TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 2, restarts: 1, maxIterations: 20, threads: 1))
    if let trained = try? PersonaModel.train(customers, options: options, createdAt: "2026-01-01T00:00:00Z") {
        do { _ = try ModelFile.decode(try ModelFile.encode(trained.model), file: "model.json") } catch {
            fatalError("a trained model does not survive its file format: \(error)")
        }
    }
    return 0
}
