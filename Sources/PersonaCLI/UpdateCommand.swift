import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// `persona update`: move a model's centres towards a batch of customers.
struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Update a model's personas with a batch of customers, forgetting the past at a given rate.",
        discussion: """
        Assigns the batch with the model, then moves each persona's centre by the streaming \
        k-means rule c' = (c·n·a + Σx) / (n·a + m), n' = n·a + m, in encoded space: n is the \
        persona's weight in the model, m (and Σx) its batch customers', a the discount given \
        by --decay, or by --half-life in batches or customers (a = 0.5^(1/half-life)). The \
        encoder, persona identities and names stay as they are. The batch must have every \
        segment column of the model. See Docs/Drift.md, "Continuous updates".
        """
    )

    @Option(help: "Model file to update.")
    var model: String

    @Option(help: "Customer CSV of the batch.")
    var data: String

    @Option(help: "Where to write the updated model.")
    var out: String

    @Option(help: "Decay factor a in [0, 1]: past weights are multiplied by it once per batch (1 keeps everything, 0 forgets).")
    var decay: Double?

    @Option(help: "Half-life: past data counts half after this many time units (> 0).")
    var halfLife: Double?

    @Option(help: "The half-life's unit: batches (default) or customers.")
    var timeUnit: DecayTimeUnit?

    @Option(help: "Write what the update did to each persona (weights, shares, centre shift) to this CSV.")
    var updateOut: String?

    @Option(help: "Also write every batch customer's persona under the updated model to this CSV.")
    var assignments: String?

    @Flag(help: "Add one membership_<persona id> column per persona to the --assignments CSV (see Docs/Assignment.md).")
    var memberships = false

    @Flag(help: "Fail on a category the model was not trained on.")
    var strictCategories = false

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Record the run and every batch customer's persona under the updated model in this history file (SQLite).")
    var history: String?

    @OptionGroup var drift: DriftOptions
    @OptionGroup(title: "Customer file format") var dataFormat: CustomerFormatOptions

    @OptionGroup var progress: ProgressOptions

    mutating func validate() throws {
        switch (decay, halfLife) {
        case (nil, nil): throw ValidationError("give --decay A or --half-life N")
        case (.some, .some): throw ValidationError("give either --decay or --half-life, not both")
        default: break
        }
        if timeUnit != nil, halfLife == nil { throw ValidationError("--time-unit applies to --half-life only") }
        if let threads, threads < 1 { throw ValidationError("--threads \(threads): must be at least 1") }
        if memberships, assignments == nil { throw ValidationError("--memberships needs --assignments") }
    }

    /// The decay the options describe.
    var rate: UpdateDecay {
        if let halfLife { return .halfLife(halfLife, unit: timeUnit ?? .batches) }
        return .factor(decay!)
    }

    func run() throws {
        let driftFiles = drift.driftOut.map { dir in DriftReport.fileNames.map { "\(dir)/\($0)" } } ?? []
        let written = [out] + [updateOut, assignments, history].compactMap { $0 } + driftFiles
        try CommandSupport.checkDistinct(inputs: [model, data], outputs: written)
        for path in [out] + [updateOut, assignments].compactMap({ $0 }) { try CommandSupport.checkWritable(path) }
        if let dir = drift.driftOut { try CommandSupport.checkWritableDirectory(dir) }
        do { _ = try rate.discount(batchCustomers: 1) } catch {
            if case .invalidDecay(let name, let value, let expected) = error {
                throw CommandFailure("--\(name) \(value): must be \(expected)")
            }
            throw CommandFailure(error.description)
        }
        let previous = try CommandSupport.loadModel(model)
        let store = try history.map(HistorySupport.open)

        // The batch, read with the model's own schema: its segment columns, and its weight
        // column when the model was trained with weights.
        var schema = previous.schema
        schema.attributes.removeAll { $0.role != .segment }
        let customers = try RetrainCommand.read(data, schema: schema, dialect: dataFormat.dialect, threads: threads,
                                                unknownCategories: strictCategories ? .reject : .treatAsMissing)
        progress.say("read \(customers.count) customers from \(data)")

        let matrix: FeatureMatrix
        do { matrix = try previous.encoder.transform(customers) } catch { throw CommandSupport.dataFailure(error, file: data) }
        let update: ModelUpdate
        do { update = try previous.update(with: matrix, weights: customers.weights, decay: rate, threads: threads) } catch {
            throw CommandFailure("\(data): \(error.description)")
        }
        let updated = update.model
        let after = updated.assign(matrix, threads: threads)
        progress.say(String(format: "discount a = %.6g", update.discount))

        // The batch's drift: its customers under the model before and after the update.
        let before = update.assignments
        let comparison: PeriodComparison
        do {
            comparison = try PeriodComparison(
                previous: PeriodSnapshot(model: previous, members: Self.members(customers.ids, before),
                                         distances: Self.distances(customers.ids, before),
                                         data: (customers, before.map(\.persona))),
                current: PeriodSnapshot(model: updated, members: Self.members(customers.ids, after),
                                        distances: Self.distances(customers.ids, after),
                                        data: (customers, after.map(\.persona))),
                thresholds: drift.thresholds)
        } catch { throw CommandFailure("\(data): \(error.description)") }
        let report = DriftReport(before: .init(model: previous), after: .init(model: updated), comparison: comparison)

        var outputs = OutputSet()
        do {
            if let updateOut { try outputs.stage(UpdateTable.render(update), at: URL(fileURLWithPath: updateOut)) }
            if let assignments {
                let soft = memberships
                    ? updated.memberships(matrix, scale: try CommandSupport.membershipScale(of: updated, file: out, progress: progress),
                                          threads: threads)
                    : nil
                try outputs.stage(pieces: AssignmentsFile.renderPieces(ids: customers.ids, assignments: after, model: updated, memberships: soft),
                                  at: URL(fileURLWithPath: assignments))
            }
            if let dir = drift.driftOut { try report.stage(in: URL(fileURLWithPath: dir), into: &outputs) }
            let modelBytes = try ModelFile.encode(updated)
            try outputs.stage(modelBytes, at: URL(fileURLWithPath: out))
            if let store {
                var parameters: [String: Any] = ["data": data, "model": model]
                if let decay { parameters["decay"] = decay }
                if let halfLife { parameters["half_life"] = halfLife; parameters["time_unit"] = (timeUnit ?? .batches).rawValue }
                let run = HistorySupport.run(command: "update", modelBytes: modelBytes, dataHash: nil, parameters: parameters,
                                             rowCount: customers.count)
                let id = try HistorySupport.record(run, in: store, model: updated, ids: customers.ids, assignments: after,
                                                   staged: &outputs)
                progress.say("recorded run \(id) in \(history!)")
            }
            let destinations = outputs.destinations
            try outputs.commit()
            for url in destinations { progress.say("wrote \(url.path)") }
        } catch let error as FileError {
            throw CommandFailure(error.description)
        }
        for (persona, change) in zip(updated.personas, update.personas) {
            progress.say(String(format: "persona %d (%@): weight %.6g -> %.6g, %d batch customers, centre moved %.4g",
                                change.persona, persona.name, change.previousWeight, change.weight, change.batchCustomers,
                                change.centreShift))
        }
        let moved = zip(before, after).filter { $0.persona != $1.persona }.count
        progress.say("\(moved) of \(customers.count) batch customers are nearer another persona after the update")
        try drift.check(report)
    }

    static func members(_ ids: [String], _ assignments: [PersonaAssignment]) -> [String: Int] {
        Dictionary(zip(ids, assignments.map(\.persona)), uniquingKeysWith: { first, _ in first })
    }

    static func distances(_ ids: [String], _ assignments: [PersonaAssignment]) -> [String: Double] {
        Dictionary(zip(ids, assignments.map(\.distance)), uniquingKeysWith: { first, _ in first })
    }
}

extension DecayTimeUnit: ExpressibleByArgument {}
