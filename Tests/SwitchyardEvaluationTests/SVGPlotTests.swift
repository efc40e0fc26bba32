import Foundation
import SwitchyardEvaluation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The SVG writer produces well-formed XML with one line per series.
@Suite struct SVGPlotTests {
    final class Counter: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            elements[name, default: 0] += 1
        }
    }

    static func parse(_ svg: String) -> (ok: Bool, elements: [String: Int]) {
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = Counter()
        parser.delegate = counter
        return (parser.parse(), counter.elements)
    }

    @Test func plotIsWellFormedAndEscaped() {
        let plot = SVGPlot(
            title: "Quality <vs> cost & \"calls\"", xLabel: "x", yLabel: "y", xFormat: .percent, yFormat: .number,
            series: [
                .init(name: "router", color: "#1f77b4", style: .line, points: [(0, 0.6, nil), (0.5, 0.8, nil), (1, 0.9, nil)]),
                .init(name: "weak", color: "#999", style: .dashed, points: [(0, 0.6, nil), (1, 0.6, nil)]),
                .init(name: "models", color: "#d62728", style: .markers, points: [(0.2, 0.7, "m<1>")]),
            ])
        let svg = plot.render()
        let (ok, elements) = Self.parse(svg)
        #expect(ok)
        #expect(elements["svg"] == 1)
        #expect(elements["polyline"] == 2)
        #expect(svg.contains("Quality &lt;vs&gt; cost &amp; &quot;calls&quot;"))
        #expect(svg.contains("m&lt;1&gt;"))
        #expect(svg.contains(">40%<"))
    }

    @Test func degenerateDataStillRenders() {
        let plot = SVGPlot(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "one", color: "red", style: .line, points: [(1, 1, nil)])])
        #expect(Self.parse(plot.render()).ok)
        #expect(Self.parse(SVGPlot(title: "empty", xLabel: "x", yLabel: "y", series: []).render()).ok)
    }

    @Test func evaluationPlotsRender() throws {
        let records = (0..<40).map { index in
            RoutingRecord(
                id: "r\(index)", prompt: String(repeating: "x", count: index), category: "c",
                outcomes: ["s": index % 3 == 0 ? 0 : 1, "w": index % 2 == 0 ? 1 : 0], costsUSD: ["s": 0.01, "w": 0.001])
        }
        let report = try PairEvaluator(strongModel: "s", weakModel: "w").evaluate(scorer: RandomScorer(seed: 9), records: records, label: "toy")
        #expect(Self.parse(EvaluationPlots.qualityVsStrongFraction(report).render()).ok)
        let costPlot = try #require(EvaluationPlots.qualityVsCost(report))
        #expect(Self.parse(costPlot.render()).ok)
    }
}
