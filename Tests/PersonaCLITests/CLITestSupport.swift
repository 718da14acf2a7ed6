import ArgumentParser
import Foundation
@testable import PersonaCLI
import PersonaIO
import PersonaKit
import Testing

// Helpers for running `persona` commands in-process: temporary directories, CSV fixtures,
// snapshots of output directories and checks of one-line error messages.

// MARK: - Running commands

/// Parses `arguments` as `persona <arguments>` and runs the command, as `main` would.
func runPersona(_ arguments: [String]) throws {
    var command = try PersonaCommand.parseAsRoot(arguments)
    try command.run()
}

/// Runs `persona <arguments>`, expecting it to fail with a ``CommandFailure``; records an issue
/// (and returns `nil`) when it succeeds or throws anything else.
func expectFailure(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> CommandFailure? {
    do {
        try runPersona(arguments)
        Issue.record("`persona \(arguments.joined(separator: " "))` succeeded; expected it to fail",
                     sourceLocation: sourceLocation)
    } catch let failure as CommandFailure {
        return failure
    } catch {
        Issue.record("`persona \(arguments.joined(separator: " "))` threw \(type(of: error)) (\(error)); expected a CommandFailure",
                     sourceLocation: sourceLocation)
    }
    return nil
}

/// Checks that an error message is one line and mentions every fragment; `rows` must appear as
/// "row N" (not followed by another digit).
func expectOneLine(_ message: String, mentions fragments: [String], rows: [Int] = [],
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!message.contains("\n") && !message.contains("\r"), "message spans several lines: \(message)",
            sourceLocation: sourceLocation)
    #expect(!message.isEmpty, sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(message.contains(fragment), "message does not mention \"\(fragment)\": \(message)",
                sourceLocation: sourceLocation)
    }
    for row in rows {
        #expect(mentionsRow(message, row), "message does not name row \(row): \(message)",
                sourceLocation: sourceLocation)
    }
}

/// Whether `message` contains "row `n`" not followed by a digit.
func mentionsRow(_ message: String, _ n: Int) -> Bool {
    var rest = Substring(message)
    let needle = "row \(n)"
    while let range = rest.range(of: needle) {
        let after = rest[range.upperBound...]
        if let next = after.first, next.isNumber { rest = after; continue }
        return true
    }
    return false
}

// MARK: - Temporary directories

/// A new, empty directory under the system's temporary directory, removed on `deinit`.
final class Scratch {
    let url: URL

    init(_ label: String = "cli") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("persona-cli-tests-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the directory (nothing is created).
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Creates the subdirectory `name` and returns its path.
    @discardableResult
    func directory(_ name: String) throws -> String {
        let path = self.path(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `text` (UTF-8) to `name` and returns the path.
    @discardableResult
    func write(_ text: String, to name: String) throws -> String {
        let path = self.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes `data` to `name` and returns the path.
    @discardableResult
    func write(_ data: Data, to name: String) throws -> String {
        let path = self.path(name)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// Every file and directory under `path` (relative path → bytes; directories map to `nil`).
func snapshot(_ path: String) throws -> [String: Data?] {
    var result: [String: Data?] = [:]
    guard let enumerator = FileManager.default.enumerator(atPath: path) else { return result }
    while let relative = enumerator.nextObject() as? String {
        let full = (path as NSString).appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
        result[relative] = isDirectory.boolValue ? Data?.none : try Data(contentsOf: URL(fileURLWithPath: full))
    }
    return result
}

/// Names under `path` (recursively) that look like temporary files (contain ".tmp").
func strayTemporaryFiles(_ path: String) throws -> [String] {
    try snapshot(path).keys.filter { ($0 as NSString).lastPathComponent.contains(".tmp") }.sorted()
}

/// Reads a file as bytes.
func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

// MARK: - CSV fixtures

/// A small customer table over a few attribute kinds: continuous (`lifestyle_age`,
/// `finance_income_eur`), ordinal (`wish_quality`), categorical (`media_channel`), binary
/// (`online_mobile`) and a profile-only attribute (`profile_value`). Row `i` of `rows` is
/// CSV row `i + 2` (the header is row 1).
enum Fixture {
    static let header = ["customer_id", "lifestyle_age", "finance_income_eur", "wish_quality",
                         "media_channel", "online_mobile", "profile_value"]
    static let rows: [[String]] = [
        ["C01", "23", "1800", "5", "social", "1", "120"],
        ["C02", "25", "2100", "4", "social", "1", "90"],
        ["C03", "31", "2500", "4", "tv", "1", "200"],
        ["C04", "45", "4200", "2", "tv", "0", "340"],
        ["C05", "52", "5100", "1", "print", "0", "410"],
        ["C06", "61", "3900", "2", "print", "0", "380"],
        ["C07", "38", "3000", "3", "tv", "1", "260"],
        ["C08", "29", "2300", "5", "social", "1", "150"],
        ["C09", "57", "4800", "1", "print", "0", "395"],
        ["C10", "34", "2800", "3", "tv", "1", "230"],
        ["C11", "48", "4500", "2", "print", "0", "300"],
        ["C12", "27", "2000", "4", "social", "1", "110"],
    ]

    /// The column index of `name`.
    static func column(_ name: String) -> Int { header.firstIndex(of: name)! }

    /// CSV text for a header and rows (cells written as given, no quoting).
    static func csv(header: [String] = header, rows: [[String]] = rows) -> String {
        ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The fixture with cell (`row`, `column`) replaced; `row` counts data rows from 0.
    static func csv(replacing row: Int, _ column: String, with value: String) -> String {
        var rows = self.rows
        rows[row][self.column(column)] = value
        return csv(rows: rows)
    }

    /// The fixture without the column `name`.
    static func csv(dropping name: String) -> String {
        let c = column(name)
        var header = self.header
        header.remove(at: c)
        return csv(header: header, rows: rows.map { var r = $0; r.remove(at: c); return r })
    }
}

/// Trains a model on the fixture (k = 2) in `scratch` and returns the model's path.
func trainFixtureModel(in scratch: Scratch, name: String = "fixture-model.json") throws -> String {
    let data = try scratch.write(Fixture.csv(), to: "\(name)-data.csv")
    let model = scratch.path(name)
    try runPersona(["train", "--data", data, "--k", "2", "--out", model, "-q"])
    return model
}

// MARK: - Reading outputs

/// A CSV file read with PersonaIO's reader.
func readCSV(_ path: String) throws -> RawTable {
    try CSVReader.read(contentsOf: URL(fileURLWithPath: path))
}

/// The model file as a JSON object without `training.createdAt`, re-encoded with sorted keys,
/// so that two models trained on the same data and options compare equal.
func modelJSONWithoutCreatedAt(_ path: String) throws -> Data {
    let object = try JSONSerialization.jsonObject(with: try bytes(path))
    guard var model = object as? [String: Any], var training = model["training"] as? [String: Any] else {
        Issue.record("\(path) is not a JSON object with a training object")
        return Data()
    }
    training.removeValue(forKey: "createdAt")
    model["training"] = training
    return try JSONSerialization.data(withJSONObject: model, options: [.sortedKeys])
}
