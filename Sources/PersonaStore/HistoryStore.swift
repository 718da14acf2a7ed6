import Foundation
import GRDB
import PersonaKit

/// A problem with the history database, naming its path.
public struct HistoryError: Error, CustomStringConvertible, Sendable {
    /// The database file.
    public let path: String
    /// What went wrong.
    public let reason: String

    /// One line naming the file.
    public var description: String { "history \(path): \(reason)" }
}

/// One recorded run: a training, retraining or assignment job.
public struct HistoryRun: Sendable, Hashable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"

    /// The run's number (increasing with time; assigned when recorded).
    public var id: Int64?
    /// When the run was recorded (ISO 8601, UTC).
    public var createdAt: String
    /// The command: `train`, `retrain` or `assign`.
    public var command: String
    /// A hash of the model file's bytes.
    public var modelHash: String
    /// A hash of the data the run read, if known.
    public var dataHash: String?
    /// The run's parameters (JSON object).
    public var parameters: String
    /// Customers recorded for the run.
    public var rowCount: Int
    /// The model file's bytes, so that any run's model can be loaded again.
    public var model: Data

    /// Describes a run to record.
    public init(createdAt: String, command: String, modelHash: String, dataHash: String?, parameters: String,
                rowCount: Int, model: Data) {
        self.createdAt = createdAt
        self.command = command
        self.modelHash = modelHash
        self.dataHash = dataHash
        self.parameters = parameters
        self.rowCount = rowCount
        self.model = model
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A persona as it was in one run.
public struct HistoryPersona: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "persona"

    /// The run.
    public var runId: Int64
    /// The persona's stable identifier.
    public var personaId: Int
    /// Its name in that run.
    public var name: String
    /// Customers assigned to it in that run.
    public var size: Int
    /// Their share of the total weight.
    public var share: Double
    /// The persona identifiers of the previous model it came from (JSON array).
    public var parents: String
}

/// Where a customer was in one run.
public struct CustomerStep: Sendable, Hashable, Codable, FetchableRecord {
    /// The run.
    public var runId: Int64
    /// When the run was recorded.
    public var createdAt: String
    /// The run's command.
    public var command: String
    /// The customer's persona.
    public var personaId: Int
    /// Its name in that run.
    public var personaName: String
    /// The customer's distance to the persona's centre.
    public var distance: Double
}

/// The assignment history of periodic jobs, in one SQLite file (through GRDB): every run with
/// its model and parameters, the personas of each run with their lineage, and every
/// customer's persona per run.
///
/// - The schema is built by named, forward-only migrations; the file records which have run.
/// - A run is written in one transaction: a failed or killed job leaves no trace of it.
/// - Several processes may use the file at once (write-ahead log; a writer waits for another
///   for up to ``busyTimeout``).
///
/// ```swift
/// let history = try HistoryStore(path: "history.sqlite")
/// let run = try history.record(run, personas: model.personas, assignments: rows)
/// let path = try history.path(ofCustomer: "C0042")
/// ```
public final class HistoryStore: Sendable {
    /// How long a writer waits for another process's write to finish.
    public static let busyTimeout: TimeInterval = 60

    /// The database file.
    public let path: String
    private let pool: DatabasePool

    /// Opens (creating if needed) and migrates the history at `path`.
    /// - Throws: ``HistoryError`` when the file cannot be opened or is not a history.
    public init(path: String) throws(HistoryError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.foreignKeysEnabled = true
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw HistoryError(path: path, reason: Self.reason(error))
        }
    }

    /// The schema, one named migration per change; never edit a migration once released.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, personas and assignments") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("createdAt", .text).notNull()
                t.column("command", .text).notNull()
                t.column("modelHash", .text).notNull()
                t.column("dataHash", .text)
                t.column("parameters", .text).notNull()
                t.column("rowCount", .integer).notNull().check { $0 >= 0 }
                t.column("model", .blob).notNull()
            }
            try db.create(table: "persona") { t in
                t.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                t.column("personaId", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("size", .integer).notNull().check { $0 >= 0 }
                t.column("share", .double).notNull()
                t.column("parents", .text).notNull()
                t.primaryKey(["runId", "personaId"])
            }
            try db.create(table: "assignment", options: .withoutRowID) { t in
                t.column("runId", .integer).notNull()
                t.column("customerId", .text).notNull()
                t.column("personaId", .integer).notNull()
                t.column("distance", .double).notNull()
                t.primaryKey(["runId", "customerId"])
                t.foreignKey(["runId", "personaId"], references: "persona", columns: ["runId", "personaId"], onDelete: .cascade)
            }
            try db.create(index: "assignment_by_customer", on: "assignment", columns: ["customerId", "runId"])
        }
        return migrator
    }

    /// Records a run, its personas and every customer's persona — `(customer id, persona id,
    /// distance)` — in one transaction.
    /// - Returns: the run as recorded (with its number).
    /// - Throws: ``HistoryError``; nothing of the run is then recorded.
    /// - Complexity: O(assignments), one insert each.
    @discardableResult
    public func record(_ run: HistoryRun, personas: [Persona],
                       assignments: some Sequence<(String, Int, Double)>) throws(HistoryError) -> HistoryRun {
        do {
            return try record(run, personas: personas) { add in
                for a in assignments { try add(a.0, a.1, a.2) }
                return nil
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw HistoryError(path: path, reason: Self.reason(error))
        }
    }

    /// Records a run whose assignments arrive while `body` runs (a job that streams its
    /// customers): `body` calls `add(customer, persona, distance)` for each and may return the
    /// data's hash, known only at the end. The run's `rowCount` becomes the number of rows
    /// added. Everything is one transaction; if `body` throws, nothing of the run is recorded
    /// and its error is rethrown.
    /// - Returns: the run as recorded (with its number).
    @discardableResult
    public func record(_ run: HistoryRun, personas: [Persona],
                       body: (_ add: (String, Int, Double) throws -> Void) throws -> String?) throws -> HistoryRun {
        do {
            return try pool.write { db in
                var run = run
                try run.insert(db)
                let runId = run.id!
                for persona in personas {
                    let parents = "[" + persona.parents.map(String.init).joined(separator: ",") + "]"
                    try HistoryPersona(runId: runId, personaId: persona.id, name: persona.name, size: persona.size,
                                       share: persona.share, parents: parents).insert(db)
                }
                let statement = try db.makeStatement(
                    sql: "INSERT INTO assignment (runId, customerId, personaId, distance) VALUES (?, ?, ?, ?)")
                var rows = 0
                let hash = try body { customer, persona, distance in
                    try statement.execute(arguments: [runId, customer, persona, distance])
                    rows += 1
                }
                run.rowCount = rows
                if let hash { run.dataHash = hash }
                try run.update(db)
                return run
            }
        } catch let error as DatabaseError {
            throw HistoryError(path: path, reason: Self.reason(error))
        }
    }

    /// Every run, oldest first.
    public func runs() throws(HistoryError) -> [HistoryRun] {
        try read { db in try HistoryRun.order(Column("id")).fetchAll(db) }
    }

    /// The run numbered `id`, if recorded.
    public func run(id: Int64) throws(HistoryError) -> HistoryRun? {
        try read { db in try HistoryRun.fetchOne(db, key: id) }
    }

    /// The personas of a run, by identifier.
    public func personas(ofRun id: Int64) throws(HistoryError) -> [HistoryPersona] {
        try read { db in try HistoryPersona.filter(Column("runId") == id).order(Column("personaId")).fetchAll(db) }
    }

    /// Every customer's persona in a run.
    /// - Complexity: O(customers of the run).
    public func assignments(ofRun id: Int64) throws(HistoryError) -> [String: Int] {
        try read { db in
            var result = [String: Int]()
            let rows = try Row.fetchCursor(db, sql: "SELECT customerId, personaId FROM assignment WHERE runId = ?", arguments: [id])
            while let row = try rows.next() { result[row[0]] = row[1] }
            return result
        }
    }

    /// A customer's persona in every run that recorded them, oldest first.
    public func path(ofCustomer customer: String) throws(HistoryError) -> [CustomerStep] {
        try read { db in
            try CustomerStep.fetchAll(db, sql: """
                SELECT a.runId AS runId, r.createdAt AS createdAt, r.command AS command, a.personaId AS personaId,
                       p.name AS personaName, a.distance AS distance
                FROM assignment a
                JOIN run r ON r.id = a.runId
                JOIN persona p ON p.runId = a.runId AND p.personaId = a.personaId
                WHERE a.customerId = ?
                ORDER BY a.runId
                """, arguments: [customer])
        }
    }

    /// The names of the migrations applied to the file, in order.
    public func appliedMigrations() throws(HistoryError) -> [String] {
        try read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Runs SQLite's integrity check; returns its findings (empty when the file is sound).
    public func integrityProblems() throws(HistoryError) -> [String] {
        try read { db in
            let rows = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            let foreign = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            return (rows == ["ok"] ? [] : rows) + foreign.map { "foreign key: \($0)" }
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do { return try pool.read(body) } catch { throw HistoryError(path: path, reason: Self.reason(error)) }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}
