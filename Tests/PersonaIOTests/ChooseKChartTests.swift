import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PersonaIO
import PersonaKit
import Testing

@Suite struct ChooseKChartTests {
    static func result(ks: ClosedRange<Int>, recommended: Int, sampled: Bool,
                       criterion: ChooseKCriterion = .predictionStrength) -> ChooseKResult {
        let candidates = ks.map { k in
            ChooseKCandidate(k: k, inertia: 1000 / Double(k), silhouette: SilhouetteScore(mean: 0.3 + 0.02 * Double(k),
                             standardError: sampled ? 0.01 : 0, sampleSize: sampled ? 500 : 900, isExact: !sampled),
                             calinskiHarabasz: 100 + Double(k), daviesBouldin: 1 / Double(k),
                             stability: StabilityScore(jaccard: (0..<k).map { 0.5 + 0.05 * Double($0) }, resamples: 20, failedRefits: 0),
                             sizes: (0..<k).map { 100 - $0 }, isStable: false,
                             predictionStrength: PredictionStrengthScore(strengths: [0.9, 1 / Double(k)]))
        }
        let recommendation = ChooseKRecommendation(k: recommended, isStable: true, structure: .reasonable,
                                                   reason: "k=\(recommended): <because> & \"so\"", warnings: ["a warning"],
                                                   criterion: criterion)
        return ChooseKResult(candidates: candidates, recommendation: recommendation,
                             configuration: ChooseKConfiguration(clusterCounts: ks, silhouetteSample: sampled ? 500 : 5000), rows: 900)
    }

    /// Well-formed XML with one point per k for every series, and the recommendation marked.
    @Test(arguments: [(ks: 2...12, recommended: 5, sampled: false), (ks: 3...3, recommended: 3, sampled: true),
                      (ks: 2...30, recommended: 30, sampled: true)])
    func wellFormedWithOnePointPerKPerSeries(ks: ClosedRange<Int>, recommended: Int, sampled: Bool) throws {
        let svg = ChooseKChart.svg(Self.result(ks: ks, recommended: recommended, sampled: sampled))
        let document = try XMLDocument(data: Data(svg.utf8))
        #expect(document.rootElement()?.name == "svg")
        let titles = try document.nodes(forXPath: "//*[local-name()='circle']/*[local-name()='title']").map { $0.stringValue ?? "" }
        for series in ChooseKChart.series {
            let points = titles.filter { $0.hasPrefix("\(series) k=") }
            #expect(points.count == ks.count, "\(series)")
            #expect(Set(points.map { $0.split(separator: ":")[0] }) == Set(ks.map { "\(series) k=\($0)" }))
        }
        #expect(titles.count == ks.count * ChooseKChart.series.count)
        let texts = try document.nodes(forXPath: "//*[local-name()='text']").map { $0.stringValue ?? "" }
        #expect(texts.contains("Recommended: k = \(recommended)"))
        #expect(texts.filter { $0 == "k=\(recommended)" }.count == 6)   // the mark in every panel
        // The deciding measure's panel, and only it, is titled as deciding.
        #expect(texts.filter { $0.hasSuffix(ChooseKChart.decidesMark) } == ["Prediction strength (higher is better)" + ChooseKChart.decidesMark])
        #expect(svg == ChooseKChart.svg(Self.result(ks: ks, recommended: recommended, sampled: sampled)))
    }

    /// When the silhouette chose among the reproducible k, both measures that decided are
    /// titled as deciding: the silhouette and the prediction strength.
    @Test func silhouetteAmongReproducibleFramesBothPanels() throws {
        let svg = ChooseKChart.svg(Self.result(ks: 2...8, recommended: 5, sampled: false, criterion: .reproducibleSilhouette))
        let document = try XMLDocument(data: Data(svg.utf8))
        let texts = try document.nodes(forXPath: "//*[local-name()='text']").map { $0.stringValue ?? "" }
        #expect(texts.filter { $0.hasSuffix(ChooseKChart.decidesMark) }
                == ["Silhouette (higher is better)" + ChooseKChart.decidesMark,
                    "Prediction strength (higher is better)" + ChooseKChart.decidesMark])
        #expect(texts.contains { $0.contains("decided by silhouette among the reproducible k") })
    }

    /// The CSV: a header and one row per k, the recommended one flagged.
    @Test func tableHasOneRowPerK() throws {
        let bytes = ChooseKTable.render(Self.result(ks: 2...6, recommended: 4, sampled: false))
        let table = try CSVReader.parse(bytes, file: "choose-k.csv")
        #expect(table.columnNames == ChooseKTable.header)
        #expect(table.rowCount == 5)
        let recommended = table.columnIndex(named: "recommended")!, k = table.columnIndex(named: "k")!
        #expect((0..<5).filter { table.columns[recommended][$0] == "1" }.map { table.columns[k][$0] } == ["4"])
        let jaccard = table.columnIndex(named: "persona_jaccard")!
        #expect(table.columns[jaccard][0] == "0.5;0.55")
    }
}
