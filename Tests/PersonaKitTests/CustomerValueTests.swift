import Foundation
import PersonaKit
import PersonaSynthetic
import TestSupport
import Testing

@Suite("typed customer values")
struct CustomerValueTests {
    /// Synthetic customers of every attribute kind (with missing cells) and a model trained on them.
    static let fixture: (table: RawTable, model: PersonaModel) = {
        let table = SyntheticCustomers(configuration: .init(customerCount: 1500, seed: 11)).firstPeriod().table
        let data = try! CustomerData(table: table, schema: PersonaSchema.infer(from: table))
        let model = try! PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 5, seed: 3))).model
        return (table, model)
    }()

    /// Row `r` of `table` as a service would hold it: numbers as numbers, categories as text,
    /// empty cells absent (or `nil` when `nilForEmpty`).
    static func customer(_ table: RawTable, row r: Int, model: PersonaModel, nilForEmpty: Bool = false) -> [String: CustomerValue?] {
        var customer = [String: CustomerValue?]()
        for attribute in model.schema.attributes {
            guard let c = table.columnIndex(named: attribute.name) else { continue }
            let cell = table.rawText(row: r, column: c).trimmingCharacters(in: .whitespaces)
            if cell.isEmpty {
                if nilForEmpty { customer[attribute.name] = .some(nil) }
                continue
            }
            if case .categorical = attribute.kind { customer[attribute.name] = .category(cell) } else {
                customer[attribute.name] = .number(Double(cell)!)
            }
        }
        return customer
    }

    @Test("the snippet of the README compiles and assigns; unknown keys are ignored")
    func snippet() throws {
        let model = Self.fixture.model
        let a = try model.assign(customer: ["need_convenience": 4, "media_channel": "web", "finance_monthly_income_eur": nil])
        // Every segment attribute missing: the customer sits at the training mean.
        let mean = try model.assign(customer: [:])
        #expect(a == mean)
        #expect(model.personas.contains { $0.id == a.persona })
    }

    @Test("each customer gets exactly the persona, distance and runner-up the table path gives")
    func equalsTablePath() throws {
        let (table, model) = Self.fixture
        let expected = try model.assign(table: table, threads: 1)
        var missingSeen = 0
        for r in 0..<table.rowCount {
            let customer = Self.customer(table, row: r, model: model, nilForEmpty: r % 2 == 0)
            missingSeen += customer.values.filter { $0 == nil }.count
            #expect(try model.assign(customer: customer) == expected[r], "row \(r)")
        }
        #expect(missingSeen > 0)   // the data exercises missing values
    }

    @Test("text given to a numeric attribute is read as its CSV cell would be")
    func textNumbers() throws {
        let (table, model) = Self.fixture
        let expected = try model.assign(table: table, threads: 1)
        for r in stride(from: 0, to: table.rowCount, by: 7) {
            var customer = [String: CustomerValue?]()
            for attribute in model.schema.attributes {
                guard let c = table.columnIndex(named: attribute.name) else { continue }
                customer[attribute.name] = .category(" \(table.rawText(row: r, column: c))\t")
            }
            #expect(try model.assign(customer: customer) == expected[r])
        }
    }

    @Test("the batch form equals one call per customer, whatever the thread count")
    func batch() throws {
        let (table, model) = Self.fixture
        let customers = (0..<table.rowCount).map { Self.customer(table, row: $0, model: model) }
        let one = try model.assign(customers: customers, threads: 1)
        #expect(try model.assign(customers: customers, threads: 3) == one)
        #expect(try one == customers.map { try model.assign(customer: $0) })
        #expect(try model.assign(customers: []).isEmpty)
    }

    /// The first attribute of `model` of a kind matching `predicate`.
    static func attribute(_ model: PersonaModel, where predicate: (AttributeKind) -> Bool) -> Attribute {
        model.schema.segmentAttributes.first { predicate($0.kind) }!
    }

    @Test("values an attribute cannot take are refused, naming the attribute and the value")
    func refused() throws {
        let model = Self.fixture.model
        let binary = Self.attribute(model) { $0 == .binary }
        let ordinal = Self.attribute(model) { if case .ordinal = $0 { true } else { false } }
        let continuous = Self.attribute(model) { $0 == .continuous }
        let categorical = Self.attribute(model) { if case .categorical = $0 { true } else { false } }
        guard case .ordinal(let levels) = ordinal.kind, case .categorical(let categories) = categorical.kind else { return }

        func reason(_ name: String, _ value: CustomerValue, policy: UnknownCategoryPolicy = .treatAsMissing) -> CustomerValueError? {
            do { _ = try model.assign(customer: [name: value], unknownCategories: policy); return nil } catch {
                #expect(error.attribute == name && error.value == value && error.customer == nil)
                return error
            }
        }
        #expect(reason(binary.name, 2)?.reason == .notBinary)
        #expect(reason(ordinal.name, 0.5)?.reason == .notALevel(levels: levels))
        #expect(reason(continuous.name, "many")?.reason == .notANumber)
        #expect(reason(continuous.name, .number(.infinity))?.reason == .notFinite)
        #expect(reason(continuous.name, .number(1e300))?.reason == .outOfRange)
        #expect(reason(categorical.name, "no such category", policy: .reject)?.reason == .unknownCategory(known: categories))
        #expect(reason(categorical.name, "no such category") == nil)   // counted as missing by default
        #expect(try model.assign(customer: [categorical.name: "no such category"]) == model.assign(customer: [:]))
        #expect(reason(continuous.name, "  ") == nil)   // blank text is missing, as a blank cell is
        let message = reason(binary.name, 2)!.description
        #expect(message.contains(binary.name) && message.contains("'2'"))

        // Several bad values: the first in schema order is reported, whatever the dictionary's order.
        let names = model.schema.segmentAttributes.map(\.name)
        let first = [binary.name, continuous.name].min { names.firstIndex(of: $0)! < names.firstIndex(of: $1)! }!
        for _ in 0..<5 {
            #expect(throws: CustomerValueError.self) { try model.assign(customer: [binary.name: 7, continuous.name: "x"]) }
            do { _ = try model.assign(customer: [binary.name: 7, continuous.name: "x"]) } catch { #expect(error.attribute == first) }
        }

        // In a batch, the first refused customer in order is reported with its position.
        let batch: [[String: CustomerValue?]] = Array(repeating: [:], count: 9000) + [[binary.name: 3]] + [[binary.name: 5]]
        #expect(throws: CustomerValueError(customer: 9000, attribute: binary.name, value: 3, reason: .notBinary)) {
            try model.assign(customers: batch, threads: 2)
        }
    }

    @Test("a number given to a categorical attribute stands for the category spelled the shortest way")
    func numberCategories() throws {
        let table = Fixtures.table(["customer_id", "region", "spend"], (0..<60).map { ["c\($0)", ["1", "2", "3"][$0 % 3], "\($0 % 3 * 10 + $0 % 5)"] })
        var schema = try PersonaSchema.infer(from: table)
        let region = schema.attributes.firstIndex { $0.name == "region" }!
        schema.attributes[region].kind = .categorical(categories: ["1", "2", "3"])
        let data = try CustomerData(table: table, schema: schema)
        let model = try PersonaModel.train(data, options: TrainingOptions(kmeans: KMeansConfiguration(clusterCount: 3, seed: 1))).model
        #expect(try model.assign(customer: ["region": 2, "spend": 11]) == model.assign(customer: ["region": "2", "spend": 11]))
        #expect(try model.assign(customer: ["region": 2]) != model.assign(customer: ["region": 3]))
    }
}
