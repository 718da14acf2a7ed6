import PersonaKit
import PropertyBased
import TestSupport
import Testing

// Property-based tests of the feature encoder (swift-property-based).
//
// Each run draws new cases from fresh seeds. When a property fails, the library prints the
// failing input and a seed; replay exactly that case by adding the printed trait to the test,
// `@Test(.fixedSeed("…"))`, and remove it again once fixed (the trait always reports an issue,
// so it cannot be committed by mistake).

/// A random schema with a random table for it, and an assignment-time table of other rows.
struct EncoderCase: Sendable, CustomStringConvertible {
    var schema: PersonaSchema
    var training: RawTable
    var later: RawTable
    /// Rows the schema accepts (no weight column, known categories, plain numbers).
    var clean: RawTable
    var options: EncodingOptions

    static let generator = Generator<EncoderCase, Shrink.None<EncoderCase>> { rng in random(using: &rng) }

    static func random(using rng: inout some RandomNumberGenerator) -> EncoderCase {
        let schema = RandomCustomers.schema(using: &rng)
        let cells = RandomCustomers.Cells.allCases.randomElement(using: &rng)!
        let training = RandomCustomers.table(for: schema, rows: Int.random(in: 1...30, using: &rng), cells: cells, using: &rng)
        let later = RandomCustomers.table(for: schema, rows: Int.random(in: 1...20, using: &rng), using: &rng)
        var unweighted = schema
        unweighted.weightColumn = nil
        let clean = RandomCustomers.table(for: unweighted, rows: Int.random(in: 1...30, using: &rng), cells: .clean, using: &rng)
        let options = EncodingOptions(scaling: Bool.random(using: &rng) ? .zscore : .none, balanceGroups: Bool.random(using: &rng))
        return EncoderCase(schema: schema, training: training, later: later, clean: clean, options: options)
    }

    var description: String {
        "schema \(schema.attributes.map { "\($0.name):\($0.kind.name):\($0.role.rawValue):w\($0.weight)" }) "
            + "weights \(schema.weightColumn ?? "-") options \(options) training \(training.columnNames) "
            + "\((0..<training.rowCount).map { training.row($0) }) later \((0..<later.rowCount).map { later.row($0) })"
    }
}

@Suite("feature encoder properties")
struct EncoderPropertyTests {
    /// How many fits and transforms accepted their input, so that a generator which only ever
    /// produces rejected input cannot pass vacuously.
    final class Tally: @unchecked Sendable {
        var accepted = 0, rejected = 0
    }

    @Test("every input the encoder accepts encodes to finite values; every other input throws a data error")
    func finiteOrThrows() async {
        let tally = Tally()
        await propertyCheck(count: 200, input: EncoderCase.generator) { item in
            // Reading, fitting and encoding have typed throws: a rejection can only be a
            // PersonaDataError, and a trap would end the test process.
            do {
                let data = try CustomerData(table: item.training, schema: item.schema, unknownCategories: .treatAsMissing)
                let encoder = try FeatureEncoder(fitting: data, options: item.options)
                for attribute in encoder.attributes {
                    let parameters = attribute.centers + attribute.scales + attribute.deviations
                    #expect(parameters.allSatisfy { $0.isFinite })
                }
                let matrix = try encoder.transform(data)
                #expect(matrix.rows == data.count && matrix.columns == encoder.width)
                #expect(matrix.values.allSatisfy { $0.isFinite })
                tally.accepted += 1

                // Customers seen later, read with the training schema: unknown categories,
                // extreme values and missing cells must encode finitely or be refused.
                do {
                    let later = try CustomerData(table: item.later, schema: data.schema, unknownCategories: .treatAsMissing,
                                                 requireAllColumns: false)
                    let encoded = try encoder.transform(later)
                    #expect(encoded.values.allSatisfy { $0.isFinite })
                } catch let error as PersonaDataError {
                    #expect(!error.describe(rowOffset: 2).isEmpty)
                }
            } catch let error as PersonaDataError {
                tally.rejected += 1
                #expect(!error.describe(rowOffset: 2).isEmpty)
            } catch {
                Issue.record("not a data error: \(error)")
            }
        }
        #expect(tally.accepted >= 20, "only \(tally.accepted) of \(tally.accepted + tally.rejected) cases were accepted")
    }

    @Test("a missing cell encodes as 0 in every column of its attribute")
    func missingIsTheMean() async {
        await propertyCheck(count: 150, input: EncoderCase.generator) { item in
            var schema = item.schema
            schema.weightColumn = nil
            guard let data = try? CustomerData(table: item.clean, schema: schema),
                  let encoder = try? FeatureEncoder(fitting: data, options: item.options)
            else { return }
            // One customer with every cell empty.
            let empty = RawTable(columnNames: [schema.idColumn] + schema.attributes.map(\.name),
                                 columns: [["blank"]] + schema.attributes.map { _ in [""] })
            guard let blank = try? CustomerData(table: empty, schema: data.schema) else {
                Issue.record("an all-empty row was refused")
                return
            }
            let encoded = try encoder.transform(blank)
            #expect(encoded.values.allSatisfy { $0 == 0 })
        }
    }
}

