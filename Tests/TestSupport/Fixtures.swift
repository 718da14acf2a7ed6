import PersonaKit

/// Deterministic test data and slow reference implementations.
public enum Fixtures {
    /// `k` Gaussian blobs in `d` dimensions, `n` rows, from `seed` (Box–Muller).
    public static func blobs(n: Int, d: Int, k: Int, spread: Double = 1, separation: Double = 8,
                             seed: UInt64) -> (matrix: FeatureMatrix, truth: [Int]) {
        var rng = SeededGenerator(seed: seed)
        let centers = (0..<k).map { _ in (0..<d).map { _ in (rng.nextUnitDouble() - 0.5) * 2 * separation } }
        var values = [Float]()
        values.reserveCapacity(n * d)
        var truth = [Int]()
        for i in 0..<n {
            let c = i % k
            truth.append(c)
            for j in 0..<d { values.append(Float(centers[c][j] + spread * gaussian(&rng))) }
        }
        return (FeatureMatrix(rows: n, columns: d, values: values), truth)
    }

    /// A standard normal draw.
    public static func gaussian(_ rng: inout SeededGenerator) -> Double {
        let u = max(rng.nextUnitDouble(), 1e-300), v = rng.nextUnitDouble()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }

    /// A table from a header and rows.
    public static func table(_ header: [String], _ rows: [[String]]) -> RawTable {
        RawTable(columnNames: header, rows: rows)
    }

    /// Plain Lloyd iterations in `Double`, written for clarity: the reference the fast
    /// implementation is compared with. Stops when no label changes or after `iterations`.
    public static func referenceLloyd(_ data: FeatureMatrix, start: FeatureMatrix, iterations: Int = 300)
        -> (centers: [[Double]], labels: [Int], inertia: Double) {
        let n = data.rows, d = data.columns, k = start.rows
        var centers = (0..<k).map { c in (0..<d).map { Double(start[c, $0]) } }
        var labels = [Int](repeating: -1, count: n)
        func distance(_ r: Int, _ c: Int) -> Double {
            (0..<d).reduce(0.0) { s, j in let t = Double(data[r, j]) - centers[c][j]; return s + t * t }
        }
        for _ in 0..<iterations {
            var changed = false
            for r in 0..<n {
                let best = (0..<k).min { distance(r, $0) < distance(r, $1) }!
                if best != labels[r] { labels[r] = best; changed = true }
            }
            if !changed { break }
            for c in 0..<k {
                let members = (0..<n).filter { labels[$0] == c }
                guard !members.isEmpty else { continue }
                centers[c] = (0..<d).map { j in members.reduce(0.0) { $0 + Double(data[$1, j]) } / Double(members.count) }
            }
        }
        let inertia = (0..<n).reduce(0.0) { $0 + distance($1, labels[$1]) }
        return (centers, labels, inertia)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
