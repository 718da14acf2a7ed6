/// Where the principal components of a persona map come from.
public enum PersonaMapBasis: String, Sendable, Hashable, Codable, CaseIterable {
    /// A PCA fitted on the encoded rows being mapped (every row, unweighted; above
    /// ``PersonaModel/projectionRowLimit`` rows every ⌈n / limit⌉-th row). The default: the map
    /// shows the spread of the customers it draws, and equals a PCA of the same encoded matrix
    /// computed by any other tool, up to the sign of each component.
    case data
    /// The model's stored ``PersonaModel/projection``, fitted on the training data (weighted
    /// when training used weights). Maps of several files then share one pair of axes.
    case model
}

/// Options of ``PersonaMap``.
public struct PersonaMapOptions: Sendable, Hashable, Codable {
    /// Customers drawn at most (the centres are always drawn). ≥ 1; default 2,000.
    public var sampleSize: Int
    /// The least number of customers drawn from each persona (all of them when it has fewer;
    /// at most `sampleSize / personas`), so that small personas show. ≥ 0; default 25.
    public var minimumPerPersona: Int
    /// The seed of the sample: the same seed draws the same customers.
    public var seed: UInt64
    /// Where the axes come from; default ``PersonaMapBasis/data``.
    public var basis: PersonaMapBasis

    /// Creates options.
    public init(sampleSize: Int = 2_000, minimumPerPersona: Int = 25, seed: UInt64 = 1, basis: PersonaMapBasis = .data) {
        self.sampleSize = sampleSize
        self.minimumPerPersona = minimumPerPersona
        self.seed = seed
        self.basis = basis
    }
}

/// What prevents a persona map.
public enum PersonaMapError: Error, Equatable, Sendable, CustomStringConvertible {
    /// There is not one persona per encoded row.
    case personaCountMismatch(rows: Int, personas: Int)
    /// The encoded rows are not as wide as the model's encoder.
    case widthMismatch(columns: Int, expected: Int)
    /// A row's persona is not one of the model's.
    case unknownPersona(row: Int, persona: Int)
    /// There are no rows to map.
    case noRows
    /// An option is out of range.
    case invalidOption(name: String, value: Int, expected: String)
    /// ``PersonaMapBasis/model`` was asked for but the model stores no projection.
    case modelHasNoProjection
    /// The previous model shares no attribute with the model, so its centres cannot be placed.
    case noCommonAttributes
    /// The principal components could not be computed.
    case projection(PrincipalComponents.Failure)

    /// A one-line description.
    public var description: String {
        switch self {
        case .personaCountMismatch(let rows, let personas):
            "the map needs one persona per row (rows=\(rows), personas=\(personas))"
        case .widthMismatch(let columns, let expected):
            "the encoded rows have \(columns) columns, the model's encoder \(expected)"
        case .unknownPersona(let row, let persona):
            "row \(row) is assigned to persona \(persona), which the model does not have"
        case .noRows: "there are no customers to map"
        case .invalidOption(let name, let value, let expected): "\(name)=\(value) should be \(expected)"
        case .modelHasNoProjection: "the model stores no principal components; map with basis 'data'"
        case .noCommonAttributes: "the previous model shares no attribute with the model"
        case .projection(let failure): failure.description
        }
    }
}

/// A two-dimensional persona map: a sample of customers and the persona centres on the first
/// two principal components of the encoded (standardised, weighted) features, and — given the
/// previous model — where each persona's centre was before.
///
/// **The PCA.** By default (``PersonaMapBasis/data``) the components are fitted on the encoded
/// rows being mapped — every row, not only the sample — through LAPACK's `dsyevd` on their
/// covariance (``PrincipalComponents``). Coordinates are `(x − mean) · component`, exactly
/// scikit-learn's `PCA(n_components=2).fit_transform(X)` of the same encoded matrix `X` up to
/// the sign of each component; the sign is fixed so that a component's largest-magnitude
/// loading is positive. ``PersonaMapBasis/model`` uses the model's stored projection instead.
///
/// **The sample** is stratified by persona and seeded: each persona first gets
/// ``PersonaMapOptions/minimumPerPersona`` customers (or all it has), the rest of
/// ``PersonaMapOptions/sampleSize`` is shared in proportion to size (largest remainders), and
/// each persona's customers are drawn without replacement. Points are listed by row.
///
/// **Movement.** A previous model's centres are decoded to original units and encoded as the
/// current model encodes (``FeatureEncoder/reencode(_:from:)``, as a warm-started retrain
/// does), then projected on the same axes. A previous persona whose identifier the current
/// model still uses gives an arrow to the current centre (retraining keeps identifiers of
/// continuing personas); one the current model no longer has is marked retired; a current
/// persona the previous model did not have is new and has no arrow.
///
/// - Complexity: O(n × d²) for the covariance, O(d³) for its decomposition, O(n + s × d) for a
///   sample of s customers.
public struct PersonaMap: Sendable {
    /// A sampled customer.
    public struct Point: Sendable, Hashable {
        /// The customer's row in the mapped data.
        public var row: Int
        /// Its persona's identifier.
        public var persona: Int
        /// PC1 coordinate.
        public var x: Double
        /// PC2 coordinate.
        public var y: Double
    }

    /// A persona's centre on the map.
    public struct Centre: Sendable, Hashable {
        /// The persona's identifier.
        public var persona: Int
        /// Its name.
        public var name: String
        /// Its position in its model's persona list (the colour index of the map).
        public var index: Int
        /// Customers of the mapped data assigned to it.
        public var customers: Int
        /// PC1 coordinate.
        public var x: Double
        /// PC2 coordinate.
        public var y: Double
    }

    /// What happened to a previous persona.
    public enum Fate: String, Sendable, Hashable, Codable {
        /// The current model has a persona with its identifier.
        case continues
        /// The current model has no persona with its identifier.
        case retired
    }

    /// A previous model's persona centre, placed in the current feature space.
    public struct PreviousCentre: Sendable, Hashable {
        /// The previous persona's identifier.
        public var persona: Int
        /// Its name in the previous model.
        public var name: String
        /// PC1 coordinate.
        public var x: Double
        /// PC2 coordinate.
        public var y: Double
        /// Whether it continues.
        public var fate: Fate
    }

    /// The principal components the map is drawn on.
    public let projection: PrincipalComponents
    /// Where they came from.
    public let basis: PersonaMapBasis
    /// The share of the total variance on PC1 and PC2 (0 for a component the data lacks).
    public let explainedVarianceRatio: (Double, Double)
    /// The sampled customers, by row.
    public let points: [Point]
    /// The current personas' centres, in model order.
    public let centres: [Centre]
    /// The previous model's centres, in its order (empty without a previous model).
    public let previousCentres: [PreviousCentre]
    /// Rows mapped (the sample's population).
    public let rowCount: Int

    /// Current personas the previous model did not have (no arrow), in model order.
    public var newPersonas: [Int] {
        let before = Set(previousCentres.map(\.persona))
        return previousCentres.isEmpty ? [] : centres.map(\.persona).filter { !before.contains($0) }
    }

    /// Maps encoded customers.
    ///
    /// - Parameters:
    ///   - model: the model the customers were assigned with.
    ///   - matrix: the customers encoded with `model.encoder`.
    ///   - personas: each row's persona identifier.
    ///   - previous: an earlier model, to show how the personas moved.
    ///   - options: sample size, seed, basis.
    /// - Throws: ``PersonaMapError``.
    /// - Complexity: O(n × d² + d³ + k × d).
    public init(model: PersonaModel, matrix: FeatureMatrix, personas: [Int], previous: PersonaModel? = nil,
                options: PersonaMapOptions = PersonaMapOptions()) throws(PersonaMapError) {
        let n = matrix.rows
        guard options.sampleSize >= 1 else { throw .invalidOption(name: "sampleSize", value: options.sampleSize, expected: ">= 1") }
        guard options.minimumPerPersona >= 0 else {
            throw .invalidOption(name: "minimumPerPersona", value: options.minimumPerPersona, expected: ">= 0")
        }
        guard matrix.columns == model.encoder.width else {
            throw .widthMismatch(columns: matrix.columns, expected: model.encoder.width)
        }
        guard personas.count == n else { throw .personaCountMismatch(rows: n, personas: personas.count) }
        guard n > 0 else { throw .noRows }
        let slot = Dictionary(uniqueKeysWithValues: model.personas.enumerated().map { ($1.id, $0) })
        var members = Array(repeating: [Int](), count: model.personas.count)
        for (row, persona) in personas.enumerated() {
            guard let s = slot[persona] else { throw .unknownPersona(row: row, persona: persona) }
            members[s].append(row)
        }
        if let previous, !model.encoder.sharesAttributes(with: previous.encoder) { throw .noCommonAttributes }

        let projection: PrincipalComponents
        switch options.basis {
        case .model:
            guard let stored = model.projection else { throw .modelHasNoProjection }
            projection = stored
        case .data:
            projection = try Self.fit(matrix)
        }
        let ratio = projection.explainedVarianceRatio
        self.projection = projection
        self.basis = options.basis
        self.explainedVarianceRatio = (ratio.count > 0 ? ratio[0] : 0, ratio.count > 1 ? ratio[1] : 0)
        self.rowCount = n

        let rows = Self.stratifiedSample(members: members, size: options.sampleSize,
                                         minimum: options.minimumPerPersona, seed: options.seed)
        points = rows.map { row in
            let (x, y) = Self.place(projection, matrix.values[row * matrix.columns ..< (row + 1) * matrix.columns].map(Double.init))
            return Point(row: row, persona: personas[row], x: x, y: y)
        }
        centres = model.personas.enumerated().map { index, persona in
            let (x, y) = Self.place(projection, persona.centroid.map(Double.init))
            return Centre(persona: persona.id, name: persona.name, index: index, customers: members[index].count, x: x, y: y)
        }
        let current = Set(model.personas.map(\.id))
        previousCentres = previous.map { previous in
            previous.personas.map { persona in
                let (x, y) = Self.place(projection, model.encoder.reencode(persona.centroid, from: previous.encoder))
                return PreviousCentre(persona: persona.id, name: persona.name, x: x, y: y,
                                      fate: current.contains(persona.id) ? .continues : .retired)
            }
        } ?? []
    }

    /// The PC1 and PC2 coordinates of `point` (0 on a component the projection lacks).
    static func place(_ projection: PrincipalComponents, _ point: [Double]) -> (Double, Double) {
        var out = [0.0, 0.0]
        for (c, component) in projection.components.prefix(2).enumerated() {
            var s = 0.0
            for j in component.indices { s += component[j] * (point[j] - projection.mean[j]) }
            out[c] = s
        }
        return (out[0], out[1])
    }

    /// Two components of the encoded rows, thinned like training above the row limit.
    static func fit(_ matrix: FeatureMatrix) throws(PersonaMapError) -> PrincipalComponents {
        let limit = PersonaModel.projectionRowLimit
        let data = matrix.rows > limit
            ? matrix.selecting(rows: stride(from: 0, to: matrix.rows, by: (matrix.rows + limit - 1) / limit))
            : matrix
        do { return try PrincipalComponents(fitting: data, count: 2) } catch { throw .projection(error) }
    }

    /// Rows drawn from each persona's `members` (row lists): at least `minimum` each (or all),
    /// the rest of `size` in proportion to size by largest remainders; sorted.
    /// - Complexity: O(n) for n members in all.
    static func stratifiedSample(members: [[Int]], size: Int, minimum: Int, seed: UInt64) -> [Int] {
        let total = members.reduce(0) { $0 + $1.count }
        guard size < total else { return members.flatMap { $0 }.sorted() }
        let floor = min(minimum, size / max(members.count, 1))   // never more than `size` in all
        var quota = members.map { min($0.count, floor) }
        let rest = size - quota.reduce(0, +)
        if rest > 0 {
            let open = zip(members, quota).map { $0.count - $1 }
            let openTotal = open.reduce(0, +)
            var remainders = [(slot: Int, fraction: Double)]()
            var given = 0
            for slot in members.indices where open[slot] > 0 {
                let exact = Double(rest) * Double(open[slot]) / Double(openTotal)
                let whole = min(open[slot], Int(exact))
                quota[slot] += whole
                given += whole
                remainders.append((slot, exact - Double(whole)))
            }
            remainders.sort { $0.fraction != $1.fraction ? $0.fraction > $1.fraction : $0.slot < $1.slot }
            for (slot, _) in remainders where given < rest && quota[slot] < members[slot].count {
                quota[slot] += 1
                given += 1
            }
        }
        var rows = [Int]()
        rows.reserveCapacity(quota.reduce(0, +))
        for (slot, list) in members.enumerated() where quota[slot] > 0 {
            var generator = SeededGenerator(seed: seed, stream: UInt64(slot))
            var pool = list
            for i in 0..<quota[slot] {   // partial Fisher–Yates
                let j = i + Int(generator.next() % UInt64(pool.count - i))
                pool.swapAt(i, j)
            }
            rows.append(contentsOf: pool.prefix(quota[slot]))
        }
        return rows.sorted()
    }
}
