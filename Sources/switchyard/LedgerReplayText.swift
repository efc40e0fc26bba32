import Foundation
import SwitchyardCore
import SwitchyardEvaluation

/// A ledger replay (`simulate --from-ledger`) as text for a person.
enum LedgerReplayText {
    static func render(_ report: LedgerReplayReport, ledger: String, policy: String) -> String {
        typealias Money = LedgerReplayText
        var lines = ["Ledger \(ledger): \(report.entries) entries read, \(report.replayed) replayed under \(policy)"]
        if let from = report.from, let to = report.to {
            lines.append("  recorded from \(stamp(from)) to \(stamp(to))")
        }
        guard report.replayed > 0 else {
            lines.append("")
            lines.append("Nothing to replay: no answered chat requests with usage in the period.")
            lines += skippedLines(report)
            return lines.joined(separator: "\n")
        }
        lines.append("")
        var totals = [["", "recorded", "replayed", "change"]]
        totals.append(["  cost", Money.money(report.recordedUSD), Money.money(report.replayedUSD), signedPercent(report.replayedUSD, over: report.recordedUSD)])
        totals.append(["  baseline (all on the premium model)", Money.money(report.recordedBaselineUSD), Money.money(report.baselineUSD), ""])
        totals.append([
            "  savings against the baseline", Money.percent(savings(report.recordedUSD, report.recordedBaselineUSD)),
            Money.percent(savings(report.replayedUSD, report.baselineUSD)), "",
        ])
        if let factor = report.monthlyFactor {
            totals.append(["  per 30 days at this rate", Money.money(report.recordedUSD * factor), Money.money(report.replayedUSD * factor), ""])
        }
        lines += TextTable(rows: totals).lines
        lines.append("")
        var tasks = [["task", "requests", "recorded", "replayed", "baseline"]]
        for row in report.tasks {
            tasks.append([row.task, String(row.requests), Money.money(row.recordedUSD), Money.money(row.replayedUSD), Money.money(row.baselineUSD)])
        }
        lines += TextTable(rows: tasks).lines
        lines.append("")
        lines.append("Tier moves (recorded → replayed):")
        var moves = [["  from", "to", "requests"]]
        for move in report.moves { moves.append(["  " + move.from, move.to, String(move.requests)]) }
        lines += TextTable(rows: moves).lines
        lines.append("")
        lines.append(
            "Recorded, not re-simulated: \(report.recordedEscalations) escalated and \(report.recordedFallbacks) fell back of \(report.replayed) replayed requests.")
        if report.reclassified > 0 {
            lines.append("\(report.reclassified) requests had a task the new taxonomy lacks; they were routed without a task hint.")
        }
        lines += skippedLines(report)
        return lines.joined(separator: "\n")
    }

    /// Dollars with cents, or with significant digits below a dollar (a ledger of test traffic
    /// costs fractions of a cent).
    static func money(_ value: Double) -> String {
        abs(value) >= 1 ? SimulationText.money(value) : (value < 0 ? "-$" : "$") + formatUSD(abs(value))
    }

    static func percent(_ value: Double) -> String { SimulationText.percent(value) }

    private static func skippedLines(_ report: LedgerReplayReport) -> [String] {
        guard !report.skipped.isEmpty else { return [] }
        return ["", "Left out:"] + report.skipped.map { "  \($0.requests)  \($0.reason)" }
    }

    private static func savings(_ cost: Double, _ baseline: Double) -> Double {
        baseline > 0 ? 1 - cost / baseline : 0
    }

    private static func signedPercent(_ value: Double, over base: Double) -> String {
        guard base > 0 else { return "" }
        let change = (value / base - 1) * 100
        return (change >= 0 ? "+" : "") + SVGPlot.fixed(change, 1) + " %"
    }

    private static func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
