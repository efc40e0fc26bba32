import Foundation
import PostgresNIO
import SwitchyardCore

/// Maps ``LedgerEntry`` to and from rows of PostgreSQL's `ledger` table.
///
/// The columns are SQLite's (``LedgerRowCoding/allColumns``), with PostgreSQL's types: `time` is
/// a `timestamptz`, the flags are booleans, and the lists and records are `json` columns, stored
/// as plain JSON (the decision record and gate reports with their member names written out, not
/// as the tokens the SQLite file keeps), so `decision->>'task'` works in SQL. `json` keeps the
/// text as written, so a record reads back exactly as the gateway rendered it.
enum PostgresLedgerCoding {
    static let columns = LedgerRowCoding.allColumns
    static let jsonColumns: Set<String> = ["reasons", "attempts", "gates", "decision"]

    /// The most rows one `INSERT` carries: PostgreSQL takes at most 65,535 parameters a statement.
    static let rowsPerStatement = 65_535 / columns.count

    /// One `INSERT` of `entries` (at most ``rowsPerStatement`` of them).
    static func insert(_ entries: ArraySlice<LedgerEntry>) -> PostgresQuery {
        var values = PostgresRowValues(bindings: PostgresBindings(capacity: entries.count * columns.count))
        var sql = "INSERT INTO ledger (\(columns.joined(separator: ", "))) VALUES "
        sql.reserveCapacity(sql.utf8.count + entries.count * columns.count * 12)
        var parameter = 0
        for (row, entry) in entries.enumerated() {
            sql += row == 0 ? "(" : ", ("
            for (index, column) in columns.enumerated() {
                parameter += 1
                if index > 0 { sql += ", " }
                sql += "$\(parameter)"
                if jsonColumns.contains(column) { sql += "::json" }
            }
            sql += ")"
            LedgerRowCoding.values(of: entry, into: &values)
        }
        return PostgresQuery(unsafeSQL: sql, binds: values.bindings)
    }

    /// `value` as PostgreSQL takes text: it refuses NUL, which JSON and Swift strings allow, so a
    /// NUL becomes U+FFFD instead of failing the write of every entry in its batch.
    static func text(_ value: String?) -> String? {
        guard let value, value.utf8.contains(0) else { return value }
        return value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }

    /// The select list: every column, or all but the bulky ones; `json` columns as text.
    static func selectList(full: Bool) -> String {
        columns.filter { full || !LedgerRowCoding.bulkyColumns.contains($0) }
            .map { jsonColumns.contains($0) ? "\($0)::text AS \($0)" : $0 }
            .joined(separator: ", ")
    }

    static func entry(from row: PostgresRow, full: Bool) throws -> LedgerEntry {
        let row = row.makeRandomAccess()
        func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
            try row[column].decode(T.self)
        }
        func json(_ column: String) throws -> JSONValue? {
            try (value(column, as: String?.self)).flatMap { try? JSONParser.parse($0) }
        }
        var entry = LedgerEntry(
            decisionID: try value("decision_id"), time: try value("time"), endpoint: try value("endpoint"), status: try value("status"),
            errorCode: try value("error_code"), tenant: try value("tenant"), keyID: try value("key_id"), userTier: try value("user_tier"),
            region: try value("region"), session: try value("session"), requestedModel: try value("requested_model"), task: try value("task"),
            taskSource: try value("task_source"), complexity: try value("complexity"), complexitySource: try value("complexity_source"),
            sensitivity: try value("sensitivity"), reasons: try json("reasons")?.arrayValue?.compactMap(\.stringValue) ?? [],
            chainPosition: try value("chain_position"),
            attempts: try json("attempts")?.arrayValue?.compactMap(AttemptRecord.init(json:)) ?? [], escalations: try value("escalations"),
            escalationReason: try value("escalation_reason"), fallbacks: try value("fallbacks"), fallbackReason: try value("fallback_reason"),
            reviewID: try value("review_id"), provider: try value("provider"), model: try value("model"), tier: try value("tier"),
            inputTokens: try value("input_tokens"), outputTokens: try value("output_tokens"), cachedTokens: try value("cached_tokens"),
            costUSD: try value("cost_usd"), baselineCostUSD: try value("baseline_cost_usd"),
            latency: .milliseconds(fractional: try value("latency_ms")), upstreamLatency: .milliseconds(fractional: try value("upstream_ms")),
            timeToFirstToken: try value("ttft_ms", as: Double?.self).map { .milliseconds(fractional: $0) }, cacheHit: try value("cache_hit"),
            stream: try value("stream"))
        if full {
            entry.gatesJSON = try value("gates")
            entry.decisionJSON = try value("decision")
            entry.prompt = try value("prompt")
            entry.answer = try value("answer")
        }
        return entry
    }
}

/// A ledger row's values as PostgreSQL takes them: text without NUL, records with their member
/// names written out.
struct PostgresRowValues: LedgerRowValues {
    var bindings: PostgresBindings

    mutating func bind(_ value: String?) { bindings.append(PostgresLedgerCoding.text(value)) }
    mutating func bind(_ value: Int?) { bindings.append(value) }
    mutating func bind(_ value: Double?) { bindings.append(value) }
    mutating func bind(_ value: Bool) { bindings.append(value) }
    mutating func bind(_ value: Date) { bindings.append(value) }
    mutating func bindRecord(_ value: String?) { bindings.append(value.map(JSONMemberTokens.expand)) }
}
