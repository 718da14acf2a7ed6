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
    func forEachChunk(_ body: @Sendable (Int, Range<Int>) -> Void) {
        let chunks = chunkCount
        if threads == 1 || chunks <= 1 {
            for c in 0..<chunks { body(c, range(of: c)) }
            return
        }
        let threads = self.threads
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var c = worker
            while c < chunks {
                body(c, range(of: c))
                c += threads
            }
        }
    }
}

/// A pointer that may cross into worker threads; each worker touches only its own part.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// A read-only pointer that may cross into worker threads.
struct SharedReadPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
    init(_ base: UnsafePointer<T>) { self.base = base }
}
