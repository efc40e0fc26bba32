import Foundation

/// How `switchyard report` prints a report.
public enum LedgerReportFormat: String, Sendable, CaseIterable {
    case table, csv, json
}

extension LedgerReport {
    /// Column names, shared by the table, CSV and JSON forms.
    static let columns = [
        "group", "requests", "succeeded", "input_tokens", "output_tokens", "cost_usd", "cost_per_request_usd", "cost_per_1k_requests_usd",
        "baseline_cost_usd", "savings_usd", "savings_pct", "escalation_rate", "fallback_rate", "effectiveness", "latency_p50_ms",
        "latency_p95_ms",
    ]

    /// The report as text in `format`.
    public func rendered(as format: LedgerReportFormat) -> String {
        switch format {
        case .table: table
        case .csv: csv
        case .json: JSONWriter.string(json) + "\n"
        }
    }

    private var allRows: [Row] { rows + [total] + (shadow.map { [$0] } ?? []) }

    var csv: String {
        var lines = [Self.columns.joined(separator: ",")]
        for row in allRows {
            lines.append(([Self.csvField(row.key)] + Self.values(row).map(Self.plain)).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var json: JSONValue {
        func object(_ row: Row) -> JSONValue {
            var object = JSONObject()
            object["group"] = .string(row.key)
            for (name, value) in zip(Self.columns.dropFirst(), Self.values(row)) {
                object[name] = value.rounded() == value && abs(value) < 1e15 && !name.hasSuffix("usd") && !name.contains("rate")
                    && name != "effectiveness" && !name.hasSuffix("ms") && name != "savings_pct"
                    ? .int(Int64(value)) : .double(value)
            }
            return .object(object)
        }
        return .object(JSONObject([
            ("by", dimension.map { .string($0.rawValue) } ?? .null),
            ("groups", .array(rows.map(object))),
            ("total", object(total)),
            ("shadow", shadow.map(object) ?? .null),
        ]))
    }

    var table: String {
        let headers = ["group", "requests", "ok", "tokens in", "tokens out", "cost $", "$/1k req", "baseline $", "saved $", "saved %",
                       "escal.", "fallb.", "effect.", "p50 ms", "p95 ms"]
        var cells: [[String]] = [headers]
        for row in allRows {
            cells.append([
                row.key, "\(row.requests)", "\(row.succeeded)", "\(row.inputTokens)", "\(row.outputTokens)", Self.money(row.costUSD),
                Self.money(row.costPerThousand), Self.money(row.baselineCostUSD), Self.money(row.savingsUSD),
                String(format: "%.1f", row.savingsPercent), Self.percent(row.escalationRate), Self.percent(row.fallbackRate),
                String(format: "%.3f", row.effectiveness), String(format: "%.1f", row.latencyP50.milliseconds),
                String(format: "%.1f", row.latencyP95.milliseconds),
            ])
        }
        let widths = headers.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        var lines: [String] = []
        // A rule above the total (the shadow calls' row, if any, comes after it).
        let totalIndex = cells.count - 1 - (shadow == nil ? 0 : 1)
        for (index, row) in cells.enumerated() {
            if index == totalIndex, totalIndex > 1 {
                lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
            }
            lines.append(row.enumerated().map { column, text in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return column == 0 ? text + padding : padding + text
            }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func values(_ row: Row) -> [Double] {
        [
            Double(row.requests), Double(row.succeeded), Double(row.inputTokens), Double(row.outputTokens), row.costUSD, row.costPerRequest,
            row.costPerThousand, row.baselineCostUSD, row.savingsUSD, row.savingsPercent, row.escalationRate, row.fallbackRate,
            row.effectiveness, row.latencyP50.milliseconds, row.latencyP95.milliseconds,
        ]
    }

    /// A number without exponent: integers as such, fractions to 10 decimals without trailing zeros.
    static func plain(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.10f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    static func money(_ value: Double) -> String { String(format: abs(value) >= 100 ? "%.2f" : "%.6f", value) }
    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
