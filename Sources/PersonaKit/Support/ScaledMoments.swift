/// The weighted mean and population deviation of a column, computed on values divided by the
/// column's largest magnitude, so that no sum can overflow whatever the values (up to
/// ±1.8e308). Missing values (NaN) are skipped.
///
/// Encoding and profiles both use it, so a persona report and the encoder agree on what a
/// column's mean and spread are.
struct ScaledMoments {
    /// The largest magnitude of a value (1 when every value is 0 or missing): values are
    /// divided by it.
    let unit: Double
    /// The mean of `value / unit`, or `nil` when no value has positive weight.
    let scaledMean: Double?
    /// The population deviation of `value / unit`, or `nil` as ``scaledMean``.
    let scaledDeviation: Double?

    /// - Complexity: O(n).
    init(_ values: [Double], weights: [Double]?) {
        var magnitude = 0.0
        for v in values where !v.isNaN { magnitude = max(magnitude, abs(v)) }
        let unit = magnitude > 0 ? magnitude : 1
        var total = 0.0, sum = 0.0
        for (r, v) in values.enumerated() where !v.isNaN {
            let w = weights?[r] ?? 1
            total += w; sum += w * (v / unit)
        }
        self.unit = unit
        guard total > 0 else {
            scaledMean = nil; scaledDeviation = nil
            return
        }
        let mean = sum / total
        var squares = 0.0
        for (r, v) in values.enumerated() where !v.isNaN {
            let t = v / unit - mean
            squares += (weights?[r] ?? 1) * t * t
        }
        scaledMean = mean
        scaledDeviation = (squares / total).squareRoot()
    }

    /// The mean in original units (0 when there is none).
    var mean: Double { (scaledMean ?? 0) * unit }
    /// The deviation in original units (0 when there is none).
    var deviation: Double { (scaledDeviation ?? 0) * unit }
}
