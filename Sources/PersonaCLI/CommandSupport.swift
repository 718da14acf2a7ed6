import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// A user error, reported as one line on standard error with a non-zero exit status.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    /// Creates a failure; line breaks inside (from a quoted cell or a file name) are shown
    /// as `\n` so the message stays on one line.
    init(_ description: String) {
        self.description = description
            .replacingOccurrences(of: "\r", with: "\\r")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Options shared by commands that print progress.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print no progress on standard error.")
    var quiet = false

    /// A line of progress.
    func say(_ message: @autoclosure () -> String) {
        guard !quiet else { return }
        ProgressLine.standardError.line("persona: \(message())")
    }

    /// A status that replaces the previous one in place on a terminal; where standard error
    /// is a file or a pipe, a plain line when `plain` holds, else nothing.
    func update(_ message: @autoclosure () -> String, plain: Bool = true) {
        guard !quiet else { return }
        ProgressLine.standardError.update("persona: \(message())", plain: plain)
    }

    /// Shows the rows read and the rate of a pass over a customer file (``CustomerFile/rowsRead``).
    func rowMeter() -> RowMeter { RowMeter(progress: self) }
}

/// The rows read and the rate of the current pass over a file: in place on a terminal,
/// elsewhere a plain line every 10 s (only long passes write any).
final class RowMeter {
    private let progress: ProgressOptions
    private var what = "reading"
    private var start = Date()
    private var lastLine = Date()

    init(progress: ProgressOptions) { self.progress = progress }

    /// Starts a pass: `what` names it ("surveying q1.csv").
    func begin(_ what: String) {
        self.what = what
        start = Date()
        lastLine = start
    }

    /// `rows` rows of the pass are read.
    func rows(_ rows: Int) {
        let now = Date()
        let seconds = now.timeIntervalSince(start)
        let plain = now.timeIntervalSince(lastLine) >= 10
        if plain { lastLine = now }
        let rate = seconds > 0 ? Int((Double(rows) / seconds).rounded()) : 0
        progress.update("\(what): \(rows) rows, \(rate) rows/s", plain: plain)
    }
}

/// Progress on standard error. On a terminal a status updates in place (carriage return,
/// erase to the end of the line), at most ten times a second, and the next plain line takes
/// its place; elsewhere (a nightly job's log) every line stands on its own.
final class ProgressLine: @unchecked Sendable {
    /// Standard error's.
    static let standardError = ProgressLine(
        terminal: isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb")

    /// Whether statuses update in place.
    let terminal: Bool
    private let lock = NSLock()
    /// A status is on the line, not yet ended by a newline.
    private var open = false
    private var lastStatus = Date.distantPast

    init(terminal: Bool) { self.terminal = terminal }

    /// Writes `text` as a line of its own, replacing an open status.
    func line(_ text: String) {
        lock.withLock {
            write((open ? "\r\u{1B}[K" : "") + text + "\n")
            open = false
        }
    }

    /// Ends an open status with a newline.
    func end() {
        lock.withLock {
            if open { write("\n") }
            open = false
        }
    }

    /// Shows `text` as the status: in place on a terminal; else as a line when `plain` holds.
    func update(_ text: String, plain: Bool) {
        lock.withLock {
            guard terminal else {
                if plain { write(text + "\n") }
                return
            }
            let now = Date()
            guard now.timeIntervalSince(lastStatus) >= 0.1 else { return }
            lastStatus = now
            write("\r\u{1B}[K" + text)
            open = true
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// How a customer file writes fields, numbers and missing values, for every command that
/// reads customers.
struct CustomerFormatOptions: ParsableArguments {
    @Option(help: "Field separator of the customer file: comma (default), semicolon, tab, or auto (decided from the header).")
    var separator: CSVDialect.Separator = .comma

    @Option(help: "Decimal mark of its numbers: point (default) or comma (3,5; a point still reads as one).")
    var decimal: CSVDialect.DecimalMark = .point

    @Option(help: ArgumentHelp("Cell texts that also mean a missing value, separated by commas, e.g. NA,NULL (default: only the empty cell).",
                               valueName: "list"))
    var missingValues: String?

    mutating func validate() throws {
        if let missingValues, missingValueList(missingValues).isEmpty {
            throw ValidationError("--missing-values '\(missingValues)': name at least one text, e.g. NA,NULL")
        }
    }

    private func missingValueList(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The dialect these options describe.
    var dialect: CSVDialect {
        CSVDialect(separator: separator, decimalMark: decimal, missingValues: missingValues.map(missingValueList) ?? [])
    }
}

extension CSVDialect.Separator: ExpressibleByArgument {}
extension CSVDialect.DecimalMark: ExpressibleByArgument {}

/// How `train` and `choose-k` read and encode a customer file.
struct CustomerInputOptions: ParsableArguments {
    @OptionGroup var dataFormat: CustomerFormatOptions

    @Option(help: "Scaling of numeric attributes: zscore (default) or none.")
    var scaling: Scaling = .zscore

    @Flag(help: "Give every attribute group the same total weight.")
    var balanceGroups = false

    @Option(help: "JSON schema file declaring each attribute's group, kind, role and weight.")
    var schema: String?

    @Option(help: "Identifier column (overrides the schema's).")
    var idColumn: String?

    @Option(help: "Column of sample weights (≥ 0), used by the fits.")
    var weightColumn: String?

    /// A failure reading the customer file, with the option of this command that resolves it
    /// where there is one: the core names attributes and values, the command line its options.
    func failure(_ error: CustomerFileError) -> CommandFailure {
        guard case .data(let data, _, _) = error else { return CommandFailure(error.description) }
        switch data {
        case .missingIdColumn(_, let available) where available.count > 1:
            return CommandFailure(error.description + "; choose one with --id-column")
        case .categoriesTooUneven:
            return CommandFailure(error.description + " (--scaling none)")
        default:
            return CommandFailure(error.description)
        }
    }

    /// The encoding these options ask for.
    var encoding: EncodingOptions { EncodingOptions(scaling: scaling, balanceGroups: balanceGroups) }

    /// The customer file `data`: with the schema file when given (its id and weight columns
    /// overridden by the options), else inferred.
    func customerFile(_ data: String) throws -> CustomerFile {
        var declared: PersonaSchema? = nil
        if let schema {
            var loaded = try CommandSupport.loadSchema(schema)
            if let idColumn { loaded.idColumn = idColumn }
            if let weightColumn { loaded.weightColumn = weightColumn }
            declared = loaded
        }
        var file = CustomerFile(url: URL(fileURLWithPath: data), displayName: data, schema: declared)
        file.idColumn = idColumn ?? "customer_id"
        file.dialect = dataFormat.dialect
        file.weightColumn = weightColumn
        return file
    }
}

extension Scaling: ExpressibleByArgument {}
extension KMeansRefinement: ExpressibleByArgument {}
extension KMeansAlgorithm: ExpressibleByArgument {}

/// A customer CSV read into memory, with a hash of its bytes.
struct LoadedTable {
    let path: String
    let table: RawTable
    let hash: String
}

enum CommandSupport {
    /// Reads a customer CSV, naming the file in any error.
    static func loadTable(_ path: String, dialect: CSVDialect = .standard) throws -> LoadedTable {
        let url = URL(fileURLWithPath: path)
        let bytes: [UInt8]
        do { bytes = try AtomicFile.readBytes(at: url) } catch { throw CommandFailure(error.description) }
        do {
            let table = try CSVReader.parse(bytes, file: path, dialect: dialect)
            return LoadedTable(path: path, table: table, hash: FNV1a64.labelled(bytes))
        } catch {
            throw CommandFailure(error.description)
        }
    }

    /// Checks k-means options before any file is read, naming each by its option.
    static func check(_ configuration: KMeansConfiguration) throws {
        do { try configuration.validate() } catch {
            let option = switch error.parameter {
            case .clusterCount: "--k"
            case .restarts: "--restarts"
            case .maxIterations: "--max-iterations"
            case .tolerance: "--tolerance"
            case .threads: "--threads"
            case .seedingTrials: "seedingTrials"   // no option sets it
            case .swapTrials: "--swap-trials"
            }
            throw CommandFailure("\(option) \(error.value): \(error.requirement)")
        }
    }

    /// Reads a model file, naming the file in any error.
    static func loadModel(_ path: String) throws -> PersonaModel {
        do { return try ModelFile.read(from: URL(fileURLWithPath: path)) } catch { throw CommandFailure(error.description) }
    }

    /// The spread of `model`'s soft memberships (`--memberships`), checked before any work;
    /// says so when it is estimated for a model written before it was recorded.
    static func membershipScale(of model: PersonaModel, file: String, progress: ProgressOptions) throws -> MembershipScale {
        let scale: MembershipScale
        do { scale = try model.membershipScale() } catch { throw CommandFailure("\(file): \(error.description)") }
        if scale.source == .personaDistances {
            progress.say("\(file) records no membership spread (written before it was); σ² = \(scale.variance) estimated from the personas' mean distances")
        }
        return scale
    }

    /// Reads a JSON schema file.
    static func loadSchema(_ path: String) throws -> PersonaSchema {
        do { return try SchemaFile.read(from: URL(fileURLWithPath: path), displayName: path) } catch {
            throw CommandFailure(error.description)
        }
    }

    /// One line for a data error in `file`; `rowOffset` is the file row of data row 0 (2 for
    /// a whole file, after the header; a batch's first row for a batch).
    static func dataFailure(_ error: PersonaDataError, file: String, rowOffset: Int = 2) -> CommandFailure {
        CommandFailure("\(file): \(error.describe(rowOffset: rowOffset))")
    }

    /// Opens a customer CSV for reading in batches, naming the file in any error.
    static func openStream(_ path: String, dialect: CSVDialect = .standard, hashing: Bool = false) throws -> CSVStreamReader {
        do { return try CSVStreamReader(contentsOf: URL(fileURLWithPath: path), displayName: path, dialect: dialect, hashing: hashing) } catch {
            throw CommandFailure(error.description)
        }
    }

    /// Runs `body`, turning a CSV format error into a one-line failure.
    static func naming<T>(_ file: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as CSVError {
            throw CommandFailure(error.description)
        } catch let error as CustomerFileError {
            throw CommandFailure(error.description)
        }
    }

    /// The next batch of a stream, naming the file in any error.
    static func next(_ reader: CSVStreamReader) throws -> CSVBatch? {
        do { return try reader.nextBatch() } catch { throw CommandFailure(error.description) }
    }

    /// Fails early, before any long computation, when an output file cannot be created: a
    /// missing parent directory is fine (it is created when the file is written), but the
    /// nearest existing ancestor must be a writable directory, and the path itself must not be
    /// a directory.
    static func checkWritable(_ path: String) throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandFailure("cannot write \(path): it is a directory")
        }
        try checkCreatable(url.deletingLastPathComponent(), for: path)
    }

    /// Fails early when a report directory cannot be created or written.
    static func checkWritableDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CommandFailure("cannot write report to \(path): it is a file, not a directory")
        }
        try checkCreatable(URL(fileURLWithPath: path), for: path)
    }

    /// Checks that `directory` exists as a writable directory or can be created.
    private static func checkCreatable(_ directory: URL, for path: String) throws {
        var ancestor = directory.standardizedFileURL
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw CommandFailure("cannot write \(path): \(ancestor.path) is a file, not a directory")
                }
                guard FileManager.default.isWritableFile(atPath: ancestor.path) else {
                    throw CommandFailure("cannot write \(path): directory \(ancestor.path) is not writable")
                }
                return
            }
            let parent = ancestor.deletingLastPathComponent()
            if parent.path == ancestor.path { return }
            ancestor = parent
        }
    }

    /// Writes bytes atomically, reporting failures as one line.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try AtomicFile.createDirectory(url.deletingLastPathComponent())
            try AtomicFile.write(bytes, to: url)
        } catch {
            throw CommandFailure(error.description)
        }
    }

    /// Fails when two of a command's files are the same file: an output that would overwrite
    /// an input (the data, the model) or another output of the same run.
    static func checkDistinct(inputs: [String], outputs: [String]) throws {
        func key(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        let inputKeys = Dictionary(inputs.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        var seen = [String: String]()
        for output in outputs {
            let k = key(output)
            if let input = inputKeys[k] {
                throw CommandFailure("refusing to write \(output): it is the input file \(input)")
            }
            if let other = seen.updateValue(output, forKey: k) {
                throw CommandFailure("refusing to write \(output): \(other) is another output of the same command")
            }
        }
    }

    /// The current time in ISO 8601 (UTC).
    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    /// Seconds elapsed since `start`, formatted.
    static func elapsed(since start: Date) -> String {
        String(format: "%.2f s", Date().timeIntervalSince(start))
    }
}
