import Foundation
import PersonaKit

/// Writes the analyst report of `persona report` (and `persona train --report-dir`) as CSV
/// files, one concern per file. Columns are described in `Docs/Reports.md`.
///
/// Every file is UTF-8 with a header row; ``ReportFormat`` chooses the separator (and with it
/// the decimal mark) and the small-cell suppression, which applies to every file.
public enum ReportWriter {
    /// The names of the files a report consists of. Files with nothing to say (no value
    /// column, no cross-table, no account column) are written with their header only.
    public static let fileNames = ["personas.csv", "attributes.csv", "levels.csv", "distinguishing.csv",
                                   "value_pyramid.csv", "crosstabs.csv", "accounts.csv"]

    /// The rendered report files, by file name.
    public struct Files: Sendable {
        /// File name → CSV bytes.
        public var contents: [(name: String, bytes: [UInt8])]
    }

    /// Renders a report.
    ///
    /// - Parameters:
    ///   - report: the computed report.
    ///   - model: the model it was built with (centres, distances, principal components).
    ///   - format: separator, decimal mark and small-cell suppression.
    /// - Complexity: O(personas × (attributes + categories + bands) + accounts × personas).
    public static func render(_ report: PersonaReport, model: PersonaModel, format: ReportFormat = ReportFormat()) -> Files {
        let writer = Renderer(report: report, model: model, format: format)
        let files = [writer.personas(), writer.attributes(), writer.levels(), writer.distinguishing(),
                     writer.valuePyramid(), writer.crossTables(), writer.accounts()]
        return Files(contents: zip(fileNames, files).map { ($0, format.preamble + $1) })
    }

    /// Renders the two-file report (`personas.csv`, `attributes.csv`) of profiles alone, with
    /// sample weights applied as the profiles were computed.
    /// - Complexity: O(personas × attributes).
    public static func render(model: PersonaModel, profiles: [PersonaProfile], separator: Character = ",") -> Files {
        let personaByID = Dictionary(uniqueKeysWithValues: model.personas.map { ($0.id, $0) })
        let fmt = CSVWriter.format

        // personas.csv
        let first = profiles.first?.comparisons ?? []
        let attributeColumns = first.map { c in c.category.map { "\(c.attribute)=\($0)" } ?? c.attribute }
        let pcColumns = (model.projection?.components.indices).map { $0.map { "pc\($0 + 1)" } } ?? []
        var personas = CSVWriter(header: ["persona", "persona_name", "size", "share", "mean_distance", "outlier_distance"]
                                 + pcColumns + attributeColumns, separator: separator)
        for profile in profiles {
            let persona = personaByID[profile.persona]
            let coordinates = persona.flatMap { p in model.projection?.project(p.centroid) } ?? []
            personas.appendRow([String(profile.persona), persona?.name ?? "", String(profile.size), fmt(profile.share),
                                fmt(persona?.meanDistance ?? .nan), fmt(persona?.outlierDistance ?? .nan)]
                               + coordinates.map(fmt)
                               + profile.comparisons.map { fmt($0.personaMean ?? .nan) })
        }

        // attributes.csv
        var attributes = CSVWriter(header: ["persona", "persona_name", "attribute", "category", "group", "role", "kind",
                                            "persona_mean", "population_mean", "index", "std_difference", "rank"],
                                   separator: separator)
        for profile in profiles {
            let ranks = Dictionary(profile.distinguishing.enumerated().map { ("\($1.attribute)\u{1}\($1.category ?? "")", $0 + 1) },
                                   uniquingKeysWith: { a, _ in a })
            for c in profile.comparisons {
                let rank = ranks["\(c.attribute)\u{1}\(c.category ?? "")"].map(String.init) ?? ""
                attributes.appendRow([String(profile.persona), personaByID[profile.persona]?.name ?? "", c.attribute,
                                      c.category ?? "", c.group.rawValue, c.role.rawValue, c.kind,
                                      fmt(c.personaMean ?? .nan), fmt(c.populationMean ?? .nan), fmt(c.index ?? .nan),
                                      fmt(c.standardizedDifference ?? .nan), rank])
            }
        }
        return Files(contents: zip(fileNames.prefix(2), [personas.bytes, attributes.bytes]).map { ($0, $1) })
    }

    /// Stages the report files into `directory` (created if needed) as part of `outputs`.
    /// - Throws: ``FileError`` naming the path.
    public static func stage(_ files: Files, in directory: URL, into outputs: inout OutputSet) throws(FileError) {
        for file in files.contents {
            try outputs.stage(file.bytes, at: directory.appendingPathComponent(file.name))
        }
    }

    /// Writes the report into `directory` (created if needed): all files or, on failure, none.
    /// - Throws: ``FileError`` naming the path.
    public static func write(_ files: Files, to directory: URL) throws(FileError) {
        var outputs = OutputSet()
        try stage(files, in: directory, into: &outputs)
        try outputs.commit()
    }
}
