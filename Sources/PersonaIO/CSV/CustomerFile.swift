import Foundation
import PersonaKit

/// A problem found while training from a file: a CSV format error, or a data error with the
/// file row it happened on.
public enum CustomerFileError: Error, CustomStringConvertible {
    /// The file is not readable CSV.
    case csv(CSVError)
    /// A cell, row or column is unusable; `rowOffset` is the file row of the error's row 0.
    case data(PersonaDataError, file: String, rowOffset: Int)

    /// One line naming the file, row, column and value.
    public var description: String {
        switch self {
        case .csv(let error): error.description
        case .data(let error, let file, let rowOffset): "\(oneLine(file)): \(error.describe(rowOffset: rowOffset))"
        }
    }
}

/// A customer CSV read in batches, on every core: to train personas from a file of any
/// length (the file is never held in memory, only the encoded `Float` matrix k-means needs,
/// the identifiers and the assignments), or to read it whole into `CustomerData`.
///
/// Training reads the file once, on all cores with results merged in file order (so the model
/// does not depend on the number of threads):
/// 1. **survey** — parse every batch into typed columns (numbers packed losslessly, the texts
///    of the columns read as text), infer the schema (or complete a declared one) and gather
///    the encoder's statistics (`DataSurvey`);
/// 2. **encode** — from those typed batches in memory: check every cell against the schema,
///    keep the typed values and write the encoded rows.
///
/// The encoding reads the file again only when the typed batches cannot serve it: a column
/// that turns out categorical though some batch held only its numbers (numbers before the
/// first text of a mostly-text column), or a data error, which is then reported with the cell
/// as the file writes it.
///
/// After k-means, the personas are profiled in original units (which names them) from the
/// typed values in memory, batch by batch as they were read; with `keepData` the values, the
/// matrix and any ``keptTextColumns`` are returned, so a report needs no further read.
///
/// The same data gives the same model as `PersonaModel.train(_:options:dataHash:createdAt:progress:)`
/// on the whole table, up to the last bits of the encoder's means and deviations (summed
/// batch by batch here).
public struct CustomerFile {
    /// What training from a file gives.
    public struct TrainingResult: Sendable {
        /// The model.
        public let model: PersonaModel
        /// The training customers' identifiers, in file order.
        public let ids: [String]
        /// Their assignments, in file order.
        public let assignments: [PersonaAssignment]
        /// Per-persona profiles, in persona order.
        public let profiles: [PersonaProfile]
        /// Seconds spent per step: survey, encode, fit, profile.
        public let seconds: [String: Double]
        /// With `keepData`: the training customers as read, in file order.
        public let data: CustomerData?
        /// With `keepData` or `keepMatrix`: their encoded rows.
        public let matrix: FeatureMatrix?
        /// With `keepData`: the trimmed cells of each of ``CustomerFile/keptTextColumns`` present.
        public let texts: [String: [String]]
        /// The file's header.
        public let columnNames: [String]
    }

    /// The file.
    public var url: URL
    /// The name used in errors.
    public var displayName: String
    /// A declared schema, or `nil` to infer one.
    public var schema: PersonaSchema?
    /// The identifier column (when inferring).
    public var idColumn: String = "customer_id"
    /// The weight column (when inferring), if any.
    public var weightColumn: String?
    /// Worker threads, or `nil` for every active core.
    public var threads: Int?
    /// Bytes per batch.
    public var chunkSize: Int = 1 << 18
    /// Rows per batch: the moments and profiles summed batch by batch, and so the model, are
    /// the same for the same customers in any dialect or number formatting. `nil`: batches of
    /// about ``chunkSize`` bytes.
    public var rowsPerBatch: Int? = 2048
    /// How the file writes fields, numbers and missing values.
    public var dialect: CSVDialect = .standard
    /// Columns whose text training keeps for the caller when asked to keep the data (a
    /// report's account column, say, which the schema may ignore).
    public var keptTextColumns: [String] = []
    /// Called on the calling thread after each batch of a pass over the file with the rows
    /// read so far in that pass (a survey, an encoding), for a progress display.
    public var rowsRead: ((Int) -> Void)?

    /// Describes a training file.
    public init(url: URL, displayName: String? = nil, schema: PersonaSchema? = nil) {
        self.url = url
        self.displayName = displayName ?? url.lastPathComponent
        self.schema = schema
    }

    /// Trains.
    /// - Parameters:
    ///   - options: k-means and encoding options.
    ///   - createdAt: a creation time to record.
    ///   - step: called with a short description as each step begins.
    ///   - progress: called after each k-means start.
    ///   - keepData: return the typed customers, the matrix and ``keptTextColumns``.
    ///   - keepMatrix: return the matrix (for soft memberships, say) even without `keepData`.
    /// - Throws: ``CustomerFileError``, `ClusteringError`, `PrincipalComponents.Failure`
    ///   or `ModelValidationError`.
    /// - Complexity: one read of the file (two in the cases above); memory O(rows × (attributes + encoded width)).
    public func train(options: TrainingOptions, createdAt: String? = nil, step: (String) -> Void = { _ in },
                      progress: ((KMeansProgress) -> Void)? = nil, keepData: Bool = false,
                      keepMatrix: Bool = false) throws -> TrainingResult {
        let workers = max(1, options.kmeans.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var seconds = [String: Double]()
        var clock = Date()
        func lap(_ name: String) {
            seconds[name] = Date().timeIntervalSince(clock)
            clock = Date()
        }

        // 1. Survey.
        step("surveying \(displayName)")
        let textColumns = keepData ? keptTextColumns : []
        let (survey, hash, header, parsed) = try surveyFile(workers: workers, keepingTypes: textColumns)
        var typed = consume parsed
        let schema = try data { () throws(PersonaDataError) in try survey.schema() }
        if let batches = typed, !holdsTexts(batches, header: header, schema: schema, kept: textColumns) { typed = nil }
        let encoder = try data { () throws(PersonaDataError) in try FeatureEncoder(survey: survey, schema: schema, options: options.encoding) }
        lap("survey")

        // 2. Encode.
        step("encoding \(survey.rowCount) rows × \(encoder.width) columns")
        let (matrix, weights, ids, parts, texts) = try encode(schema: schema, encoder: encoder, rows: survey.rowCount, workers: workers,
                                                              keeping: textColumns, packing: !keepData, typed: &typed)
        if let weights, let name = schema.weightColumn, !(weights.reduce(0, +) > 0) {
            throw CustomerFileError.data(.zeroTotalWeight(column: name), file: displayName, rowOffset: 2)
        }
        // The typed batches, freed by the threads that made them, would otherwise stay in their
        // allocators' arenas while the fit allocates afresh (so too the matrix after the fit).
        SystemAllocator.releaseFreedMemory()
        lap("encode")

        // 3. Fit. The matrix is let go as soon as the fit is done unless it is returned or
        // holds values the profiles read (number columns it gives back exactly are not kept twice).
        step("fitting")
        var encoded: FeatureMatrix? = consume matrix
        let fitted = try PersonaModel.fit(encoded!, weights: weights, schema: schema, encoder: encoder, options: options,
                                          dataHash: FNV1a64.label + hash, createdAt: createdAt, progress: progress)
        let kept = keepData || keepMatrix ? encoded : nil
        if !parts.contains(where: \.needsMatrix) { encoded = nil }
        SystemAllocator.releaseFreedMemory()
        lap("fit")

        // 4. Profile and name.
        step("profiling")
        let profiles = profile(parts, ids: ids, matrix: encoded, schema: schema, model: fitted.model,
                               assignments: fitted.assignments, workers: workers)
        encoded = nil
        let model = try fitted.model.named(from: profiles)
        // The encoding pass checked the identifiers for repeats.
        let data = keepData ? try self.data { () throws(PersonaDataError) in
            try CustomerData(concatenating: parts.map { $0.full! }, checkedIdentifiers: ids)
        } : nil
        SystemAllocator.releaseFreedMemory()
        lap("profile")
        return TrainingResult(model: model, ids: ids, assignments: fitted.assignments, profiles: profiles, seconds: seconds,
                              data: data, matrix: kept, texts: texts, columnNames: header)
    }

    /// Reads every customer: a survey pass (the schema inferred, or the declared one with the
    /// categories of categorical attributes that list none taken from the data), then every
    /// row checked and typed — from the batches the survey parsed, as training does, unless
    /// unknown categories are read as missing.
    /// - Parameters:
    ///   - unknownCategories: what to do with a category the declared schema does not list.
    ///   - threads: worker threads, or `nil` for every core; the result does not depend on it.
    /// - Throws: ``CustomerFileError``.
    /// - Complexity: O(file size); memory O(rows × attributes).
    public func readAll(unknownCategories: UnknownCategoryPolicy = .reject, threads: Int? = nil) throws -> CustomerData {
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        // One read when unknown categories are errors; an unknown category read as missing is
        // recorded with the cell as the file writes it, which the typed batches do not keep.
        let (survey, _, header, parsed) = try surveyFile(workers: workers, keepingTypes: unknownCategories == .reject ? [] : nil)
        var typed = consume parsed
        let schema = try data { () throws(PersonaDataError) in try survey.schema() }
        if let batches = typed, !holdsTexts(batches, header: header, schema: schema, kept: []) { typed = nil }
        var parts = [CustomerData]()
        let name = displayName
        if typed != nil {
            do {
                try inMemory(&typed, workers: workers, transform: { batch throws(PersonaDataError) in
                    try CustomerData(cells: batch, schema: schema, unknownCategories: .reject, checkWeightTotal: false)
                }, consume: { part in parts.append(part) })
                return try data { () throws(PersonaDataError) in try CustomerData(concatenating: parts) }
            } catch CustomerFileError.data {
                parts = []   // read the file for the error, naming the cell as it is written there
            }
        }
        _ = try pass(workers: workers, transform: { batch in
            do {
                return try CustomerData(cells: batch, schema: schema, unknownCategories: unknownCategories, checkWeightTotal: false)
            } catch let error as PersonaDataError { throw CustomerFileError.data(error, file: name, rowOffset: batch.firstRow) }
        }, consume: { (_, part: CustomerData) in parts.append(part) })
        return try data { () throws(PersonaDataError) in try CustomerData(concatenating: parts) }
    }

    // MARK: - Passes

    private func open(hashing: Bool = false) throws -> CSVStreamReader {
        do {
            let reader = try CSVStreamReader(contentsOf: url, displayName: displayName, dialect: dialect, chunkSize: chunkSize, hashing: hashing)
            reader.rowsPerBatch = rowsPerBatch
            return reader
        } catch {
            throw CustomerFileError.csv(error)
        }
    }

    /// Runs `body` over every batch of a fresh pass, turning format errors into
    /// ``CustomerFileError/csv(_:)``.
    private func pass<Output>(workers: Int, hashing: Bool = false, transform: @escaping @Sendable (CSVBatch) throws -> Output,
                              consume: (CSVBatch, Output) throws -> Void) throws -> CSVStreamReader {
        let reader = try open(hashing: hashing)
        var rows = 0
        do {
            try reader.forEachBatch(workers: workers, transform: transform) { batch, output in
                try consume(batch, output)
                rows += batch.rowCount
                rowsRead?(rows)
            }
        } catch let error as CSVError {
            throw CustomerFileError.csv(error)
        }
        return reader
    }

    private func data<T>(rowOffset: Int = 2, _ body: () throws(PersonaDataError) -> T) throws -> T {
        do { return try body() } catch { throw CustomerFileError.data(error, file: displayName, rowOffset: rowOffset) }
    }

    /// The survey pass; with `keepingTypes` (the names of further columns whose texts are
    /// kept), also every batch as typed columns, packed.
    private func surveyFile(workers: Int, keepingTypes textColumns: [String]?) throws
        -> (survey: DataSurvey, hash: String, header: [String], typed: [TypedBatch?]?) {
        let header = try open().header
        let empty = try data { () throws(PersonaDataError) in try DataSurvey(columnNames: header, idColumn: idColumn, weightColumn: weightColumn, declared: schema) }
        var survey = empty
        var typed: [TypedBatch?]? = textColumns == nil ? nil : []
        // The identifier, the columns asked for and the declared categorical ones are read as text.
        let texts = textColumns.map { names in
            Set(Self.textColumns(idColumn: schema?.idColumn ?? idColumn, attributes: schema?.attributes ?? [], kept: names)
                .compactMap { header.firstIndex(of: $0) })
        }
        let name = displayName
        let reader = try pass(workers: workers, hashing: true, transform: { batch in
            var part = empty
            do {
                guard let texts else {
                    try part.add(batch)
                    return (part, nil)
                }
                var parsed = TypedBatch(batch, textColumns: texts)
                do { try part.add(parsed) } catch {
                    var exact = empty
                    try exact.add(batch)   // the error as the file writes the cell
                    throw error
                }
                parsed.pack()
                return (part, parsed)
            } catch let error as PersonaDataError { throw CustomerFileError.data(error, file: name, rowOffset: batch.firstRow) }
        }, consume: { (_, part: (DataSurvey, TypedBatch?)) in
            survey.merge(part.0)
            if let batch = part.1 { typed?.append(batch) }
        })
        // Rarely: a text column whose numbers came before its first text in some batch.
        for column in survey.columnsNeedingNumericTexts {
            _ = try pass(workers: 1, transform: { _ in () }, consume: { (batch, _: Void) in
                do { try survey.addNumericTexts(batch, column: column) } catch let error as PersonaDataError {
                    throw CustomerFileError.data(error, file: name, rowOffset: batch.firstRow)
                }
            })
        }
        return (survey, reader.contentHash ?? "", header, typed)
    }

    /// The columns read as text: the identifier, `kept`, and the categorical attributes in use.
    private static func textColumns(idColumn: String, attributes: [Attribute], kept: [String]) -> [String] {
        [idColumn] + kept + attributes.filter { attribute in
            guard attribute.role != .ignore, case .categorical = attribute.kind else { return false }
            return true
        }.map(\.name)
    }

    /// Whether every typed batch holds the texts of every column the encoding reads as text.
    private func holdsTexts(_ typed: [TypedBatch?], header: [String], schema: PersonaSchema, kept: [String]) -> Bool {
        let columns = Self.textColumns(idColumn: schema.idColumn, attributes: schema.attributes, kept: kept)
            .compactMap { header.firstIndex(of: $0) }
        return typed.allSatisfy { batch in columns.allSatisfy { batch?.holdsTexts(column: $0) ?? false } }
    }

    /// One batch checked, typed and encoded.
    private struct EncodedBatch: Sendable {
        var ids: [String]
        var batch: Batch
        var weights: [Double]?
        var matrix: FeatureMatrix
        var texts: [(String, [String])]
    }

    private static func encodeBatch(_ cells: some CellSource, schema: PersonaSchema, encoder: FeatureEncoder, keeping textColumns: [String],
                                    packing: Bool) throws(PersonaDataError) -> EncodedBatch {
        let customers = try CustomerData(cells: cells, schema: schema, unknownCategories: .reject, checkWeightTotal: false)
        let kept = textColumns.compactMap { column in cells.columnIndex(named: column).map { (column, cells.trimmedTexts(column: $0)) } }
        let matrix = try encoder.transform(customers)
        let batch: Batch
        if packing, let typed = cells as? TypedBatch {
            // A typed batch's numbers are the customers' own, packed already.
            var packed = [String: PackedNumbers]()
            for attribute in schema.attributes {
                if let c = typed.columnIndex(named: attribute.name), let numbers = typed.packedNumbers(column: c) { packed[attribute.name] = numbers }
            }
            batch = .packed(PackedCustomerData(customers, packed: packed).leavingInMatrix(matrix, encoder: encoder))
        } else {
            batch = packing ? .packed(PackedCustomerData(customers).leavingInMatrix(matrix, encoder: encoder)) : .full(customers)
        }
        return EncodedBatch(ids: customers.ids, batch: batch, weights: customers.weights, matrix: matrix, texts: kept)
    }

    /// The encoding pass: from the typed batches when given, letting each go once encoded
    /// (falling back to the file for an error's exact cell), from the file otherwise.
    private func encode(schema: PersonaSchema, encoder: FeatureEncoder, rows: Int, workers: Int, keeping textColumns: [String],
        packing: Bool, typed: inout [TypedBatch?]?) throws -> (FeatureMatrix, [Double]?, [String], [Batch], [String: [String]]) {
        let name = displayName
        if typed != nil {
            var collected = EncodedRows(rows: rows, width: encoder.width, weighted: schema.weightColumn != nil)
            do {
                try inMemory(&typed, workers: workers, transform: { batch throws(PersonaDataError) in
                    try Self.encodeBatch(batch, schema: schema, encoder: encoder, keeping: textColumns, packing: packing)
                }, consume: { part in
                    try collected.add(part, idColumn: schema.idColumn, file: name)
                    rowsRead?(collected.ids.count)
                })
                return try collected.result(file: name)
            } catch CustomerFileError.data {
                // Read the file for the error, naming the cell as it is written there.
            }
        }
        var collected = EncodedRows(rows: rows, width: encoder.width, weighted: schema.weightColumn != nil)
        _ = try pass(workers: workers, transform: { batch in
            do throws(PersonaDataError) {
                return try Self.encodeBatch(batch, schema: schema, encoder: encoder, keeping: textColumns, packing: packing)
            } catch { throw CustomerFileError.data(error, file: name, rowOffset: batch.firstRow) }
        }, consume: { (_, part: EncodedBatch) in try collected.add(part, idColumn: schema.idColumn, file: name) })
        return try collected.result(file: name)
    }

    /// Transforms the typed batches on every core, a window at a time, and consumes the results
    /// in file order, letting each batch go once transformed; `typed` is `nil` afterwards.
    /// - Throws: ``CustomerFileError/data(_:file:rowOffset:)`` for the first batch in file order
    ///   whose transform failed, or what `consume` throws.
    private func inMemory<Output: Sendable>(_ typed: inout [TypedBatch?]?, workers: Int,
                                            transform: @escaping @Sendable (TypedBatch) throws(PersonaDataError) -> Output,
                                            consume: (Output) throws -> Void) throws {
        defer { typed = nil }
        guard typed != nil else { return }
        let name = displayName, window = 8 * workers, count = typed!.count
        for start in stride(from: 0, to: count, by: window) {
            let batches = (start ..< min(count, start + window)).map { typed![$0]! }
            for i in start ..< start + batches.count { typed![i] = nil }
            let slots = ResultSlots<Output>(count: batches.count)
            DispatchQueue.concurrentPerform(iterations: min(workers, batches.count)) { worker in
                for b in stride(from: worker, to: batches.count, by: workers) {
                    do throws(PersonaDataError) {
                        slots[b] = .success(try transform(batches[b]))
                    } catch {
                        slots[b] = .failure(CustomerFileError.data(error, file: name, rowOffset: batches[b].firstRow))
                    }
                }
            }
            for result in slots.values { try consume(try result.get()) }
            // The batches let go stay in their threads' arenas: give them back every few
            // windows, so that what is kept of them and the output they become never add up.
            if (start / window) % 4 == 3 { SystemAllocator.releaseFreedMemory() }
        }
    }

    /// The encoded batches gathered in file order.
    private struct EncodedRows {
        let rows: Int
        let width: Int
        var values: [Float]
        var weights: [Double]?
        var ids = [String]()
        var parts = [Batch]()
        var texts = [String: [String]]()
        var seen: Set<Int>

        init(rows: Int, width: Int, weighted: Bool) {
            self.rows = rows
            self.width = width
            // Every row is written once, in file order; pages are touched only as they are.
            values = [Float](unsafeUninitializedCapacity: rows * width) { _, count in count = rows * width }
            weights = weighted ? [] : nil
            weights?.reserveCapacity(rows)
            ids.reserveCapacity(rows)
            seen = Set(minimumCapacity: rows)
        }

        /// Adds the next batch.
        /// - Throws: `CustomerFileError.data` for a repeated identifier.
        mutating func add(_ part: EncodedBatch, idColumn: String, file: String) throws {
            guard ids.count + part.ids.count <= rows else { return }   // the file grew since the survey
            let (width, first) = (width, ids.count)
            values.withUnsafeMutableBufferPointer { out in
                part.matrix.withValues { x in
                    (out.baseAddress! + first * width).update(from: x, count: part.matrix.rows * width)
                }
            }
            for (r, id) in part.ids.enumerated() where !seen.insert(id.hashValue).inserted {
                // A hash seen before: find whether the identifier itself was.
                if let earlier = ids.firstIndex(of: id) ?? part.ids[..<r].firstIndex(of: id).map({ first + $0 }) {
                    throw CustomerFileError.data(.duplicateId(id: id, firstRow: earlier, row: first + r, column: idColumn),
                                                 file: file, rowOffset: 2)
                }
            }
            ids.append(contentsOf: part.ids)
            if let batchWeights = part.weights { weights?.append(contentsOf: batchWeights) }
            parts.append(part.batch)
            for (column, cells) in part.texts { texts[column, default: []].append(contentsOf: cells) }
        }

        func result(file: String) throws -> (FeatureMatrix, [Double]?, [String], [Batch], [String: [String]]) {
            guard ids.count == rows else {
                throw CustomerFileError.csv(.cannotRead(file: file, reason: "the file changed while it was read"))
            }
            return (FeatureMatrix(rows: rows, columns: width, values: values), weights, ids, parts, texts)
        }
    }

    /// The typed values of one batch kept for profiling: packed (``PackedCustomerData``: in
    /// less memory, unpacked while profiled), or whole when the caller keeps the data.
    enum Batch: Sendable {
        case packed(PackedCustomerData)
        case full(CustomerData)

        var count: Int {
            switch self {
            case .packed(let p): p.count
            case .full(let d): d.count
            }
        }

        var full: CustomerData? {
            if case .full(let d) = self { d } else { nil }
        }

        /// Whether the values are read back from the encoded matrix in part.
        var needsMatrix: Bool {
            if case .packed(let p) = self { p.needsMatrix } else { false }
        }

        /// The customers; `matrix` is every row's encoding, this batch's from `firstRow` on.
        func data(ids: @autoclosure () -> [String], matrix: FeatureMatrix?, firstRow: Int) -> CustomerData {
            switch self {
            case .packed(let p): p.unpacked(ids: ids(), matrix: matrix, firstRow: firstRow)
            case .full(let d): d
            }
        }
    }

    /// Profiles the personas from the typed batches, accumulated batch by batch on every core
    /// (a packed one unpacked only while it is added) and merged in file order.
    private func profile(_ parts: [Batch], ids: [String], matrix: FeatureMatrix?, schema: PersonaSchema, model: PersonaModel,
                         assignments: [PersonaAssignment], workers: Int) -> [PersonaProfile] {
        let order = model.personas.map(\.id)
        let personas = assignments.map(\.persona)
        var starts = [Int]()
        var next = 0
        for part in parts { starts.append(next); next += part.count }
        let accumulated = ResultSlots<PersonaProfiles.Accumulator>(count: parts.count)
        let firstRows = starts
        DispatchQueue.concurrentPerform(iterations: min(workers, max(1, parts.count))) { worker in
            for p in stride(from: worker, to: parts.count, by: workers) {
                var part = PersonaProfiles.Accumulator(schema: schema, order: order)
                let rows = firstRows[p] ..< firstRows[p] + parts[p].count
                part.add(parts[p].data(ids: Array(ids[rows]), matrix: matrix, firstRow: rows.lowerBound),
                         personas: Array(personas[rows]))
                accumulated[p] = .success(part)
            }
        }
        var accumulator = PersonaProfiles.Accumulator(schema: schema, order: order)
        for case .success(let part) in accumulated.values { accumulator.merge(part) }
        return accumulator.profiles()
    }
}
