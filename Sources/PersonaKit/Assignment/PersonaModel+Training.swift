/// Everything that shapes a trained model.
public struct TrainingOptions: Sendable, Hashable {
    /// k-means options (k, restarts, seed, …).
    public var kmeans: KMeansConfiguration
    /// Feature encoding options (scaling, group balancing).
    public var encoding: EncodingOptions
    /// Leading principal components to record for persona maps (0 for none). Default 2.
    public var projectionComponents: Int

    /// Creates training options.
    public init(kmeans: KMeansConfiguration, encoding: EncodingOptions = EncodingOptions(), projectionComponents: Int = 2) {
        self.kmeans = kmeans
        self.encoding = encoding
        self.projectionComponents = projectionComponents
    }

    /// Creates training options for `clusterCount` personas with default settings.
    public init(clusterCount: Int) {
        self.init(kmeans: KMeansConfiguration(clusterCount: clusterCount))
    }
}

/// A freshly trained model with the assignments of its training customers.
public struct TrainedModel: Sendable {
    /// The model.
    public let model: PersonaModel
    /// Each training customer's assignment, in data order; identical to what
    /// ``PersonaModel/assign(_:threads:)-(CustomerData,_)`` gives for the same data.
    public let assignments: [PersonaAssignment]
    /// Per-persona profiles of the training customers, in persona order.
    public let profiles: [PersonaProfile]
}

extension PersonaModel {
    /// Trains personas: encodes the data, runs k-means with restarts, orders personas by
    /// size (largest first, identifiers from 1), names them, and records outlier limits and
    /// the principal components.
    ///
    /// - Parameters:
    ///   - data: training customers.
    ///   - options: k-means and encoding options.
    ///   - dataHash: a hash of the source data to record, if the caller has one.
    ///   - createdAt: a creation time to record (ISO 8601), if wanted. Everything else in
    ///     the model depends only on the data and options.
    ///   - progress: called after each k-means start.
    /// - Throws: ``PersonaDataError``, ``ClusteringError``, ``PrincipalComponents/Failure`` or
    ///   ``ModelValidationError``.
    /// - Complexity: that of ``KMeans/fit(_:weights:configuration:progress:)`` plus O(n × d²).
    public static func train(_ data: CustomerData, options: TrainingOptions, dataHash: String? = nil,
                             createdAt: String? = nil, progress: ((KMeansProgress) -> Void)? = nil) throws -> TrainedModel {
        let encoder = try FeatureEncoder(fitting: data, options: options.encoding)
        let matrix = try encoder.transform(data)
        let fitted = try fit(matrix, weights: data.weights, schema: data.schema, encoder: encoder, options: options,
                             dataHash: dataHash, createdAt: createdAt, progress: progress)
        let profiles = PersonaProfiles.compute(data, personas: fitted.assignments.map(\.persona),
                                               order: fitted.model.personas.map(\.id))
        return TrainedModel(model: try fitted.model.named(from: profiles), assignments: fitted.assignments, profiles: profiles)
    }

    /// The k-means part of training, on an encoded matrix: personas ordered by size
    /// (identifiers from 1) with centres, sizes, distances, outlier limits and the principal
    /// components, named "Persona 1", "Persona 2", … until ``named(from:)`` gives them their
    /// names. For training from a file read in batches, where the profiles are gathered in a
    /// pass of their own; ``train(_:options:dataHash:createdAt:progress:)`` is both steps.
    ///
    /// - Parameters:
    ///   - matrix: the training customers encoded by `encoder`.
    ///   - weights: their sample weights, if any.
    ///   - schema: the schema `encoder` was fitted with.
    ///   - encoder: the encoder fitted on the training customers.
    ///   - options: k-means and encoding options.
    ///   - dataHash: a hash of the source data to record, if the caller has one.
    ///   - createdAt: a creation time to record (ISO 8601), if wanted.
    ///   - progress: called after each k-means start.
    /// - Returns: the model and every row's assignment (outlier flags final).
    /// - Throws: ``ClusteringError``, ``PrincipalComponents/Failure``.
    /// - Complexity: that of ``KMeans/fit(_:weights:configuration:progress:)`` plus O(n × d²).
    public static func fit(_ matrix: FeatureMatrix, weights: [Double]?, schema: PersonaSchema, encoder: FeatureEncoder,
                           options: TrainingOptions, dataHash: String? = nil, createdAt: String? = nil,
                           progress: ((KMeansProgress) -> Void)? = nil) throws -> (model: PersonaModel, assignments: [PersonaAssignment]) {
        precondition(matrix.columns == encoder.width, "the matrix must be encoded by the encoder")
        let result = try KMeans.fit(matrix, weights: weights, configuration: options.kmeans, progress: progress)
        return try model(from: result, matrix: matrix, weights: weights, schema: schema, encoder: encoder,
                         options: options, dataHash: dataHash, createdAt: createdAt)
    }

    /// The model of a k-means result on `matrix` (see ``fit(_:weights:schema:encoder:options:dataHash:createdAt:progress:)``):
    /// personas ordered by size with identifiers from 1, sizes, distances, outlier limits and
    /// the principal components.
    static func model(from result: KMeansResult, matrix: FeatureMatrix, weights: [Double]?, schema: PersonaSchema,
                      encoder: FeatureEncoder, options: TrainingOptions, dataHash: String?,
                      createdAt: String?) throws -> (model: PersonaModel, assignments: [PersonaAssignment]) {
        let k = options.kmeans.clusterCount, d = matrix.columns, n = matrix.rows

        // Largest cluster first; ties keep k-means order.
        var clusterWeight = [Double](repeating: 0, count: k)
        for (r, label) in result.labels.enumerated() { clusterWeight[Int(label)] += weights?[r] ?? 1 }
        let order = (0..<k).sorted { clusterWeight[$0] != clusterWeight[$1] ? clusterWeight[$0] > clusterWeight[$1] : $0 < $1 }
        var personas = order.enumerated().map { position, cluster in
            Persona(id: position + 1, name: "Persona \(position + 1)",
                    centroid: Array(result.centroids.values[cluster * d ..< (cluster + 1) * d]),
                    size: 0, weight: 0, share: 0, meanDistance: 0, outlierDistance: .infinity)
        }

        var configuration = options.kmeans
        configuration.threads = nil  // not part of the model: results do not depend on it
        let totalWeight = weights?.reduce(0, +) ?? Double(n)
        let training = TrainingSummary(configuration: configuration, inertia: result.inertia,
                                       diagnostics: result.diagnostics, rowCount: n,
                                       totalWeight: totalWeight, dataHash: dataHash,
                                       libraryVersion: personaKitVersion, createdAt: createdAt,
                                       membershipVariance: Self.membershipVariance(inertia: result.inertia,
                                                                                   totalWeight: totalWeight, width: d))
        let projection = try Self.projection(of: matrix, weights: weights, components: options.projectionComponents)

        // Sizes, distances and outlier limits from the model's own assignment kernel.
        let provisional = PersonaModel(schema: schema, encoder: encoder, personas: personas,
                                       projection: projection, training: training)
        var assignments = provisional.assign(matrix, threads: options.kmeans.threads)
        var members = Array(repeating: [Double](), count: k)
        for (r, a) in assignments.enumerated() {
            let slot = a.persona - 1
            members[slot].append(a.distance)
            personas[slot].size += 1
            personas[slot].weight += weights?[r] ?? 1
        }
        for slot in 0..<k {
            personas[slot].share = totalWeight > 0 ? personas[slot].weight / totalWeight : 0
            let distances = RadixSort.ascending(members[slot])
            personas[slot].meanDistance = distances.isEmpty ? 0 : distances.reduce(0, +) / Double(distances.count)
            personas[slot].outlierDistance = Self.outlierDistance(sortedDistances: distances)
        }
        // The provisional model had the same centres; only the outlier limits were unknown.
        for r in assignments.indices {
            assignments[r].isOutlier = assignments[r].distance > personas[assignments[r].persona - 1].outlierDistance
        }
        let model = PersonaModel(schema: schema, encoder: encoder, personas: personas,
                                 projection: projection, training: training)
        return (model, assignments)
    }

    /// The model with its personas named after their profiles (the two most distinguishing
    /// attributes; a repeated name gets " (2)", " (3)", …), validated.
    /// - Parameter profiles: one profile per persona, in persona order.
    /// - Throws: ``ModelValidationError`` when the model would not load again.
    public func named(from profiles: [PersonaProfile]) throws -> PersonaModel {
        precondition(profiles.map(\.persona) == personas.map(\.id), "one profile per persona, in order")
        var personas = self.personas
        var used = Set<String>()
        for slot in personas.indices {
            personas[slot].name = Self.uniqueName(PersonaProfiles.suggestedName(for: profiles[slot], schema: schema),
                                                  used: &used)
        }
        let model = PersonaModel(schema: schema, encoder: encoder, personas: personas,
                                 projection: projection, training: training)
        try model.validate()   // a trained model must load again; never write one that would not
        return model
    }

    /// σ² of the soft memberships: the mean within-persona squared distance per encoded
    /// dimension, `inertia / (totalWeight × width)` (`totalWeight` is the row count without
    /// weights); `nil` when there is no weight or no column to divide by.
    static func membershipVariance(inertia: Double, totalWeight: Double, width: Int) -> Double? {
        guard totalWeight > 0, width > 0, inertia.isFinite, inertia >= 0 else { return nil }
        return inertia / (totalWeight * Double(width))
    }

    /// `name`, or `name (2)`, `name (3)`, … when taken; the result is marked as taken.
    static func uniqueName(_ name: String, used: inout Set<String>) -> String {
        var candidate = name
        var n = 2
        while used.contains(candidate) {
            candidate = "\(name) (\(n))"
            n += 1
        }
        used.insert(candidate)
        return candidate
    }

    /// The outlier limit of a persona from its members' sorted distances: halfway between the
    /// 99th percentile (nearest rank) and the next larger distance, so that no training
    /// customer sits exactly on the limit (where the last bit of arithmetic would decide).
    static func outlierDistance(sortedDistances d: [Double]) -> Double {
        guard !d.isEmpty else { return 0 }
        let rank = Int((0.99 * Double(d.count)).rounded(.up)) - 1
        return rank + 1 < d.count ? (d[rank] + d[rank + 1]) / 2 : d[rank]
    }

    /// Rows used for the principal components at most; larger data is thinned to every
    /// ⌈n / limit⌉-th row (deterministic), which changes the map by sampling noise only.
    public static let projectionRowLimit = 250_000
    /// Encoded widths above this get no projection (the O(d³) decomposition would dominate).
    public static let projectionWidthLimit = 512

    static func projection(of matrix: FeatureMatrix, weights: [Double]?, components: Int) throws -> PrincipalComponents? {
        guard components > 0, matrix.columns <= projectionWidthLimit else { return nil }
        guard matrix.rows > projectionRowLimit else {
            return try PrincipalComponents(fitting: matrix, weights: weights, count: components)
        }
        let stride = (matrix.rows + projectionRowLimit - 1) / projectionRowLimit
        let rows = Swift.stride(from: 0, to: matrix.rows, by: stride)
        return try PrincipalComponents(fitting: matrix.selecting(rows: rows), weights: weights.map { w in rows.map { w[$0] } },
                                       count: components)
    }
}
