import Logging
import PostgresNIO
import SwitchyardCore

/// The versioned schema of the PostgreSQL store: migrations applied in order when a gateway
/// starts, recorded in `switchyard_migrations`. Several instances may start at once: each applies
/// them under one advisory lock, so exactly one does the work and the others find it done.
/// Migrations only ever append; a released one is never edited.
enum PostgresSchema {
    struct Migration {
        var name: String
        /// Statements run in order, in the migration's transaction (PostgreSQL's extended query
        /// protocol takes one statement at a time).
        var statements: [String]
    }

    /// The advisory lock key the migrations run under (an arbitrary constant of this project's).
    static let migrationLock: Int64 = 0x5377_6974_6368_7964

    static let migrations: [Migration] = [
        Migration(name: "v1-ledger", statements: [
            """
            CREATE TABLE ledger (
                id BIGSERIAL PRIMARY KEY,
                decision_id TEXT NOT NULL,
                time TIMESTAMPTZ NOT NULL,
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
                complexity DOUBLE PRECISION,
                complexity_source TEXT,
                sensitivity TEXT,
                reasons JSON NOT NULL,
                chain_position INTEGER,
                attempts JSON NOT NULL,
                gates JSON,
                escalations INTEGER NOT NULL,
                escalation_reason TEXT,
                fallbacks INTEGER NOT NULL,
                fallback_reason TEXT,
                review_id TEXT,
                provider TEXT,
                model TEXT,
                tier TEXT,
                input_tokens BIGINT NOT NULL,
                output_tokens BIGINT NOT NULL,
                cached_tokens BIGINT NOT NULL,
                cost_usd DOUBLE PRECISION NOT NULL,
                baseline_cost_usd DOUBLE PRECISION NOT NULL,
                latency_ms DOUBLE PRECISION NOT NULL,
                upstream_ms DOUBLE PRECISION NOT NULL,
                overhead_ms DOUBLE PRECISION NOT NULL,
                ttft_ms DOUBLE PRECISION,
                cache_hit BOOLEAN NOT NULL,
                stream BOOLEAN NOT NULL,
                decision JSON,
                prompt TEXT,
                answer TEXT
            )
            """,
            "CREATE INDEX ledger_by_time ON ledger (time)",
            "CREATE INDEX ledger_by_decision ON ledger (decision_id)",
            "CREATE INDEX ledger_by_tenant_time ON ledger (tenant, time)",
        ]),
        Migration(name: "v2-tenancy", statements: [
            "CREATE TABLE tenants (id TEXT PRIMARY KEY, body TEXT NOT NULL, updated TIMESTAMPTZ NOT NULL)",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                tenant TEXT NOT NULL,
                secret_hash TEXT NOT NULL UNIQUE,
                body TEXT NOT NULL,
                updated TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE audit_log (
                id BIGSERIAL PRIMARY KEY,
                time TIMESTAMPTZ NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                before JSON,
                after JSON
            )
            """,
            // The audit log is append-only, enforced by the database itself.
            """
            CREATE FUNCTION switchyard_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
            """,
            """
            CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION switchyard_audit_log_append_only()
            """,
            """
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION switchyard_audit_log_append_only()
            """,
        ]),
        Migration(name: "v3-review-queue", statements: [
            """
            CREATE TABLE review_items (
                id TEXT PRIMARY KEY,
                decision_id TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                task TEXT NOT NULL,
                model TEXT NOT NULL,
                tier TEXT NOT NULL,
                reason TEXT NOT NULL,
                gates JSON NOT NULL,
                verdict TEXT,
                note TEXT,
                resolved_at TIMESTAMPTZ
            )
            """,
            "CREATE INDEX review_items_by_created ON review_items (created_at)",
        ]),
        // Budgets shared by several instances: the spend they report per budget and period, and
        // the slice each one holds (see `BudgetLeaseStore`).
        Migration(name: "v4-budget-leases", statements: [
            """
            CREATE TABLE budget_spend (
                scope TEXT NOT NULL,
                period_start TIMESTAMPTZ NOT NULL,
                period_end TIMESTAMPTZ NOT NULL,
                spent_usd DOUBLE PRECISION NOT NULL,
                spent_tokens BIGINT NOT NULL,
                PRIMARY KEY (scope, period_start)
            )
            """,
            """
            CREATE TABLE budget_leases (
                scope TEXT NOT NULL,
                period_start TIMESTAMPTZ NOT NULL,
                instance TEXT NOT NULL,
                usd DOUBLE PRECISION NOT NULL,
                tokens BIGINT NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (scope, period_start, instance)
            )
            """,
        ]),
        // Shadow evaluation's entries, newest first; partial, so other rows cost nothing more.
        Migration(name: "v5-shadow-index", statements: ["CREATE INDEX ledger_shadow ON ledger (id) WHERE endpoint = 'shadow'"]),
        // Budget alerts announced, so that several instances send each one once.
        Migration(name: "v6-budget-alerts", statements: [
            """
            CREATE TABLE budget_alerts (
                scope TEXT NOT NULL,
                period_start TIMESTAMPTZ NOT NULL,
                threshold DOUBLE PRECISION NOT NULL,
                claimed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (scope, period_start, threshold)
            )
            """,
        ]),
        // Each instance's demand on each rate-limited tenant and key, which splits their limits
        // between the instances (see `BudgetLeaseStore.syncRateDemand`); subject '' says only
        // that the instance is alive.
        Migration(name: "v7-rate-demand", statements: [
            """
            CREATE TABLE rate_demand (
                subject TEXT NOT NULL,
                instance TEXT NOT NULL,
                demand DOUBLE PRECISION NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (subject, instance)
            )
            """,
        ]),
        // Each conversation's tokens over all instances, for the `session_tokens` alert (see
        // `BudgetLeaseStore.addSessionTokens`); tenant '' for requests without one.
        Migration(name: "v8-session-tokens", statements: [
            """
            CREATE TABLE session_tokens (
                tenant TEXT NOT NULL,
                session TEXT NOT NULL,
                tokens BIGINT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (tenant, session)
            )
            """,
            "CREATE INDEX session_tokens_by_update ON session_tokens (updated_at)",
        ]),
    ]

    /// Applies the migrations `connection`'s database lacks, or (read-only) checks that it lacks
    /// none. Refuses a database migrated by a newer Switchyard.
    static func prepare(on connection: PostgresConnection, readOnly: Bool, logger: Logger) async throws(StoreError) {
        let known = Set(migrations.map(\.name))
        do {
            if readOnly {
                let applied = try await appliedMigrations(on: connection, logger: logger)
                try check(applied: applied, known: known)
                guard known.isSubset(of: applied) else {
                    throw StoreError(.incompatible, "the database is not up to date; start the gateway once to migrate it")
                }
                return
            }
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS switchyard_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    logger: logger)
                let applied = try await appliedMigrations(on: connection, logger: logger)
                try check(applied: applied, known: known)
                for migration in migrations where !applied.contains(migration.name) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("INSERT INTO switchyard_migrations (name) VALUES (\(migration.name))", logger: logger)
                    logger.info("storage: applied migration \(migration.name)")
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.incompatible, "cannot prepare the database: \(PostgresErrorText.describe(error))")
        }
    }

    private static func appliedMigrations(on connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        let exists = try await connection.query("SELECT to_regclass('switchyard_migrations') IS NOT NULL", logger: logger)
        var tableExists = false
        for try await (value) in exists.decode(Bool.self) { tableExists = value }
        guard tableExists else { return [] }
        var names: Set<String> = []
        for try await (name) in try await connection.query("SELECT name FROM switchyard_migrations", logger: logger).decode(String.self) {
            names.insert(name)
        }
        return names
    }

    private static func check(applied: Set<String>, known: Set<String>) throws(StoreError) {
        let unknown = applied.subtracting(known)
        guard unknown.isEmpty else {
            throw StoreError(
                .incompatible,
                "the database was migrated by a newer Switchyard (\(unknown.sorted().joined(separator: ", "))); upgrade to use it")
        }
    }
}

/// Text for a PostgreSQL error that helps a person: the server's message and SQLSTATE, or what
/// failed on the way to the server. (`PSQLError`'s own description hides everything.)
enum PostgresErrorText {
    static func describe(_ error: any Error) -> String {
        if let error = error as? StoreError { return error.message }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            var text = message
            if let detail = info[.detail] { text += " (\(detail))" }
            if let state = info[.sqlState] { text += " [SQLSTATE \(state)]" }
            return text
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
