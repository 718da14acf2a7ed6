import Foundation
import PersonaKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a CSV file in batches of whole records, in memory bounded by the chunk size
/// (plus twice the longest record): the reader behind every command, for files of any length.
///
/// ```swift
/// let reader = try CSVStreamReader(contentsOf: url)
/// while let batch = try reader.nextBatch() {
///     for row in 0..<batch.count { … batch.number(row: row, column: 3) … }
/// }
/// ```
///
/// The format is that of ``CSVReader`` (RFC 4180, header required, LF/CRLF/CR line ends, a
/// UTF-8 byte order mark skipped, blank lines at the end ignored); errors are the same
/// ``CSVError``s, naming the file row (the header is row 1) across batches.
///
/// Measured (release build, one core of the 2-core development machine): structure scan
/// plus every cell read as a number runs at several hundred MB/s; see `Docs/Performance.md`.
public final class CSVStreamReader {
    /// The header's column names.
    public private(set) var header: [String] = []
    /// The name used in errors.
    public let file: String
    /// Bytes read from the file so far.
    public private(set) var bytesRead = 0

    private let descriptor: Int32
    private var separator: UInt8
    private let dialect: CSVDialect
    private let reading: CellReading
    private let chunkSize: Int
    private var carry: [UInt8] = []
    private var atEnd = false
    private var row = 0   // the last record read (the header is row 1)
    private var hasher: FNV1a64?
    private var batchBytesEstimate: Int

    /// When set, every batch but the last holds exactly this many records, whatever their
    /// length in bytes; so sums taken batch by batch do not depend on the separator, the
    /// decimal mark or the number formatting of the file. `nil`: about one chunk of bytes.
    public var rowsPerBatch: Int?

    /// The field separator in use (with ``CSVDialect/Separator/auto``, the one the header
    /// showed).
    public var separatorCharacter: Character { Character(Unicode.Scalar(separator)) }

    /// Opens a file and reads its header.
    /// - Parameters:
    ///   - url: the file.
    ///   - displayName: the name used in errors; the file's last path component by default.
    ///   - dialect: the separator (``CSVDialect/Separator/auto`` decides from the header),
    ///     decimal mark and missing-value texts.
    ///   - chunkSize: bytes read per batch (a batch always holds at least one whole record).
    ///   - hashing: whether to compute ``contentHash`` of the bytes read.
    /// - Throws: `CSVError.cannotRead`, `.emptyFile`, `.badHeader` and the format errors of
    ///   the header row.
    public init(contentsOf url: URL, displayName: String? = nil, dialect: CSVDialect = .standard,
                chunkSize: Int = 1 << 18, hashing: Bool = false) throws(CSVError) {
        let name = displayName ?? url.lastPathComponent
        self.file = name
        self.dialect = dialect
        self.reading = dialect.reading
        self.separator = dialect.separatorByte(forFileStartingWith: [])
        self.chunkSize = max(chunkSize, 1)
        self.batchBytesEstimate = max(chunkSize, 1)
        if hashing { hasher = FNV1a64() }
        do { descriptor = try AtomicFile.openForReading(url) } catch { throw .cannotRead(file: name, reason: error.reason) }

        do {
            header = try readHeader()
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// Reads until the header record is complete and checks its names.
    private func readHeader() throws(CSVError) -> [String] {
        var names: [String]? = nil
        var buffer = [UInt8]()
        var skipBOM = true
        while names == nil {
            buffer = try fill(carrying: buffer, amount: Self.growth(buffer.count, chunkSize: chunkSize))
            if skipBOM, buffer.count >= 3 || atEnd {
                skipBOM = false
                if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { buffer.removeFirst(3) }
                separator = dialect.separatorByte(forFileStartingWith: buffer)
            }
            let (fields, consumed, outcome) = try scan(buffer, width: nil, limit: 1)
            switch outcome {
            case .done where fields.isEmpty:
                throw .emptyFile(file: file)
            case .needMore where fields.isEmpty:
                continue
            default:
                let header = CSVBatch(columnNames: Array(repeating: "", count: fields.count), firstRow: 1,
                                      bytes: buffer, fields: fields)
                names = (0..<fields.count).map { header.rawText(row: 0, column: $0) }
                carry = Array(buffer[consumed...])
            }
        }
        try CSVReader.validateHeader(names!, file: file)
        return names!
    }

    deinit { close(descriptor) }

    /// The next records (at least one), or `nil` at the end of the file.
    /// - Throws: ``CSVError`` for the first problem in the records read.
    /// - Complexity: O(bytes read).
    public func nextBatch() throws(CSVError) -> CSVBatch? {
        var buffer = carry
        carry = []
        let limit = rowsPerBatch.map { max($0, 1) } ?? .max
        // A batch holds about one chunk, or the bytes the last batch's rows took.
        var amount = max((rowsPerBatch == nil ? chunkSize : batchBytesEstimate) - buffer.count, 1)
        while true {
            if !atEnd { buffer = try fill(carrying: buffer, amount: amount) }
            amount = Self.growth(buffer.count, chunkSize: chunkSize)   // a record longer than what is buffered: grow
            let firstRow = row + 1
            let (fields, consumed, _) = try scan(buffer, width: header.count, limit: limit)
            if !fields.isEmpty, rowsPerBatch == nil || fields.count / header.count >= limit || atEnd {
                carry = Array(buffer[consumed...])
                if rowsPerBatch != nil { batchBytesEstimate = consumed + consumed / 8 + 64 }
                return CSVBatch(columnNames: header, firstRow: firstRow, bytes: buffer, fields: fields, reading: reading)
            }
            if atEnd { return nil }
            row = firstRow - 1   // fewer rows than a batch holds: read more and scan again
        }
    }

    /// How many bytes to read when `buffered` bytes hold no whole record: a chunk, or as many
    /// as are buffered when that is more, so that a record much longer than a chunk (or an
    /// unterminated quote near the start of a large file) is read in O(length) rather than
    /// O(length² / chunk) (every read copies and rescans the buffer).
    static func growth(_ buffered: Int, chunkSize: Int) -> Int { max(chunkSize, buffered) }

    /// 64-bit FNV-1a of every byte read so far, as 16 hex digits (`nil` unless hashing).
    public var contentHash: String? { hasher?.hex }

    /// Scans records from the start of `buffer`: their fields, the bytes they used and how
    /// the scan ended.
    private func scan(_ buffer: [UInt8], width: Int?, limit: Int) throws(CSVError)
        -> (fields: [FieldBounds], consumed: Int, outcome: CSVScanner.Outcome) {
        guard !buffer.isEmpty else { return ([], 0, atEnd ? .done : .needMore) }
        return try buffer.withUnsafeBufferPointer { bytes throws(CSVError) in
            var scanner = CSVScanner(base: bytes.baseAddress!, start: 0, end: bytes.count, isFinal: atEnd,
                                     file: file, separator: separator, row: row, columnNames: header(orEmpty: width))
            var fields = [FieldBounds]()
            if let width { fields.reserveCapacity(width * max(64, bytes.count / max(1, 4 * width))) }
            var records = 0, outcome = CSVScanner.Outcome.record
            while records < limit {
                if let width {
                    records += scanner.scanPlainRecords(width: width, limit: limit - records, into: &fields)
                    if records == limit { break }
                }
                outcome = try scanner.scanRecord(width: width, into: &fields)
                if outcome != .record { break }
                records += 1
            }
            row = scanner.row
            return (fields, scanner.position, outcome)
        }
    }

    private func header(orEmpty width: Int?) -> [String] { width == nil ? [] : header }

    /// Appends up to `amount` bytes of the file (one chunk by default) to `buffer`.
    private func fill(carrying buffer: [UInt8], amount: Int? = nil) throws(CSVError) -> [UInt8] {
        let amount = amount ?? chunkSize
        let before = buffer.count
        var failure: FileError?
        // The carried bytes, then the file's read straight after them (no zero fill first).
        let next = [UInt8](unsafeUninitializedCapacity: before + amount) { out, initialized in
            let start = out.baseAddress!
            buffer.withUnsafeBufferPointer { carried in
                if let carried = carried.baseAddress { start.initialize(from: carried, count: before) }
            }
            initialized = before
            do throws(FileError) {
                initialized += try AtomicFile.read(descriptor, upTo: amount, into: UnsafeMutableRawPointer(start + before))
            } catch {
                failure = error
            }
        }
        if let failure { throw .cannotRead(file: file, reason: failure.reason) }
        let added = next.count - before
        if added == 0 { atEnd = true }
        bytesRead += added
        if added > 0, var h = hasher {
            next.withUnsafeBufferPointer { h.update(UnsafeBufferPointer(rebasing: $0[before...])) }
            hasher = h
        }
        return next
    }
}

extension CSVStreamReader {
    /// Reads the rest of the file batch by batch, keeps up to `4 × workers` batches in flight
    /// (transformed concurrently), and hands the results to `consume` one by one in file
    /// order, so that whatever `consume` builds does not depend on the number of workers.
    /// Memory is bounded by that many batches and their results.
    ///
    /// The calling thread reads and consumes: as soon as the oldest batch in flight is
    /// transformed, it is consumed and the next batch is read and started, so the workers
    /// always have batches queued while the file is read and the results are written.
    ///
    /// - Throws: the first error in file order: a ``CSVError`` reading a batch, or the error
    ///   of the earliest batch whose transform or consumption failed.
    public func forEachBatch<Output>(workers: Int, transform: @escaping @Sendable (CSVBatch) throws -> Output,
                                     consume: (CSVBatch, Output) throws -> Void) throws {
        // `transform` is escaping because the worker blocks hold it until the dispatch queue
        // releases them, which can come after this returns; every task has run by then.
        try run(window: 4 * max(1, workers), workers: workers, transform: transform, consume: consume)
    }

    private func run<Output>(window: Int, workers: Int, transform: @escaping @Sendable (CSVBatch) throws -> Output,
                             consume: (CSVBatch, Output) throws -> Void) throws {
        let queue = DispatchQueue(label: "persona.batches", attributes: .concurrent)
        let tasks = DispatchGroup()   // left only once a task's block, and what it holds, is done
        var inFlight = [InFlightBatch<Output>]()   // in file order; the oldest first
        var head = 0
        var readFailure: CSVError? = nil
        func fill() {
            while readFailure == nil, inFlight.count - head < window {
                let batch: CSVBatch
                do {
                    guard let next = try nextBatch() else { return }
                    batch = next
                } catch {
                    readFailure = error
                    return
                }
                let slot = InFlightBatch<Output>(batch: batch)
                if workers <= 1 {
                    slot.result = Result { try transform(batch) }
                    slot.done.signal()
                } else {
                    queue.async(group: tasks) {
                        slot.result = Result { try transform(batch) }
                        slot.done.signal()
                    }
                }
                inFlight.append(slot)
            }
        }
        defer { tasks.wait() }   // no transform outlives this call
        fill()
        while head < inFlight.count {
            let slot = inFlight[head]
            slot.done.wait()
            head += 1
            if head >= window {   // drop the consumed slots now and then
                inFlight.removeFirst(head)
                head = 0
            }
            let output = try slot.result!.get()
            fill()   // keep the workers busy while this one is consumed
            try consume(slot.batch, output)
        }
        if let readFailure { throw readFailure }
    }
}

/// A batch being transformed, and its result once `done` is signalled.
private final class InFlightBatch<Output>: @unchecked Sendable {
    let batch: CSVBatch
    var result: Result<Output, any Error>?
    let done = DispatchSemaphore(value: 0)

    init(batch: CSVBatch) { self.batch = batch }
}

/// One result per task of a parallel loop, each written by its own task.
final class ResultSlots<Value>: @unchecked Sendable {
    private var slots: [Result<Value, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    subscript(index: Int) -> Result<Value, any Error>? {
        get { slots[index] }
        set { slots.withUnsafeMutableBufferPointer { $0[index] = newValue } }
    }

    /// The results in task order (every task must have finished).
    var values: [Result<Value, any Error>] { slots.map { $0! } }
}
