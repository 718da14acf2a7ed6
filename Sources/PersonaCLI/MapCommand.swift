import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

extension PersonaMapBasis: ExpressibleByArgument {}

/// `persona map`: draw customers and personas on their first two principal components.
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Draw a persona map (SVG): a sample of customers and the persona centres on two principal components.",
        discussion: """
        Assigns the customers with the model, fits a PCA on their encoded features (or uses the \
        model's, --basis model) and draws a seeded sample, stratified by persona, coloured by \
        persona, with the centres labelled. With --previous-model, arrows show how each \
        continuing persona moved and retired personas are drawn as faded rings. See Docs/Reports.md.
        """
    )

    @Option(help: "Model file written by `persona train` or `persona retrain`.")
    var model: String

    @Option(help: "Customer CSV to map.")
    var data: String

    @Option(help: "Where to write the SVG.")
    var out: String

    @Option(help: "An earlier model: arrows from its persona centres to the current ones.")
    var previousModel: String?

    @Option(help: "Customers drawn at most (the sample is stratified by persona).")
    var sample: Int = 2_000

    @Option(help: "Seed of the sample.")
    var seed: UInt64 = 1

    @Option(help: "Principal components of the mapped data, or the model's stored ones (data|model).")
    var basis: PersonaMapBasis = .data

    @Option(help: "Also write the drawn customers' coordinates and encoded features as CSV.")
    var coordinates: String?

    @Option(help: "Identifier column of the data, when it differs from the model's.")
    var idColumn: String?

    @OptionGroup(title: "Customer file format") var dataFormat: CustomerFormatOptions

    @OptionGroup var progress: ProgressOptions

    func validate() throws {
        guard sample >= 1 else { throw ValidationError("--sample \(sample): must be at least 1") }
    }

    func run() throws {
        let outputs = [out] + (coordinates.map { [$0] } ?? [])
        try CommandSupport.checkDistinct(inputs: [data, model] + (previousModel.map { [$0] } ?? []), outputs: outputs)
        for output in outputs { try CommandSupport.checkWritable(output) }
        let model = try CommandSupport.loadModel(self.model)
        let previous = try previousModel.map(CommandSupport.loadModel)
        let loaded = try CommandSupport.loadTable(data, dialect: dataFormat.dialect)
        let customers: CustomerData
        let matrix: FeatureMatrix
        do {
            customers = try model.read(loaded.table, idColumn: idColumn, profiles: false)
            matrix = try model.encoder.transform(customers)
        } catch {
            throw CommandSupport.dataFailure(error, file: data)
        }
        let personas = model.assign(matrix).map(\.persona)
        let map: PersonaMap
        do {
            map = try PersonaMap(model: model, matrix: matrix, personas: personas, previous: previous,
                                 options: PersonaMapOptions(sampleSize: sample, seed: seed, basis: basis))
        } catch {
            throw CommandFailure("\(self.model): \(error.description)")
        }
        let title = previous == nil ? "Persona map" : "Persona map: how the personas moved"
        var files = OutputSet()
        do {
            try files.stage(Array(PersonaMapSVG.render(map, title: title).utf8), at: URL(fileURLWithPath: out))
            if let coordinates {
                let bytes = PersonaMapCoordinates.csv(map, ids: customers.ids, idColumn: idColumn ?? model.schema.idColumn,
                                                      matrix: matrix, columnNames: model.encoder.columnNames)
                try files.stage(bytes, at: URL(fileURLWithPath: coordinates))
            }
            try files.commit()
        } catch {
            throw CommandFailure(error.description)
        }
        progress.say(String(format: "wrote %@: %d of %d customers, PC1 %.1f %%, PC2 %.1f %% of variance", out,
                            map.points.count, map.rowCount, map.explainedVarianceRatio.0 * 100,
                            map.explainedVarianceRatio.1 * 100))
    }
}
