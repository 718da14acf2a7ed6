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

extension Fixtures {
    /// Plain Hartigan passes in `Double` (no pruning), visiting rows in order and
    /// recomputing centres exactly at the start of every pass: the reference for the
    /// refinement after Lloyd.
    public static func referenceHartigan(_ data: FeatureMatrix, labels start: [Int], k: Int) -> [Int] {
        let n = data.rows, d = data.columns
        var labels = start
        var moved = true, passes = 0
        while moved && passes < 50 {
            moved = false; passes += 1
            var counts = [Double](repeating: 0, count: k)
            var centers = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
            for r in 0..<n { counts[labels[r]] += 1; for j in 0..<d { centers[labels[r]][j] += Double(data[r, j]) } }
            for c in 0..<k where counts[c] > 0 { for j in 0..<d { centers[c][j] /= counts[c] } }
            for r in 0..<n {
                let a = labels[r]
                guard counts[a] > 1 else { continue }
                let x = (0..<d).map { Double(data[r, $0]) }
                func dist(_ c: Int) -> Double { (0..<d).reduce(0.0) { $0 + (x[$1] - centers[c][$1]) * (x[$1] - centers[c][$1]) } }
                var best = a
                var bestCost = counts[a] / (counts[a] - 1) * dist(a) * (1 - 1e-12)
                for b in 0..<k where b != a {
                    let cost = counts[b] / (counts[b] + 1) * dist(b)
                    if cost < bestCost { best = b; bestCost = cost }
                }
                guard best != a else { continue }
                for j in 0..<d {
                    centers[a][j] = (centers[a][j] * counts[a] - x[j]) / (counts[a] - 1)
                    centers[best][j] = (centers[best][j] * counts[best] + x[j]) / (counts[best] + 1)
                }
                counts[a] -= 1; counts[best] += 1
                labels[r] = best
                moved = true
            }
        }
        return labels
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
