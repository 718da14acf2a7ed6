import Dispatch
import Foundation

/// Splits rows into fixed-size chunks and runs them on worker threads.
///
/// Chunk boundaries depend only on the row count, never on the number of threads; each
/// chunk writes its own results, and callers combine them in chunk order. That is what makes
/// every reduction — and so every model — identical whatever the thread count.
struct ChunkedParallel: Sendable {
    /// Rows per chunk.
    static let chunkSize = 4096

    let rows: Int
    let threads: Int

    init(rows: Int, threads: Int?) {
        self.rows = rows
        let available = ProcessInfo.processInfo.activeProcessorCount
        self.threads = max(1, min(threads ?? available, max(1, (rows + Self.chunkSize - 1) / Self.chunkSize)))
    }

    /// The number of chunks.
    var chunkCount: Int { (rows + Self.chunkSize - 1) / Self.chunkSize }

    /// The rows of chunk `chunk`.
    func range(of chunk: Int) -> Range<Int> {
        chunk * Self.chunkSize ..< min(rows, (chunk + 1) * Self.chunkSize)
    }

    /// Calls `body(chunk, rows)` once for every chunk, on up to `threads` threads.
    ///
    /// Workers take the next chunk as they finish one, so a slow chunk or a worker that
    /// another process delays does not hold up the rest; which worker ran a chunk never
    /// affects a result.
    func forEachChunk(_ body: @Sendable (Int, Range<Int>) -> Void) {
        TaskPool.run(count: chunkCount, threads: threads) { chunk in body(chunk, range(of: chunk)) }
    }
}

/// Scratch memory that worker threads write disjoint parts of (labels, distances, per-chunk
/// sums). A class, so closures capture one shared buffer; callers make sure no two threads
/// write the same element.
final class WorkBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    init(repeating value: Element, count: Int) {
        self.count = count
        base = .allocate(capacity: Swift.max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    deinit { base.deallocate() }

    subscript(index: Int) -> Element {
        get { base[index] }
        set { base[index] = newValue }
    }

    /// A copy of the contents.
    var array: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
