import Foundation

/// How much of a persona's past weight an update keeps.
///
/// As in Spark MLlib's `StreamingKMeans`: a decay factor a ∈ [0, 1] discounts every
/// persona's weight once per batch, or a half-life says after how many batches (or
/// customers) past data counts half, a = 0.5^(1 / half-life).
public enum UpdateDecay: Sendable, Hashable {
    /// Weights are multiplied by this factor, in [0, 1], once per batch: 1 keeps all past
    /// data (the centre is the mean of everything seen), 0 forgets it (the centre of a
    /// persona with members is the batch's mean of them).
    case factor(Double)
    /// Past data counts half after this many time units (> 0).
    case halfLife(Double, unit: DecayTimeUnit)

    /// The factor the weights are multiplied by for a batch of `customers` rows.
    /// - Throws: ``UpdateError/invalidDecay(name:value:expected:)`` for a factor outside
    ///   [0, 1] or a half-life that is not a positive finite number.
    public func discount(batchCustomers customers: Int) throws(UpdateError) -> Double {
        switch self {
        case .factor(let a):
            guard a.isFinite, a >= 0, a <= 1 else { throw .invalidDecay(name: "decay", value: a, expected: "in [0, 1]") }
            return a
        case .halfLife(let h, let unit):
            guard h.isFinite, h > 0 else { throw .invalidDecay(name: "half-life", value: h, expected: "a positive number") }
            // a = 0.5^(1/h) per unit; a batch is one unit, or as many as its customers.
            switch unit {
            case .batches: return pow(0.5, 1 / h)
            case .customers: return pow(0.5, Double(customers) / h)
            }
        }
    }
}

/// The unit of a half-life.
public enum DecayTimeUnit: String, Sendable, Hashable, Codable, CaseIterable {
    /// Each batch is one time unit, whatever its size.
    case batches
    /// Each customer of a batch is one time unit (Spark's `points`): a batch of m customers
    /// discounts by a^m.
    case customers
}

/// Why an update cannot be made, with the values involved.
public enum UpdateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A decay factor or half-life is out of its range.
    case invalidDecay(name: String, value: Double, expected: String)
    /// The batch has no customers.
    case emptyBatch
    /// The batch's rows are not encoded with the model's encoder.
    case widthMismatch(batch: Int, model: Int)
    /// The weights do not match the rows, or one is negative or not finite.
    case invalidWeight(row: Int, value: Double)
    /// The batch lacks a segment attribute of the model.
    case missingAttribute(name: String)

    /// A one-line description quoting the values.
    public var description: String {
        switch self {
        case .invalidDecay(let name, let value, let expected): "\(name)=\(value) must be \(expected)"
        case .emptyBatch: "the batch has no customers"
        case .widthMismatch(let batch, let model):
            "the batch's rows have \(batch) encoded columns, the model's encoder \(model)"
        case .invalidWeight(let row, let value): "row \(row + 1): weight \(value) must be a finite number ≥ 0"
        case .missingAttribute(let name): "the batch has no column '\(name)', a segment attribute of the model"
        }
    }
}

/// What an update did to one persona.
public struct PersonaUpdate: Sendable, Hashable {
    /// The persona's identifier (kept by the update).
    public var persona: Int
    /// Its weight n before the update.
    public var previousWeight: Double
    /// n × a, its past weight after the discount.
    public var discountedWeight: Double
    /// Batch customers assigned to it.
    public var batchCustomers: Int
    /// Their total weight m.
    public var batchWeight: Double
    /// n′ = n × a + m.
    public var weight: Double
    /// Its share of the total weight before the update.
    public var previousShare: Double
    /// Its share of the total weight after the update.
    public var share: Double
    /// Euclidean distance its centre moved, in encoded space.
    public var centreShift: Double
    /// Mean distance of its batch customers to its centre before the update, or `nil` without any.
    public var batchMeanDistance: Double?
}

/// A model updated with one batch of customers.
public struct ModelUpdate: Sendable {
    /// The updated model: the same encoder, personas, identities and names, moved centres
    /// and new weights.
    public let model: PersonaModel
    /// The batch's assignments under the model before the update (those the rule used).
    public let assignments: [PersonaAssignment]
    /// The discount a applied to the past weights.
    public let discount: Double
    /// What happened to each persona, in the model's persona order.
    public let personas: [PersonaUpdate]
}

extension PersonaModel {
    /// Moves the personas' centres towards a batch of customers, forgetting the past at a
    /// given rate: Spark MLlib's `StreamingKMeans` update, in the model's encoded space.
    ///
    /// Each row is assigned to its nearest persona (exactly as ``assign(_:threads:)``), then
    /// every persona with weight n and centre c, whose m (total weight) batch members sum to
    /// Σx, becomes
    ///
    ///     c′ = (c·n·a + Σx) / (n·a + m),   n′ = n·a + m
    ///
    /// where a is `decay`'s discount (a persona without members keeps its centre, its weight
    /// is discounted). The encoder, the identities, names, parents and the projection stay as
    /// they are; ``Persona/weight`` becomes n′, ``Persona/share`` n′ over the total,
    /// ``Persona/size`` adds the batch members (customers ever fitted, not discounted).
    /// ``Persona/meanDistance``, ``TrainingSummary/membershipVariance`` and the inertia are
    /// discounted the same way with the members' distances to the new centres, and
    /// ``Persona/outlierDistance`` scales with the mean distance. Unlike Spark, a persona
    /// whose weight decays towards zero is not replaced by a split of the largest: identities
    /// are kept; retrain to restructure.
    ///
    /// Sums run in row order in `Double`, so the result does not depend on `threads`.
    /// - Parameters:
    ///   - batch: rows encoded with ``encoder``.
    ///   - weights: a sample weight per row, or `nil` for 1 each.
    ///   - decay: the decay factor or half-life.
    ///   - threads: worker threads for the assignment, or `nil` for every core.
    /// - Throws: ``UpdateError``.
    /// - Complexity: O(rows × k × width).
    public func update(with batch: FeatureMatrix, weights: [Double]? = nil, decay: UpdateDecay,
                       threads: Int? = nil) throws(UpdateError) -> ModelUpdate {
        let n = batch.rows, d = encoder.width, k = personas.count
        guard batch.columns == d else { throw .widthMismatch(batch: batch.columns, model: d) }
        guard n > 0 else { throw .emptyBatch }
        if let weights {
            guard weights.count == n else { throw .invalidWeight(row: min(weights.count, n), value: .nan) }
            if let bad = weights.firstIndex(where: { !($0.isFinite && $0 >= 0) }) { throw .invalidWeight(row: bad, value: weights[bad]) }
        }
        let a = try decay.discount(batchCustomers: n)
        let assignments = assign(batch, threads: threads)
        let index = Dictionary(uniqueKeysWithValues: personas.enumerated().map { ($0.element.id, $0.offset) })

        // Σ w·x, m and the member counts per persona, in row order.
        var sums = [Double](repeating: 0, count: k * d)
        var mass = [Double](repeating: 0, count: k)
        var members = [Int](repeating: 0, count: k)
        var distanceSums = [Double](repeating: 0, count: k)
        batch.withValues { x in
            for row in 0..<n {
                let p = index[assignments[row].persona]!
                let w = weights?[row] ?? 1
                mass[p] += w
                members[p] += 1
                distanceSums[p] += w * assignments[row].distance
                let base = row * d
                for j in 0..<d { sums[p * d + j] += w * Double(x[base + j]) }
            }
        }

        var updated = personas
        for p in 0..<k {
            let kept = personas[p].weight * a
            let total = kept + mass[p]
            updated[p].weight = total
            updated[p].size += members[p]
            guard mass[p] > 0 else { continue }
            for j in 0..<d {
                let c = Double(personas[p].centroid[j])
                updated[p].centroid[j] = Float((c * kept + sums[p * d + j]) / total)
            }
        }

        // Members' distances to the new centres, for the mean distance and the spread.
        var newDistanceSums = [Double](repeating: 0, count: k)
        var squaredSum = 0.0
        batch.withValues { x in
            for row in 0..<n {
                let p = index[assignments[row].persona]!
                let w = weights?[row] ?? 1
                var s = 0.0
                let base = row * d
                for j in 0..<d {
                    let diff = Double(x[base + j]) - Double(updated[p].centroid[j])
                    s += diff * diff
                }
                newDistanceSums[p] += w * s.squareRoot()
                squaredSum += w * s
            }
        }
        let previousTotal = personas.reduce(0) { $0 + $1.weight }
        let newTotal = updated.reduce(0) { $0 + $1.weight }
        var reports: [PersonaUpdate] = []
        for p in 0..<k {
            let old = personas[p]
            if updated[p].weight > 0 {
                let kept = old.weight * a
                let mean = (old.meanDistance * kept + newDistanceSums[p]) / updated[p].weight
                if old.meanDistance > 0 { updated[p].outlierDistance = old.outlierDistance * mean / old.meanDistance }
                updated[p].meanDistance = mean
            }
            updated[p].share = newTotal > 0 ? updated[p].weight / newTotal : 0
            var shift = 0.0
            for j in 0..<d {
                let diff = Double(updated[p].centroid[j]) - Double(old.centroid[j])
                shift += diff * diff
            }
            reports.append(PersonaUpdate(persona: old.id, previousWeight: old.weight, discountedWeight: old.weight * a,
                                         batchCustomers: members[p], batchWeight: mass[p], weight: updated[p].weight,
                                         previousShare: previousTotal > 0 ? old.weight / previousTotal : 0,
                                         share: updated[p].share, centreShift: shift.squareRoot(),
                                         batchMeanDistance: mass[p] > 0 ? distanceSums[p] / mass[p] : nil))
        }

        var summary = training
        let batchMass = mass.reduce(0, +)
        let keptTotal = summary.totalWeight * a
        summary.inertia = summary.inertia * a + squaredSum
        summary.totalWeight = keptTotal + batchMass
        summary.rowCount += n
        if let variance = summary.membershipVariance, summary.totalWeight > 0 {
            summary.membershipVariance = (variance * keptTotal + squaredSum / Double(d)) / summary.totalWeight
        }
        summary.updates = (summary.updates ?? 0) + 1
        let model = PersonaModel(schema: schema, encoder: encoder, personas: updated, nextPersonaID: nextPersonaID,
                                 retiredPersonaIDs: retiredPersonaIDs, projection: projection, training: summary)
        return ModelUpdate(model: model, assignments: assignments, discount: a, personas: reports)
    }

    /// Encodes a batch of customers with the model's encoder and updates the model with it
    /// (``update(with:weights:decay:threads:)``), weighting rows by the data's weights.
    /// - Throws: ``UpdateError/missingAttribute(name:)`` when the batch lacks a segment
    ///   attribute, ``PersonaDataError`` for a value the encoder cannot read, and the errors
    ///   of the matrix form.
    public func update(with batch: CustomerData, decay: UpdateDecay, threads: Int? = nil) throws -> ModelUpdate {
        let matrix: FeatureMatrix
        do { matrix = try encoder.transform(batch) } catch {
            if case .missingColumn(let name) = error { throw UpdateError.missingAttribute(name: name) }
            throw error
        }
        return try update(with: matrix, weights: batch.weights, decay: decay, threads: threads)
    }

    /// Updates the model with a batch of customers given as typed values, as a service that
    /// sees customers all day has them (``encode(customers:unknownCategories:threads:)``,
    /// then ``update(with:weights:decay:threads:)``).
    /// - Throws: ``CustomerValueError`` naming the customer, attribute and value, or
    ///   ``UpdateError``.
    public func update(customers: [[String: CustomerValue?]], weights: [Double]? = nil, decay: UpdateDecay,
                       unknownCategories: UnknownCategoryPolicy = .treatAsMissing, threads: Int? = nil) throws -> ModelUpdate {
        let matrix = try encode(customers: customers, unknownCategories: unknownCategories, threads: threads)
        return try update(with: matrix, weights: weights, decay: decay, threads: threads)
    }
}
