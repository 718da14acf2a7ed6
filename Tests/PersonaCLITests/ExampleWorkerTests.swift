import Foundation
import PersonaIO
import PersonaKit
import Testing

// The embedding example, Examples/PersonaWorker, built as its own package (as a service that
// depends on Persona would be) and run as a separate process: every customer it assigns must
// get the persona `PersonaModel.assign` gives in-process.

/// The example's executable, built once for every test here.
enum ExampleWorker {
    /// The package's root folder (this file is Tests/PersonaCLITests/ExampleWorkerTests.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The example's own build folder: apart from the package's `.build`, so that building the
    /// example inside `swift test` never waits on the lock of the build running the tests.
    ///
    /// It is kept between runs while the set of source files stays the same, so that a second
    /// run only recompiles what changed. A file added to the Persona package is not always seen
    /// by an incremental build of a package that depends on it by path (it compiled against
    /// the old modules), so a different set of files builds afresh in a folder of its own.
    static let scratchPath: String = {
        let parent = packageRoot.appendingPathComponent(".build-example")
        let folder = "sources-" + sourceSetFingerprint()
        let fileManager = FileManager.default
        for old in (try? fileManager.contentsOfDirectory(atPath: parent.path)) ?? [] where old != folder {
            try? fileManager.removeItem(at: parent.appendingPathComponent(old))
        }
        return parent.appendingPathComponent(folder).path
    }()

    /// FNV-1a (64 bits) of the paths under Sources/ and the example's Sources/, and of both
    /// manifests.
    private static func sourceSetFingerprint() -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ bytes: some Sequence<UInt8>) {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x0000_0100_0000_01b3
        }
        for folder in ["Sources", "Examples/PersonaWorker/Sources"] {
            let paths = FileManager.default.enumerator(atPath: packageRoot.appendingPathComponent(folder).path)?
                .compactMap { $0 as? String }.sorted() ?? []
            for path in paths { add((folder + "/" + path).utf8) }
        }
        for manifest in ["Package.swift", "Examples/PersonaWorker/Package.swift"] {
            add((try? Data(contentsOf: packageRoot.appendingPathComponent(manifest))) ?? Data())
        }
        return String(hash, radix: 16)
    }

    /// The path of `persona-worker`, or why it could not be built.
    static let executable: Result<String, BuildFailure> = build()

    struct BuildFailure: Error, CustomStringConvertible {
        var description: String
    }

    private static func build() -> Result<String, BuildFailure> {
        let packagePath = packageRoot.appendingPathComponent("Examples/PersonaWorker").path
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("persona-worker-build-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        do {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let output = try FileHandle(forWritingTo: log)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["swift", "build", "--package-path", packagePath, "--scratch-path", scratchPath]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = output
            process.standardError = output
            let start = Date()
            try process.run()
            process.waitUntilExit()
            try output.close()
            let seconds = Date().timeIntervalSince(start)
            guard process.terminationStatus == 0 else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                return .failure(BuildFailure(description: "swift build of Examples/PersonaWorker failed after \(Int(seconds)) s "
                    + "(status \(process.terminationStatus)):\n" + text.split(separator: "\n").suffix(30).joined(separator: "\n")))
            }
        } catch {
            return .failure(BuildFailure(description: "could not run swift build: \(error)"))
        }
        return .success(scratchPath + "/debug/persona-worker")
    }

    /// Runs the worker on `input` (written to a file, read as standard input) and returns its
    /// exit status, standard output and standard error.
    static func run(_ arguments: [String], input: String, in scratch: Scratch) throws -> (status: Int32, out: String, err: String) {
        let path = try executable.get()
        let inputPath = try scratch.write(input, to: "worker-input-\(UUID().uuidString).jsonl")
        let outPath = scratch.path("worker-output-\(UUID().uuidString).jsonl")
        let errPath = outPath + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOfFile: outPath, encoding: .utf8),
                try String(contentsOfFile: errPath, encoding: .utf8))
    }
}

/// One output line of the worker, either an assignment or an error.
private struct WorkerLine: Decodable {
    var customer_id: String?
    var persona: Int?
    var persona_name: String?
    var distance: Double?
    var runner_up: Int?
    var margin: Double?
    var outlier: Bool?
    var line: Int?
    var error: String?

    static func parse(_ output: String) throws -> [WorkerLine] {
        try output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            try JSONDecoder().decode(WorkerLine.self, from: Data($0.utf8))
        }
    }
}

/// A fixture row as a JSON object: numbers as numbers, text as strings, empty cells as null.
private func jsonObject(_ row: [String], leaving omitted: Set<String> = []) throws -> String {
    var object = [String: Any]()
    for (name, cell) in zip(Fixture.header, row) where !omitted.contains(name) {
        object[name] = cell.isEmpty ? NSNull() : (Double(cell).map { $0 as Any } ?? cell)
    }
    return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

/// Checks an output line against the in-process assignment of `row` (fixture columns).
private func expectAssigned(_ line: WorkerLine, _ row: [String], model: PersonaModel,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
    let expected = try #require(try model.assign(table: RawTable(columnNames: Fixture.header, rows: [row])).first)
    #expect(line.error == nil, "unexpected error: \(line.error ?? "")", sourceLocation: sourceLocation)
    #expect(line.customer_id == row[0], sourceLocation: sourceLocation)
    #expect(line.persona == expected.persona, "customer \(row[0])", sourceLocation: sourceLocation)
    #expect(line.persona_name == model.persona(id: expected.persona)?.name, sourceLocation: sourceLocation)
    #expect(line.distance == expected.distance, "customer \(row[0])", sourceLocation: sourceLocation)
    #expect(line.runner_up == expected.runnerUp, sourceLocation: sourceLocation)
    #expect(line.margin == expected.margin, sourceLocation: sourceLocation)
    #expect(line.outlier == expected.isOutlier, sourceLocation: sourceLocation)
}

@Suite("Embedding example: persona-worker", .serialized)
struct ExampleWorkerTests {
    @Test("assigns JSON lines as PersonaModel.assign does; bad lines give error lines and the rest go on")
    func mixedLines() throws {
        let scratch = try Scratch("worker")
        let modelPath = try trainFixtureModel(in: scratch)
        let model = try ModelFile.read(from: URL(fileURLWithPath: modelPath))

        var rows = Fixture.rows
        rows[2][Fixture.column("media_channel")] = ""          // sent as null: a missing value
        rows[4][Fixture.column("wish_quality")] = ""           // left out of the object: missing too
        rows[9][Fixture.column("media_channel")] = "radio"     // a category the model never saw
        enum Expected { case assigned([String]), failed(line: Int, mentions: [String]) }
        var input = [String]()
        var expected = [Expected]()
        for (i, row) in rows.enumerated() {
            var object = try jsonObject(row, leaving: i == 4 ? ["wish_quality"] : [])
            if i == 6 {                                                 // a boolean for a 0/1 column
                let number = #""online_mobile":\#(row[Fixture.column("online_mobile")])"#
                try #require(object.contains(number), "\(object)")
                object = object.replacingOccurrences(of: number, with: #""online_mobile":true"#)
            }
            input.append(object)
            expected.append(.assigned(row))
            if i == 5 {
                input.append(#"{"customer_id": "BAD1", "lifestyle_age": 23,"#)
                expected.append(.failed(line: input.count, mentions: ["not valid JSON"]))
                input.append("")                                // a blank line: no output
            }
            if i == 7 {
                var bad = Fixture.rows[0]
                bad[0] = "BAD2"
                bad[Fixture.column("lifestyle_age")] = "old"
                input.append(try jsonObject(bad))
                expected.append(.failed(line: input.count, mentions: ["BAD2", "lifestyle_age", "'old' is not a number"]))
                input.append(#"{"lifestyle_age": 30}"#)
                expected.append(.failed(line: input.count, mentions: ["customer_id", "missing"]))
            }
        }
        input.append(try jsonObject(rows[0]))                    // a customer sent twice
        expected.append(.assigned(rows[0]))

        let run = try ExampleWorker.run(["--model", modelPath], input: input.joined(separator: "\n") + "\n", in: scratch)
        #expect(run.status == 0, "stderr: \(run.err)")
        let lines = try WorkerLine.parse(run.out)
        try #require(lines.count == expected.count, "output:\n\(run.out)")
        for (line, expectation) in zip(lines, expected) {
            switch expectation {
            case .assigned(let row):
                try expectAssigned(line, row, model: model)
            case .failed(let number, let fragments):
                #expect(line.line == number && line.persona == nil)
                let text = "\(line.customer_id ?? "") \(line.error ?? "")"
                for fragment in fragments { #expect(text.contains(fragment), "\(text) does not mention \(fragment)") }
            }
        }
    }

    @Test("a large input in any batch size: every customer as in-process, in input order")
    func largeInput() throws {
        let scratch = try Scratch("worker")
        let modelPath = try trainFixtureModel(in: scratch)
        let model = try ModelFile.read(from: URL(fileURLWithPath: modelPath))
        var rows = [[String]]()
        for copy in 0..<400 {
            for var row in Fixture.rows {
                row[0] += "-\(copy)"
                let age = Fixture.column("lifestyle_age")
                row[age] = String(Double(row[age])! + Double(copy % 17) * 0.5)
                rows.append(row)
            }
        }
        let input = try rows.map { try jsonObject($0) }.joined(separator: "\n")  // no final line end
        let expected = try model.assign(table: RawTable(columnNames: Fixture.header, rows: rows))

        var outputs = [String]()
        for batchSize in ["512", "7"] {
            let run = try ExampleWorker.run(["--model", modelPath, "--batch-size", batchSize], input: input, in: scratch)
            #expect(run.status == 0, "stderr: \(run.err)")
            let lines = try WorkerLine.parse(run.out)
            try #require(lines.count == rows.count)
            for (i, (line, assignment)) in zip(lines, expected).enumerated() {
                #expect(line.customer_id == rows[i][0] && line.persona == assignment.persona
                        && line.distance == assignment.distance && line.runner_up == assignment.runnerUp,
                        "line \(i + 1): \(line) vs \(assignment)")
            }
            outputs.append(run.out)
        }
        #expect(outputs[0] == outputs[1])
    }

    @Test("answers each line as it arrives, before the input ends")
    func interactive() throws {
        let scratch = try Scratch("worker")
        let modelPath = try trainFixtureModel(in: scratch)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ExampleWorker.executable.get())
        process.arguments = ["--model", modelPath]
        let toWorker = Pipe(), fromWorker = Pipe()
        process.standardInput = toWorker
        process.standardOutput = fromWorker
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        for row in Fixture.rows.prefix(3) {
            toWorker.fileHandleForWriting.write(Data((try jsonObject(row) + "\n").utf8))
            let answer = try #require(readLine(fromWorker.fileHandleForReading.fileDescriptor, timeout: 60),
                                      "no answer to \(row[0]) within 60 s")
            #expect(answer.hasPrefix(#"{"customer_id":"\#(row[0])","persona":"#), "\(answer)")
        }
        try toWorker.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("usage and model errors: a message on standard error and a non-zero status")
    func startupErrors() throws {
        let scratch = try Scratch("worker")
        let noModel = try ExampleWorker.run([], input: "", in: scratch)
        #expect(noModel.status == 2 && noModel.err.contains("--model is required") && noModel.out.isEmpty)
        let missing = scratch.path("absent.json")
        let absent = try ExampleWorker.run(["--model", missing], input: "{}\n", in: scratch)
        #expect(absent.status == 1 && absent.err.contains(missing) && absent.out.isEmpty)
    }
}

/// One line read from `fd` byte by byte, or `nil` when none is complete within `timeout` seconds.
private func readLine(_ fd: Int32, timeout: Double) -> String? {
    var bytes = [UInt8]()
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        let left = deadline.timeIntervalSinceNow
        if left <= 0 { return nil }
        var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, Int32(left * 1000)) > 0 else { continue }
        var byte: UInt8 = 0
        guard read(fd, &byte, 1) == 1 else { return nil }
        if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
        bytes.append(byte)
    }
}
