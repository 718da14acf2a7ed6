// libFuzzer harness for the model loader: `ModelFile.decode` (JSON, format version, then
// `PersonaModel.validate()`), as `persona assign`, `report`, `retrain` and `map` load a
// model. A model that loads is then used: a few rows that fit its schema are read, encoded
// and assigned (one assignment per row, with a valid persona), profiled, projected onto its
// persona map, retrained on them (warm and fresh), and the model survives a round trip
// through its file format.
//
// Build and run: Fuzz/run.sh ModelLoader [seconds].

import Foundation
import PersonaIO
import PersonaKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    let model: PersonaModel
    do { model = try ModelFile.decode(bytes, file: "model.json") } catch {
        _ = error.description
        return 0
    }

    let written: Data
    do { written = try ModelFile.encode(model) } catch { fatalError("a loaded model does not encode: \(error)") }
    do { _ = try ModelFile.decode(written, file: "model.json") } catch {
        fatalError("a loaded model, written again, does not load: \(error)")
    }

    let table = SampleRows.table(for: model.schema)
    let ids = Set(model.personas.map(\.id))
    for policy in [UnknownCategoryPolicy.treatAsMissing, .reject] {
        guard let customers = try? model.read(table, unknownCategories: policy) else { continue }
        guard let matrix = try? model.encoder.transform(customers) else { continue }
        let assignments = model.assign(matrix, threads: 1)
        precondition(assignments.count == table.rowCount, "one assignment per row")
        for assignment in assignments {
            precondition(ids.contains(assignment.persona), "assigned to an unknown persona \(assignment.persona)")
        }
        _ = PersonaProfiles.compute(customers, personas: assignments.map(\.persona), order: model.personas.map(\.id))
        if let projection = model.projection {
            matrix.withValues { values in
                for r in 0..<matrix.rows {
                    _ = projection.project(Array(UnsafeBufferPointer(start: values + r * matrix.columns, count: matrix.columns)))
                }
            }
            for persona in model.personas { _ = projection.project(persona.centroid) }
        }
        for c in 0..<model.encoder.width { _ = model.encoder.decode(0.5, column: c) }
    }

    // `persona retrain --previous` on the same rows. The work a retrain does grows with the
    // k-means settings the model records (restarts, iterations, seeding trials), which are the
    // user's to choose like `train --restarts`: they are kept modest here so that a slow input
    // is a real hang, not a requested one.
    let c = model.training.configuration
    guard c.restarts <= 8, (c.maxIterations ?? 0) <= 1000, (c.seedingTrials ?? 0) <= 16 else { return 0 }
    if let customers = try? model.read(table, profiles: false) {
        let options = RetrainingOptions(clusterCount: min(2, model.personas.count), threads: 1)
        for start in [RetrainingStart.warm, .fresh] {
            var options = options
            options.start = start
            if let retrained = try? PersonaModel.retrain(previous: model, data: customers, previousAssignments: nil,
                                                        options: options, createdAt: "2026-01-01T00:00:00Z") {
                do { try retrained.model.validate() } catch { fatalError("a retrained model does not validate: \(error)") }
            }
        }
    }
    return 0
}
