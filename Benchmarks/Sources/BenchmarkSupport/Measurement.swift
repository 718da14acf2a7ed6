import Foundation

/// Wall-clock timing of repeated runs.
public enum Measurement {
    /// Seconds `body` takes, measured on the continuous clock.
    public static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// The seconds of `repeats` runs of `body`, in run order.
    public static func repeated(_ repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
        try (0..<max(1, repeats)).map { _ in try seconds(body) }
    }

    /// The median of `values` (the mean of the middle two for an even count).
    public static func median(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "no values")
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
