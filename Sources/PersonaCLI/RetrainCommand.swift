import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit
import PersonaStore

/// Options shared by the commands that report drift.
struct DriftOptions: ParsableArguments {
    @Option(help: "Write the drift report (transitions.csv, movers.csv, events.csv, personas.csv, summary.md) into this directory.")
    var driftOut: String?

    @Option(help: "MONIC survival threshold τ: the share of a persona's customers that must stay together.")
    var tau: Double = 0.5

    @Option(help: "MONIC split threshold τ_split: the smallest share a part of a split must take.")
    var tauSplit: Double = 0.1

    @Flag(help: "Exit with status 3 when a major shift is found (PSI above 0.25, or a persona split, merged, appeared or disappeared).")
    var failOnMajorShift = false

    var thresholds: TransitionThresholds { TransitionThresholds(survival: tau, split: tauSplit) }
}

extension DriftOptions {
    /// With `--fail-on-major-shift`, ends the command with status 3 (after its outputs are
    /// written) when the report finds a major shift, naming it on standard error.
    func check(_ report: DriftReport) throws {
        let reasons = report.majorShifts
        guard failOnMajorShift, !reasons.isEmpty else { return }
        FileHandle.standardError.write(Data(("persona: major shift: " + reasons.joined(separator: "; ") + "\n").utf8))
        throw ExitCode(3)
    }
}

/// `persona retrain`: fit the new period and carry persona identities over.
struct RetrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrain",
        abstract: "Retrain personas on a new period, keeping each persona's identity.",
        discussion: """
        Fits the new customers (warm start from the previous centres by default) and matches \
        the new personas to the previous ones: by shared customers when the previous \
        assignments are known (--previous-assignments, the history's run of the previous \
        model, or --previous-data assigned with the previous model), otherwise by centre \
        distance. A persona that continues keeps its id and name; \
        a new one gets an id never used before; each persona lists its parents. With \
        --drift-out it writes the drift report.
        """
    )

    @Option(help: "The previous model file.")
    var previous: String

    @Option(help: "Customer CSV of the new period.")
    var data: String

    @Option(help: "Where to write the new model.")
    var out: String

    @Option(help: "Also write every customer's persona (new identities) to this CSV.")
    var assignments: String?

    @Flag(help: "With --assignments: add one membership_<persona id> column per persona of the new model, the soft membership (softmax of -d²/(2σ²); see Docs/Assignment.md).")
    var memberships = false

    @Option(help: "The previous period's assignment CSV (identifier, persona, …): match by shared customers.")
    var previousAssignments: String?

    @Option(help: "The previous period's customer CSV: also measure attribute drift (PSI, mean shifts) per persona; without other previous assignments, its customers assigned with the previous model give them.")
    var previousData: String?

    @Option(help: "History file (SQLite): find the previous assignments there, and record this run.")
    var history: String?

    @Option(name: .customLong("k"), parsing: .unconditional, help: "Number of personas (default: as before).")
    var k: Int?

    @Option(help: "warm (default: start from the previous centres) or fresh (k-means++ restarts).")
    var start: RetrainingStart = .warm

    @Option(help: "Random seed (default: the previous model's).")
    var seed: UInt64?

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @OptionGroup var drift: DriftOptions
    @OptionGroup(title: "Customer file format") var dataFormat: CustomerFormatOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        if let k, k < 1 { throw CommandFailure("--k \(k): the number of personas must be at least 1") }
        if let threads, threads < 1 { throw CommandFailure("--threads \(threads): must be at least 1") }
        if memberships, assignments == nil { throw CommandFailure("--memberships needs --assignments") }
        let driftFiles = drift.driftOut.map { dir in DriftReport.fileNames.map { "\(dir)/\($0)" } } ?? []
        try CommandSupport.checkDistinct(
            inputs: [previous, data] + [previousAssignments, previousData].compactMap { $0 },
            outputs: [out] + (assignments.map { [$0] } ?? []) + driftFiles + (history.map { [$0] } ?? []))
        try CommandSupport.checkWritable(out)
        if let assignments { try CommandSupport.checkWritable(assignments) }
        if let dir = drift.driftOut { try CommandSupport.checkWritableDirectory(dir) }

        let previousModel = try CommandSupport.loadModel(previous)
        let previousBytes: Data
        do { previousBytes = try AtomicFile.readData(at: URL(fileURLWithPath: previous)) } catch { throw CommandFailure(error.description) }
        let store = try history.map(HistorySupport.open)

        // The previous period's members: the file given, or the history's run of that model.
        var previousMembers: [String: Int]? = nil
        var previousDistances: [String: Double]? = nil
        if let path = previousAssignments {
            (previousMembers, previousDistances) = try Self.readAssignments(path)
        } else if let store {
            let hash = FNV1a64.labelled(previousBytes)
            if let run = try HistorySupport.recording({ try store.runs().last { $0.modelHash == hash } }) {
                previousMembers = try HistorySupport.recording { try store.assignments(ofRun: run.id!) }
                progress.say("previous assignments: run \(run.id!) of \(history!)")
            }
        }
        // Without them, the previous data assigned with the previous model: the members and
        // distances training gave those customers.
        var previousAssigned: (ids: [String], assignments: [PersonaAssignment])? = nil
        if let previousData {
            previousAssigned = try Self.assign(previousData, with: previousModel, dialect: dataFormat.dialect, threads: threads)
            if previousMembers == nil, let previousAssigned {
                previousMembers = Dictionary(uniqueKeysWithValues: zip(previousAssigned.ids, previousAssigned.assignments.map(\.persona)))
                previousDistances = Dictionary(uniqueKeysWithValues: zip(previousAssigned.ids, previousAssigned.assignments.map(\.distance)))
                progress.say("previous assignments: \(previousData) assigned with \(previous)")
            }
        }

        // The new period, read with the previous schema (categories taken from the new data).
        let schema = previousModel.schema.forNewPeriod
        let customers = try Self.read(data, schema: schema, dialect: dataFormat.dialect, threads: threads)
        progress.say("read \(customers.count) customers from \(data)")

        let options = RetrainingOptions(clusterCount: k, start: start, seed: seed, threads: threads,
                                        matching: MatchingOptions(thresholds: drift.thresholds))
        let retrained: RetrainedModel
        do {
            retrained = try PersonaModel.retrain(previous: previousModel, data: customers, previousAssignments: previousMembers,
                                                 options: options, createdAt: CommandSupport.now()) { step in
                progress.update(String(format: "  start %d/%d: inertia %.6g after %d iterations", step.restart + 1, step.restarts, step.inertia, step.iterations))
            }
        } catch let error as DriftError {
            throw CommandFailure("\(data): \(error.description)")
        } catch let error as PersonaDataError {
            throw CommandSupport.dataFailure(error, file: data)
        } catch let error as ClusteringError {
            throw CommandFailure("\(data): \(error.description)")
        }
        let model = retrained.model
        let matching = retrained.matching
        progress.say("matched by \(matching.basis.rawValue): \(matching.matches.count) persona(s) continue; "
                     + "new: \(Self.list(matching.introduced)); retired: \(Self.list(matching.retired))")

        // Drift.
        let members = Dictionary(uniqueKeysWithValues: zip(customers.ids, retrained.assignments.map(\.persona)))
        let distances = Dictionary(uniqueKeysWithValues: zip(customers.ids, retrained.assignments.map(\.distance)))
        var previousCustomers: (customers: CustomerData, personas: [Int])? = nil
        if let previousData {
            let before = try Self.read(previousData, schema: schema, dialect: dataFormat.dialect, threads: threads)
            let beforePersonas = before.ids.indices.map { previousMembers?[before.ids[$0]] }
            let assigned: [Int]
            if beforePersonas.allSatisfy({ $0 != nil }) {
                assigned = beforePersonas.map { $0! }
            } else {
                assigned = previousAssigned!.assignments.map(\.persona)   // the same file, in the same order
            }
            previousCustomers = (before, assigned)
        }
        let comparison: PeriodComparison
        do {
            comparison = try PeriodComparison(
                previous: PeriodSnapshot(model: previousModel, members: previousMembers, distances: previousDistances, data: previousCustomers),
                current: PeriodSnapshot(model: model, members: members, distances: distances,
                                        data: (customers, retrained.assignments.map(\.persona))),
                events: matching.events)
        } catch { throw CommandFailure("\(data): \(error.description)") }
        let report = DriftReport(before: .init(model: previousModel), after: .init(model: model), comparison: comparison, matching: matching)

        // The new model's encoder was fitted on these customers: encoding them again gives
        // the rows retraining assigned.
        var soft: PersonaMemberships? = nil
        if memberships {
            let scale = try CommandSupport.membershipScale(of: model, file: out, progress: progress)
            do { soft = model.memberships(try model.encoder.transform(customers), scale: scale, threads: threads) } catch {
                throw CommandSupport.dataFailure(error, file: data)
            }
        }
        var outputs = OutputSet()
        do {
            if let assignments {
                try outputs.stage(pieces: AssignmentsFile.renderPieces(ids: customers.ids, assignments: retrained.assignments, model: model,
                                                         memberships: soft),
                                  at: URL(fileURLWithPath: assignments))
            }
            if let dir = drift.driftOut { try report.stage(in: URL(fileURLWithPath: dir), into: &outputs) }
            let modelBytes = try ModelFile.encode(model)
            try outputs.stage(modelBytes, at: URL(fileURLWithPath: out))
            if let store {
                let run = HistorySupport.run(command: "retrain", modelBytes: modelBytes, dataHash: nil,
                                             parameters: ["data": data, "previous": previous, "k": model.personas.count,
                                                          "start": start.rawValue, "seed": model.training.configuration.seed],
                                             rowCount: customers.count)
                let id = try HistorySupport.record(run, in: store, model: model, ids: customers.ids,
                                                   assignments: retrained.assignments, staged: &outputs)
                progress.say("recorded run \(id) in \(history!)")
            }
            try outputs.commit()
        } catch let error as FileError {
            throw CommandFailure(error.description)
        }
        for url in outputs.destinations { progress.say("wrote \(url.path)") }
        for line in report.summary().split(separator: "\n") where line.hasPrefix("- ") || line.hasPrefix("**") {
            progress.say(String(line))
        }
        try drift.check(report)
    }

    /// Reads an assignment CSV: each customer's persona and distance.
    static func readAssignments(_ path: String) throws -> ([String: Int], [String: Double]?) {
        do {
            let members = try AssignmentsFile.read(contentsOf: URL(fileURLWithPath: path), displayName: path)
            return (members.personas, members.distances)
        } catch {
            throw CommandFailure(error.description)
        }
    }

    /// Reads a whole customer file with a schema; categories the schema does not list follow
    /// `unknownCategories`.
    static func read(_ path: String, schema: PersonaSchema, dialect: CSVDialect, threads: Int?,
                     unknownCategories: UnknownCategoryPolicy = .reject) throws -> CustomerData {
        do {
            var file = CustomerFile(url: URL(fileURLWithPath: path), displayName: path, schema: schema)
            file.dialect = dialect
            return try file.readAll(unknownCategories: unknownCategories, threads: threads)
        } catch let error as CustomerFileError {
            throw CommandFailure(error.description)
        }
    }

    /// Reads a customer file with a model's own schema (its categories; unknown ones count as
    /// missing) and assigns every customer, as training assigned its customers.
    static func assign(_ path: String, with model: PersonaModel, dialect: CSVDialect, threads: Int?) throws -> (ids: [String], assignments: [PersonaAssignment]) {
        var schema = model.schema
        schema.weightColumn = nil
        schema.attributes.removeAll { $0.role != .segment }
        let customers = try read(path, schema: schema, dialect: dialect, threads: threads, unknownCategories: .treatAsMissing)
        do { return (customers.ids, try model.assign(customers, threads: threads)) } catch {
            throw CommandSupport.dataFailure(error, file: path)
        }
    }

    /// Persona identifiers as `4, 7`, or `none`.
    static func list(_ ids: [Int]) -> String { ids.isEmpty ? "none" : ids.map(String.init).joined(separator: ", ") }
}

extension RetrainingStart: ExpressibleByArgument {}
