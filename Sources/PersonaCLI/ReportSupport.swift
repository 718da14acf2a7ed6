import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

extension ReportFormat.Separator: ExpressibleByArgument {}

/// The options of the analyst report, shared by `persona report` and `persona train --report-dir`.
struct ReportOptions: ParsableArguments {
    @Option(help: "Numeric column holding each customer's value (default: the continuous profile column whose name contains 'value', e.g. profile_customer_value).")
    var valueColumn: String?

    @Option(name: .customLong("crosstab-column"),
            help: "Categorical column to cross-tabulate against the personas; repeat for several (default: every categorical profile column).")
    var crossTabColumns: [String] = []

    @Option(help: "Column holding each customer's account (default: profile_account_id or account_id when present).")
    var accountColumn: String?

    @Option(name: .customLong("report-separator"), help: "Field separator of the report files: comma (default; '.' as decimal point) or semicolon (',' as decimal mark, with a UTF-8 byte-order mark, for European spreadsheets).")
    var separator: ReportFormat.Separator = .comma

    @Option(help: "Replace every cell describing fewer than this many customers by '<N' before sharing the report.")
    var minCellSize: Int?

    func validate() throws {
        if let minCellSize, minCellSize < 1 {
            throw ValidationError("--min-cell-size \(minCellSize): must be at least 1")
        }
        if let duplicate = Dictionary(crossTabColumns.map { ($0, 1) }, uniquingKeysWith: +).first(where: { $0.value > 1 }) {
            throw ValidationError("--crosstab-column '\(duplicate.key)' is given twice")
        }
    }

    /// Whether any report option was given (they need a report to apply to).
    var isSet: Bool {
        valueColumn != nil || !crossTabColumns.isEmpty || accountColumn != nil || separator != .comma || minCellSize != nil
    }

    /// The report format these options ask for.
    var format: ReportFormat { ReportFormat(separator: separator, minimumCellSize: minCellSize) }
}

enum ReportSupport {
    /// Reads `table` (the file `path`) with the model, assigns every customer and builds the
    /// report files; errors name the file.
    /// Every file a report directory receives: the CSV files and `report.html`.
    static let fileNames = ReportWriter.fileNames + [HTMLReport.fileName]

    /// What `report.html` shows beyond the report's own figures.
    struct Extras {
        /// An earlier model: the persona map draws arrows from its centres.
        var previousModel: PersonaModel?
        /// The chart of `persona choose-k` (`choose-k.svg`).
        var chooseKChart: String?
        /// The drift summary (`summary.md` of `--drift-out`).
        var driftSummary: String?
        /// The personas through the runs of a history (`--history`).
        var timeline: PersonaTimeline?
    }

    static func render(model: PersonaModel, table: RawTable, path: String, idColumn: String?,
                       options: ReportOptions, extras: Extras = Extras()) throws -> (files: ReportWriter.Files, customers: Int) {
        let customers: CustomerData
        let assignments: [PersonaAssignment]
        let matrix: FeatureMatrix
        do {
            customers = try model.read(table, idColumn: idColumn)
            matrix = try model.encoder.transform(customers)
            assignments = model.assign(matrix)
        } catch {
            throw CommandSupport.dataFailure(error, file: path)
        }
        return try render(model: model, customers: customers, matrix: matrix, assignments: assignments,
                          columnNames: table.columnNames, texts: { name in
                              table.column(named: name).map { $0.map { $0.trimmingCharacters(in: .whitespaces) } }
                          }, path: path, options: options, extras: extras)
    }

    /// The columns whose text a report may need beyond the schema's attributes.
    static func textColumns(_ options: ReportOptions) -> [String] {
        options.accountColumn.map { [$0] } ?? PersonaReportOptions.defaultAccountColumns
    }

    /// Builds the report files from customers already read, encoded and assigned (training's
    /// own, so the file is not read again); `texts` gives a column's trimmed cells.
    static func render(model: PersonaModel, customers: CustomerData, matrix: FeatureMatrix, assignments: [PersonaAssignment],
                       columnNames: [String], texts: (String) -> [String]?, path: String,
                       options: ReportOptions, extras: Extras = Extras()) throws -> (files: ReportWriter.Files, customers: Int) {
        let reportOptions: PersonaReportOptions
        do {
            reportOptions = try PersonaReportOptions.resolved(
                for: customers.schema, columnNames: columnNames, valueColumn: options.valueColumn,
                crossTabColumns: options.crossTabColumns, accountColumn: options.accountColumn)
        } catch .accountColumnCrossTabulated(let name) {
            throw CommandFailure("\(path): --account-column and --crosstab-column both name '\(name)': an account column is reported as account mixes, not cross-tabulated")
        } catch .unknownAccountColumn(let name, let columns) {
            throw CommandFailure("\(path): --account-column '\(name)': no such column (columns: \(columns.joined(separator: ", ")))")
        } catch {
            throw CommandFailure("\(path): \(error.description)")
        }
        let accountColumn = reportOptions.accountColumn
        let accounts = accountColumn.flatMap(texts)
        // The report's tables and the persona map are independent: computed side by side.
        let personas = assignments.map(\.persona)
        let previousModel = extras.previousModel
        let parts = ReportParts()
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                parts.report = Result { () throws(PersonaReportError) in
                    try PersonaReport(data: customers, personas: personas, model: model, accounts: accounts, options: reportOptions)
                }
            } else {
                parts.map = Result { () throws(PersonaMapError) in
                    try PersonaMap(model: model, matrix: matrix, personas: personas, previous: previousModel)
                }
            }
        }
        let report: PersonaReport
        do {
            report = try parts.report!.get()
        } catch {
            // The core names the column's use; the command line names the option.
            var message = error.description
            if let (use, _) = error.column {
                let option = use == .value ? "--value-column" : "--crosstab-column"
                message = message.replacingOccurrences(of: use.rawValue, with: option, options: .anchored)
            }
            throw CommandFailure("\(path): \(message)")
        }
        let map: PersonaMap?
        do {
            map = try parts.map!.get()
        } catch .noCommonAttributes {
            throw CommandFailure("--previous-model: \(PersonaMapError.noCommonAttributes.description)")
        } catch {
            // Too few distinct customers for two principal components: the report goes without a map.
            map = nil
        }
        var files = ReportWriter.render(report, model: model, format: options.format)
        let html = PersonaReportHTML.render(report, model: model, format: options.format,
                                            extras: .init(map: map, chooseKChart: extras.chooseKChart,
                                                          driftSummary: extras.driftSummary,
                                                          source: URL(fileURLWithPath: path).lastPathComponent,
                                                          timeline: extras.timeline))
        files.contents.append((HTMLReport.fileName, html.bytes))
        return (files, customers.count)
    }
}

/// The two halves of a report computed side by side, each written by its own task.
private final class ReportParts: @unchecked Sendable {
    var report: Result<PersonaReport, PersonaReportError>?
    var map: Result<PersonaMap, PersonaMapError>?
}
