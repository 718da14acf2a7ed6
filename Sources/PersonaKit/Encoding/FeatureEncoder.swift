/// How numeric attributes are scaled before clustering.
public enum Scaling: String, Sendable, Hashable, Codable, CaseIterable {
    /// Centre on the mean and divide by the population standard deviation (like
    /// scikit-learn's `StandardScaler`). A constant column keeps scale 1.
    case zscore
    /// Centre only; keep original units.
    case none
}

/// Options of a ``FeatureEncoder``.
public struct EncodingOptions: Sendable, Hashable, Codable {
    /// How numeric attributes are scaled. Default ``Scaling/zscore``.
    public var scaling: Scaling
    /// Give each attribute group the same total weight, however many attributes it has.
    /// Default `false`.
    public var balanceGroups: Bool

    /// Creates options.
    public init(scaling: Scaling = .zscore, balanceGroups: Bool = false) {
        self.scaling = scaling
        self.balanceGroups = balanceGroups
    }
}

/// The encoding of one segment attribute: its output columns and their parameters.
///
/// Every output column `j` is `(x − centers[j]) × scales[j]`, where `x` is the number
/// (continuous, ordinal, binary) or the 0/1 indicator of category `j` (categorical). A
/// missing value is encoded as 0, which is the (weighted) training mean.
public struct EncodedAttribute: Sendable, Hashable, Codable {
    /// The attribute's column name.
    public var name: String
    /// The first output column.
    public var firstColumn: Int
    /// Per output column: the training mean (for a category: its share).
    public var centers: [Double]
    /// Per output column: the multiplier after centring.
    public var scales: [Double]
    /// Per output column: the training (population) standard deviation in original units.
    public var deviations: [Double]

    /// The number of output columns.
    public var width: Int { centers.count }

    /// Output column `j`'s encoded `value` in original units.
    func decode(_ value: Double, column j: Int) -> Double {
        scales[j] == 0 ? centers[j] : value / scales[j] + centers[j]
    }
}

/// Turns typed customer data into the numeric feature matrix k-means works on.
///
/// Encoding policy (see `Docs/Encoding.md`):
/// - **Numeric attributes** (continuous, ordinal by level value, binary as 0/1) are centred
///   on their training mean; with ``Scaling/zscore`` divided by the population standard
///   deviation. A constant column (deviation 0) keeps scale 1, so it never divides by 0.
/// - **Categorical attributes** become one indicator column per category, centred on the
///   category's share; with ``Scaling/zscore`` every indicator is divided by
///   `sqrt(Σ p(1 − p))`, so the attribute as a whole has variance 1 like a z-scored number.
/// - **Weights**: each attribute's columns are multiplied by `sqrt(weight)`, so its share of
///   the squared distance grows linearly with its weight. With `balanceGroups` each group's
///   attributes are further multiplied by `sqrt(1 / total weight of the group)`.
/// - **Missing values** are encoded as 0 in every output column of the attribute: the
///   training mean (for a categorical attribute, the category shares). A missing value
///   therefore never pulls a customer toward one persona rather than another along that
///   attribute's own direction.
/// - Training statistics use the sample weights when there are some.
public struct FeatureEncoder: Sendable, Hashable, Codable {
    /// The options the encoder was fitted with.
    public let options: EncodingOptions
    /// The encoded attributes, in schema order.
    public let attributes: [EncodedAttribute]
    /// A name per output column: the attribute name, or `name=category` for an indicator.
    public let columnNames: [String]

    /// The number of output columns.
    public var width: Int { columnNames.count }

    /// Fits the encoder to training data.
    ///
    /// - Parameters:
    ///   - data: the training customers; only segment attributes are encoded.
    ///   - options: scaling and group balancing.
    /// - Throws: ``PersonaDataError/noSegmentAttributes`` when nothing is left to encode,
    ///   ``PersonaDataError/valuesTooLarge(column:)`` when a column's spread cannot be
    ///   represented.
    /// - Complexity: O(rows × attributes).
    public init(fitting data: CustomerData, options: EncodingOptions = EncodingOptions()) throws(PersonaDataError) {
        try self.init(schema: data.schema, options: options) { attribute in
            switch data.values[attribute.name]! {
            case .numbers(let values): return .numbers(ScaledMoments(values, weights: data.weights))
            case .categories(let codes):
                guard case .categorical(let categories) = attribute.kind else { preconditionFailure("codes need categories") }
                var weights = [Double](repeating: 0, count: categories.count)
                for (r, code) in codes.enumerated() where code >= 0 { weights[Int(code)] += data.weights?[r] ?? 1 }
                return .categories(weights)
            }
        }
    }

    /// Fits the encoder to the statistics a ``DataSurvey`` gathered (a file read in
    /// batches), for `schema` (the survey's schema).
    /// - Throws: as ``init(fitting:options:)``.
    /// - Complexity: O(attributes).
    public init(survey: DataSurvey, schema: PersonaSchema, options: EncodingOptions = EncodingOptions()) throws(PersonaDataError) {
        try self.init(schema: schema, options: options) { attribute in
            survey.statistics(of: attribute) ?? .numbers(ScaledMoments())
        }
    }

    private init(schema: PersonaSchema, options: EncodingOptions,
                 statistics: (Attribute) -> AttributeStatistics) throws(PersonaDataError) {
        let segment = schema.segmentAttributes
        guard !segment.isEmpty else { throw .noSegmentAttributes }
        var groupWeight = [AttributeGroup: Double]()
        for attribute in segment { groupWeight[attribute.group, default: 0] += attribute.weight }

        var encoded = [EncodedAttribute]()
        var names = [String]()
        for attribute in segment {
            var factor = attribute.weight.squareRoot()
            if options.balanceGroups { factor /= groupWeight[attribute.group]!.squareRoot() }
            let first = names.count
            switch statistics(attribute) {
            case .numbers(let moments):
                let (mean, deviation) = (moments.mean, moments.deviation)
                let scale = options.scaling == .zscore && deviation > 0 ? factor / deviation : factor
                guard mean.isFinite, deviation.isFinite, scale.isFinite, scale > 0 || factor == 0 else {
                    throw .valuesTooLarge(column: attribute.name)
                }
                encoded.append(EncodedAttribute(name: attribute.name, firstColumn: first,
                                                centers: [mean], scales: [scale], deviations: [deviation]))
                names.append(attribute.name)
            case .categories(let weights):
                guard case .categorical(let categories) = attribute.kind else { preconditionFailure("weights need categories") }
                let total = weights.reduce(0, +)
                let shares = total > 0 ? weights.map { $0 / total } : weights
                let spread = shares.reduce(0) { $0 + $1 * (1 - $1) }.squareRoot()
                let scale = options.scaling == .zscore && spread > 0 ? factor / spread : factor
                // Both values an indicator column takes must be finite `Float`s (extreme sample
                // weights can make a share so small that dividing by the spread overflows).
                guard shares.allSatisfy({ share in
                    Float((0 - share) * scale).isFinite && Float((1 - share) * scale).isFinite
                }) else { throw .categoriesTooUneven(column: attribute.name) }
                encoded.append(EncodedAttribute(
                    name: attribute.name, firstColumn: first, centers: shares,
                    scales: Array(repeating: scale, count: shares.count),
                    deviations: shares.map { ($0 * (1 - $0)).squareRoot() }))
                names.append(contentsOf: categories.map { "\(attribute.name)=\($0)" })
            }
        }
        self.options = options
        self.attributes = encoded
        self.columnNames = names
    }

    /// Encodes customers.
    ///
    /// - Parameter data: customers read with the schema the encoder was fitted on (or the
    ///   model's schema); every encoded attribute must be present.
    /// - Throws: ``PersonaDataError/missingColumn(name:)`` when an encoded attribute is absent,
    ///   ``PersonaDataError/valueOutOfRange(row:column:value:)`` when a value lies so far from
    ///   the training values that its encoding exceeds the `Float` range.
    /// - Complexity: O(rows × width).
    public func transform(_ data: CustomerData) throws(PersonaDataError) -> FeatureMatrix {
        let rows = data.count
        var values = [Float](repeating: 0, count: rows * width)
        let width = self.width
        for attribute in attributes {
            guard let column = data.values[attribute.name] else { throw .missingColumn(name: attribute.name) }
            let first = attribute.firstColumn
            switch column {
            case .numbers(let numbers):
                let center = attribute.centers[0], scale = attribute.scales[0]
                for r in 0..<rows where !numbers[r].isNaN {
                    let encoded = Float((numbers[r] - center) * scale)
                    guard encoded.isFinite else {
                        throw .valueOutOfRange(row: r, column: attribute.name, value: numbers[r])
                    }
                    values[r * width + first] = encoded
                }
            case .categories(let codes):
                // Precompute the two values an indicator column can take.
                let off = attribute.centers.indices.map { Float((0 - attribute.centers[$0]) * attribute.scales[$0]) }
                let on = attribute.centers.indices.map { Float((1 - attribute.centers[$0]) * attribute.scales[$0]) }
                for r in 0..<rows {
                    let code = Int(codes[r])
                    guard code >= 0 else { continue }
                    let base = r * width + first
                    for j in 0..<attribute.width { values[base + j] = j == code ? on[j] : off[j] }
                }
            }
        }
        return FeatureMatrix(rows: rows, columns: width, values: values)
    }

    /// Converts an encoded value of output column `column` back to original units (for an
    /// indicator column: a share between 0 and 1).
    /// - Complexity: O(attributes).
    public func decode(_ value: Double, column: Int) -> Double {
        for attribute in attributes where column >= attribute.firstColumn && column < attribute.firstColumn + attribute.width {
            return attribute.decode(value, column: column - attribute.firstColumn)
        }
        preconditionFailure("column \(column) out of range 0..<\(width)")
    }
}

/// What an encoder is fitted from, per attribute.
enum AttributeStatistics {
    /// The weighted moments of a numeric attribute's values.
    case numbers(ScaledMoments)
    /// The total weight of each category of a categorical attribute.
    case categories([Double])
}
