import PersonaKit

/// The hand-worked two-persona example of the soft-membership tests.
///
/// One attribute, `finance_x`, unscaled (`--scaling none`: only the mean 5 is subtracted),
/// five customers 0, 1, 2, 10 and 12: k-means with k = 2 puts the centres at 1 (three
/// customers, persona 1) and 11 (two customers, persona 2), encoded −4 and 6. The inertia is 1 + 0 + 1 + 1 + 1 = 4, so σ² = 4 / (5 × 1) = 0.8.
/// Mean distances: 2/3 for persona 1, 1 for persona 2.
public enum MembershipFixture {
    /// The training customers.
    public static let table = RawTable(columnNames: ["customer_id", "finance_x"],
                                       rows: [["a", "0"], ["b", "1"], ["c", "2"], ["d", "10"], ["e", "12"]])

    /// The model trained on ``table``.
    public static func model() throws -> PersonaModel {
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let options = TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 2, seed: 1),
                                      encoding: EncodingOptions(scaling: .none))
        return try PersonaModel.train(data, options: options).model
    }
}
