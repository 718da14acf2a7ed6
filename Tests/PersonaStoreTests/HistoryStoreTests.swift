import Dispatch
import Foundation
import PersonaKit
import PersonaStore
import Testing

private func temporaryHistory() throws -> (URL, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("persona-history-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return (dir, dir.appendingPathComponent("history.sqlite").path)
}

private func persona(_ id: Int, _ name: String, size: Int, parents: [Int] = []) -> Persona {
    Persona(id: id, name: name, centroid: [0, 0], size: size, weight: Double(size), share: 0.5,
            meanDistance: 1, outlierDistance: 2, parents: parents)
}

private func run(_ command: String, at time: String, rows: Int) -> HistoryRun {
    HistoryRun(createdAt: time, command: command, modelHash: "fnv1a64:\(time)", dataHash: nil,
               parameters: "{\"k\":2}", rowCount: rows, model: Data("{}".utf8))
}

@Suite("history store")
struct HistoryStoreTests {
    @Test("runs, personas and customer paths read back as recorded")
    func roundTrip() throws {
        let (dir, path) = try temporaryHistory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let history = try HistoryStore(path: path)
        let first = try history.record(run("train", at: "2026-01-01T00:00:00Z", rows: 3),
                                       personas: [persona(1, "Savers", size: 2), persona(2, "Spenders", size: 1)],
                                       assignments: [("A", 1, 0.5), ("B", 1, 0.25), ("C", 2, 1.5)])
        let second = try history.record(run("retrain", at: "2026-02-01T00:00:00Z", rows: 2),
                                        personas: [persona(1, "Savers", size: 1, parents: [1]), persona(3, "Browsers", size: 1, parents: [2])],
                                        assignments: [("A", 3, 0.75), ("C", 1, 2.0)])
        #expect(first.id == 1 && second.id == 2)
        #expect(try history.runs().map(\.command) == ["train", "retrain"])
        #expect(try history.assignments(ofRun: 1) == ["A": 1, "B": 1, "C": 2])
        #expect(try history.personas(ofRun: 2).map(\.parents) == ["[1]", "[2]"])
        let steps = try history.path(ofCustomer: "A")
        #expect(steps.map(\.personaId) == [1, 3])
        #expect(steps.map(\.personaName) == ["Savers", "Browsers"])
        #expect(steps.map(\.distance) == [0.5, 0.75])
        #expect(try history.path(ofCustomer: "B").map(\.runId) == [1])
        #expect(try history.path(ofCustomer: "nobody").isEmpty)
        #expect(try history.appliedMigrations() == ["v1: runs, personas and assignments"])
        #expect(try history.integrityProblems().isEmpty)
    }

    @Test("a run that fails half-way leaves no trace")
    func interruptedRun() throws {
        let (dir, path) = try temporaryHistory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let history = try HistoryStore(path: path)
        try history.record(run("train", at: "t1", rows: 1), personas: [persona(1, "P", size: 1)], assignments: [("A", 1, 0.1)])
        // The third row names a persona the run does not have: the insert fails after two rows.
        #expect(throws: HistoryError.self) {
            try history.record(run("assign", at: "t2", rows: 3), personas: [persona(1, "P", size: 2)],
                               assignments: [("A", 1, 0.1), ("B", 1, 0.2), ("C", 9, 0.3)])
        }
        // A duplicate customer in one run fails too.
        #expect(throws: HistoryError.self) {
            try history.record(run("assign", at: "t3", rows: 2), personas: [persona(1, "P", size: 2)],
                               assignments: [("A", 1, 0.1), ("A", 1, 0.2)])
        }
        #expect(try history.runs().count == 1)
        #expect(try history.path(ofCustomer: "B").isEmpty)
        #expect(try history.integrityProblems().isEmpty)
        // The next run gets the next number and everything works on.
        let next = try history.record(run("assign", at: "t4", rows: 1), personas: [persona(1, "P", size: 1)], assignments: [("B", 1, 0.2)])
        #expect(try history.run(id: next.id!)?.createdAt == "t4")
    }

    @Test("several writers at once, from separate connections, all land intact")
    func concurrentWriters() throws {
        let (dir, path) = try temporaryHistory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try HistoryStore(path: path)
        let failures = DispatchQueue(label: "failures")
        nonisolated(unsafe) var errors = [String]()
        DispatchQueue.concurrentPerform(iterations: 6) { job in
            do {
                let history = try HistoryStore(path: path)
                let rows = (0..<2_000).map { ("C\($0)", 1 + $0 % 2, Double(job)) }
                try history.record(run("assign", at: "job \(job)", rows: rows.count),
                                   personas: [persona(1, "A", size: 1_000), persona(2, "B", size: 1_000)], assignments: rows)
            } catch {
                failures.sync { errors.append("\(error)") }
            }
        }
        #expect(errors.isEmpty)
        let history = try HistoryStore(path: path)
        #expect(try history.runs().count == 6)
        for run in try history.runs() { #expect(try history.assignments(ofRun: run.id!).count == 2_000) }
        #expect(try history.path(ofCustomer: "C7").count == 6)
        #expect(try history.integrityProblems().isEmpty)
    }

    @Test("a file that is not a history is refused with its path")
    func notAHistory() throws {
        let (dir, path) = try temporaryHistory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("this is not a database, just text that is long enough to fill a header page".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: HistoryError.self) { try HistoryStore(path: path) }
        #expect(error?.description.hasPrefix("history \(path): ") == true)
    }
}
