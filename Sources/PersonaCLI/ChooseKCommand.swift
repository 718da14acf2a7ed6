import ArgumentParser
import Foundation
import PersonaIO
import PersonaKit

/// `persona choose-k`: compare numbers of personas on a customer CSV and recommend one.
struct ChooseKCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "choose-k",
        abstract: "Compare numbers of personas (inertia, silhouette, Calinski–Harabasz, Davies–Bouldin, stability, prediction strength) and recommend one.",
        discussion: """
        Reads and encodes the CSV as `persona train` does, fits k-means for every k of the range \
        (up to 20,000 rows the same fit `train` makes with the same --seed and --restarts; beyond, \
        a fit on 20,000 sampled rows iterated on all rows), and measures each k: inertia (elbow), \
        mean silhouette (exact up to --silhouette-sample rows, estimated with its standard error \
        beyond), Calinski–Harabasz, Davies–Bouldin, the stability of every persona over \
        --resamples refits on random halves of at most --rows-per-half rows (mean Jaccard; < 0.6 \
        unstable, ≥ 0.75 stable), and the prediction strength of the same refits (Tibshirani & \
        Walther). Recommends, among the k whose personas are all stable and whose silhouette is \
        within 0.20 of the best stable one, the highest Calinski–Harabasz; when no k shows \
        substantial structure (every silhouette ≤ 0.25), the largest reproducible k (stable, \
        prediction strength ≥ 0.8) at which the silhouette peaks. The reason names the measure that decided. Prints a table \
        and the recommendation; with --out-dir writes choose-k.csv and choose-k.svg. See \
        Docs/ChoosingK.md.
        """
    )

    @Option(help: "Customer CSV.")
    var data: String

    @Option(help: "Numbers of personas to compare: 2...12, 2..12 or 2-12 (within 2 … rows − 1).")
    var kRange: String = "2...12"

    @Option(help: "Random seed of the fits, resamples and silhouette sample.")
    var seed: UInt64 = 42

    @Option(help: "k-means++ restarts per fit; the lowest-inertia fit is kept.")
    var restarts: Int = 4

    @Option(name: [.customLong("resamples"), .customLong("bootstrap")],
            help: "Refits per k on random halves of the rows, for the stability and the prediction strength (rounded up to even).")
    var bootstrap: Int = ChooseKConfiguration.defaultResamples

    @Option(help: "Rows up to which the silhouette is exact; larger data is scored on a sample of this many rows.")
    var silhouetteSample: Int = ClusterValidity.defaultSilhouetteSample

    @Option(help: "Rows of each half of a split at most.")
    var rowsPerHalf: Int = ChooseKConfiguration.defaultRowsPerHalf

    @OptionGroup var input: CustomerInputOptions

    @Option(help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Directory to write choose-k.csv and choose-k.svg into (created if needed).")
    var outDir: String?

    @OptionGroup var progress: ProgressOptions

    /// The output file names inside --out-dir.
    static let fileNames = ["choose-k.csv", "choose-k.svg"]

    func run() throws {
        try CommandSupport.check(KMeansConfiguration(clusterCount: 2, restarts: restarts, seed: seed, threads: threads))
        guard bootstrap >= 1 else { throw CommandFailure("--resamples \(bootstrap): must be at least 1") }
        guard rowsPerHalf >= 2 else { throw CommandFailure("--rows-per-half \(rowsPerHalf): must be at least 2") }
        guard silhouetteSample >= 2 else { throw CommandFailure("--silhouette-sample \(silhouetteSample): must be at least 2") }
        let kRange = try KRange(parsing: self.kRange)
        let outputs = outDir.map { dir in Self.fileNames.map { "\(dir)/\($0)" } } ?? []
        try CommandSupport.checkDistinct(inputs: [data] + (input.schema.map { [$0] } ?? []), outputs: outputs)
        if let outDir { try CommandSupport.checkWritableDirectory(outDir) }

        let start = Date()
        var file = try input.customerFile(data)
        progress.say("reading \(data)…")
        let meter = progress.rowMeter()
        meter.begin("reading \(data)")
        file.rowsRead = meter.rows
        let customers: CustomerData
        let matrix: FeatureMatrix
        do {
            customers = try file.readAll(threads: threads)
            let encoder = try FeatureEncoder(fitting: customers, options: input.encoding)
            matrix = try encoder.transform(customers)
        } catch let error as CustomerFileError {
            throw input.failure(error)
        } catch let error as PersonaDataError {
            throw CommandSupport.dataFailure(error, file: data)
        }
        let n = matrix.rows
        guard kRange.range.upperBound <= n - 1 else {
            throw CommandFailure("--k-range \(kRange): \(data) has \(n) rows, so k must lie within 2...\(max(2, n - 1))")
        }
        let configuration = ChooseKConfiguration(
            clusterCounts: kRange.range,
            kmeans: KMeansConfiguration(clusterCount: kRange.range.lowerBound, restarts: restarts, seed: seed, threads: threads),
            resamples: bootstrap, silhouetteSample: silhouetteSample, rowsPerHalf: rowsPerHalf)
        let fits = kRange.range.count * (1 + 2 * configuration.splits)
        progress.say("\(n) rows × \(matrix.columns) encoded columns; \(fits) k-means fits (k = \(kRange), "
                     + "\(2 * configuration.splits) refits on halves each)")
        let result: ChooseKResult
        do {
            let quiet = progress.quiet
            result = try ChooseK.evaluate(matrix, weights: customers.weights, configuration: configuration) { done, total in
                // In place on a terminal; in a log, every tenth.
                guard !quiet else { return }
                ProgressLine.standardError.update("persona:   \(done)/\(total) fits", plain: done % max(1, total / 10) == 0 || done == total)
            }
        } catch {
            switch error {
            case .tooFewRows, .tooFewDistinctRows: throw CommandFailure("\(data): \(error.description); lower the top of --k-range")
            default: throw CommandFailure("\(data): \(error.description)")
            }
        }
        progress.say("evaluated in \(CommandSupport.elapsed(since: start))")

        if let outDir {
            var staged = OutputSet()
            do {
                try staged.stage(ChooseKTable.render(result), at: URL(fileURLWithPath: "\(outDir)/choose-k.csv"))
                try staged.stage(Array(ChooseKChart.svg(result).utf8), at: URL(fileURLWithPath: "\(outDir)/choose-k.svg"))
                try staged.commit()
            } catch {
                throw CommandFailure(error.description)
            }
            for url in staged.destinations { progress.say("wrote \(url.path)") }
        }
        print(Self.table(result), terminator: "")
    }

    /// The table and the recommendation, as printed.
    static func table(_ result: ChooseKResult) -> String {
        func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        let widths = [2, 12, 16, 11, 7, 7, 7, 6, 7]
        var out = [" k", "inertia", "silhouette", "CH", "DB", "J min", "J mean", "PS", "stable"]
            .enumerated().map { pad($1, widths[$0]) }.joined(separator: " ") + "\n"
        for c in result.candidates {
            let silhouette = c.silhouette.isExact ? String(format: "%.3f", c.silhouette.mean)
                : String(format: "%.3f ± %.3f", c.silhouette.mean, c.silhouette.standardError)
            let cells = [String(c.k), String(format: "%.6g", c.inertia), silhouette, String(format: "%.1f", c.calinskiHarabasz),
                         String(format: "%.3f", c.daviesBouldin), String(format: "%.3f", c.stability.minimum),
                         String(format: "%.3f", c.stability.mean), String(format: "%.3f", c.predictionStrength.mean),
                         c.isStable ? "yes" : "no"]
            out += cells.enumerated().map { pad($1, widths[$0]) }.joined(separator: " ")
            out += c.k == result.recommendation.k ? "  ◀\n" : "\n"
        }
        let r = result.recommendation
        out += "\nRecommended k = \(r.k) (structure: \(r.structure.rawValue)): \(r.reason).\n"
        for warning in r.warnings { out += "Warning: \(warning).\n" }
        return out
    }
}

/// A range of numbers of personas, written `2...12`, `2..12` or `2-12` (or one number).
struct KRange: CustomStringConvertible {
    let range: ClosedRange<Int>

    /// Reads a range, failing with a one-line message that quotes it.
    init(parsing argument: String) throws {
        let text = argument.trimmingCharacters(in: .whitespaces)
        var bounds = [text]
        for separator in ["...", "..", "…", "-"] where text.contains(separator) {
            bounds = text.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }
            break
        }
        guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]) else {
            throw CommandFailure("--k-range '\(argument)': expected two whole numbers such as 2...12, 2..12 or 2-12")
        }
        guard low >= 2 else { throw CommandFailure("--k-range '\(argument)': k must be at least 2 (got \(low))") }
        guard low <= high else { throw CommandFailure("--k-range '\(argument)': the lower end \(low) exceeds the upper end \(high)") }
        range = low...high
    }

    var description: String { "\(range.lowerBound)...\(range.upperBound)" }
}
