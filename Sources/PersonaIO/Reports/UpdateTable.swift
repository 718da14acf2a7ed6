import PersonaKit

/// `update.csv`: what one streaming update did to each persona (columns in Docs/Drift.md,
/// "Continuous updates").
public enum UpdateTable {
    /// The columns, in order.
    public static let header = [
        "persona", "persona_name", "previous_weight", "discounted_weight", "batch_customers", "batch_weight", "weight",
        "previous_share", "share", "centre_shift", "batch_mean_distance",
    ]

    /// The CSV text as UTF-8 bytes, one row per persona in the model's order. Numbers are
    /// written in full (shortest round-trip form); `batch_mean_distance` is empty for a
    /// persona without batch customers.
    /// - Complexity: O(k).
    public static func render(_ update: ModelUpdate) -> [UInt8] {
        var writer = CSVWriter(header: header)
        for (persona, change) in zip(update.model.personas, update.personas) {
            writer.appendRow([
                "\(change.persona)", persona.name, "\(change.previousWeight)", "\(change.discountedWeight)",
                "\(change.batchCustomers)", "\(change.batchWeight)", "\(change.weight)", "\(change.previousShare)",
                "\(change.share)", "\(change.centreShift)", change.batchMeanDistance.map { "\($0)" } ?? "",
            ])
        }
        return writer.bytes
    }
}
