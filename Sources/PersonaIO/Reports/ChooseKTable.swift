import PersonaKit

/// `choose-k.csv`: one row per k of a ``ChooseKResult`` (columns in Docs/ChoosingK.md).
public enum ChooseKTable {
    /// The columns, in order.
    public static let header = [
        "k", "inertia", "silhouette", "silhouette_se", "silhouette_rows", "calinski_harabasz", "davies_bouldin",
        "jaccard_min", "jaccard_mean", "prediction_strength", "prediction_strength_se", "stable", "recommended", "persona_sizes", "persona_jaccard",
    ]

    /// The CSV text as UTF-8 bytes. Numbers are written in full (shortest round-trip form);
    /// `stable` and `recommended` are 1 or 0; the last two columns list the personas,
    /// largest first, separated by `;`.
    /// - Complexity: O(number of k × k).
    public static func render(_ result: ChooseKResult) -> [UInt8] {
        var writer = CSVWriter(header: header)
        for c in result.candidates {
            writer.appendRow([
                "\(c.k)", "\(c.inertia)", "\(c.silhouette.mean)", "\(c.silhouette.standardError)", "\(c.silhouette.sampleSize)",
                "\(c.calinskiHarabasz)", "\(c.daviesBouldin)", "\(c.stability.minimum)", "\(c.stability.mean)",
                "\(c.predictionStrength.mean)", "\(c.predictionStrength.standardError)",
                c.isStable ? "1" : "0", c.k == result.recommendation.k ? "1" : "0",
                c.sizes.map { "\($0)" }.joined(separator: ";"), c.stability.jaccard.map { "\($0)" }.joined(separator: ";"),
            ])
        }
        return writer.bytes
    }
}
