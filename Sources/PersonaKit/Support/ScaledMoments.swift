/// The weighted mean and population deviation of a column, accumulated batch by batch and
/// safe from overflow whatever the values (up to ±1.8e308).
///
/// Values are held divided by a power of two `unit` with every magnitude seen below `2 × unit`,
/// so no sum can overflow; when a larger value arrives, the running figures are
/// rescaled by a power of two, which is exact. Each batch is summarised in two passes (mean,
/// then squared deviations), and batches are merged with the pairwise update of Chan, Golub
/// & LeVeque ("Algorithms for computing the sample variance", 1983). Merging in file order
/// makes the result independent of how the batches were computed (or on how many threads).
///
/// Encoding and profiles both use it, so a persona report and the encoder agree on what a
/// column's mean and spread are. Missing values (NaN) and infinities are skipped.
struct ScaledMoments: Sendable, Hashable {
    /// A power of two above half of every magnitude added (1 while all are 0).
    private(set) var unit = 1.0
    /// The total weight of the values added.
    private(set) var weight = 0.0
    /// The weighted mean of `value / unit`.
    private var scaledMean = 0.0
    /// The weighted sum of squared deviations of `value / unit` from the mean.
    private var scaledSquares = 0.0

    init() {}

    /// The moments of one column of values.
    /// - Complexity: O(n).
    init(_ values: [Double], weights: [Double]?) {
        add(values, weights: weights)
    }

    /// Adds a batch of values.
    /// - Complexity: O(n).
    mutating func add(_ values: some Collection<Double>, weights: (some Collection<Double>)?) {
        var batch = ScaledMoments()
        var magnitude = 0.0
        for v in values where v.isFinite { magnitude = max(magnitude, abs(v)) }
        batch.unit = Self.powerOfTwo(atLeast: magnitude)
        let unit = batch.unit
        // `v / unit` as a multiplication when 1 / unit is finite: unit is a power of two, so
        // both are v·2^−e rounded once, the same double (a division costs several times more).
        let inverse = 1 / unit
        if inverse.isFinite {
            addScaled(values, weights: weights, scale: inverse, into: &batch)
            return
        }
        var total = 0.0, sum = 0.0
        func forEach(_ body: (Double, Double) -> Void) {
            if let weights {
                for (v, w) in zip(values, weights) where v.isFinite { body(v, w) }
            } else {
                for v in values where v.isFinite { body(v, 1) }
            }
        }
        forEach { v, w in total += w; sum += w * (v / unit) }
        guard total > 0 else {
            merge(ScaledMoments(unit: unit))
            return
        }
        let mean = sum / total
        var squares = 0.0
        forEach { v, w in
            let t = v / unit - mean
            squares += w * t * t
        }
        batch.weight = total
        batch.scaledMean = mean
        batch.scaledSquares = squares
        merge(batch)
    }

    /// ``add(_:weights:)`` with values scaled by `scale`, the exact inverse of `batch.unit`.
    private mutating func addScaled(_ values: some Collection<Double>, weights: (some Collection<Double>)?, scale: Double,
                                    into batch: inout ScaledMoments) {
        var total = 0.0, sum = 0.0
        if let weights {
            for (v, w) in zip(values, weights) where v.isFinite { total += w; sum += w * (v * scale) }
        } else {
            for v in values where v.isFinite { total += 1; sum += v * scale }
        }
        guard total > 0 else {
            merge(ScaledMoments(unit: batch.unit))
            return
        }
        let mean = sum / total
        var squares = 0.0
        if let weights {
            for (v, w) in zip(values, weights) where v.isFinite {
                let t = v * scale - mean
                squares += w * t * t
            }
        } else {
            for v in values where v.isFinite {
                let t = v * scale - mean
                squares += t * t
            }
        }
        batch.weight = total
        batch.scaledMean = mean
        batch.scaledSquares = squares
        merge(batch)
    }

    /// Adds a batch of unweighted values.
    mutating func add(_ values: some Collection<Double>) {
        add(values, weights: nil as [Double]?)
    }

    /// Merges the moments of more values (Chan et al.).
    mutating func merge(_ other: ScaledMoments) {
        var a = self, b = other
        let unit = max(a.unit, b.unit)
        a.rescale(to: unit)
        b.rescale(to: unit)
        let total = a.weight + b.weight
        if total > 0 {
            let delta = b.scaledMean - a.scaledMean
            let share = b.weight / total
            a.scaledSquares += b.scaledSquares + delta * delta * a.weight * share
            a.scaledMean += delta * share
        }
        a.weight = total
        self = a
    }

    private init(unit: Double) { self.unit = unit }

    private mutating func rescale(to newUnit: Double) {
        guard newUnit != unit else { return }
        let factor = unit / newUnit   // a power of two: exact
        scaledMean *= factor
        scaledSquares *= factor * factor
        unit = newUnit
    }

    /// The power of two `u` with `u ≤ magnitude < 2u` (1 for 0): scaled values stay below 2
    /// in magnitude, and `u` itself is finite for every finite magnitude.
    private static func powerOfTwo(atLeast magnitude: Double) -> Double {
        guard magnitude > 0 else { return 1 }
        return Double(sign: .plus, exponent: magnitude.exponent, significand: 1)
    }

    /// Whether any value with positive weight was added.
    var hasValues: Bool { weight > 0 }
    /// The mean in original units (0 when there is none).
    var mean: Double { hasValues ? scaledMean * unit : 0 }
    /// The population deviation in original units (0 when there is none).
    var deviation: Double { hasValues ? (scaledSquares / weight).squareRoot() * unit : 0 }
    /// The mean of `value / unit`, or `nil` when no value has positive weight.
    var unitMean: Double? { hasValues ? scaledMean : nil }
    /// The deviation of `value / unit`, or `nil` as ``unitMean``.
    var unitDeviation: Double? { hasValues ? (scaledSquares / weight).squareRoot() : nil }
}

extension ScaledMoments {
    /// `(self.mean − population.mean) / population.deviation`, computed in a common unit so
    /// that it is finite whenever the answer is (`nil` without values or spread).
    func standardizedDifference(from population: ScaledMoments) -> Double? {
        guard hasValues, population.hasValues else { return nil }
        let unit = Swift.max(self.unit, population.unit)
        let mine = scaledMean * (self.unit / unit), theirs = population.scaledMean * (population.unit / unit)
        let spread = (population.scaledSquares / population.weight).squareRoot() * (population.unit / unit)
        return spread > 0 ? (mine - theirs) / spread : nil
    }

    /// `self.mean / population.mean`, in a common unit (`nil` without values or when the
    /// population mean is 0).
    func ratio(to population: ScaledMoments) -> Double? {
        guard hasValues, population.hasValues else { return nil }
        let unit = Swift.max(self.unit, population.unit)
        let theirs = population.scaledMean * (population.unit / unit)
        return theirs != 0 ? scaledMean * (self.unit / unit) / theirs : nil
    }
}
