import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

extension ExplanationWriter.Format: ExpressibleByArgument {}

/// `persona explain`: why one customer got its persona.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain one customer's persona: the runner-up and how each attribute pulls toward either.",
        discussion: """
        Assigns the customer with the model and splits the squared distance to the assigned \
        persona's centre and to the runner-up's by attribute (a categorical attribute's \
        indicator columns summed). pull = part of d²(runner-up) − part of d²(assigned): positive \
        pulls toward the assigned persona. Values and centres are shown in original units \
        (a categorical centre is the persona's share of the customer's category). See Docs/Reports.md.
        """
    )

    @Option(help: "Model file written by `persona train`.")
    var model: String

    @Option(help: "Customer CSV holding the customer.")
    var data: String

    @Option(help: "The customer's identifier.")
    var customer: String

    @Option(help: "Identifier column of the data, when it differs from the model's.")
    var idColumn: String?

    @Option(help: "Output format: text (default), csv or json.")
    var format: ExplanationWriter.Format = .text

    @Option(help: "Write to this file instead of standard output.")
    var out: String?

    func validate() throws {
        if customer.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--customer: the identifier is empty")
        }
    }

    @OptionGroup(title: "Customer file format") var dataFormat: CustomerFormatOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        if let out {
            try CommandSupport.checkDistinct(inputs: [data, model], outputs: [out])
            try CommandSupport.checkWritable(out)
        }
        let model = try CommandSupport.loadModel(self.model)
        let loaded = try CommandSupport.loadTable(data, dialect: dataFormat.dialect)
        let customers: CustomerData
        do { customers = try model.read(loaded.table, idColumn: idColumn, profiles: false) } catch {
            throw CommandSupport.dataFailure(error, file: data)
        }
        let id = customer.trimmingCharacters(in: .whitespaces)
        guard let row = customers.ids.firstIndex(of: id) else {
            throw CommandFailure("\(data): no customer with \(customers.schema.idColumn) '\(id)' (\(customers.count) customers read)")
        }
        let explanation: CustomerExplanation
        do { explanation = try model.explain(customers, row: row) } catch {
            throw CommandSupport.dataFailure(error, file: data, rowOffset: row + 2)
        }
        let bytes = ExplanationWriter.render(explanation, model: model, format: format)
        if let out {
            try CommandSupport.write(bytes, to: out)
            progress.say("wrote the explanation to \(out)")
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}
