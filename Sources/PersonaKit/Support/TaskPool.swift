import Dispatch
import Foundation

/// Runs independent numbered tasks on worker threads (several k-means fits at once, or
/// blocks of points), each writing only its own results.
///
/// Which worker runs a task never affects a result: every task is computed in full by one
/// thread, and callers read the results by task number. So results do not depend on the
/// thread count.
enum TaskPool {
    /// Calls `body(task)` once for every task in `0..<count`, on up to `threads` threads
    /// (`nil`: every active core). Workers take the next task as they finish one.
    static func run(count: Int, threads: Int?, _ body: @Sendable (Int) -> Void) {
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, count))
        if workers == 1 {
            for task in 0..<count { body(task) }
            return
        }
        let next = TaskCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let task = next.take(below: count) { body(task) }
        }
    }
}

/// Hands out task numbers in order, one at a time.
private final class TaskCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// One result slot per task, filled by worker threads (each task writes only its own slot).
final class TaskResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    subscript(task: Int) -> Value? {
        get { lock.lock(); defer { lock.unlock() }; return values[task] }
        set { lock.lock(); values[task] = newValue; lock.unlock() }
    }
}
