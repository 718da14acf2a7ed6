@testable import PersonaKit
import TestSupport
import Testing

@Suite struct ClusterStabilityTests {
    /// Jaccard on the distinct drawn rows, worked by hand.
    @Test func bestJaccardCountsDistinctDrawnRows() {
        // Original: rows 0–3 in cluster 0, rows 4–5 in cluster 1. Drawn: 0, 0, 1, 2, 4, 5 (row 3
        // not drawn, row 0 twice). Refit: {0, 1} in A, {2, 4, 5} in B.
        let jaccard = ClusterStability.bestJaccard(original: [0, 0, 0, 0, 1, 1], k: 2, drawn: [0, 0, 1, 2, 4, 5],
                                                   refitLabels: [0, 0, 0, 1, 1, 1], refitK: 2)
        // Cluster 0 on drawn rows = {0, 1, 2}: with A {0, 1} 2/3, with B {2, 4, 5} 1/5.
        // Cluster 1 = {4, 5}: with B 2/3.
        #expect(jaccard == [2.0 / 3, 2.0 / 3])
        // A cluster none of whose rows was drawn has no value.
        let absent = ClusterStability.bestJaccard(original: [0, 0, 1], k: 2, drawn: [0, 1, 1], refitLabels: [0, 1, 1], refitK: 2)
        #expect(absent[1].isNaN)
    }

    /// Means skip absent clusters; a failed refit counts 0 for every cluster.
    @Test func summaryRules() {
        let score = ClusterStability.summarize([[1, .nan], [0.5, 0.8], nil], k: 2)
        #expect(score.jaccard == [0.5, 0.4])
        #expect(score.minimum == 0.4 && abs(score.mean - 0.45) < 1e-12)
        #expect(score.failedRefits == 1 && score.resamples == 3)
    }

    /// Well-separated blobs are stable (near 1); a single round cloud cut in three is not.
    @Test func separatedBlobsAreStableOverlappingAreNot() throws {
        let (separated, _) = Fixtures.blobs(n: 600, d: 3, k: 3, spread: 1, separation: 12, seed: 4)
        let (cloud, _) = Fixtures.blobs(n: 600, d: 3, k: 1, spread: 1, seed: 4)
        let configuration = KMeansConfiguration(clusterCount: 3, restarts: 2, seed: 3)
        let fitted = try KMeans.fit(separated, configuration: configuration)
        let stable = ClusterStability.bootstrap(separated, labels: fitted.labels, configuration: configuration, resamples: 10)
        #expect(stable.minimum > 0.95)
        let cut = try KMeans.fit(cloud, configuration: configuration)
        let unstable = ClusterStability.bootstrap(cloud, labels: cut.labels, configuration: configuration, resamples: 10)
        #expect(unstable.mean < stable.mean - 0.1)
        #expect(unstable.minimum < StabilityScore.stableFrom)
    }

    /// The same seed gives the same stability whatever the thread count.
    @Test func independentOfThreads() throws {
        let (x, _) = Fixtures.blobs(n: 300, d: 2, k: 4, spread: 2.5, seed: 8)
        var configuration = KMeansConfiguration(clusterCount: 4, restarts: 1, seed: 5, threads: 1)
        let labels = try KMeans.fit(x, configuration: configuration).labels
        let one = ClusterStability.bootstrap(x, labels: labels, configuration: configuration, resamples: 6, seed: 2)
        configuration.threads = 3
        #expect(one == ClusterStability.bootstrap(x, labels: labels, configuration: configuration, resamples: 6, seed: 2))
    }
}
