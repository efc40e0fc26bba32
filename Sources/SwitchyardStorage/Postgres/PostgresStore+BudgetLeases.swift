import Foundation
import Logging
import PostgresNIO
import SwitchyardCore

extension PostgresStore: BudgetLeaseStore {
    public func syncBudgets(_ requests: [BudgetLeaseRequest], instance: String, ttl: Duration) async throws(StoreError) -> [BudgetLeaseGrant] {
        guard !requests.isEmpty else { return [] }
        let order = requests.indices.sorted { Self.locksFirst(requests[$0], requests[$1]) }
        let seconds = ttl.milliseconds / 1000
        // The slice is trusted here for less than the store keeps it, against clocks that differ.
        let validUntil = Date().addingTimeInterval(seconds * 0.75)
        return try await run("sync \(requests.count) shared budgets") { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                var grants = [BudgetLeaseGrant?](repeating: nil, count: requests.count)
                for index in order {
                    let request = requests[index]
                    let spent = try await Self.report(request, on: connection, logger: logger)
                    let others = try await Self.othersHolding(request, instance: instance, on: connection, logger: logger)
                    let held = BudgetAccount.Amount(
                        usd: Self.slice(want: request.want.usd, cap: request.capUSD, spent: spent.usd, others: others.usd),
                        tokens: Int(Self.slice(
                            want: Double(request.want.tokens), cap: request.capTokens.map(Double.init), spent: Double(spent.tokens),
                            others: Double(others.tokens))))
                    let (scope, start) = (request.scope, request.periodStart)
                    try await connection.query(
                        """
                        INSERT INTO budget_leases (scope, period_start, instance, usd, tokens, expires_at)
                        VALUES (\(scope), \(start), \(instance), \(held.usd), \(held.tokens), now() + make_interval(secs => \(seconds)))
                        ON CONFLICT (scope, period_start, instance)
                        DO UPDATE SET usd = excluded.usd, tokens = excluded.tokens, expires_at = excluded.expires_at
                        """, logger: logger)
                    grants[index] = BudgetLeaseGrant(spent: spent, held: held, validUntil: validUntil)
                }
                return grants.compactMap { $0 }
            }
        }
    }

    public func releaseBudgets(_ requests: [BudgetLeaseRequest], instance: String) async throws(StoreError) {
        guard !requests.isEmpty else { return }
        let ordered = requests.sorted(by: Self.locksFirst)
        try await run("release \(requests.count) shared budgets") { client, logger in
            try await client.withTransaction(logger: logger) { connection in
                for request in ordered {
                    _ = try await Self.report(request, on: connection, logger: logger)
                    let (scope, start) = (request.scope, request.periodStart)
                    try await connection.query(
                        "DELETE FROM budget_leases WHERE scope = \(scope) AND period_start = \(start) AND instance = \(instance)", logger: logger)
                }
                // Slices of periods long over, or of instances long gone.
                try await connection.query("DELETE FROM budget_leases WHERE expires_at < now() - interval '1 day'", logger: logger)
            }
        }
    }

    public func claimAlert(scope: String, periodStart: Date, threshold: Double) async throws(StoreError) -> Bool {
        try await run("claim the alert of '\(scope)'") { client, logger in
            let rows = try await client.query(
                """
                INSERT INTO budget_alerts (scope, period_start, threshold) VALUES (\(scope), \(periodStart), \(threshold))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            for try await _ in rows.decode(Int.self) { return true }
            return false
        }
    }

    public func syncRateDemand(_ demand: [String: Double], instance: String, ttl: Duration) async throws(StoreError) -> RateShares {
        // Subject '' is the instance's own row: it counts the instances alive.
        let subjects = [""] + demand.keys.sorted()
        let demands = subjects.map { demand[$0] ?? 0 }
        let seconds = ttl.milliseconds / 1000
        return try await run("report the demand on \(demand.count) rate limits") { client, logger in
            try await client.query(
                """
                INSERT INTO rate_demand (subject, instance, demand, expires_at)
                SELECT subject, \(instance), demand, now() + make_interval(secs => \(seconds))
                FROM unnest(\(subjects)::text[], \(demands)::float8[]) AS reported (subject, demand)
                ON CONFLICT (subject, instance) DO UPDATE SET demand = excluded.demand, expires_at = excluded.expires_at
                """, logger: logger)
            let rows = try await client.query(
                """
                SELECT subject, COALESCE(SUM(demand) FILTER (WHERE instance = \(instance)), 0)::float8,
                       COALESCE(SUM(demand), 0)::float8, COUNT(*)::int8
                FROM rate_demand WHERE subject = ANY(\(subjects)::text[]) AND expires_at > now() GROUP BY subject
                """, logger: logger)
            var shares: [String: Double] = [:]
            var instances = 1
            for try await (subject, mine, total, reporters) in rows.decode((String, Double, Double, Int).self) {
                if subject.isEmpty {
                    instances = reporters
                } else {
                    shares[subject] = RateShares.share(mine: mine, total: total, reporters: reporters)
                }
            }
            // Rows of instances long gone.
            try await client.query("DELETE FROM rate_demand WHERE expires_at < now() - interval '1 hour'", logger: logger)
            return RateShares(shares: shares, instances: instances)
        }
    }

    public func releaseRateDemand(instance: String) async throws(StoreError) {
        try await run("withdraw the demand on rate limits") { client, logger in
            try await client.query("DELETE FROM rate_demand WHERE instance = \(instance)", logger: logger)
        }
    }

    public func addSessionTokens(_ tokens: [SessionKey: Int]) async throws(StoreError) -> [SessionKey: Int] {
        guard !tokens.isEmpty else { return [:] }
        // Sorted, so that two instances' upserts lock the rows they share in the same order.
        let keys = tokens.keys.sorted { ($0.tenant ?? "", $0.session) < ($1.tenant ?? "", $1.session) }
        let tenants = keys.map { $0.tenant ?? "" }
        let sessions = keys.map(\.session)
        let counts = keys.map { tokens[$0] ?? 0 }
        return try await run("add the tokens of \(tokens.count) sessions") { client, logger in
            let rows = try await client.query(
                """
                INSERT INTO session_tokens (tenant, session, tokens, updated_at)
                SELECT tenant, session, tokens, now()
                FROM unnest(\(tenants)::text[], \(sessions)::text[], \(counts)::int8[]) AS reported (tenant, session, tokens)
                ON CONFLICT (tenant, session) DO UPDATE SET tokens = session_tokens.tokens + excluded.tokens, updated_at = now()
                RETURNING tenant, session, tokens
                """, logger: logger)
            var totals: [SessionKey: Int] = [:]
            for try await (tenant, session, total) in rows.decode((String, String, Int).self) {
                totals[SessionKey(tenant: tenant.isEmpty ? nil : tenant, session: session)] = total
            }
            try await client.query("DELETE FROM session_tokens WHERE updated_at < now() - interval '1 day'", logger: logger)
            return totals
        }
    }

    /// The order in which a transaction locks budgets' rows: the same in every instance, so two
    /// syncs never wait on each other in a cycle.
    static func locksFirst(_ a: BudgetLeaseRequest, _ b: BudgetLeaseRequest) -> Bool {
        (a.scope, a.periodStart) < (b.scope, b.periodStart)
    }

    /// The most of `want` that fits beside the spend and the other instances' slices.
    static func slice(want: Double, cap: Double?, spent: Double, others: Double) -> Double {
        guard let cap else { return max(0, want) }
        return max(0, min(want, cap - spent - others))
    }

    /// Adds the request's reported spend to its budget's period (which starts, the first time,
    /// from what the ledger holds for it), locking the row; returns the period's spend.
    private static func report(_ request: BudgetLeaseRequest, on connection: PostgresConnection, logger: Logger) async throws -> BudgetAccount.Amount {
        let (scope, start, end, owner) = (request.scope, request.periodStart, request.periodEnd, request.ownerID)
        // The owner's column is one of two fixed names, never text from a request.
        let column = request.owner == .tenant ? "tenant" : "key_id"
        var seed = PostgresBindings()
        seed.append(scope)
        seed.append(start)
        seed.append(end)
        seed.append(owner)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO budget_spend (scope, period_start, period_end, spent_usd, spent_tokens)
                    SELECT $1, $2, $3, COALESCE(SUM(cost_usd), 0), COALESCE(SUM(input_tokens + output_tokens), 0)
                    FROM ledger WHERE \(column) = $4 AND time >= $2 AND time < $3
                    ON CONFLICT (scope, period_start) DO NOTHING
                    """, binds: seed), logger: logger)
        let (usd, tokens) = (request.reported.usd, request.reported.tokens)
        let rows = try await connection.query(
            """
            UPDATE budget_spend SET spent_usd = spent_usd + \(usd), spent_tokens = spent_tokens + \(tokens)
            WHERE scope = \(scope) AND period_start = \(start) RETURNING spent_usd, spent_tokens
            """, logger: logger)
        for try await (spentUSD, spentTokens) in rows.decode((Double, Int).self) {
            return BudgetAccount.Amount(usd: spentUSD, tokens: spentTokens)
        }
        throw StoreError(.operationFailed, "the budget '\(scope)' has no row for its period")
    }

    /// What the other instances hold of the budget, counting unexpired slices only.
    private static func othersHolding(
        _ request: BudgetLeaseRequest, instance: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> BudgetAccount.Amount {
        let (scope, start) = (request.scope, request.periodStart)
        let rows = try await connection.query(
            """
            SELECT COALESCE(SUM(usd), 0)::float8, COALESCE(SUM(tokens), 0)::int8 FROM budget_leases
            WHERE scope = \(scope) AND period_start = \(start) AND instance <> \(instance) AND expires_at > now()
            """, logger: logger)
        for try await (usd, tokens) in rows.decode((Double, Int).self) { return BudgetAccount.Amount(usd: usd, tokens: tokens) }
        return .zero
    }
}
