import Foundation
import Testing

import SwitchyardCore
import SwitchyardGateway
import SwitchyardStorage

/// The gateway on PostgreSQL storage (`storage.postgres`), against the real server that
/// `scripts/test.sh` starts (`SWITCHYARD_TEST_POSTGRES_URL`).
private let postgresServerURL = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"]

@Suite(.enabled(if: postgresServerURL != nil, "SWITCHYARD_TEST_POSTGRES_URL is not set (scripts/test.sh starts a server)"))
struct PostgresStorageTests {
    static func withDatabase<T>(_ body: (PostgresLocation) async throws -> T) async throws -> T {
        try await PostgresDatabases.withTemporaryDatabase(on: try PostgresLocation(url: try #require(postgresServerURL)), body)
    }

    /// What the database holds, read by a store of the test's own.
    static func ledger(_ location: PostgresLocation, atLeast count: Int) async throws -> [LedgerEntry] {
        let store = try await PostgresStore.open(location, maxConnections: 1, readOnly: true)
        defer { Task { await store.close() } }
        let deadline = ContinuousClock.now + .seconds(30)
        while try await store.ledgerCount() < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return try await store.ledgerEntries(since: nil, until: nil, full: true)
    }

    @Test func requestsAreBookedInPostgreSQLAndTheirDecisionsServedFromIt() async throws {
        try await Self.withDatabase { location in
            let decision = try await LiveGateway.run(configure: { $0.storage = .postgres(location, maxConnections: 2) }) { live in
                let response = try await live.post(chatBody(model: "auto"))
                #expect(response.status == 200)
                return try #require(response.headers["x-switchyard-decision-id"])
            }
            let entries = try await Self.ledger(location, atLeast: 1)
            let entry = try #require(entries.first { $0.decisionID == decision })
            #expect(entry.status == 200 && entry.requestedModel == "auto" && entry.costUSD > 0)
            #expect(entry.decision?["chain"] != nil)

            // A second gateway on the same database finds the decision the first one booked.
            try await LiveGateway.run(configure: { $0.storage = .postgres(location, maxConnections: 2) }) { live in
                let record = try await live.get("/v1/decisions/\(decision)")
                #expect(record.status == 200)
                #expect(record.json["id"]?.stringValue == decision)
            }
        }
    }

    /// Tenants and keys made through one gateway's admin API are in the shared database, and a
    /// gateway started on it serves the key, with the spend booked so far counted against the
    /// tenant's budget.
    @Test func tenantsKeysAndSpendCarryAcrossGatewaysOnOneDatabase() async throws {
        try await Self.withDatabase { location in
            let yaml: @Sendable (Int) -> String = { port in
                LiveGateway.standardYAML(mockPort: port).replacingOccurrences(
                    of: "server: { host: 127.0.0.1, port: 0, max_body_bytes: 64KiB }",
                    with: "server: { host: 127.0.0.1, port: 0, max_body_bytes: 64KiB, admin_key: test-admin-key-0123456789 }")
            }
            let admin = [("authorization", "Bearer test-admin-key-0123456789")]
            let secret = try await LiveGateway.run(yaml: yaml, configure: { $0.storage = .postgres(location, maxConnections: 2) }) { live in
                let tenant = try await live.post(#"{"id":"initech"}"#, path: "/admin/tenants", headers: admin)
                #expect(tenant.status == 201 || tenant.status == 200, "\(tenant.body)")
                let key = try await live.post(#"{"tenant":"initech","name":"ci"}"#, path: "/admin/keys", headers: admin)
                let secret = try #require(key.json["key"]?.stringValue)
                let served = try await live.post(chatBody(model: "cheap"), headers: [("authorization", "Bearer \(secret)")])
                #expect(served.status == 200)
                // A cap below what was just spent.
                let capped = try await live.patch(
                    "/admin/tenants/initech", body: #"{"budgets":[{"period":"daily","usd":0.0000001}]}"#, headers: admin)
                #expect(capped.status == 200, "\(capped.body)")
                return secret
            }
            try await LiveGateway.run(yaml: yaml, configure: { $0.storage = .postgres(location, maxConnections: 2) }) { live in
                // The first gateway's answer spent more than the cap: the second one counts it.
                let refused = try await live.post(chatBody(model: "cheap"), headers: [("authorization", "Bearer \(secret)")])
                #expect(refused.status == 429)
                #expect(refused.errorCode == "budget_exceeded")
                let audit = try await live.getWithHeaders("/admin/audit", headers: admin)
                #expect(audit.body.contains("initech"))
            }
        }
    }
}

extension PostgresStorageTests {
    /// A key created, then revoked, through one instance's admin API works, then stops working,
    /// on another instance running beside it, within its refresh interval.
    @Test func adminChangesReachARunningInstance() async throws {
        try await Self.withDatabase { location in
            let yaml: @Sendable (Int) -> String = { TenancyTests.yaml(mockPort: $0) }
            let shared: @Sendable (inout GatewayConfiguration) -> Void = {
                $0.storage = .postgres(location, maxConnections: 2, refreshInterval: .milliseconds(100))
            }
            try await LiveGateway.run(yaml: yaml, configure: shared) { first in
                try await LiveGateway.run(yaml: yaml, configure: shared) { second in
                    let created = try await first.post(#"{"tenant":"acme","name":"ci"}"#, path: "/admin/keys", headers: TenancyTests.admin)
                    let secret = try #require(created.json["key"]?.stringValue)
                    let id = try #require(created.json["id"]?.stringValue)
                    let bearer = [("authorization", "Bearer \(secret)")]
                    #expect(try await Self.eventually { try await second.post(chatBody(), headers: bearer).status == 200 })

                    let revoked = try await first.delete("/admin/keys/\(id)", headers: TenancyTests.admin)
                    #expect(revoked.status == 200, "\(revoked.body)")
                    #expect(try await Self.eventually { try await second.post(chatBody(), headers: bearer).status == 401 })
                }
            }
        }
    }

    /// Shadow verdicts one instance measured move routing on another running beside it, through
    /// the shared ledger.
    @Test func shadowVerdictsReachARunningInstance() async throws {
        try await Self.withDatabase { location in
            let yaml: @Sendable (Int) -> String = { ShadowEvaluationOverHTTPTests.yaml(mockPort: $0) }
            let shared: @Sendable (inout GatewayConfiguration) -> Void = {
                $0.storage = .postgres(location, maxConnections: 2, refreshInterval: .milliseconds(100))
            }
            try await LiveGateway.run(yaml: yaml, configure: shared) { first in
                try await LiveGateway.run(yaml: yaml, configure: shared) { second in
                    for _ in 0..<4 { _ = try await first.post(chatBody(model: "auto"), headers: ShadowEvaluationOverHTTPTests.extract) }
                    // The first instance's four verdicts, judged and then written to the ledger.
                    #expect(try await Self.eventually {
                        let stats = try await first.getWithHeaders("/admin/stats", headers: ShadowEvaluationOverHTTPTests.admin).json
                        return stats["shadow"]?["tiers"]?.arrayValue?.first?["judged"]?.intValue == 4
                    })
                    #expect(try await Self.eventually {
                        let stats = try await second.getWithHeaders("/admin/stats", headers: ShadowEvaluationOverHTTPTests.admin).json
                        return stats["shadow"]?["tiers"]?.arrayValue?.first?["skipped"]?.boolValue == true
                    })
                    // The second instance, which answered nothing yet, starts extract above light.
                    let moved = try await second.post(chatBody(model: "auto"), headers: ShadowEvaluationOverHTTPTests.extract)
                    #expect(moved.headers["x-switchyard-tier"] == "mid")
                    // Each instance counts the four once: the first judged them, and passes them
                    // over when its refreshes read them back.
                    try await Task.sleep(for: .milliseconds(500))
                    for gateway in [first, second] {
                        let stats = try await gateway.getWithHeaders("/admin/stats", headers: ShadowEvaluationOverHTTPTests.admin).json
                        #expect(stats["shadow"]?["tiers"]?.arrayValue?.first?["judged"]?.intValue == 4)
                    }
                }
            }
        }
    }

    /// Whether `condition` holds within 30 s, checked every 50 ms and once more after a wait
    /// that overran the deadline (a busy machine can hold a sleeping test up for seconds).
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Budgets shared by two gateway instances on one PostgreSQL database: each reserves within a
/// slice it leases from the database, so together they cannot overspend a cap.
@Suite(.enabled(if: postgresServerURL != nil, "SWITCHYARD_TEST_POSTGRES_URL is not set (scripts/test.sh starts a server)"))
struct SharedBudgetTests {
    @Test func twoInstancesUnderConcurrentLoadStayWithinOneCap() async throws {
        let unit = try await LiveGateway.run(yaml: { TenancyTests.yaml(mockPort: $0) }) { live in try await TenancyTests().unitCost(live) }
        let cap = unit * 60
        try await PostgresStorageTests.withDatabase { location in
            // The end of the cap may sit in the other instance's slice: a request waits for it
            // (`reservation_wait`) before its 429, briefly here.
            let yaml: @Sendable (Int) -> String = {
                TenancyTests.yaml(mockPort: $0, acmeBudgets: "[{ period: daily, usd: \(cap) }]", extra: "budgets: { reservation_wait: 1s }")
            }
            let shared: @Sendable (inout GatewayConfiguration) -> Void = { $0.storage = .postgres(location, maxConnections: 4) }
            let (served, refused) = try await LiveGateway.run(yaml: yaml, configure: shared) { first in
                try await LiveGateway.run(yaml: yaml, configure: shared) { second in
                    let responses = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                        for index in 0..<200 {
                            let gateway = index.isMultiple(of: 2) ? first : second
                            group.addTask { try await gateway.post(TenancyTests.fixedBody, headers: TenancyTests.bearer(TenancyTests.acmeKey)) }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    let served = responses.filter { $0.status == 200 }.count
                    let refused = responses.filter { $0.status == 429 }
                    #expect(served + refused.count == 200, "only 200s and 429s: \(Set(responses.map(\.status)))")
                    #expect(refused.allSatisfy { $0.errorCode == "budget_exceeded" })
                    #expect(first.upstreamCount("sim-light") + second.upstreamCount("sim-light") == served)
                    return (served, refused.count)
                }
            }
            // Both instances booked into the one ledger; together they stayed within the cap.
            let entries = try await PostgresStorageTests.ledger(location, atLeast: 200).filter { $0.tenant == "acme" }
            let spent = entries.reduce(0) { $0 + $1.costUSD }
            #expect(spent <= cap * (1 + 1e-9), "settled \(spent) over the cap \(cap)")
            #expect(entries.filter(\.succeeded).count == served)
            // Each instance reserves only within its slice, so some of the cap may be left in the
            // other's hands when the burst ends; most of it is spent.
            #expect(served >= 30, "served \(served) of an ideal 60 (\(refused) refused)")
        }
    }

    /// A tenant's rate limit binds across instances: each enforces its share, so together they
    /// admit about the limit, where each alone would admit all of it.
    @Test func aRateLimitBindsAcrossInstances() async throws {
        let yaml: @Sendable (Int) -> String = { TenancyTests.yaml(mockPort: $0, acmeLimits: "{ rpm: 20 }", extra: Self.quickSync) }
        try await Self.withTwoInstances(yaml: yaml) { first, second in
            let started = ContinuousClock.now
            let statuses = try await Self.burst(40, first, second, headers: TenancyTests.bearer(TenancyTests.acmeKey))
            #expect(Set(statuses).isSubset(of: [200, 429]), "\(statuses)")
            let served = statuses.filter { $0 == 200 }.count
            // 20, give or take shares read at different moments (a few) and what refills during
            // the burst (one every 3 s); each instance alone would serve all 20 of its requests.
            let refilled = Int((ContinuousClock.now - started).milliseconds / 3000)
            #expect(served >= 15 && served <= 22 + refilled, "served \(served) of 40")
            #expect(first.upstreamCount("sim-light") > 0 && second.upstreamCount("sim-light") > 0)
        }
    }

    /// An instance that serves a tenant alone takes the whole of its rate limit, a step per
    /// sync, from the even split it starts with: it spends the split's burst, no more (a share
    /// that grows creates no tokens), and then refills at the whole limit's pace.
    @Test func anInstanceServingATenantAloneTakesItsWholeRateLimit() async throws {
        // 60 a minute: a burst of 30 at the even split, then one a second at the whole limit.
        let yaml: @Sendable (Int) -> String = { TenancyTests.yaml(mockPort: $0, acmeLimits: "{ rpm: 60 }", extra: Self.quickSync) }
        try await Self.withTwoInstances(yaml: yaml) { first, _ in
            let acme = TenancyTests.bearer(TenancyTests.acmeKey)
            let started = ContinuousClock.now
            var served = 0
            var lastRefusal: (sent: ContinuousClock.Instant, answered: ContinuousClock.Instant)?
            // One request after another until one is refused after the share has grown to all.
            while ContinuousClock.now - started < .seconds(30) {
                let sent = ContinuousClock.now
                let status = try await first.post(TenancyTests.fixedBody, headers: acme).status
                if status == 200 { served += 1; continue }
                #expect(status == 429)
                if try await Self.rateShare(of: "tenant:acme", on: first) == 1 {
                    lastRefusal = (sent, ContinuousClock.now)
                    break
                }
            }
            guard let lastRefusal else {
                Issue.record("the share never grew to 1 within 30 s (served \(served))")
                return
            }
            let spending = Int((lastRefusal.answered - started).milliseconds / 1000)
            #expect(served >= 30 && served <= 31 + spending, "served \(served) in \(spending) s from a burst of 30")
            // The bucket was empty when the refusal was decided; at one a second it holds at least
            // a token per whole second since, and at most one more than it could have refilled.
            try await Task.sleep(for: .seconds(6))
            let burstStarted = ContinuousClock.now
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 { group.addTask { try await first.post(TenancyTests.fixedBody, headers: acme).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let refilled = statuses.filter { $0 == 200 }.count
            let atLeast = Int((burstStarted - lastRefusal.answered).milliseconds / 1000)
            let atMost = Int((ContinuousClock.now - lastRefusal.sent).milliseconds / 1000) + 1
            #expect(refilled >= atLeast && refilled <= atMost, "served \(refilled) after a refill of \(atLeast)–\(atMost) s at one a second")
        }
    }

    /// A deployment's own `limits` bind across instances as tenants' do: two instances send it
    /// about its limit between them, where each alone would send it all of its own.
    @Test func aDeploymentsLimitBindsAcrossInstances() async throws {
        let yaml: @Sendable (Int) -> String = { port in
            TenancyTests.yaml(mockPort: port, extra: Self.quickSync + "\nresilience: { limit_wait: 1ms }")
                .replacingOccurrences(
                    of: "tier: light, price: { input: 0.15, output: 0.60 } }",
                    with: "tier: light, price: { input: 0.15, output: 0.60 }, limits: { rpm: 20 } }")
        }
        try await Self.withTwoInstances(yaml: yaml) { first, second in
            let started = ContinuousClock.now
            let statuses = try await Self.burst(40, first, second)
            let sent = first.upstreamCount("sim-light") + second.upstreamCount("sim-light")
            let refilled = Int((ContinuousClock.now - started).milliseconds / 3000)
            #expect(sent >= 15 && sent <= 22 + refilled, "sent \(sent) of 40 to the limited deployment")
            #expect(statuses.filter { $0 == 200 }.count == sent, "\(statuses)")
            let share = try await Self.rateShare(of: "deployment:cheap", on: first)
            #expect(share ?? 1 < 1, "\(String(describing: share))")
        }
    }

    /// A conversation whose requests go to two instances raises its `session_tokens` alert on
    /// its total over both, once: neither instance alone sees it cross.
    @Test func aSessionSpreadOverInstancesIsAnnouncedOnItsTotal() async throws {
        let unit = try await LiveGateway.run(yaml: { TenancyTests.yaml(mockPort: $0) }) { live in try await TenancyTests().tokensPerAnswer(live) }
        let receiver = WebhookReceiver()
        try await receiver.run { hook in
            // Crossed by the session's third answer; each instance alone serves two.
            let yaml: @Sendable (Int) -> String = {
                TenancyTests.yaml(
                    mockPort: $0,
                    extra: "budgets: { session_token_alert: \(unit * 5 / 2), lease_sync_interval: 100ms, lease_ttl: 30s, webhooks: [{ url: \"\(hook)\" }] }")
            }
            try await Self.withTwoInstances(yaml: yaml) { first, second in
                let session = TenancyTests.bearer(TenancyTests.acmeKey) + [("x-switchyard-session", "chat-7")]
                for gateway in [first, second, first, second] {
                    #expect(try await gateway.post(TenancyTests.fixedBody, headers: session).status == 200)
                }
                #expect(try await PostgresStorageTests.eventually { !receiver.alerts.isEmpty })
                // More answers on both, and syncs after them, announce nothing more.
                for gateway in [first, second] {
                    #expect(try await gateway.post(TenancyTests.fixedBody, headers: session).status == 200)
                }
                try await Task.sleep(for: .milliseconds(600))
            }
        }
        let alerts = receiver.alerts.filter { $0["type"]?.stringValue == "session_tokens" }
        #expect(alerts.count == 1, "\(alerts)")
        #expect(alerts.first?["scope"]?.stringValue == "session 'chat-7'")
        #expect(alerts.first?["tenant"]?.stringValue == "acme")
        #expect((alerts.first?["value"]?.doubleValue ?? 0) >= Double(unit * 3))
    }

    /// Syncs every 100 ms; reports kept 30 s, so that a stall of the test process cannot expire
    /// them.
    static let quickSync = "budgets: { lease_sync_interval: 100ms, lease_ttl: 30s }"

    /// Runs `body` with two gateway instances on one new database, configured by `yaml`, once
    /// each counts the other alive.
    static func withTwoInstances(
        yaml: @escaping @Sendable (Int) -> String, _ body: @escaping @Sendable (LiveGateway, LiveGateway) async throws -> Void
    ) async throws {
        try await PostgresStorageTests.withDatabase { location in
            let shared: @Sendable (inout GatewayConfiguration) -> Void = { $0.storage = .postgres(location, maxConnections: 2) }
            try await LiveGateway.run(yaml: yaml, configure: shared) { first in
                try await LiveGateway.run(yaml: yaml, configure: shared) { second in
                    #expect(try await Self.eventuallyCountingEachOther(first, second))
                    try await body(first, second)
                }
            }
        }
    }

    /// The statuses of `count` concurrent `fixedBody` requests, every other one to `second`.
    static func burst(_ count: Int, _ first: LiveGateway, _ second: LiveGateway, headers: [(String, String)] = []) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                let gateway = index.isMultiple(of: 2) ? first : second
                group.addTask { try await gateway.post(TenancyTests.fixedBody, headers: headers).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// `gateway`'s share of `subject`'s rate limits, from `/admin/stats`.
    static func rateShare(of subject: String, on gateway: LiveGateway) async throws -> Double? {
        let stats = try await gateway.getWithHeaders("/admin/stats", headers: TenancyTests.admin).json
        return stats["rate_limits"]?["subjects"]?.arrayValue?.first { $0["subject"]?.stringValue == subject }?["share"]?.doubleValue
    }

    /// Whether both instances report, within 30 s, that they count two instances alive.
    static func eventuallyCountingEachOther(_ gateways: LiveGateway...) async throws -> Bool {
        try await PostgresStorageTests.eventually {
            for gateway in gateways {
                let stats = try await gateway.getWithHeaders("/admin/stats", headers: TenancyTests.admin).json
                guard stats["rate_limits"]?["instances"]?.intValue == 2 else { return false }
            }
            return true
        }
    }

    /// A budget threshold crossed on both instances is announced once: the first to claim it in
    /// the database sends it.
    @Test func aThresholdCrossedOnTwoInstancesIsAnnouncedOnce() async throws {
        let unit = try await LiveGateway.run(yaml: { TenancyTests.yaml(mockPort: $0) }) { live in try await TenancyTests().unitCost(live) }
        let receiver = WebhookReceiver()
        try await receiver.run { hook in
            try await PostgresStorageTests.withDatabase { location in
                let yaml: @Sendable (Int) -> String = {
                    TenancyTests.yaml(
                        mockPort: $0, acmeBudgets: "[{ period: daily, usd: \(unit * 10.5) }]",
                        extra: "budgets: { alerts: [0.5], lease_sync_interval: 200ms, lease_ttl: 2s, webhooks: [{ url: \"\(hook)\" }] }")
                }
                let shared: @Sendable (inout GatewayConfiguration) -> Void = { $0.storage = .postgres(location, maxConnections: 2) }
                try await LiveGateway.run(yaml: yaml, configure: shared) { first in
                    try await LiveGateway.run(yaml: yaml, configure: shared) { second in
                        // The first instance spends past half the cap and announces it.
                        for _ in 0..<6 {
                            #expect(try await first.post(TenancyTests.fixedBody, headers: TenancyTests.bearer(TenancyTests.acmeKey)).status == 200)
                        }
                        #expect(try await PostgresStorageTests.eventually { receiver.alerts.count == 1 })
                        // The second learns that spend with its first slice, and crosses the same
                        // threshold when its own answer settles: the claim is already taken.
                        #expect(try await second.post(TenancyTests.fixedBody, headers: TenancyTests.bearer(TenancyTests.acmeKey)).status == 200)
                        try await Task.sleep(for: .milliseconds(500))
                    }
                }
            }
        }
        let alerts = receiver.alerts.filter { $0["type"]?.stringValue == "budget_threshold" }
        #expect(alerts.count == 1, "\(alerts)")
        #expect(alerts.first?["threshold"]?.doubleValue == 0.5)
    }
}
