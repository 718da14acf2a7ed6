import PersonaKit
import TestSupport
import Testing

/// Slow references written from the definitions (Rousseeuw 1987; Calinski & Harabasz 1974;
/// Davies & Bouldin 1979, as scikit-learn computes them), in `Double`.
enum ValidityReference {
    static func distance(_ x: FeatureMatrix, _ a: Int, _ b: Int) -> Double {
        (0..<x.columns).reduce(0.0) { s, j in let t = Double(x[a, j]) - Double(x[b, j]); return s + t * t }.squareRoot()
    }

    static func silhouetteSamples(_ x: FeatureMatrix, _ labels: [Int]) -> [Double] {
        let n = x.rows, clusters = Set(labels)
        return (0..<n).map { i in
            let own = labels[i]
            let mates = (0..<n).filter { labels[$0] == own && $0 != i }
            guard !mates.isEmpty else { return 0 }
            let a = mates.map { distance(x, i, $0) }.reduce(0, +) / Double(mates.count)
            let b = clusters.filter { $0 != own }.map { c in
                let members = (0..<n).filter { labels[$0] == c }
                return members.map { distance(x, i, $0) }.reduce(0, +) / Double(members.count)
            }.min()!
            return max(a, b) > 0 ? (b - a) / max(a, b) : 0
        }
    }

    static func silhouette(_ x: FeatureMatrix, _ labels: [Int]) -> Double {
        let s = silhouetteSamples(x, labels)
        return s.reduce(0, +) / Double(s.count)
    }

    static func means(_ x: FeatureMatrix, _ members: [Int]) -> [Double] {
        (0..<x.columns).map { j in members.map { Double(x[$0, j]) }.reduce(0, +) / Double(members.count) }
    }

    static func calinskiHarabasz(_ x: FeatureMatrix, _ labels: [Int]) -> Double {
        let n = x.rows, clusters = Array(Set(labels)), k = Double(clusters.count)
        let overall = means(x, Array(0..<n))
        var between = 0.0, within = 0.0
        for c in clusters {
            let members = (0..<n).filter { labels[$0] == c }
            let mu = means(x, members)
            between += Double(members.count) * zip(mu, overall).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            for r in members { within += (0..<x.columns).map { (Double(x[r, $0]) - mu[$0]) * (Double(x[r, $0]) - mu[$0]) }.reduce(0, +) }
        }
        return within == 0 ? 1 : between * (Double(n) - k) / (within * (k - 1))
    }

    static func daviesBouldin(_ x: FeatureMatrix, _ labels: [Int]) -> Double {
        let n = x.rows, clusters = Array(Set(labels)).sorted()
        let mus = clusters.map { c in means(x, (0..<n).filter { labels[$0] == c }) }
        let spreads = clusters.enumerated().map { index, c -> Double in
            let members = (0..<n).filter { labels[$0] == c }
            return members.map { r in zip((0..<x.columns).map { Double(x[r, $0]) }, mus[index]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() }
                .reduce(0, +) / Double(members.count)
        }
        func separation(_ a: Int, _ b: Int) -> Double { zip(mus[a], mus[b]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() }
        let scores = clusters.indices.map { a in
            clusters.indices.filter { $0 != a }.map { b in (spreads[a] + spreads[b]) / separation(a, b) }.max()!
        }
        return scores.reduce(0, +) / Double(scores.count)
    }
}

@Suite struct ClusterValidityTests {
    /// Four points on a line, two clusters: every number worked by hand.
    @Test func handWorkedFourPoints() {
        let x = FeatureMatrix([[0], [1], [10], [11]])
        let labels: [Int32] = [0, 0, 1, 1]
        // s = (b − a)/b with a = 1: b = 10.5, 9.5, 9.5, 10.5.
        let expected = (9.5 / 10.5 + 8.5 / 9.5) / 2
        let s = ClusterValidity.silhouette(x, labels: labels)
        #expect(abs(s.mean - expected) < 1e-6)
        #expect(s.isExact && s.standardError == 0 && s.sampleSize == 4)
        // Means 0.5 and 10.5, overall 5.5: between 4 × 25 = 100, within 4 × 0.25 = 1.
        #expect(abs(ClusterValidity.calinskiHarabasz(x, labels: labels) - 200) < 1e-9)
        // S = 0.5 for both, centres 10 apart: (0.5 + 0.5) / 10.
        #expect(abs(ClusterValidity.daviesBouldin(x, labels: labels) - 0.1) < 1e-12)
    }

    /// A point alone in its cluster scores 0; unused label numbers are ignored.
    @Test func singletonScoresZeroAndGapsInLabelsAreIgnored() {
        let x = FeatureMatrix([[0], [2], [9]])
        let s = ClusterValidity.silhouette(x, labels: [0, 0, 3])
        // Rows 0 and 1: a = 2, b = 9 and 7.
        #expect(abs(s.mean - ((7.0 / 9 + 5.0 / 7) / 3)) < 1e-6)
        #expect(abs(ClusterValidity.calinskiHarabasz(x, labels: [0, 0, 3])
                    - ValidityReference.calinskiHarabasz(x, [0, 0, 3])) < 1e-6)
    }

    /// Identical clusters: within-cluster sum 0 gives CH = 1 and DB = 0, as scikit-learn.
    @Test func degenerateCases() {
        let x = FeatureMatrix([[1, 1], [1, 1], [4, 5], [4, 5]])
        #expect(ClusterValidity.calinskiHarabasz(x, labels: [0, 0, 1, 1]) == 1)
        #expect(ClusterValidity.daviesBouldin(x, labels: [0, 0, 1, 1]) == 0)
        #expect(ClusterValidity.silhouette(x, labels: [0, 0, 1, 1]).mean == 1)
    }

    /// The three indices against the slow references, on separated and overlapping blobs and
    /// on arbitrary labels.
    @Test(arguments: [(k: 3, spread: 1.0, seed: UInt64(1)), (k: 5, spread: 4.0, seed: 2), (k: 2, spread: 8.0, seed: 3)])
    func matchesReferences(k: Int, spread: Double, seed: UInt64) {
        let (x, truth) = Fixtures.blobs(n: 150, d: 3, k: k, spread: spread, seed: seed)
        var rng = SeededGenerator(seed: seed)
        let arbitrary = (0..<x.rows).map { _ in Int(rng.next() % 4) }
        for labels in [truth, arbitrary] {
            let int32 = labels.map(Int32.init)
            let s = ClusterValidity.silhouette(x, labels: int32)
            #expect(abs(s.mean - ValidityReference.silhouette(x, labels)) < 1e-5)
            let ch = ClusterValidity.calinskiHarabasz(x, labels: int32), chRef = ValidityReference.calinskiHarabasz(x, labels)
            #expect(abs(ch - chRef) <= 1e-9 * chRef)
            let db = ClusterValidity.daviesBouldin(x, labels: int32), dbRef = ValidityReference.daviesBouldin(x, labels)
            #expect(abs(db - dbRef) <= 1e-9 * dbRef)
        }
    }

    /// Several partitions at once give what each gives alone.
    @Test func severalPartitionsShareTheDistances() {
        let (x, truth) = Fixtures.blobs(n: 200, d: 4, k: 4, spread: 3, seed: 9)
        let other = truth.map { Int32($0 % 2) }
        let both = ClusterValidity.silhouettes(x, labelings: [truth.map(Int32.init), other])
        #expect(both[0] == ClusterValidity.silhouette(x, labels: truth.map(Int32.init)))
        #expect(both[1] == ClusterValidity.silhouette(x, labels: other))
    }

    /// A sampled silhouette lies within its stated error of the exact one, and does not
    /// depend on the thread count.
    @Test(arguments: [UInt64(11), 12, 13, 14, 15])
    func sampledSilhouetteIsWithinItsStatedError(seed: UInt64) {
        let (x, truth) = Fixtures.blobs(n: 900, d: 3, k: 4, spread: 5, seed: 5)
        let labels = truth.map(Int32.init)
        let exact = ClusterValidity.silhouette(x, labels: labels, sampleSize: 900)
        let sampled = ClusterValidity.silhouette(x, labels: labels, sampleSize: 150, seed: seed, threads: 2)
        #expect(exact.isExact && !sampled.isExact && sampled.sampleSize == 150)
        #expect(sampled.standardError > 0 && sampled.standardError < 0.05)
        // Four standard errors: a false alarm about once in 16,000 seeds.
        #expect(abs(sampled.mean - exact.mean) <= 4 * sampled.standardError)
        #expect(sampled == ClusterValidity.silhouette(x, labels: labels, sampleSize: 150, seed: seed, threads: 1))
    }
}
