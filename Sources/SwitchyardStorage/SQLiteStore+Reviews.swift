import Foundation
import GRDB
import SwitchyardCore

extension SQLiteStore: ReviewStore {
    public func save(_ item: ReviewItem) async throws(StoreError) {
        let gates = JSONWriter.string(item.gates)
        try await writing("save review item '\(item.id)'") { db in
            try db.execute(
                sql: """
                    INSERT INTO review_items (id, decision_id, created_at, task, model, tier, reason, gates, verdict, note, resolved_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, resolved_at = excluded.resolved_at
                    """,
                arguments: [
                    item.id, item.decisionID, item.createdAt.timeIntervalSince1970, item.task, item.model, item.tier, item.reason, gates,
                    item.resolution?.verdict, item.resolution?.note, item.resolution?.resolvedAt.timeIntervalSince1970,
                ])
        }
    }

    public func reviewItems(limit: Int) async throws(StoreError) -> [ReviewItem] {
        try await reading("read review items") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM review_items ORDER BY created_at DESC, rowid DESC LIMIT ?", arguments: [limit]).map { row in
                let resolution = (row["verdict"] as String?).map { verdict in
                    ReviewItem.Resolution(
                        verdict: verdict, note: row["note"], resolvedAt: Date(timeIntervalSince1970: row["resolved_at"] as Double? ?? 0))
                }
                return ReviewItem(
                    id: row["id"], decisionID: row["decision_id"], createdAt: Date(timeIntervalSince1970: row["created_at"]), task: row["task"],
                    model: row["model"], tier: row["tier"], reason: row["reason"],
                    gates: (try? JSONParser.parse(row["gates"] as String)) ?? .array([]), resolution: resolution)
            }
        }
    }
}
