/// Entry points to the k-means kernels for benchmarks (`@_spi(Benchmarks) import PersonaKit`).
///
/// They run the library's own code paths on fixed work, so a benchmark can time one kernel
/// at a time: a distance, a labelling pass, iterations of one step, the seeding.
@_spi(Benchmarks) public enum KMeansKernels {
    /// ‖a − b‖² with the library's kernel.
    /// - Complexity: O(count).
    public static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        DistanceKernel.squaredDistance(a, b, count)
    }

    /// One full nearest-centre pass (labels only), on `threads` threads (`nil`: every core);
    /// ties go to the lower centre index.
    /// - Precondition: `centres` has at least one row and as many columns as `data`.
    /// - Complexity: O(n × k × d).
    public static func assignNearest(_ data: FeatureMatrix, centres: FeatureMatrix, threads: Int?) -> [Int32] {
        precondition(centres.rows >= 1 && centres.columns == data.columns, "centres must be k × d with k ≥ 1")
        let table = CentreTable(centres.values, k: centres.rows, d: centres.columns)
        let labels = WorkBuffer<Int32>(repeating: 0, count: data.rows)
        let d = data.columns
        ChunkedParallel(rows: data.rows, threads: threads).forEachChunk { _, rows in
            data.withValues { x in
                for r in rows { labels[r] = Int32(DistanceKernel.nearest(x + r * d, in: table).index) }
            }
        }
        return labels.array
    }

    /// Runs exactly `iterations` iterations (or fewer if converged) of `algorithm` from
    /// `start`, no refinement; returns iterations done and distance evaluations.
    ///
    /// A start converges when no label changes (tolerance 0); there is no final labelling
    /// pass, so the work is exactly that of the iterations.
    /// - Precondition: `start` is k × d with 1 ≤ k ≤ n; `iterations` ≥ 1.
    /// - Complexity: O(iterations × n × k × d) at worst.
    public static func iterate(_ data: FeatureMatrix, start: FeatureMatrix, algorithm: KMeansAlgorithm,
                               iterations: Int, threads: Int?) -> (iterations: Int, distanceEvaluations: Int) {
        precondition(start.rows >= 1 && start.rows <= data.rows && start.columns == data.columns,
                     "start must be k × d with 1 ≤ k ≤ n")
        precondition(iterations >= 1, "iterations must be at least 1")
        switch algorithm.resolved(k: start.rows, d: data.columns, rows: data.rows) {
        case .lloyd, .auto: return iterate(LloydStep.self, data, start: start, iterations: iterations, threads: threads)
        case .hamerly: return iterate(HamerlyStep.self, data, start: start, iterations: iterations, threads: threads)
        case .elkan: return iterate(ElkanStep.self, data, start: start, iterations: iterations, threads: threads)
        }
    }

    private static func iterate<Step: KMeansStep>(_: Step.Type, _ data: FeatureMatrix, start: FeatureMatrix,
                                                  iterations: Int, threads: Int?) -> (iterations: Int, distanceEvaluations: Int) {
        var run = KMeansRun<Step>(data, weights: nil, start: start, threads: threads)
        let outcome = run.iterate(maxIterations: iterations, threshold: -1, moments: nil)
        return (outcome.iterations, run.evaluations)
    }

    /// Greedy k-means++ seeding only (the first start of a fit with this seed and default
    /// trials).
    /// - Precondition: 1 ≤ k ≤ the number of distinct rows.
    /// - Complexity: O(n × k × trials × d) at worst.
    public static func seed(_ data: FeatureMatrix, k: Int, seed: UInt64, threads: Int?) -> FeatureMatrix {
        let configuration = KMeansConfiguration(clusterCount: k, seed: seed, threads: threads)
        do {
            return try KMeans.seed(data, configuration: configuration)
        } catch {
            preconditionFailure("seeding failed: \(error)")
        }
    }
}
