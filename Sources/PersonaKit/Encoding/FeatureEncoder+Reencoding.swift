extension FeatureEncoder {
    /// A point encoded by another encoder, encoded by this one: each value is decoded to
    /// original units (a number, or a category's share) with `source`, then encoded as this
    /// encoder encodes it. Used to compare persona centres of models trained on different
    /// data (each standardises by its own training data).
    ///
    /// Attributes and categories are matched by name. A category `source` does not have
    /// gets share 0; an attribute `source` does not have, or encodes as the other nature
    /// (numeric or categorical), gets this encoder's training mean (encoded 0).
    ///
    /// - Parameters:
    ///   - point: a point of `source.width` values in `source`'s encoded space.
    ///   - source: the encoder that encoded `point`.
    /// - Returns: the point in this encoder's space, `width` values.
    /// - Precondition: `point.count == source.width`.
    /// - Complexity: O(width + source.width).
    public func reencode(_ point: [Float], from source: FeatureEncoder) -> [Double] {
        precondition(point.count == source.width, "the point must have the source encoder's width")
        let sourceColumn = Dictionary(source.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let sourceAttributes = Dictionary(source.attributes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out = [Double](repeating: 0, count: width)
        for attribute in attributes {
            guard let from = sourceAttributes[attribute.name],
                  isCategorical(attribute) == source.isCategorical(from) else { continue }   // the training mean
            for j in 0..<attribute.width {
                let column = attribute.firstColumn + j
                var original = 0.0   // a category the source never saw
                if let s = sourceColumn[columnNames[column]] {
                    original = from.decode(Double(point[s]), column: s - from.firstColumn)
                }
                out[column] = (original - attribute.centers[j]) * attribute.scales[j]
            }
        }
        return out
    }

    /// How a length in `source`'s encoded units reads in this encoder's: the root mean square
    /// over the columns both encode of `scale(self) / scale(source)` (1 when they share no
    /// column). Exact for a spread that is the same in every column; used to compare a
    /// persona's spread across models that standardise differently.
    /// - Complexity: O(width + source.width).
    public func lengthRatio(from source: FeatureEncoder) -> Double {
        let sourceScale = Dictionary(source.attributes.flatMap { a in
            a.scales.indices.map { (source.columnNames[a.firstColumn + $0], a.scales[$0]) }
        }, uniquingKeysWith: { a, _ in a })
        var sum = 0.0, count = 0
        for attribute in attributes {
            for j in 0..<attribute.width {
                guard let other = sourceScale[columnNames[attribute.firstColumn + j]], other > 0 else { continue }
                let ratio = attribute.scales[j] / other
                sum += ratio * ratio
                count += 1
            }
        }
        return count > 0 ? (sum / Double(count)).squareRoot() : 1
    }

    /// Whether this encoder and `other` encode at least one attribute of the same name.
    /// - Complexity: O(attributes + other.attributes).
    public func sharesAttributes(with other: FeatureEncoder) -> Bool {
        !Set(attributes.map(\.name)).isDisjoint(with: other.attributes.map(\.name))
    }

    /// Whether `attribute` (one of this encoder's) is categorical: its columns are named
    /// `name=category`, a numeric attribute's single column just `name`.
    private func isCategorical(_ attribute: EncodedAttribute) -> Bool {
        columnNames[attribute.firstColumn] != attribute.name
    }
}
