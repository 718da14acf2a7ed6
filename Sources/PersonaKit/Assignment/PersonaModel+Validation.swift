/// Why a decoded model cannot be used.
public struct ModelValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is inconsistent.
    public var reason: String
    /// The reason, as one line.
    public var description: String { reason }
}

extension PersonaModel {
    /// The largest persona identifier a model may hold or hand out (2³¹ − 1): identifiers
    /// count up from 1 by one per new persona, so a real model stays far below it, and a
    /// retrain can always count on without overflowing.
    public static let maximumPersonaID = Int(Int32.max)

    /// Checks that a decoded model is internally consistent, so that assigning with it (or
    /// retraining from it) can never fail or crash: personas present with unique identifiers,
    /// `nextPersonaID` above every identifier used and at most ``maximumPersonaID``, every centroid as wide
    /// as the encoder, encoder parameters finite and matching the schema's segment attributes, a
    /// recorded ``TrainingSummary/membershipVariance`` finite and ≥ 0.
    /// - Throws: ``ModelValidationError`` naming the first inconsistency.
    /// - Complexity: O(k × width + attributes).
    public func validate() throws(ModelValidationError) {
        func fail(_ reason: String) throws(ModelValidationError) -> Never { throw ModelValidationError(reason: reason) }
        do { try schema.validate() } catch { try fail("\(error)") }
        if personas.isEmpty { try fail("the model has no personas") }
        if Set(personas.map(\.id)).count != personas.count { try fail("persona identifiers are not unique") }
        // A retrain numbers new personas from `nextPersonaID` on: it must be above every
        // identifier used so far, with room to count up.
        if let used = (personas.map(\.id) + retiredPersonaIDs).max(), nextPersonaID <= used {
            try fail("nextPersonaID \(nextPersonaID) is not above the identifiers already used (up to \(used))")
        }
        if nextPersonaID > Self.maximumPersonaID {
            try fail("nextPersonaID \(nextPersonaID) is above the largest persona identifier, \(Self.maximumPersonaID)")
        }
        let width = encoder.width
        if width == 0 { try fail("the encoder has no columns") }
        for persona in personas {
            if persona.centroid.count != width {
                try fail("persona \(persona.id) has \(persona.centroid.count) centroid values, expected \(width)")
            }
            if !persona.centroid.allSatisfy(\.isFinite) { try fail("persona \(persona.id) has a non-finite centroid value") }
            if persona.outlierDistance.isNaN { try fail("persona \(persona.id) has no outlier distance") }
        }
        let segment = schema.segmentAttributes
        if segment.map(\.name) != encoder.attributes.map(\.name) {
            try fail("the encoder's attributes do not match the schema's segment attributes")
        }
        var column = 0
        for (attribute, encoded) in zip(segment, encoder.attributes) {
            let expected: Int
            if case .categorical(let categories) = attribute.kind { expected = categories.count } else { expected = 1 }
            if encoded.firstColumn != column || encoded.width != expected
                || encoded.scales.count != expected || encoded.deviations.count != expected {
                try fail("attribute '\(attribute.name)' has inconsistent encoder parameters")
            }
            if !(encoded.centers + encoded.scales).allSatisfy(\.isFinite) {
                try fail("attribute '\(attribute.name)' has non-finite encoder parameters")
            }
            column += expected
        }
        if column != width || encoder.columnNames.count != width { try fail("the encoder's width is inconsistent") }
        if let variance = training.membershipVariance, !(variance.isFinite && variance >= 0) {
            try fail("training.membershipVariance \(variance) is not a finite number ≥ 0")
        }
        if let projection {
            if projection.mean.count != width || projection.components.contains(where: { $0.count != width }) {
                try fail("the projection does not match the encoder width")
            }
        }
    }
}
