import Foundation
import GRDB
import SwitchyardCore

/// Maps ``LedgerEntry`` to and from rows of the `ledger` table. Lists and nested records are
/// stored as JSON text.
enum LedgerRowCoding {
    /// Columns in insert order.
    static let allColumns = [
        "decision_id", "time", "endpoint", "status", "error_code", "tenant", "key_id", "user_tier", "region", "session",
        "requested_model", "task", "task_source", "complexity", "complexity_source", "sensitivity", "reasons", "chain_position",
        "attempts", "gates", "escalations", "escalation_reason", "fallbacks", "fallback_reason", "review_id", "provider", "model",
        "tier", "input_tokens", "output_tokens", "cached_tokens", "cost_usd", "baseline_cost_usd", "latency_ms", "upstream_ms",
        "overhead_ms", "ttft_ms", "cache_hit", "stream", "decision", "prompt", "answer",
    ]
    /// Columns that can be large, read only when asked for.
    static let bulkyColumns: Set<String> = ["gates", "decision", "prompt", "answer"]

    static let insertSQL =
        "INSERT INTO ledger (\(allColumns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: allColumns.count).joined(separator: ", ")))"

    static func columns(full: Bool) -> String {
        (full ? allColumns : allColumns.filter { !bulkyColumns.contains($0) }).joined(separator: ", ")
    }

    /// The row's values in column order. Built as `DatabaseValue`s directly: a list of
    /// `(any DatabaseValueConvertible)?` boxes each of 42 values and converts it again, which
    /// was a fifth of the writer's time per row.
    static func arguments(for entry: LedgerEntry) -> StatementArguments {
        let values: [DatabaseValue] = [
            entry.decisionID.databaseValue, entry.time.timeIntervalSince1970.databaseValue, entry.endpoint.databaseValue,
            entry.status.databaseValue, value(entry.errorCode), value(entry.tenant), value(entry.keyID), value(entry.userTier),
            value(entry.region), value(entry.session), value(entry.requestedModel), value(entry.task), value(entry.taskSource),
            value(entry.complexity), value(entry.complexitySource), value(entry.sensitivity),
            JSONWriter.string(.array(entry.reasons.map(JSONValue.string))).databaseValue, value(entry.chainPosition),
            JSONObjectWriter.arrayText(entry.attempts) { $1.write(into: &$0) }.databaseValue, value(entry.gatesJSON),
            entry.escalations.databaseValue, value(entry.escalationReason), entry.fallbacks.databaseValue, value(entry.fallbackReason),
            value(entry.reviewID), value(entry.provider), value(entry.model), value(entry.tier), entry.inputTokens.databaseValue,
            entry.outputTokens.databaseValue, entry.cachedTokens.databaseValue, entry.costUSD.databaseValue,
            entry.baselineCostUSD.databaseValue, entry.latency.milliseconds.databaseValue, entry.upstreamLatency.milliseconds.databaseValue,
            entry.gatewayOverhead.milliseconds.databaseValue, value(entry.timeToFirstToken?.milliseconds), entry.cacheHit.databaseValue,
            entry.stream.databaseValue, value(entry.decisionJSON), value(entry.prompt), value(entry.answer),
        ]
        return StatementArguments(values)
    }

    private static func value<Value: DatabaseValueConvertible>(_ optional: Value?) -> DatabaseValue {
        optional?.databaseValue ?? .null
    }

    static func entry(from row: Row, full: Bool) throws -> LedgerEntry {
        func json(_ column: String) -> JSONValue? {
            guard let text: String = row[column] else { return nil }
            return try? JSONParser.parse(text)
        }
        var entry = LedgerEntry(
            decisionID: row["decision_id"], time: Date(timeIntervalSince1970: row["time"]), endpoint: row["endpoint"], status: row["status"],
            errorCode: row["error_code"], tenant: row["tenant"], keyID: row["key_id"], userTier: row["user_tier"], region: row["region"],
            session: row["session"], requestedModel: row["requested_model"], task: row["task"], taskSource: row["task_source"],
            complexity: row["complexity"], complexitySource: row["complexity_source"], sensitivity: row["sensitivity"],
            reasons: json("reasons")?.arrayValue?.compactMap(\.stringValue) ?? [], chainPosition: row["chain_position"],
            attempts: json("attempts")?.arrayValue?.compactMap(AttemptRecord.init(json:)) ?? [], escalations: row["escalations"],
            escalationReason: row["escalation_reason"], fallbacks: row["fallbacks"], fallbackReason: row["fallback_reason"],
            reviewID: row["review_id"], provider: row["provider"], model: row["model"], tier: row["tier"], inputTokens: row["input_tokens"],
            outputTokens: row["output_tokens"], cachedTokens: row["cached_tokens"], costUSD: row["cost_usd"],
            baselineCostUSD: row["baseline_cost_usd"], latency: .milliseconds(fractional: row["latency_ms"]),
            upstreamLatency: .milliseconds(fractional: row["upstream_ms"]),
            timeToFirstToken: (row["ttft_ms"] as Double?).map { .milliseconds(fractional: $0) }, cacheHit: row["cache_hit"],
            stream: row["stream"])
        if full {
            entry.gatesJSON = row["gates"]
            entry.decisionJSON = row["decision"]
            entry.prompt = row["prompt"]
            entry.answer = row["answer"]
        }
        return entry
    }
}
