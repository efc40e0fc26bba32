import Foundation
import GRDB
import SwitchyardCore

extension SQLiteStore: TenantStore {
    public func tenants() async throws(StoreError) -> [Tenant] {
        try await reading("read tenants") { db in
            try String.fetchAll(db, sql: "SELECT body FROM tenants ORDER BY id").compactMap(TenancyCoding.tenant(fromColumn:))
        }
    }

    public func save(_ tenant: Tenant) async throws(StoreError) {
        let body = JSONWriter.string(TenancyCoding.json(tenant))
        try await writing("save tenant '\(tenant.id)'") { db in
            try db.execute(
                sql: "INSERT INTO tenants (id, body, updated) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body, updated = excluded.updated",
                arguments: [tenant.id, body, Date().timeIntervalSince1970])
        }
    }

    public func deleteTenant(id: String) async throws(StoreError) {
        try await writing("delete tenant '\(id)'") { db in
            try db.execute(sql: "DELETE FROM tenants WHERE id = ?", arguments: [id])
        }
    }

    public func keys() async throws(StoreError) -> [VirtualKey] {
        try await reading("read keys") { db in
            try Row.fetchAll(db, sql: "SELECT secret_hash, body FROM api_keys ORDER BY id").compactMap { row in
                Self.key(hash: row["secret_hash"], body: row["body"])
            }
        }
    }

    public func save(_ key: VirtualKey) async throws(StoreError) {
        var body = TenancyCoding.json(key).objectValue ?? JSONObject()
        body["budgets"] = .array(key.budgets.map(TenancyCoding.json))
        let text = JSONWriter.string(.object(body))
        try await writing("save key '\(key.id)'") { db in
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, tenant, secret_hash, body, updated) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET tenant = excluded.tenant, secret_hash = excluded.secret_hash, body = excluded.body, updated = excluded.updated
                    """,
                arguments: [key.id, key.tenant, key.secretHash, text, Date().timeIntervalSince1970])
        }
    }

    public func append(_ audit: AuditEntry) async throws(StoreError) {
        try await writing("append to the audit log") { db in
            try db.execute(
                sql: "INSERT INTO audit_log (time, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    audit.time.timeIntervalSince1970, audit.actor, audit.action, audit.target, audit.before.map(JSONWriter.string),
                    audit.after.map(JSONWriter.string),
                ])
        }
    }

    public func auditEntries(limit: Int) async throws(StoreError) -> [AuditEntry] {
        try await reading("read the audit log") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                AuditEntry(
                    time: Date(timeIntervalSince1970: row["time"]), actor: row["actor"], action: row["action"], target: row["target"],
                    before: (row["before"] as String?).flatMap { try? JSONParser.parse($0) },
                    after: (row["after"] as String?).flatMap { try? JSONParser.parse($0) })
            }
        }
    }

    public func spend(since: Date) async throws(StoreError) -> [SpendTotal] {
        try await reading("sum the ledger") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT tenant, key_id, TOTAL(cost_usd) AS usd, TOTAL(input_tokens + output_tokens) AS tokens
                    FROM ledger WHERE time >= ? AND (tenant IS NOT NULL OR key_id IS NOT NULL) GROUP BY tenant, key_id
                    """, arguments: [since.timeIntervalSince1970]
            ).map { row in
                SpendTotal(tenant: row["tenant"], keyID: row["key_id"], usd: row["usd"], tokens: Int((row["tokens"] as Double?) ?? 0))
            }
        }
    }

    public func sessionTokens(since: Date) async throws(StoreError) -> [SessionKey: Int] {
        try await reading("sum the ledger's sessions") { db in
            var totals: [SessionKey: Int] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT tenant, session, TOTAL(input_tokens + output_tokens) AS tokens
                    FROM ledger WHERE time >= ? AND session IS NOT NULL GROUP BY tenant, session
                    """, arguments: [since.timeIntervalSince1970])
            while let row = try rows.next() {
                totals[SessionKey(tenant: row["tenant"], session: row["session"])] = Int((row["tokens"] as Double?) ?? 0)
            }
            return totals
        }
    }

    static func key(hash: String, body: String) -> VirtualKey? {
        guard let value = try? JSONParser.parse(body), let id = value["id"]?.stringValue, let tenant = value["tenant"]?.stringValue,
            let created = value["created_at"]?.stringValue.flatMap(TenancyCoding.date)
        else { return nil }
        return VirtualKey(
            id: id, tenant: tenant, name: value["name"]?.stringValue ?? "", secretHash: hash, prefix: value["prefix"]?.stringValue ?? "",
            created: created, expires: value["expires_at"]?.stringValue.flatMap(TenancyCoding.date),
            revoked: value["revoked_at"]?.stringValue.flatMap(TenancyCoding.date),
            allowedModels: TenancyCoding.stringSet(value["allowed_models"]), allowedTiers: TenancyCoding.stringSet(value["allowed_tiers"]),
            budgets: (try? TenancyCoding.budgets(value["budgets"]).get()) ?? [],
            limits: (try? TenancyCoding.limits(value["limits"]).get()) ?? RateLimits())
    }

    func reading<T: Sendable>(_ what: String, _ body: @Sendable @escaping (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await database.read(body)
        } catch {
            throw StoreError(.operationFailed, "cannot \(what) in '\(path)': \(Self.describe(error))")
        }
    }

    func writing(_ what: String, _ body: @Sendable @escaping (Database) throws -> Void) async throws(StoreError) {
        do {
            try await database.write(body)
        } catch {
            throw StoreError(.operationFailed, "cannot \(what) in '\(path)': \(Self.describe(error))")
        }
    }
}
