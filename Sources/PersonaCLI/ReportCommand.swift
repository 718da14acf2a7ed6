import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// `persona report`: describe each persona against the population, for analysts.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the persona report (personas.csv, attributes.csv) for a customer CSV.",
        discussion: """
        Assigns the customers with the model, then describes every persona in original units: \
        size and share, the mean of every attribute (share of every category), its index \
        against the population (100 = average) and its standardised difference. See Docs/Reports.md.
        """
    )

    @Option(help: "Model file written by `persona train`.")
    var model: String

    @Option(help: "Customer CSV to describe (usually the training data).")
    var data: String

    @Option(help: "Directory to write the report into (created if needed).")
    var outDir: String

    @Option(help: "Identifier column of the data, when it differs from the model's.")
    var idColumn: String?

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try CommandSupport.checkDistinct(inputs: [data, model], outputs: ReportWriter.fileNames.map { "\(outDir)/\($0)" })
        try CommandSupport.checkWritableDirectory(outDir)
        let model = try CommandSupport.loadModel(self.model)
        let loaded = try CommandSupport.loadTable(data)
        let customers: CustomerData
        let assignments: [PersonaAssignment]
        do {
            customers = try model.read(loaded.table, idColumn: idColumn)
            assignments = try model.assign(customers)
        } catch {
            throw CommandSupport.dataFailure(error, file: data)
        }
        let profiles = PersonaProfiles.compute(customers, personas: assignments.map(\.persona),
                                               order: model.personas.map(\.id))
        do {
            try ReportWriter.write(ReportWriter.render(model: model, profiles: profiles), to: URL(fileURLWithPath: outDir))
        } catch {
            throw CommandFailure(error.description)
        }
        progress.say("wrote \(outDir)/personas.csv and \(outDir)/attributes.csv for \(customers.count) customers")
    }
}
