import GRDB
import SwitchyardCore

/// The versioned schema of the SQLite store. Migrations only ever append: a released migration
/// is never edited, so a database written by any earlier version opens and upgrades cleanly.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE ledger (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    decision_id TEXT NOT NULL,
                    time DOUBLE NOT NULL,
                    endpoint TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    error_code TEXT,
                    tenant TEXT,
                    key_id TEXT,
                    user_tier TEXT,
                    region TEXT,
                    session TEXT,
                    requested_model TEXT,
                    task TEXT,
                    task_source TEXT,
                    complexity DOUBLE,
                    complexity_source TEXT,
                    sensitivity TEXT,
                    reasons TEXT NOT NULL,
                    chain_position INTEGER,
                    attempts TEXT NOT NULL,
                    gates TEXT,
                    escalations INTEGER NOT NULL,
                    escalation_reason TEXT,
                    fallbacks INTEGER NOT NULL,
                    fallback_reason TEXT,
                    review_id TEXT,
                    provider TEXT,
                    model TEXT,
                    tier TEXT,
                    input_tokens INTEGER NOT NULL,
                    output_tokens INTEGER NOT NULL,
                    cached_tokens INTEGER NOT NULL,
                    cost_usd DOUBLE NOT NULL,
                    baseline_cost_usd DOUBLE NOT NULL,
                    latency_ms DOUBLE NOT NULL,
                    upstream_ms DOUBLE NOT NULL,
                    overhead_ms DOUBLE NOT NULL,
                    ttft_ms DOUBLE,
                    cache_hit INTEGER NOT NULL,
                    stream INTEGER NOT NULL,
                    decision TEXT,
                    prompt TEXT,
                    answer TEXT
                );
                CREATE INDEX ledger_by_time ON ledger(time);
                CREATE INDEX ledger_by_decision ON ledger(decision_id);
                CREATE INDEX ledger_by_tenant_time ON ledger(tenant, time);
                """)
        }
        migrator.registerMigration("v2-tenancy") { db in
            try db.execute(sql: """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY,
                    body TEXT NOT NULL,
                    updated DOUBLE NOT NULL
                );
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    body TEXT NOT NULL,
                    updated DOUBLE NOT NULL
                );
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time DOUBLE NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    before TEXT,
                    after TEXT
                );
                -- The audit log is append-only, enforced by the database itself.
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        migrator.registerMigration("v3-review-queue") { db in
            try db.execute(sql: """
                CREATE TABLE review_items (
                    id TEXT PRIMARY KEY,
                    decision_id TEXT NOT NULL,
                    created_at DOUBLE NOT NULL,
                    task TEXT NOT NULL,
                    model TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    gates TEXT NOT NULL,
                    verdict TEXT,
                    note TEXT,
                    resolved_at DOUBLE
                );
                CREATE INDEX review_items_by_created ON review_items(created_at);
                """)
        }
        // Shadow evaluation's entries, newest first, without a scan of the ledger; partial, so
        // the other rows cost the writer nothing more.
        migrator.registerMigration("v4-shadow-index") { db in
            try db.execute(sql: "CREATE INDEX ledger_shadow ON ledger(id) WHERE endpoint = 'shadow'")
        }
        return migrator
    }

    /// The `ledger_json` view: the ledger with its `decision` and `gates` columns as plain JSON,
    /// for readers of the file that do not go through Switchyard (`sqlite3`, `json_extract`).
    /// The table stores their member names as tokens (``JSONMemberTokens``). The expansion takes
    /// several nested selects, since one expression may only nest so deep; SQLite flattens them,
    /// so a query on the view by `decision_id` or `time` still uses the table's indexes.
    static var ledgerJSONViewSQL: String {
        let decisionSteps = JSONMemberTokens.sqlExpansionSteps(of: "decision")
        let gatesSteps = JSONMemberTokens.sqlExpansionSteps(of: "gates")
        var expanded = "ledger"
        for (decision, gates) in zip(decisionSteps, gatesSteps) {
            expanded = "(SELECT id, \(decision) AS decision, \(gates) AS gates FROM \(expanded))"
        }
        let columns = ["ledger.id"] + LedgerRowCoding.allColumns.map { column in
            ["decision", "gates"].contains(column) ? "expanded.\(column) AS \(column)" : "ledger.\(column)"
        }
        return "CREATE VIEW ledger_json AS SELECT \(columns.joined(separator: ", ")) FROM ledger JOIN \(expanded) AS expanded ON expanded.id = ledger.id"
    }

    /// Creates the `ledger_json` view, or rebuilds it when the token table has grown since it
    /// was made. It is derived from that table, not part of the schema's history, so no
    /// migration has to follow the table.
    static func prepareLedgerJSONView(_ db: Database) throws {
        let existing = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'ledger_json'")
        let wanted = ledgerJSONViewSQL
        guard existing != wanted else { return }
        try db.execute(sql: "DROP VIEW IF EXISTS ledger_json")
        try db.execute(sql: wanted)
    }

    /// Applies pending migrations (or, read-only, checks there is nothing this build cannot read).
    static func prepare(_ database: any DatabaseWriter, path: String, readOnly: Bool) throws(StoreError) {
        let migrator = migrator
        do {
            if try database.read({ try migrator.hasBeenSuperseded($0) }) {
                throw StoreError(.incompatible, "the database '\(path)' was written by a newer Switchyard; upgrade to read it")
            }
            if readOnly {
                guard try database.read({ try migrator.hasCompletedMigrations($0) }) else {
                    throw StoreError(.incompatible, "the database '\(path)' is not up to date; start the gateway once to migrate it")
                }
            } else {
                try migrator.migrate(database)
                try database.write(prepareLedgerJSONView)
            }
        } catch {
            if let error = error as? StoreError { throw error }
            throw StoreError(.incompatible, "cannot prepare the database '\(path)': \(SQLiteStore.describe(error))")
        }
    }
}
