import SwitchyardCore

import Foundation

/// Output formats of `switchyard audit`.
public enum AuditOutputFormat: String, Sendable, CaseIterable {
    case table, json, csv
}

/// Renders an audit report as a table for people, JSON or CSV.
public enum AuditRendering {
    /// The report in `format`.
    public static func render(_ report: AuditReport, format: AuditOutputFormat) -> String {
        switch format {
        case .table: return table(report)
        case .json: return json(report)
        case .csv: return csv(report)
        }
    }

    /// A table (one row per type), each type's verdict with its reason, the rule and any failures.
    public static func table(_ report: AuditReport) -> String {
        var lines = [
            "Audit: \(report.currentModel) (current) → \(report.candidateModel) (candidate) via \(report.gateway)",
            "\(report.samplesPerType) samples per type, agreement: \(report.agreement.rawValue)"
                + (report.cosineThreshold.map { " (cosine ≥ \(AuditFormat.fixed($0, 2)))" } ?? "") + ", seed \(report.seed)",
            "",
        ]
        var rows = [["type", "n", "agree", "metric", "p50/p95 ms cur", "p50/p95 ms cand", "logprob cur/cand", "gap", "$/1k cur", "$/1k cand", "saves", "fails", "verdict"]]
        for type in report.types {
            rows.append([
                type.type, String(type.samples), type.agreement.map(AuditFormat.percent) ?? "–", metricLabel(type.metrics),
                latency(type.current), latency(type.candidate),
                logprob(type.current.meanLogprob) + "/" + logprob(type.candidate.meanLogprob),
                type.confidenceGap.map { AuditFormat.fixed($0, 2) } ?? "–",
                type.current.costPer1kUSD.map(AuditFormat.money) ?? "–", type.candidate.costPer1kUSD.map(AuditFormat.money) ?? "–",
                type.savings.map(AuditFormat.percent) ?? "–",
                "\(type.current.failures)/\(type.candidate.failures)", type.recommendation.decision.rawValue.uppercased(),
            ])
        }
        lines += aligned(rows)
        lines.append("")
        let width = report.types.map(\.type.count).max() ?? 0
        for type in report.types {
            lines.append("  \(type.type.padding(toLength: width, withPad: " ", startingAt: 0))  \(type.recommendation.decision.rawValue): \(type.recommendation.reason)")
        }
        lines.append("")
        lines.append("Rule: \(report.criteria.rule).")
        lines.append("agree: share of samples both models answered on which the answers agree; gap: current mean token logprob minus the candidate's;")
        lines.append("$/1k: USD per 1,000 requests from x-switchyard-cost-usd; fails: failed requests current/candidate.")
        let failures = report.types.flatMap { type in type.failures.sorted { $0.key < $1.key }.map { (type: type.type, key: $0.key, count: $0.value, example: type.failureExamples[$0.key] ?? "") } }
        if !failures.isEmpty {
            lines.append("")
            lines.append("Failures:")
            for failure in failures {
                lines.append("  \(failure.type) \(failure.key) ×\(failure.count): \(failure.example)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The report as pretty-printed JSON with sorted keys.
    public static func json(_ report: AuditReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The columns of ``csv(_:)``.
    public static let csvHeader = [
        "type", "samples", "prompts", "compared", "agreement", "metrics",
        "current_model", "current_failures", "current_p50_ms", "current_p95_ms", "current_mean_logprob", "current_usd_per_1k",
        "candidate_model", "candidate_failures", "candidate_p50_ms", "candidate_p95_ms", "candidate_mean_logprob", "candidate_usd_per_1k",
        "confidence_gap", "savings", "decision", "reason",
    ]

    /// One CSV row per type (RFC 4180 quoting), with a header row.
    public static func csv(_ report: AuditReport) -> String {
        func number(_ value: Double?) -> String { value.map { String($0) } ?? "" }
        var rows = [csvHeader]
        for type in report.types {
            var row = [type.type, String(type.samples), String(type.prompts), String(type.comparedSamples), number(type.agreement), metricLabel(type.metrics)]
            for stats in [type.current, type.candidate] {
                row += [stats.model, String(stats.failures), number(stats.latencyP50MS), number(stats.latencyP95MS), number(stats.meanLogprob), number(stats.costPer1kUSD)]
            }
            row += [number(type.confidenceGap), number(type.savings), type.recommendation.decision.rawValue, type.recommendation.reason]
            rows.append(row)
        }
        return rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n")
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `exact`, or `json+exact` when `auto` used both, most used first.
    static func metricLabel(_ metrics: [String: Int]) -> String {
        let names = metrics.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        return names.isEmpty ? "–" : names.joined(separator: "+")
    }

    static func latency(_ stats: AuditModelStats) -> String {
        "\(AuditFormat.milliseconds(stats.latencyP50MS))/\(AuditFormat.milliseconds(stats.latencyP95MS))"
    }

    static func logprob(_ value: Double?) -> String { value.map { AuditFormat.fixed($0, 2) } ?? "–" }

    /// Left-aligned columns two spaces apart, no trailing spaces.
    static func aligned(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                line += column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }
            return line
        }
    }
}
