import PersonaKit

extension AssignmentsFile {
    /// Assigns one batch of a customer file and renders its rows of the assignment CSV: the
    /// step `persona assign` runs on every core, batch after batch, so that memory stays
    /// bounded whatever the file's length and the output is the file `render` would write.
    public struct BatchJob: Sendable {
        /// What one batch gives.
        public struct Piece: Sendable {
            /// The batch's rows of the assignment CSV (no header).
            public var bytes: [UInt8]
            /// The header line, for the first piece of a file.
            public var header: [UInt8]
            /// Customers assigned.
            public var rows: Int
            /// Of them, outliers.
            public var outliers: Int
            /// Cells holding a category the model was not trained on (read as missing).
            public var unknownCount: Int
            /// The first such cell: "row 12, column 'media_channel', 'hologram'".
            public var firstUnknown: String?
            /// (customer, persona, distance) per row, when asked to keep them.
            public var records: [(String, Int, Double)]
        }

        /// The model.
        public let model: PersonaModel
        /// The identifier column, or `nil` for the model's.
        public let idColumn: String?
        /// What to do with a category the model was not trained on.
        public let policy: UnknownCategoryPolicy
        /// The file's name, for errors.
        public let file: String
        /// Whether each piece keeps its (customer, persona, distance) records.
        public let keepRows: Bool
        /// The spread of the membership columns, or `nil` to write none.
        public let membershipScale: MembershipScale?

        /// A job; with `membershipScale`, the rows get one `membership_<id>` column per persona.
        public init(model: PersonaModel, idColumn: String?, policy: UnknownCategoryPolicy, file: String, keepRows: Bool,
                    membershipScale: MembershipScale? = nil) {
            self.model = model
            self.idColumn = idColumn
            self.policy = policy
            self.file = file
            self.keepRows = keepRows
            self.membershipScale = membershipScale
        }

        /// Reads, assigns and renders one batch (on the calling thread).
        /// - Throws: ``CustomerFileError/data(_:file:rowOffset:)`` naming the file row.
        public func run(_ batch: CSVBatch) throws(CustomerFileError) -> Piece {
            let customers: CustomerData
            let matrix: FeatureMatrix
            do {
                customers = try model.read(batch, idColumn: idColumn, unknownCategories: policy, profiles: false)
                matrix = try model.encoder.transform(customers)
            } catch {
                throw .data(error, file: file, rowOffset: batch.firstRow)
            }
            let assignments = model.assign(matrix, threads: 1)
            let memberships = membershipScale.map { model.memberships(matrix, scale: $0, threads: 1) }
            let bytes = AssignmentsFile.render(ids: customers.ids, assignments: assignments, model: model,
                                               idColumn: customers.schema.idColumn, includeHeader: false,
                                               memberships: memberships)
            let header = CSVWriter(header: AssignmentsFile.header(idColumn: customers.schema.idColumn,
                                                                  membershipPersonas: memberships?.personas ?? [])).bytes
            let first = customers.unknownCategories.first.map { "row \($0.row + batch.firstRow), column '\($0.column)', '\($0.value)'" }
            return Piece(bytes: bytes, header: header, rows: assignments.count, outliers: assignments.lazy.filter(\.isOutlier).count,
                         unknownCount: customers.unknownCategoryCount, firstUnknown: first,
                         records: keepRows ? zip(customers.ids, assignments).map { ($0, $1.persona, $1.distance) } : [])
        }
    }
}
