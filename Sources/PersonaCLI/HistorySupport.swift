import Foundation
import PersonaIO
import PersonaKit
import PersonaStore

/// Recording jobs in a history file (`--history`).
enum HistorySupport {
    /// Opens (creating if needed) a history file, as a one-line failure.
    static func open(_ path: String) throws -> HistoryStore {
        do {
            try AtomicFile.createDirectory(URL(fileURLWithPath: path).deletingLastPathComponent())
            return try HistoryStore(path: path)
        } catch let error as HistoryError {
            throw CommandFailure(error.description)
        } catch let error as FileError {
            throw CommandFailure(error.description)
        }
    }

    /// A run to record: the model file's bytes and hash, the parameters as a JSON object with
    /// sorted keys.
    static func run(command: String, modelBytes: Data, dataHash: String?, parameters: [String: Any],
                    rowCount: Int) -> HistoryRun {
        let json = (try? JSONSerialization.data(withJSONObject: parameters, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return HistoryRun(createdAt: CommandSupport.now(), command: command,
                          modelHash: FNV1a64.labelled(modelBytes),
                          dataHash: dataHash, parameters: json, rowCount: rowCount, model: modelBytes)
    }

    /// Records a job's run with its customers' assignments before the job's staged outputs
    /// move into place; if recording fails, the staged outputs are discarded, so the files
    /// and the history never disagree. Returns the run's number.
    static func record(_ run: HistoryRun, in store: HistoryStore, model: PersonaModel, ids: [String],
                       assignments: [PersonaAssignment], staged outputs: inout OutputSet) throws -> Int64 {
        do {
            return try recording {
                try store.record(run, personas: model.personas,
                                 assignments: zip(ids, assignments).lazy.map { ($0, $1.persona, $1.distance) })
            }.id!
        } catch {
            outputs.discard()
            throw error
        }
    }

    /// Runs `body`, reporting a history failure as one line.
    static func recording<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as HistoryError { throw CommandFailure(error.description) }
    }
}
