/// Lloyd's step: every row against every centre (the fused kernel in the iterations, the
/// exact one in the final labelling).
///
/// Reference: Lloyd, "Least squares quantization in PCM", IEEE Transactions on Information
/// Theory 28, 1982.
///
/// - Complexity: O(n × k × d) per pass.
struct LloydStep: KMeansStep {
    static let algorithm = KMeansAlgorithm.lloyd
    static let measuresEveryPass = true

    private let partition: Partition
    private var centres: CentreTable?

    init(_ context: StepContext) {
        partition = context.partition
    }

    mutating func prepare(_ centres: CentreTable) -> Int {
        self.centres = centres
        return 0
    }

    func label(_ input: ChunkInput, exact: Bool) -> ChunkTally {
        let table = centres!, d = table.d
        var tally = ChunkTally()
        let start = input.rows.lowerBound, count = input.rows.count
        func record(_ nearest: UnsafePointer<Int32>, _ distances: UnsafePointer<Float>) {
            for i in 0..<count {
                let r = start + i, best = Int(nearest[i])
                if Int(partition.labels[r]) != best {
                    partition.move(r, chunk: input.chunk, to: best)
                    tally.changes += 1
                }
                tally.inertia += input.weight(r) * Double(distances[i])
            }
        }
        if exact {
            DistanceKernel.withNearestTwo(rows: input.x + start * d, count: count, in: table) { nearest, distances, _, _ in
                record(nearest, distances)
            }
        } else {
            DistanceKernel.withFusedNearest(rows: input.x + start * d, count: count, in: table) { nearest, distances, _ in
                record(nearest, distances)
            }
        }
        tally.evaluations = input.rows.count * table.k
        return tally
    }

    func forget(row: Int) {}
}
