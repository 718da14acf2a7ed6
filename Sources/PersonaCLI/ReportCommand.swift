import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// `persona report`: describe each persona against the population, for analysts.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the persona report (report.html, personas.csv, attributes.csv, levels.csv and more) for a customer CSV.",
        discussion: """
        Assigns the customers with the model, then describes every persona in original units: \
        size and share, the mean of every attribute (share of every category), its index \
        against the population (100 = average) and its standardised difference; level \
        distributions, the most distinguishing attributes per group, the value pyramid, \
        persona × phase or channel cross-tables and account mixes. report.html lays these \
        out with the persona map (arrows from --previous-model), the choose-k chart (--choose-k), \
        the drift summary (--drift) and the personas through the runs of a history (--history) \
        in one self-contained page. See Docs/Reports.md.
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

    @Option(help: "An earlier model: the persona map in report.html shows how each persona moved.")
    var previousModel: String?

    @Option(help: "Output directory (or choose-k.svg) of `persona choose-k`: report.html shows its chart.")
    var chooseK: String?

    @Option(help: "Drift output directory (or its summary.md) of `persona retrain --drift-out` or `persona drift`: report.html shows the summary.")
    var drift: String?

    @Option(help: "History file (SQLite) written with --history: report.html follows the personas through its runs (see `persona timeline`).")
    var history: String?

    @OptionGroup(title: "Customer file format") var dataFormat: CustomerFormatOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let chooseKChart = chooseK.map { Self.inputFile($0, defaultName: "choose-k.svg") }
        let driftSummary = drift.map { Self.inputFile($0, defaultName: "summary.md") }
        try CommandSupport.checkDistinct(inputs: [data, model] + [previousModel, chooseKChart, driftSummary, history].compactMap { $0 },
                                         outputs: ReportSupport.fileNames.map { "\(outDir)/\($0)" })
        try CommandSupport.checkWritableDirectory(outDir)
        let model = try CommandSupport.loadModel(self.model)
        var extras = ReportSupport.Extras()
        extras.previousModel = try previousModel.map(CommandSupport.loadModel)
        extras.chooseKChart = try chooseKChart.map { path in
            let text = try Self.readText(path, option: "--choose-k")
            guard let start = text.range(of: "<svg"), text.range(of: "</svg>") != nil else {
                throw CommandFailure("--choose-k \(path): not an SVG image (no <svg> element); give the output directory of persona choose-k or its choose-k.svg")
            }
            return String(text[start.lowerBound...])
        }
        extras.driftSummary = try driftSummary.map { try Self.readText($0, option: "--drift") }
        extras.timeline = try history.map { try TimelineCommand.load(history: $0) }
        let loaded = try CommandSupport.loadTable(data, dialect: dataFormat.dialect)
        let rendered = try ReportSupport.render(model: model, table: loaded.table, path: data, idColumn: idColumn,
                                                options: report, extras: extras)
        do {
            try ReportWriter.write(rendered.files, to: URL(fileURLWithPath: outDir))
        } catch {
            throw CommandFailure(error.description)
        }
        progress.say("wrote \(ReportSupport.fileNames.count) report files into \(outDir) for \(rendered.customers) customers")
    }

    /// `path` itself, or `path/defaultName` when `path` is a directory.
    static func inputFile(_ path: String, defaultName: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return path }
        return URL(fileURLWithPath: path).appendingPathComponent(defaultName).path
    }

    /// The UTF-8 text of `path`, given with `option`; errors name the option and the file.
    static func readText(_ path: String, option: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("\(option) \(path): no such file or directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("\(option) \(path): cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("\(option) \(path): not UTF-8 text")
        }
        return text
    }
}
