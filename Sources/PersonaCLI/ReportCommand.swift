import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// `persona report`: describe each persona against the population, for analysts.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the persona report (personas.csv, attributes.csv, levels.csv and more) for a customer CSV.",
        discussion: """
        Assigns the customers with the model, then describes every persona in original units: \
        size and share, the mean of every attribute (share of every category), its index \
        against the population (100 = average) and its standardised difference; level \
        distributions, the most distinguishing attributes per group, the value pyramid, \
        persona × phase or channel cross-tables and account mixes. See Docs/Reports.md.
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

    @OptionGroup var report: ReportOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try CommandSupport.checkDistinct(inputs: [data, model], outputs: ReportWriter.fileNames.map { "\(outDir)/\($0)" })
        try CommandSupport.checkWritableDirectory(outDir)
        let model = try CommandSupport.loadModel(self.model)
        let loaded = try CommandSupport.loadTable(data)
        let rendered = try ReportSupport.render(model: model, table: loaded.table, path: data, idColumn: idColumn,
                                                options: report)
        do {
            try ReportWriter.write(rendered.files, to: URL(fileURLWithPath: outDir))
        } catch {
            throw CommandFailure(error.description)
        }
        progress.say("wrote \(ReportWriter.fileNames.count) report files into \(outDir) for \(rendered.customers) customers")
    }
}
