import SwitchyardCore
import SwitchyardEvaluation

/// `switchyard eval` results as text tables for a person.
enum EvalReportText {
    static func render(_ report: PairReport) -> String {
        var lines = [
            "\(report.label): \(report.rows) prompts" + (report.droppedRows > 0 ? " (\(report.droppedRows) without both outcomes left out)" : "")
                + ", \(report.split)" + (report.trainingRows > 0 ? ", \(report.trainingRows) training prompts" : ""),
            "  strong \(report.strongModel): quality \(fixed(report.strongQuality, 4))" + cost(report.strongMeanCostUSD),
            "  weak   \(report.weakModel): quality \(fixed(report.weakQuality, 4))" + cost(report.weakMeanCostUSD),
        ]
        if let source = report.costSource { lines.append("  costs: \(source)") }
        lines.append("")
        var summary = [["router", "APGR", "CPT(50%)", "CPT(80%)", ""]]
        for router in [report.router, report.random, report.oracle] {
            let note = router.seeds.map { seeds in
                "mean of \(seeds) seeds" + (router.apgrStandardDeviation.map { ", APGR sd \(fixed($0, 3))" } ?? "")
            } ?? ""
            summary.append([router.router, optional(router.apgr, 3), percent(router.cpt50), percent(router.cpt80), note])
        }
        lines += indented(TextTable(rows: summary).lines, "  ")
        lines.append("")
        var curve = [["strong calls", "\(report.router.router)", "PGR", "random", "oracle", "cost/request (\(report.router.router))"]]
        for (index, point) in report.router.points.enumerated() {
            curve.append([
                percent(point.strongFraction), fixed(point.quality, 4), optional(point.pgr, 3), fixed(report.random.points[index].quality, 4),
                fixed(report.oracle.points[index].quality, 4), point.meanCostUSD.map { "$" + formatUSD($0) } ?? "-",
            ])
        }
        lines += indented(TextTable(rows: curve).lines, "  ")
        return lines.joined(separator: "\n")
    }

    static func render(_ report: ManyModelReport) -> String {
        var lines = [
            "\(report.label): \(report.models.count) models over \(report.rows) prompts"
                + (report.droppedRows > 0 ? " (\(report.droppedRows) without every outcome left out)" : "") + ", \(report.split)",
            "  costs: \(report.costSource)",
        ]
        var models = [["model", "cost/request", "quality", "on hull"]]
        for model in report.models.sorted(by: { $0.costUSD < $1.costUSD }) {
            let onHull = report.ladder.contains(model.label ?? "")
            models.append([model.label ?? "?", "$" + formatUSD(model.costUSD), fixed(model.quality, 4), onHull ? "yes" : ""])
        }
        lines += indented(TextTable(rows: models).lines, "  ")
        lines.append("")
        lines.append("  AIQ over $\(formatUSD(report.cMin))…$\(formatUSD(report.cMax)) per request (router climbs \(report.ladder.joined(separator: " → "))):")
        let rows = [report.router, report.random, report.oracle, report.zeroRouter].map { curve in
            [curve.router == "zero" ? "zero router (models alone)" : curve.router, fixed(curve.aiq, 4)]
        }
        lines += indented(TextTable(rows: rows).lines, "    ")
        return lines.joined(separator: "\n")
    }

    /// Lines with `prefix` and without the padding an empty last column leaves.
    static func indented(_ lines: [String], _ prefix: String) -> [String] {
        lines.map { prefix + String($0.reversed().drop { $0 == " " }.reversed()) }
    }

    static func cost(_ value: Double?) -> String {
        value.map { ", $\(formatUSD($0)) per request" } ?? ""
    }

    static func optional(_ value: Double?, _ digits: Int) -> String {
        value.map { fixed($0, digits) } ?? "n/a"
    }

    static func percent(_ value: Double?) -> String {
        value.map { fixed($0 * 100, 1) + "%" } ?? "never"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        SVGPlot.fixed(value, digits)
    }
}
