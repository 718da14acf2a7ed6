import Testing
import PersonaKit
import TestSupport

@Suite struct PersonaMapTests {
    /// Random customers with correlated numeric columns of different spreads (so the
    /// components are well separated), trained into `k` personas.
    static func trained(rows: Int, columns: Int, k: Int, seed: UInt64)
        throws -> (model: PersonaModel, matrix: FeatureMatrix, personas: [Int], table: RawTable) {
        var rng = SeededGenerator(seed: seed)
        let loadings = (0..<3).map { _ in (0..<columns).map { _ in Fixtures.gaussian(&rng) } }
        let spreads = [3.0, 1.7, 0.8]
        let header = ["customer_id"] + (0..<columns).map { "lifestyle_x\($0)" }
        var body = [[String]]()
        for r in 0..<rows {
            let factors = spreads.map { $0 * Fixtures.gaussian(&rng) }
            let cells = (0..<columns).map { j in
                let value = (0..<3).reduce(0.3 * Fixtures.gaussian(&rng)) { $0 + factors[$1] * loadings[$1][j] } + Double(j)
                return String(value)
            }
            body.append(["C\(r)"] + cells)
        }
        let table = Fixtures.table(header, body)
        let data = try CustomerData(table: table, schema: try PersonaSchema.infer(from: table))
        let result = try PersonaModel.train(data, options: TrainingOptions(kmeans: .init(clusterCount: k, seed: seed)))
        return (result.model, try result.model.encoder.transform(data), result.assignments.map(\.persona), table)
    }

    /// Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations: slow and
    /// plain, the reference for LAPACK. Returns pairs sorted by decreasing eigenvalue.
    static func jacobiEigen(_ matrix: [[Double]]) -> [(value: Double, vector: [Double])] {
        let d = matrix.count
        var a = matrix
        var v = (0..<d).map { i in (0..<d).map { $0 == i ? 1.0 : 0.0 } }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<d { for q in 0..<d where p != q { off += a[p][q] * a[p][q] } }
            if off < 1e-22 { break }
            for p in 0..<d {
                for q in (p + 1)..<d where abs(a[p][q]) > 1e-300 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {   // columns p, q
                        let akp = a[k][p], akq = a[k][q]
                        a[k][p] = c * akp - s * akq
                        a[k][q] = s * akp + c * akq
                    }
                    for k in 0..<d {   // rows p, q
                        let apk = a[p][k], aqk = a[q][k]
                        a[p][k] = c * apk - s * aqk
                        a[q][k] = s * apk + c * aqk
                    }
                    for k in 0..<d {
                        let vkp = v[k][p], vkq = v[k][q]
                        v[k][p] = c * vkp - s * vkq
                        v[k][q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return (0..<d).map { i in (a[i][i], (0..<d).map { v[$0][i] }) }.sorted { $0.value > $1.value }
    }

    /// The population covariance of the rows, in `Double`.
    static func covariance(_ m: FeatureMatrix) -> (mean: [Double], matrix: [[Double]]) {
        let n = Double(m.rows), d = m.columns
        let mean = (0..<d).map { j in (0..<m.rows).reduce(0.0) { $0 + Double(m[$1, j]) } / n }
        var c = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for r in 0..<m.rows {
            for a in 0..<d { for b in 0..<d { c[a][b] += (Double(m[r, a]) - mean[a]) * (Double(m[r, b]) - mean[b]) } }
        }
        return (mean, c.map { $0.map { $0 / n } })
    }

    @Test(arguments: [(UInt64(1), 7), (2, 4), (3, 12)])
    func coordinatesAgreeWithAJacobiPCAUpToSign(seed: UInt64, columns: Int) throws {
        let run = try Self.trained(rows: 600, columns: columns, k: 4, seed: seed)
        let map = try PersonaMap(model: run.model, matrix: run.matrix, personas: run.personas,
                                 options: PersonaMapOptions(sampleSize: 600))
        #expect(map.points.count == 600)

        let (mean, cov) = Self.covariance(run.matrix)
        let eigen = Self.jacobiEigen(cov)
        let total = eigen.reduce(0) { $0 + max(0, $1.value) }
        #expect(abs(map.explainedVarianceRatio.0 - eigen[0].value / total) < 1e-6)
        #expect(abs(map.explainedVarianceRatio.1 - eigen[1].value / total) < 1e-6)

        func reference(_ point: [Double], _ c: Int) -> Double {
            zip(point, zip(mean, eigen[c].vector)).reduce(0.0) { $0 + ($1.0 - $1.1.0) * $1.1.1 }
        }
        // One sign per component, taken from the first point, must fit every point and centre.
        let first = run.matrix.row(map.points[0].row).map(Double.init)
        let signs = [reference(first, 0) * map.points[0].x < 0 ? -1.0 : 1.0,
                     reference(first, 1) * map.points[0].y < 0 ? -1.0 : 1.0]
        var worst = 0.0
        for point in map.points {
            let x = run.matrix.row(point.row).map(Double.init)
            worst = max(worst, abs(signs[0] * reference(x, 0) - point.x), abs(signs[1] * reference(x, 1) - point.y))
        }
        for centre in map.centres {
            let c = run.model.persona(id: centre.persona)!.centroid.map(Double.init)
            worst = max(worst, abs(signs[0] * reference(c, 0) - centre.x), abs(signs[1] * reference(c, 1) - centre.y))
        }
        #expect(worst < 1e-4, "largest coordinate difference \(worst)")
    }

    @Test func modelBasisUsesTheStoredProjection() throws {
        let run = try Self.trained(rows: 300, columns: 5, k: 3, seed: 4)
        let map = try PersonaMap(model: run.model, matrix: run.matrix, personas: run.personas,
                                 options: PersonaMapOptions(basis: .model))
        #expect(map.projection == run.model.projection)
        let centre = try #require(map.centres.first)
        let expected = run.model.projection!.project(run.model.personas[0].centroid)
        #expect(abs(centre.x - expected[0]) < 1e-9 && abs(centre.y - expected[1]) < 1e-9)
    }

    @Test func sampleIsStratifiedSeededAndKeepsSmallPersonas() throws {
        let run = try Self.trained(rows: 2_000, columns: 6, k: 5, seed: 5)
        // Make persona of the last slot tiny: reassign all but 10 of its rows to the first persona.
        var personas = run.personas
        let small = run.model.personas.last!.id, large = run.model.personas[0].id
        var kept = 0
        for r in personas.indices where personas[r] == small {
            if kept < 10 { kept += 1 } else { personas[r] = large }
        }
        let options = PersonaMapOptions(sampleSize: 200, minimumPerPersona: 15, seed: 9)
        let map = try PersonaMap(model: run.model, matrix: run.matrix, personas: personas, options: options)
        #expect(map.points.count == 200)
        #expect(map.points.map(\.row) == map.points.map(\.row).sorted())
        #expect(Set(map.points.map(\.row)).count == 200)
        let counts = Dictionary(grouping: map.points, by: \.persona).mapValues(\.count)
        #expect(counts[small] == 10)                         // all it has
        for persona in run.model.personas.map(\.id) where persona != small { #expect(counts[persona, default: 0] >= 15) }
        #expect(map.points.allSatisfy { personas[$0.row] == $0.persona })

        let again = try PersonaMap(model: run.model, matrix: run.matrix, personas: personas, options: options)
        #expect(again.points == map.points)
        var other = options
        other.seed = 10
        let reseeded = try PersonaMap(model: run.model, matrix: run.matrix, personas: personas, options: other)
        #expect(reseeded.points.map(\.row) != map.points.map(\.row))

        // A sample as large as the data is the data.
        let all = try PersonaMap(model: run.model, matrix: run.matrix, personas: personas,
                                 options: PersonaMapOptions(sampleSize: 5_000))
        #expect(all.points.map(\.row) == Array(0..<2_000))
    }

    @Test func previousCentresOfTheSameModelSitOnTheCentres() throws {
        let run = try Self.trained(rows: 400, columns: 5, k: 3, seed: 6)
        let map = try PersonaMap(model: run.model, matrix: run.matrix, personas: run.personas, previous: run.model)
        #expect(map.previousCentres.count == 3)
        #expect(map.newPersonas.isEmpty)
        for (before, after) in zip(map.previousCentres, map.centres) {
            #expect(before.persona == after.persona && before.fate == .continues)
            #expect(abs(before.x - after.x) < 1e-4 && abs(before.y - after.y) < 1e-4)
        }
    }

    @Test func retrainedPersonasContinueRetireOrAppear() throws {
        let run = try Self.trained(rows: 900, columns: 6, k: 4, seed: 7)
        let data = try run.model.read(run.table)
        let members = Dictionary(uniqueKeysWithValues: zip(data.ids, run.personas))
        let fewer = try PersonaModel.retrain(previous: run.model, data: data, previousAssignments: members,
                                             options: RetrainingOptions(clusterCount: 2))
        let matrix = try fewer.model.encoder.transform(data)
        let map = try PersonaMap(model: fewer.model, matrix: matrix, personas: fewer.assignments.map(\.persona),
                                 previous: run.model)
        let retired = Set(map.previousCentres.filter { $0.fate == .retired }.map(\.persona))
        #expect(retired == Set(run.model.personas.map(\.id)).subtracting(fewer.model.personas.map(\.id)))
        #expect(retired.count >= 2)

        // The other way round: personas of the larger model that the smaller lacked are new.
        let more = try PersonaMap(model: run.model, matrix: run.matrix, personas: run.personas, previous: fewer.model)
        #expect(Set(more.newPersonas) == Set(run.model.personas.map(\.id)).subtracting(fewer.model.personas.map(\.id)))
    }

    @Test func rejectsBadInput() throws {
        let run = try Self.trained(rows: 100, columns: 3, k: 2, seed: 8)
        #expect(throws: PersonaMapError.personaCountMismatch(rows: 100, personas: 99)) {
            try PersonaMap(model: run.model, matrix: run.matrix, personas: Array(run.personas.dropLast()))
        }
        var wrong = run.personas
        wrong[5] = 42
        #expect(throws: PersonaMapError.unknownPersona(row: 5, persona: 42)) {
            try PersonaMap(model: run.model, matrix: run.matrix, personas: wrong)
        }
        #expect(throws: PersonaMapError.invalidOption(name: "sampleSize", value: 0, expected: ">= 1")) {
            try PersonaMap(model: run.model, matrix: run.matrix, personas: run.personas, options: .init(sampleSize: 0))
        }
        #expect(throws: PersonaMapError.widthMismatch(columns: 2, expected: 3)) {
            try PersonaMap(model: run.model, matrix: FeatureMatrix(rows: 1, columns: 2), personas: [1])
        }
    }
}
