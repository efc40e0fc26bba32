/// The standard plots of an evaluation: router against random and oracle, with the two models'
/// own quality as dashed reference lines.
public enum EvaluationPlots {
    static let routerColor = "#1f77b4", randomColor = "#7f7f7f", oracleColor = "#2ca02c"
    static let strongColor = "#d62728", weakColor = "#9467bd", zeroColor = "#ff7f0e"

    /// Quality against the share of strong-model calls.
    public static func qualityVsStrongFraction(_ report: PairReport) -> SVGPlot {
        func series(_ summary: RouterSummary, _ color: String) -> SVGPlot.Series {
            .init(name: label(summary), color: color, style: .line, points: summary.points.map { ($0.strongFraction, $0.quality, nil) })
        }
        return SVGPlot(
            title: "Quality vs strong-model calls — \(report.label)", xLabel: "strong-model calls (\(report.strongModel))", yLabel: "quality (mean outcome)",
            xFormat: .percent, yFormat: .number,
            series: [
                series(report.router, routerColor), series(report.random, randomColor), series(report.oracle, oracleColor),
                .init(name: "strong: \(report.strongModel)", color: strongColor, style: .dashed, points: [(0, report.strongQuality, nil), (1, report.strongQuality, nil)]),
                .init(name: "weak: \(report.weakModel)", color: weakColor, style: .dashed, points: [(0, report.weakQuality, nil), (1, report.weakQuality, nil)]),
            ])
    }

    /// Quality against mean cost per request; `nil` when the rows could not be priced.
    public static func qualityVsCost(_ report: PairReport) -> SVGPlot? {
        guard report.router.points.allSatisfy({ $0.meanCostUSD != nil }), let strongCost = report.strongMeanCostUSD,
            let weakCost = report.weakMeanCostUSD
        else { return nil }
        func series(_ summary: RouterSummary, _ color: String) -> SVGPlot.Series {
            .init(name: label(summary), color: color, style: .line, points: summary.points.map { ($0.meanCostUSD ?? 0, $0.quality, nil) })
        }
        return SVGPlot(
            title: "Quality vs cost — \(report.label)", xLabel: "mean cost per request (USD)", yLabel: "quality (mean outcome)",
            xFormat: .usd, yFormat: .number,
            series: [
                series(report.router, routerColor), series(report.random, randomColor), series(report.oracle, oracleColor),
                .init(
                    name: "models", color: strongColor, style: .markers,
                    points: [(weakCost, report.weakQuality, report.weakModel), (strongCost, report.strongQuality, report.strongModel)]),
            ])
    }

    /// Many models: every model, the zero router's hull, and the router's, random's and oracle's hulls.
    public static func manyModels(_ report: ManyModelReport) -> SVGPlot {
        func hull(_ curve: ManyModelCurve, _ color: String, _ style: SVGPlot.Style = .line) -> SVGPlot.Series {
            var points = curve.hull.map { (x: $0.costUSD, y: $0.quality, label: String?.none) }
            // Drawn flat to the priciest model, as AIQ integrates it.
            if let last = points.last, last.x < report.cMax { points.append((report.cMax, last.y, nil)) }
            return .init(name: "\(curve.router) hull (AIQ \(SVGPlot.fixed(curve.aiq, 3)))", color: color, style: style, points: points)
        }
        return SVGPlot(
            title: "Quality vs cost, \(report.models.count) models — \(report.label)", xLabel: "mean cost per request (USD)",
            yLabel: "quality (mean outcome)", xFormat: .usd, yFormat: .number,
            series: [
                .init(name: "single models", color: "#444444", style: .markers, points: report.models.map { ($0.costUSD, $0.quality, $0.label) }),
                hull(report.zeroRouter, zeroColor, .dashed), hull(report.router, routerColor), hull(report.random, randomColor), hull(report.oracle, oracleColor),
            ])
    }

    static func label(_ summary: RouterSummary) -> String {
        summary.apgr.map { "\(summary.router) (APGR \(SVGPlot.fixed($0, 3)))" } ?? summary.router
    }
}
