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
