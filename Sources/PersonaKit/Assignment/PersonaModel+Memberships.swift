import Foundation

extension PersonaModel {
    /// The spread σ² of the soft memberships.
    ///
    /// A model trained by this version records it (``TrainingSummary/membershipVariance``):
    /// the mean within-persona squared distance per encoded dimension, inertia / (total
    /// weight × encoded width). For an older model it is estimated from the personas' mean
    /// distances: under the model behind the memberships (isotropic Gaussians of variance σ²
    /// in each of the p encoded dimensions), a member's distance to its centre is σ times a
    /// χ variable with p degrees of freedom, whose mean is c(p) = √2 Γ((p + 1)/2) / Γ(p/2);
    /// so σ̂ₚ = ``Persona/meanDistance`` / c(p) per persona, and σ̂² is the mean of σ̂ₚ²
    /// weighted by the personas' sizes.
    ///
    /// - Throws: ``MembershipError/noSpread`` when σ² is not recorded and no persona has
    ///   training customers (retrain the model).
    /// - Complexity: O(k + width).
    public func membershipScale() throws(MembershipError) -> MembershipScale {
        if let variance = training.membershipVariance { return MembershipScale(variance: variance, source: .training) }
        let members = personas.filter { $0.size > 0 && $0.meanDistance.isFinite && $0.meanDistance >= 0 }
        guard !members.isEmpty else { throw .noSpread }
        let c = Self.chiMean(degreesOfFreedom: encoder.width)
        let total = Double(members.reduce(0) { $0 + $1.size })
        let variance = members.reduce(0.0) { sum, p in
            let sigma = p.meanDistance / c
            return sum + Double(p.size) * sigma * sigma
        } / total
        guard variance.isFinite else { throw .noSpread }
        return MembershipScale(variance: variance, source: .personaDistances)
    }

    /// The mean of a χ variable with `p` degrees of freedom, √2 Γ((p + 1)/2) / Γ(p/2), by the
    /// recurrence Γ((p + 3)/2) / Γ((p + 2)/2) = Γ((p + 1)/2) / Γ(p/2) × (p + 1)/p from
    /// 1/√π (p = 1) and √π/2 (p = 2); no global state (unlike `lgamma`).
    /// - Complexity: O(p).
    static func chiMean(degreesOfFreedom p: Int) -> Double {
        precondition(p >= 1, "at least one degree of freedom")
        var q = p % 2 == 1 ? 1 : 2
        var ratio = q == 1 ? 1 / Double.pi.squareRoot() : Double.pi.squareRoot() / 2
        while q < p {
            ratio *= Double(q + 1) / Double(q)
            q += 2
        }
        return 2.0.squareRoot() * ratio
    }

    /// Soft memberships of encoded rows: for each row and persona p, the softmax over the
    /// personas of −d²ₚ / (2σ²), where d²ₚ is the squared Euclidean distance to p's centre
    /// as ``assign(_:threads:)-(FeatureMatrix,_)`` measures it (32-bit sums, the same
    /// kernel) and σ² is `scale`'s.
    ///
    /// Computed stably, relative to the smallest squared distance d²₀ of the row: the
    /// nearest personas get eᵖ = 1 and the others eᵖ = exp(−(d²ₚ − d²₀) × ``MembershipScale/rate``)
    /// (in 64 bits), then each is divided by their sum, taken in model order. So every
    /// row sums to 1 (to rounding), no exponent overflows, and the assigned persona's
    /// membership is at least every other's (equal on an exact tie). With σ² = 0 the
    /// nearest personas share the membership equally.
    ///
    /// - Parameters:
    ///   - matrix: rows encoded with ``encoder``.
    ///   - scale: the spread, usually ``membershipScale()``.
    ///   - threads: worker threads, or `nil` for every core; results do not depend on it.
    /// - Complexity: O(rows × k × width).
    public func memberships(_ matrix: FeatureMatrix, scale: MembershipScale, threads: Int? = nil) -> PersonaMemberships {
        precondition(matrix.columns == encoder.width, "matrix width must match the encoder")
        let n = matrix.rows, d = matrix.columns, k = personas.count
        let encoding = customerEncoding
        let rate = scale.rate
        let out = WorkBuffer<Double>(repeating: 0, count: n * k)
        ChunkedParallel(rows: n, threads: threads).forEachChunk { _, rows in
            matrix.withValues { x in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { distances in
                    for r in rows {
                        encoding.squaredDistances(x + r * d, into: distances.baseAddress!)
                        Self.softmax(distances.baseAddress!, count: k, rate: rate, into: out.base + r * k)
                    }
                }
            }
        }
        return PersonaMemberships(personas: encoding.ids, scale: scale, values: out.array)
    }

    /// Soft memberships of encoded rows with the model's own spread (``membershipScale()``);
    /// see ``memberships(_:scale:threads:)``.
    /// - Throws: ``MembershipError/noSpread`` for an old model without the statistics.
    /// - Complexity: O(rows × k × width).
    public func memberships(_ matrix: FeatureMatrix, threads: Int? = nil) throws(MembershipError) -> PersonaMemberships {
        memberships(matrix, scale: try membershipScale(), threads: threads)
    }

    /// One customer's soft memberships, in model order (see ``memberships(_:scale:threads:)``);
    /// the customer is encoded as ``assign(customer:unknownCategories:)`` encodes it.
    /// - Throws: ``CustomerValueError`` naming the attribute and value.
    /// - Complexity: O(attributes + k × width).
    public func memberships(customer: [String: CustomerValue?], scale: MembershipScale,
                            unknownCategories: UnknownCategoryPolicy = .treatAsMissing) throws(CustomerValueError) -> [Double] {
        let encoding = customerEncoding, k = personas.count
        return try withUnsafeTemporaryAllocation(of: Float.self, capacity: encoding.width) { row throws(CustomerValueError) in
            row.initialize(repeating: 0)
            try encoding.encode(customer, into: row.baseAddress!, unknownCategories: unknownCategories)
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { distances in
                encoding.squaredDistances(row.baseAddress!, into: distances.baseAddress!)
                return [Double](unsafeUninitializedCapacity: k) { values, count in
                    Self.softmax(distances.baseAddress!, count: k, rate: scale.rate, into: values.baseAddress!)
                    count = k
                }
            }
        }
    }

    /// The memberships of one row from its `count` squared distances: eₚ = 1 for the
    /// smallest, exp(−(d²ₚ − d²₀) × rate) for the others, divided by Σ eₚ (summed in order).
    /// The order of operations is the one ``AssignmentSQL`` writes.
    @inline(__always)
    static func softmax(_ squared: UnsafePointer<Float>, count k: Int, rate: Double, into out: UnsafeMutablePointer<Double>) {
        var best = squared[0]
        for p in 1..<k { best = min(best, squared[p]) }
        let smallest = Double(best)
        var total = 0.0
        for p in 0..<k {
            // Equal distances (infinite ones included) are the nearest; a larger one has a
            // positive difference, so a rate of +∞ (σ² = 0) gives exp(−∞) = 0, never NaN.
            let e = squared[p] == best ? 1 : exp(-((Double(squared[p]) - smallest) * rate))
            out[p] = e
            total += e
        }
        for p in 0..<k { out[p] /= total }
    }
}

extension CustomerEncoding {
    /// The squared distances of one encoded row to every centre, in model order, exactly as
    /// the nearest-two kernel measures them (the blocked kernel, bit-identical to it).
    /// - Complexity: O(k × width).
    func squaredDistances(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let k = centres.k, d = centres.d, lanes = CentreTable.lanes
        var base = 0
        while base < k {
            let measured = DistanceKernel.blockDistances(x, centres.block(containing: base), d)
            for i in 0..<min(lanes, k - base) { out[base + i] = measured[i] }
            base += lanes
        }
    }
}
