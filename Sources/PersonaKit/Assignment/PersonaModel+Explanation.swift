/// One segment attribute's part in a customer's assignment.
///
/// A customer's squared distance to a persona's centre, in encoded space, is a sum over the
/// encoder's columns; summing the columns of one attribute (all the indicator columns of a
/// categorical one) gives the attribute's contribution. The contributions of all attributes
/// add up to the squared distance.
public struct AttributeContribution: Sendable, Hashable {
    /// The attribute.
    public var attribute: Attribute
    /// The customer's value in original units, or `nil` when missing or categorical.
    public var value: Double?
    /// The customer's category (categorical attributes), or `nil`.
    public var category: String?
    /// Per persona (model order): the centre in original units. Numeric attributes: the
    /// centre's value (mean level, share of 1s); categorical: the centre's share of the
    /// customer's category (NaN when the customer's category is missing).
    public var centres: [Double]
    /// Per persona (model order): the attribute's part of the squared distance to the centre.
    public var squaredDistances: [Double]
}

/// Why a customer got the persona it got: the assignment, and how every attribute pulls
/// toward or away from each persona.
public struct CustomerExplanation: Sendable, Hashable {
    /// The customer's identifier.
    public var customer: String
    /// The assignment, as ``PersonaModel/assign(_:threads:)-(FeatureMatrix,_)`` makes it.
    public var assignment: PersonaAssignment
    /// Per persona (model order): the squared distance to its centre, summed from the
    /// contributions in double precision.
    public var squaredDistances: [Double]
    /// Every segment attribute, in the encoder's order.
    public var attributes: [AttributeContribution]
    /// The personas' identifiers, in model order.
    public var personas: [Int]

    /// The model-order index of persona `id`.
    public func index(of id: Int) -> Int? { personas.firstIndex(of: id) }

    /// How much `attribute` pulls the customer toward `toward` rather than `from`: its
    /// contribution to the squared distance to `from` minus its contribution to the squared
    /// distance to `toward`. Positive values favour `toward`. Summed over the attributes it
    /// is d²(from) − d²(toward).
    /// - Complexity: O(personas).
    public func pull(_ attribute: AttributeContribution, toward: Int, from: Int) -> Double {
        guard let a = index(of: toward), let b = index(of: from) else { return .nan }
        return attribute.squaredDistances[b] - attribute.squaredDistances[a]
    }
}

extension PersonaModel {
    /// Explains one customer's assignment: the assigned persona, the runner-up, and per
    /// segment attribute the part of the squared distance to every persona's centre, with the
    /// customer's value and each centre's value in original units.
    ///
    /// - Parameters:
    ///   - data: customers read with the model (``read(_:idColumn:unknownCategories:profiles:)``).
    ///   - row: the customer's row in `data`.
    /// - Throws: ``PersonaDataError`` when the row cannot be encoded.
    /// - Complexity: O(k × width) plus encoding the row.
    public func explain(_ data: CustomerData, row: Int) throws(PersonaDataError) -> CustomerExplanation {
        precondition(data.ids.indices.contains(row), "row \(row) out of range 0..<\(data.count)")
        let single = CustomerData(schema: data.schema, ids: [data.ids[row]], weights: nil,
                                  values: data.values.mapValues { values in
                                      switch values {
                                      case .numbers(let v): .numbers([v[row]])
                                      case .categories(let c): .categories([c[row]])
                                      }
                                  }, unknownCategories: [], unknownCategoryCount: 0)
        let matrix = try encoder.transform(single)
        let assignment = assign(matrix)[0]
        let x = matrix.row(0)
        let k = personas.count
        var total = Array(repeating: 0.0, count: k)
        var contributions = [AttributeContribution]()
        for encoded in encoder.attributes {
            guard let attribute = schema.attribute(named: encoded.name) else { continue }
            var parts = Array(repeating: 0.0, count: k)
            for (p, persona) in personas.enumerated() {
                var sum = 0.0
                for j in encoded.firstColumn..<(encoded.firstColumn + encoded.width) {
                    let d = Double(x[j]) - Double(persona.centroid[j])
                    sum += d * d
                }
                parts[p] = sum
                total[p] += sum
            }
            var value: Double? = nil, category: String? = nil
            let centres: [Double]
            switch single.values[encoded.name] {
            case .numbers(let v)?:
                value = v[0].isNaN ? nil : v[0]
                centres = personas.map { encoded.decode(Double($0.centroid[encoded.firstColumn]), column: 0) }
            case .categories(let c)?:
                guard case .categorical(let categories) = attribute.kind else { preconditionFailure("codes need categories") }
                let code = Int(c[0])
                if code >= 0 { category = categories[code] }
                centres = personas.map { persona in
                    let shares = (0..<encoded.width).map {
                        encoded.decode(Double(persona.centroid[encoded.firstColumn + $0]), column: $0)
                    }
                    return code >= 0 ? shares[code] : .nan
                }
            case nil:
                centres = Array(repeating: .nan, count: k)
            }
            contributions.append(AttributeContribution(attribute: attribute, value: value, category: category,
                                                       centres: centres, squaredDistances: parts))
        }
        return CustomerExplanation(customer: data.ids[row], assignment: assignment, squaredDistances: total,
                                   attributes: contributions, personas: personas.map(\.id))
    }
}
