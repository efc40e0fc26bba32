import Foundation
import GRDB
import GRDBSQLite
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

    /// Binds the entry's row to `statement` (a prepared ``insertSQL``) and runs it, through
    /// SQLite's C API: GRDB's `StatementArguments` converts each of the 42 values through an
    /// unspecialised key path, which was a fifth of the writer's time per row. Call it inside a
    /// write transaction; the statement is left reset, ready for the next row, with bindings into
    /// `text` until the caller releases them.
    static func insert(_ entry: LedgerEntry, with statement: SQLiteStatement, text: RowText) throws {
        var row = RowBinder(statement: statement, text: text)
        values(of: entry, into: &row)
        try row.run(expectingColumns: allColumns.count)
    }

    /// Hands `entry`'s values to `row` in ``allColumns``' order: the one list of what a ledger
    /// row holds, for every store.
    static func values<Row: LedgerRowValues>(of entry: LedgerEntry, into row: inout Row) {
        row.bind(entry.decisionID)
        row.bind(entry.time)
        row.bind(entry.endpoint)
        row.bind(entry.status)
        row.bind(entry.errorCode)
        row.bind(entry.tenant)
        row.bind(entry.keyID)
        row.bind(entry.userTier)
        row.bind(entry.region)
        row.bind(entry.session)
        row.bind(entry.requestedModel)
        row.bind(entry.task)
        row.bind(entry.taskSource)
        row.bind(entry.complexity)
        row.bind(entry.complexitySource)
        row.bind(entry.sensitivity)
        row.bind(JSONWriter.string(ofStrings: entry.reasons))
        row.bind(entry.chainPosition)
        row.bind(AttemptRecord.jsonText(entry.attempts))
        row.bindRecord(entry.gatesJSON)
        row.bind(entry.escalations)
        row.bind(entry.escalationReason)
        row.bind(entry.fallbacks)
        row.bind(entry.fallbackReason)
        row.bind(entry.reviewID)
        row.bind(entry.provider)
        row.bind(entry.model)
        row.bind(entry.tier)
        row.bind(entry.inputTokens)
        row.bind(entry.outputTokens)
        row.bind(entry.cachedTokens)
        row.bind(entry.costUSD)
        row.bind(entry.baselineCostUSD)
        row.bind(entry.latency.milliseconds)
        row.bind(entry.upstreamLatency.milliseconds)
        row.bind(entry.gatewayOverhead.milliseconds)
        row.bind(entry.timeToFirstToken?.milliseconds)
        row.bind(entry.cacheHit)
        row.bind(entry.stream)
        row.bindRecord(entry.decisionJSON)
        row.bind(entry.prompt)
        row.bind(entry.answer)
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

/// Where a ledger row's values go, one column after another (see
/// ``LedgerRowCoding/values(of:into:)``).
protocol LedgerRowValues {
    mutating func bind(_ value: String?)
    mutating func bind(_ value: Int?)
    mutating func bind(_ value: Double?)
    mutating func bind(_ value: Bool)
    mutating func bind(_ value: Date)
    /// The decision record or the gate reports: JSON whose member names may be tokens
    /// (``JSONMemberTokens``).
    mutating func bindRecord(_ value: String?)
}
