import Foundation
import PostgresNIO
import SwitchyardCore

extension PostgresStore {
    public func tenants() async throws(StoreError) -> [Tenant] {
        try await run("read tenants") { client, logger in
            var tenants: [Tenant] = []
            for try await body in try await client.query("SELECT body FROM tenants ORDER BY id", logger: logger).decode(String.self) {
                if let tenant = TenancyCoding.tenant(fromColumn: body) { tenants.append(tenant) }
            }
            return tenants
        }
    }

    public func save(_ tenant: Tenant) async throws(StoreError) {
        let body = JSONWriter.string(TenancyCoding.json(tenant))
        let id = tenant.id
        try await run("save tenant '\(id)'") { client, logger in
            _ = try await client.query(
                """
                INSERT INTO tenants (id, body, updated) VALUES (\(id), \(body), now())
                ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated = excluded.updated
                """, logger: logger)
        }
    }

    public func deleteTenant(id: String) async throws(StoreError) {
        try await run("delete tenant '\(id)'") { client, logger in
            _ = try await client.query("DELETE FROM tenants WHERE id = \(id)", logger: logger)
        }
    }

    public func keys() async throws(StoreError) -> [VirtualKey] {
        try await run("read keys") { client, logger in
            var keys: [VirtualKey] = []
            let rows = try await client.query("SELECT secret_hash, body FROM api_keys ORDER BY id", logger: logger)
            for try await (hash, body) in rows.decode((String, String).self) {
                if let key = SQLiteStore.key(hash: hash, body: body) { keys.append(key) }
            }
            return keys
        }
    }

    public func save(_ key: VirtualKey) async throws(StoreError) {
        var body = TenancyCoding.json(key).objectValue ?? JSONObject()
        body["budgets"] = .array(key.budgets.map(TenancyCoding.json))
        let text = JSONWriter.string(.object(body))
        let (id, tenant, hash) = (key.id, key.tenant, key.secretHash)
        try await run("save key '\(id)'") { client, logger in
            _ = try await client.query(
                """
                INSERT INTO api_keys (id, tenant, secret_hash, body, updated) VALUES (\(id), \(tenant), \(hash), \(text), now())
                ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, secret_hash = excluded.secret_hash, body = excluded.body,
                    updated = excluded.updated
                """, logger: logger)
        }
    }

    public func append(_ audit: AuditEntry) async throws(StoreError) {
        let before = audit.before.map(JSONWriter.string)
        let after = audit.after.map(JSONWriter.string)
        let (time, actor, action, target) = (audit.time, audit.actor, audit.action, audit.target)
        try await run("append to the audit log") { client, logger in
            _ = try await client.query(
                """
                INSERT INTO audit_log (time, actor, action, target, before, after)
                VALUES (\(time), \(actor), \(action), \(target), \(before)::json, \(after)::json)
                """, logger: logger)
        }
    }

    public func auditEntries(limit: Int) async throws(StoreError) -> [AuditEntry] {
        try await run("read the audit log") { client, logger in
            let rows = try await client.query(
                "SELECT time, actor, action, target, before::text, after::text FROM audit_log ORDER BY id DESC LIMIT \(limit)", logger: logger)
            var entries: [AuditEntry] = []
            for try await (time, actor, action, target, before, after) in rows.decode((Date, String, String, String, String?, String?).self) {
                entries.append(AuditEntry(
                    time: time, actor: actor, action: action, target: target, before: before.flatMap { try? JSONParser.parse($0) },
                    after: after.flatMap { try? JSONParser.parse($0) }))
            }
            return entries
        }
    }
}

extension PostgresStore {
    public func save(_ item: ReviewItem) async throws(StoreError) {
        let gates = JSONWriter.string(item.gates)
        let (verdict, note, resolved) = (item.resolution?.verdict, item.resolution?.note, item.resolution?.resolvedAt)
        let (id, decision, created, task, model, tier, reason) = (item.id, item.decisionID, item.createdAt, item.task, item.model, item.tier, item.reason)
        try await run("save review item '\(id)'") { client, logger in
            _ = try await client.query(
                """
                INSERT INTO review_items (id, decision_id, created_at, task, model, tier, reason, gates, verdict, note, resolved_at)
                VALUES (\(id), \(decision), \(created), \(task), \(model), \(tier), \(reason), \(gates)::json, \(verdict), \(note), \(resolved))
                ON CONFLICT (id) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, resolved_at = excluded.resolved_at
                """, logger: logger)
        }
    }

    public func reviewItems(limit: Int) async throws(StoreError) -> [ReviewItem] {
        try await run("read review items") { client, logger in
            let rows = try await client.query(
                """
                SELECT id, decision_id, created_at, task, model, tier, reason, gates::text, verdict, note, resolved_at
                FROM review_items ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """, logger: logger)
            var items: [ReviewItem] = []
            for try await row in rows {
                let (id, decision, created, task, model, tier, reason, gates, verdict, note, resolved) = try row.decode(
                    (String, String, Date, String, String, String, String, String, String?, String?, Date?).self)
                items.append(ReviewItem(
                    id: id, decisionID: decision, createdAt: created, task: task, model: model, tier: tier, reason: reason,
                    gates: (try? JSONParser.parse(gates)) ?? .array([]),
                    resolution: verdict.map { ReviewItem.Resolution(verdict: $0, note: note, resolvedAt: resolved ?? created) }))
            }
            return items
        }
    }
}
