import Dispatch
import Foundation

/// What this machine can do at most, for the roofline bound of a kernel: memory bandwidth
/// from STREAM-like loops over arrays far larger than the caches, and the floating-point rate
/// of Swift `SIMD8<Float>` multiply–add code compiled like PersonaKit (no `-march`, so the
/// instruction set is the platform's baseline, without FMA).
public enum MachineBounds {
    /// Bandwidths in bytes per second, the best of the repeats (as STREAM reports).
    public struct Bandwidth: Codable, Sendable {
        /// `sum += a[i]`: bytes read.
        public var read: Double
        /// `b[i] = a[i]`: bytes read + bytes written (STREAM's convention; write-allocate
        /// traffic is not counted).
        public var copy: Double
        /// `a[i] = b[i] + s × c[i]`: 3 × array bytes (STREAM's convention).
        public var triad: Double
        /// Array size, bytes.
        public var arrayBytes: Int
        /// Threads used.
        public var threads: Int
    }

    /// Measures read, copy and triad bandwidth over arrays of `arrayBytes` each on `threads`
    /// threads (each thread takes a contiguous slice), best of `repeats`.
    /// - Complexity: O(repeats × arrayBytes); needs 3 × `arrayBytes` of memory.
    public static func bandwidth(arrayBytes: Int, threads: Int, repeats: Int) -> Bandwidth {
        let count = max(1 << 16, arrayBytes / MemoryLayout<Float>.stride) & ~63
        let a = Storage(count: count, value: 1), b = Storage(count: count, value: 2), c = Storage(count: count, value: 3)
        let bytes = Double(count * MemoryLayout<Float>.stride)
        let sink = Storage(count: threads * 16, value: 0)
        var read = 0.0, copy = 0.0, triad = 0.0
        for _ in 0..<max(1, repeats) {
            let tRead = Measurement.seconds {
                parallelSlices(count: count, threads: threads) { t, range in
                    var acc = SIMD8<Float>()
                    var i = range.lowerBound
                    while i < range.upperBound {
                        acc += UnsafeRawPointer(a.base + i).loadUnaligned(as: SIMD8<Float>.self)
                        i += 8
                    }
                    sink.base[t * 16] = acc.sum()
                }
            }
            read = max(read, bytes / tRead)
            let tCopy = Measurement.seconds {
                parallelSlices(count: count, threads: threads) { _, range in
                    (b.base + range.lowerBound).update(from: a.base + range.lowerBound, count: range.count)
                }
            }
            copy = max(copy, 2 * bytes / tCopy)
            let tTriad = Measurement.seconds {
                parallelSlices(count: count, threads: threads) { _, range in
                    var i = range.lowerBound
                    let s = SIMD8<Float>(repeating: 3)
                    while i < range.upperBound {
                        let x = UnsafeRawPointer(b.base + i).loadUnaligned(as: SIMD8<Float>.self)
                        let y = UnsafeRawPointer(c.base + i).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(a.base + i).storeBytes(of: x + s * y, as: SIMD8<Float>.self)
                        i += 8
                    }
                }
            }
            triad = max(triad, 3 * bytes / tTriad)
        }
        return Bandwidth(read: read, copy: copy, triad: triad, arrayBytes: count * MemoryLayout<Float>.stride,
                         threads: threads)
    }

    /// Floating-point operations per second of register-only `SIMD8<Float>` multiply–add
    /// chains (eight independent accumulators per thread; a multiply and an add count as two
    /// operations), best of `repeats`.
    /// - Complexity: O(repeats × operations).
    public static func peakFlops(threads: Int, repeats: Int, operationsPerThread: Int = 2_000_000_000) -> Double {
        let steps = max(1, operationsPerThread / (8 * 8 * 2))
        let sink = Storage(count: threads * 16, value: 0)
        var best = 0.0
        for _ in 0..<max(1, repeats) {
            let seconds = Measurement.seconds {
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    let m = SIMD8<Float>(repeating: 0.999_999), add = SIMD8<Float>(repeating: 1e-7)
                    var a0 = SIMD8<Float>(repeating: 1), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3
                    var a4 = a0 + 4, a5 = a0 + 5, a6 = a0 + 6, a7 = a0 + 7
                    for _ in 0..<steps {
                        a0 = a0 * m + add; a1 = a1 * m + add; a2 = a2 * m + add; a3 = a3 * m + add
                        a4 = a4 * m + add; a5 = a5 * m + add; a6 = a6 * m + add; a7 = a7 * m + add
                    }
                    sink.base[t * 16] = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7).sum()
                }
            }
            best = max(best, Double(steps * 8 * 8 * 2 * threads) / seconds)
        }
        return best
    }

    /// Calls `body(thread, range)` for `threads` contiguous slices of `0..<count` (slice
    /// bounds multiples of 8), in parallel.
    static func parallelSlices(count: Int, threads: Int, _ body: @Sendable (Int, Range<Int>) -> Void) {
        let per = (count / threads) & ~7
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = t * per, end = t == threads - 1 ? count : start + per
            body(t, start..<end)
        }
    }

    /// A raw, aligned `Float` buffer shared by the worker threads.
    final class Storage: @unchecked Sendable {
        let base: UnsafeMutablePointer<Float>
        init(count: Int, value: Float) {
            base = .allocate(capacity: count)
            base.initialize(repeating: value, count: count)
        }
        deinit { base.deallocate() }
    }
}
