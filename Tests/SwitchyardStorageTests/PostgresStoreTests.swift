import Foundation
import PostgresNIO
import Testing
import SwitchyardCore
@testable import SwitchyardStorage

/// The PostgreSQL store against a real server (see ``PostgresTestServer``): each test gets a
/// database of its own.
@Suite(.enabled(if: PostgresTestServer.isAvailable, "SWITCHYARD_TEST_POSTGRES_URL is not set (scripts/test.sh starts a server)"))
struct PostgresStoreTests {
    /// Opens a store on a fresh database, runs `body`, closes it.
    func withStore<T>(_ body: (PostgresStore, PostgresLocation) async throws -> T) async throws -> T {
        try await PostgresTestServer.withDatabase { location in
            let store = try await PostgresStore.open(location)
            do {
                let result = try await body(store, location)
                await store.close()
                return result
            } catch {
                await store.close()
                throw error
            }
        }
    }

    /// Runs SQL of the test's own through the store's pool (what a person with `psql` sees).
    func scalar<T: PostgresDecodable & Sendable>(_ store: PostgresStore, _ sql: String, as type: T.Type) async throws -> T? {
        for try await value in try await store.client.query(PostgresQuery(unsafeSQL: sql)).decode(T.self) { return value }
        return nil
    }

    @Test func entriesRoundTripWithEveryField() async throws {
        try await withStore { store, _ in
            var entries = (0..<5).map { sampleEntry($0) }
            entries[2].prompt = "Summarise this, pläase ✓"
            entries[2].answer = ""
            entries[3].region = nil
            entries[4].timeToFirstToken = .microseconds(1_250)
            entries[4].stream = true
            entries[4].cacheHit = true
            try await store.append(entries)
            #expect(try await store.ledgerCount() == 5)
            for entry in entries {
                #expect(try await store.ledgerEntry(decisionID: entry.decisionID) == entry)
            }
            let light = try await store.ledgerEntries(since: nil, until: nil, full: false)
            #expect(light.map(\.decisionID) == entries.map(\.decisionID))
            #expect(light[0].decisionJSON == nil && light[0].gates == nil && light[0].prompt == nil)
            #expect(light[0].attempts == entries[0].attempts)
            #expect(light[0].gatewayOverhead == .microseconds(3_500))
            #expect(try await store.ledgerEntry(decisionID: "dec-missing") == nil)
        }
    }

    /// The SQLite file keeps member names as tokens; PostgreSQL gets plain JSON, queryable in SQL,
    /// and the gateway reads back the same record.
    @Test func decisionRecordsAreStoredAsPlainJSON() async throws {
        try await withStore { store, _ in
            var entry = sampleEntry(1)
            var record = JSONObjectWriter(namesAsTokens: true)
            record.string("id", "dec-1")
            record.object("signals") { $0.object("task") { $0.string("value", "summarize") } }
            entry.decisionJSON = record.finishString()
            #expect(entry.decisionJSON != JSONMemberTokens.expand(entry.decisionJSON ?? ""), "the sample must hold tokens")
            try await store.append([entry])
            #expect(try await scalar(store, "SELECT decision->'signals'->'task'->>'value' FROM ledger", as: String.self) == "summarize")
            #expect(try await scalar(store, "SELECT gates->0->>'gate' FROM ledger", as: String.self) == "json")
            #expect(try await scalar(store, "SELECT attempts->1->>'deployment' FROM ledger", as: String.self) == "middle")
            let read = try #require(try await store.ledgerEntry(decisionID: "dec-1"))
            #expect(read.decisionRecordJSON == entry.decisionRecordJSON)
            #expect(read.gates == entry.gates)
        }
    }

    /// More rows than one statement may carry go in several statements of one transaction; a row
    /// the database refuses stores none of them, and the next append succeeds.
    @Test func aLargeAppendIsAtomic() async throws {
        try await withStore { store, _ in
            let count = PostgresLedgerCoding.rowsPerStatement * 2 + 7
            try await store.append((0..<count).map { sampleEntry($0) })
            #expect(try await store.ledgerCount() == count)

            try await store.client.query("ALTER TABLE ledger ADD CONSTRAINT test_refuses CHECK (decision_id <> 'refused')")
            var batch = (0..<(PostgresLedgerCoding.rowsPerStatement + 3)).map { sampleEntry(100_000 + $0) }
            batch[batch.count - 1].decisionID = "refused"
            await #expect(throws: StoreError.self) { try await store.append(batch) }
            #expect(try await store.ledgerCount() == count)
            try await store.append([sampleEntry(7)])
            #expect(try await store.ledgerCount() == count + 1)
        }
    }

    /// PostgreSQL refuses NUL in text; a prompt holding one must not block the ledger.
    @Test func textWithNULIsStored() async throws {
        try await withStore { store, _ in
            var entry = sampleEntry(1)
            entry.prompt = "before\u{0}after"
            entry.session = "s\u{0}1"
            try await store.append([entry])
            let read = try #require(try await store.ledgerEntry(decisionID: "dec-1"))
            #expect(read.prompt == "before\u{FFFD}after")
            #expect(read.session == "s\u{FFFD}1")
        }
    }

    @Test func shadowVerdictsAfterARowOldestFirst() async throws {
        try await withStore { store, _ in
            try await store.append(shadowSampleEntries())
            try await expectShadowVerdicts(of: store)
        }
    }

    @Test func timeBoundsSelectAHalfOpenRange() async throws {
        try await withStore { store, _ in
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            try await store.append((0..<10).map { sampleEntry($0, time: start) })
            let middle = try await store.ledgerEntries(since: start.addingTimeInterval(3), until: start.addingTimeInterval(6), full: false)
            #expect(middle.map(\.decisionID) == ["dec-3", "dec-4", "dec-5"])
        }
    }

    @Test func spendSumsCostAndTokensPerTenantAndKey() async throws {
        try await withStore { store, _ in
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            var entries = (0..<6).map { sampleEntry($0, time: start) }
            entries[5].tenant = nil
            entries[5].keyID = nil
            try await store.append(entries)
            let totals = try await store.spend(since: start.addingTimeInterval(1))
            let acme = totals.filter { $0.tenant == "acme" }
            // Entries 2 and 4 (entry 0 is before `since`): keys 2 and 1.
            #expect(Set(acme.compactMap(\.keyID)) == ["key-1", "key-2"])
            #expect(acme.reduce(0) { $0 + $1.tokens } == (102 + 20) + (104 + 20))
            #expect(abs(acme.reduce(0) { $0 + $1.usd } - 2 * 0.000072) < 1e-12)
            #expect(!totals.contains { $0.tenant == nil && $0.keyID == nil })
        }
    }

    @Test func sessionTokensPerTenantAndSession() async throws {
        try await withStore { store, _ in try await expectSessionTokens(of: store) }
    }

    @Test func tenantsKeysAndTheAuditLog() async throws {
        try await withStore { store, _ in
            var tenant = Tenant(id: "acme", name: "Acme", userTier: .enterprise, budgets: [Budget(period: .monthly, usd: 50)])
            try await store.save(tenant)
            tenant.name = "Acme Corp"
            try await store.save(tenant)
            try await store.save(Tenant(id: "globex"))
            #expect(try await store.tenants().map(\.id) == ["acme", "globex"])
            #expect(try await store.tenants().first?.name == "Acme Corp")
            try await store.deleteTenant(id: "globex")
            #expect(try await store.tenants().map(\.id) == ["acme"])

            var key = VirtualKey(
                id: "key_1", tenant: "acme", name: "ci", secretHash: KeySecrets.hash("sy-secret"), prefix: "sy-secr",
                created: Date(timeIntervalSince1970: 1_790_000_000), allowedModels: ["cheap"], budgets: [Budget(period: .daily, tokens: 1_000)])
            try await store.save(key)
            key.revoked = Date(timeIntervalSince1970: 1_790_000_100)
            try await store.save(key)
            let keys = try await store.keys()
            #expect(keys == [key])

            for action in ["tenant.create", "key.create", "key.revoke"] {
                try await store.append(AuditEntry(time: Date(), actor: "test", action: action, target: "acme", after: ["ok": true]))
            }
            let audit = try await store.auditEntries(limit: 2)
            #expect(audit.map(\.action) == ["key.revoke", "key.create"])
            #expect(audit.first?.after?["ok"] == .bool(true))
            // Append-only, enforced by the database.
            await #expect(throws: (any Error).self) { try await store.client.query("UPDATE audit_log SET actor = 'someone else'") }
            await #expect(throws: (any Error).self) { try await store.client.query("DELETE FROM audit_log") }
            await #expect(throws: (any Error).self) { try await store.client.query("TRUNCATE audit_log") }
            #expect(try await store.auditEntries(limit: 10).count == 3)
        }
    }

    @Test func reviewItemsAreSavedResolvedAndListedNewestFirst() async throws {
        try await withStore { store, _ in
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            var first = ReviewItem(
                id: "rev_1", decisionID: "dec-1", createdAt: base, task: "extract", model: "cheap", tier: "light", reason: "json gate",
                gates: .array([.object(["gate": "json", "passed": false])]))
            try await store.save(first)
            try await store.save(ReviewItem(
                id: "rev_2", decisionID: "dec-2", createdAt: base.addingTimeInterval(5), task: "qa", model: "cheap", tier: "light",
                reason: "confidence", gates: .array([])))
            first.resolution = ReviewItem.Resolution(verdict: "accepted", note: "fine", resolvedAt: base.addingTimeInterval(60))
            try await store.save(first)
            let items = try await store.reviewItems(limit: 10)
            #expect(items.map(\.id) == ["rev_2", "rev_1"])
            #expect(items[1] == first)
            #expect(try await store.reviewItems(limit: 1).map(\.id) == ["rev_2"])
        }
    }

    /// Several instances starting at once on a new database: one migrates, the others find it done.
    @Test func concurrentOpensMigrateOnce() async throws {
        try await PostgresTestServer.withDatabase { location in
            let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
                for _ in 0..<4 { group.addTask { try await PostgresStore.open(location) } }
                var stores: [PostgresStore] = []
                for try await store in group { stores.append(store) }
                return stores
            }
            #expect(try await scalar(stores[0], "SELECT COUNT(*) FROM switchyard_migrations", as: Int.self) == PostgresSchema.migrations.count)
            try await stores[1].append([sampleEntry(1)])
            #expect(try await stores[2].ledgerCount() == 1)
            for store in stores { await store.close() }

            // Opening again changes nothing; read-only opens work once migrated.
            let again = try await PostgresStore.open(location, readOnly: true)
            #expect(try await again.ledgerCount() == 1)
            await again.close()
        }
    }

    @Test func readOnlyOpenOfANewDatabaseSaysToStartTheGateway() async throws {
        try await PostgresTestServer.withDatabase { location in
            let error = await #expect(throws: StoreError.self) { try await PostgresStore.open(location, readOnly: true) }
            #expect(error?.kind == .incompatible)
            #expect(error?.message.contains("start the gateway once") == true)
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefused() async throws {
        try await withStore { store, location in
            try await store.client.query("INSERT INTO switchyard_migrations (name) VALUES ('v99-from-the-future')")
            let error = await #expect(throws: StoreError.self) { try await PostgresStore.open(location) }
            #expect(error?.kind == .incompatible)
            #expect(error?.message.contains("v99-from-the-future") == true)
        }
    }

    /// Refused at once in a quiet run; the bound only catches a hang (the suite's parallel tests
    /// can hold up the cooperative threads for seconds, so it sits far above the expected time).
    @Test func anUnreachableServerFailsClearlyWithoutHanging() async throws {
        let closed = try PostgresLocation(url: "postgres://switchyard:hunter2@127.0.0.1:1/ledger?sslmode=disable")
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) { try await PostgresStore.open(closed) }
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("127.0.0.1:1/ledger") == true)
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test func aMissingDatabaseIsNamedByTheServersMessage() async throws {
        var location = try PostgresLocation(url: try #require(PostgresTestServer.url))
        location.database = "sy_no_such_database"
        let error = await #expect(throws: StoreError.self) { try await PostgresStore.open(location) }
        #expect(error?.message.contains("sy_no_such_database") == true)
        #expect(error?.message.contains("does not exist") == true)
    }
}

/// The shared budgets' table of slices and spend, against a real server.
@Suite(.enabled(if: PostgresTestServer.isAvailable, "SWITCHYARD_TEST_POSTGRES_URL is not set (scripts/test.sh starts a server)"))
struct PostgresBudgetLeaseTests {
    let start = Date(timeIntervalSince1970: 1_796_601_600)  // 2026-12-07T00:00:00Z
    func usd(_ value: Double) -> BudgetAccount.Amount { BudgetAccount.Amount(usd: value, tokens: 0) }

    func request(reported: Double = 0, want: Double, cap: Double? = 1.0, owner: String = "acme") -> BudgetLeaseRequest {
        BudgetLeaseRequest(
            owner: .tenant, ownerID: owner, period: .daily, periodStart: start, periodEnd: start.addingTimeInterval(86_400), capUSD: cap,
            capTokens: nil, reported: usd(reported), want: usd(want))
    }

    /// Each instance's share of a rate limit follows its demand against every live instance's.
    @Test func rateDemandSplitsLimitsBetweenLiveInstances() async throws {
        try await withStore { store in
            let alone = try await store.syncRateDemand(["tenant:acme": 30], instance: "a", ttl: .seconds(30))
            #expect(alone == RateShares(shares: ["tenant:acme": 1], instances: 1))

            let second = try await store.syncRateDemand(["tenant:acme": 10, "key:k1": 0], instance: "b", ttl: .seconds(30))
            #expect(second.instances == 2)
            #expect(second.shares["tenant:acme"] == 0.25)
            // Reported by b alone, with no demand yet: all of it.
            #expect(second.shares["key:k1"] == 1)
            let first = try await store.syncRateDemand(["tenant:acme": 30], instance: "a", ttl: .seconds(30))
            #expect(first == RateShares(shares: ["tenant:acme": 0.75], instances: 2))

            // A report that expired no longer counts.
            _ = try await store.syncRateDemand(["tenant:acme": 10], instance: "b", ttl: .milliseconds(1))
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await store.syncRateDemand(["tenant:acme": 30], instance: "a", ttl: .seconds(30)) == RateShares(
                shares: ["tenant:acme": 1], instances: 1))

            // Nor does a withdrawn one.
            _ = try await store.syncRateDemand(["tenant:acme": 10], instance: "b", ttl: .seconds(30))
            try await store.releaseRateDemand(instance: "b")
            #expect(try await store.syncRateDemand(["tenant:acme": 30], instance: "a", ttl: .seconds(30)) == RateShares(
                shares: ["tenant:acme": 1], instances: 1))
        }
    }

    /// Sessions' tokens add up over the instances that report them, tenant by tenant.
    @Test func sessionTokensAddUpOverReports() async throws {
        try await withStore { store in
            let acme = SessionKey(tenant: "acme", session: "s-1")
            let globex = SessionKey(tenant: "globex", session: "s-1")
            let anonymous = SessionKey(tenant: nil, session: "s-1")
            let none = try await store.addSessionTokens([:])
            #expect(none.isEmpty)
            #expect(try await store.addSessionTokens([acme: 40, anonymous: 5]) == [acme: 40, anonymous: 5])
            #expect(try await store.addSessionTokens([acme: 15, globex: 7]) == [acme: 55, globex: 7])
            #expect(try await store.addSessionTokens([anonymous: 1]) == [anonymous: 6])
        }
    }

    func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        try await PostgresTestServer.withDatabase { location in
            let store = try await PostgresStore.open(location)
            do {
                try await body(store)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
        }
    }

    @Test func slicesAndSpendTogetherNeverExceedTheCap() async throws {
        try await withStore { store in
            let a = try await store.syncBudgets([request(want: 0.6)], instance: "a", ttl: .seconds(30))
            #expect(a[0].held == usd(0.6) && a[0].spent == usd(0))
            let b = try await store.syncBudgets([request(want: 0.6)], instance: "b", ttl: .seconds(30))
            #expect(abs(b[0].held.usd - 0.4) < 1e-12, "only what a's slice leaves")
            // a reports 0.5 spent of its slice and asks for 0.2 more: 1.0 − 0.5 spent − 0.4 (b) leaves 0.1.
            let a2 = try await store.syncBudgets([request(reported: 0.5, want: 0.2)], instance: "a", ttl: .seconds(30))
            #expect(a2[0].spent == usd(0.5))
            #expect(abs(a2[0].held.usd - 0.1) < 1e-12)
            // b gives its slice back on a graceful stop, reporting 0.3.
            try await store.releaseBudgets([request(reported: 0.3, want: 0)], instance: "b")
            let a3 = try await store.syncBudgets([request(want: 0.5)], instance: "a", ttl: .seconds(30))
            #expect(abs(a3[0].spent.usd - 0.8) < 1e-12)
            #expect(abs(a3[0].held.usd - 0.2) < 1e-12)
            // An uncapped dimension grants what is asked.
            let free = try await store.syncBudgets([request(want: 5, cap: nil, owner: "globex")], instance: "a", ttl: .seconds(30))
            #expect(free[0].held == usd(5))
        }
    }

    @Test func aSliceNotRenewedLapsesForTheOthers() async throws {
        try await withStore { store in
            _ = try await store.syncBudgets([request(want: 0.9)], instance: "dies", ttl: .seconds(30))
            let before = try await store.syncBudgets([request(want: 0.5)], instance: "lives", ttl: .seconds(30))
            #expect(abs(before[0].held.usd - 0.1) < 1e-12)
            // Its time passes (set in the table, not waited for: a busy machine makes waits long).
            try await store.client.query("UPDATE budget_leases SET expires_at = now() - interval '1 second' WHERE instance = 'dies'")
            let after = try await store.syncBudgets([request(want: 0.5)], instance: "lives", ttl: .seconds(30))
            #expect(after[0].held == usd(0.5))
        }
    }

    /// A budget's first period in the table starts from what the ledger already booked for it.
    @Test func aNewPeriodStartsFromTheLedger() async throws {
        try await withStore { store in
            var booked = sampleEntry(1, time: start.addingTimeInterval(3_600))
            booked.tenant = "acme"
            booked.costUSD = 0.25
            var other = sampleEntry(2, time: start.addingTimeInterval(3_600))
            other.tenant = "globex"
            var yesterday = sampleEntry(3, time: start.addingTimeInterval(-60))
            yesterday.tenant = "acme"
            try await store.append([booked, other, yesterday])
            let grant = try await store.syncBudgets([request(want: 1.0)], instance: "a", ttl: .seconds(30))
            #expect(grant[0].spent.usd == 0.25)
            #expect(grant[0].spent.tokens == booked.inputTokens + booked.outputTokens)
            #expect(abs(grant[0].held.usd - 0.75) < 1e-12)
        }
    }

    @Test func anAlertIsClaimedOncePerBudgetPeriodAndThreshold() async throws {
        try await withStore { store in
            let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 { group.addTask { try await store.claimAlert(scope: "tenant:acme:daily", periodStart: start, threshold: 0.5) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.filter { $0 }.count == 1)
            #expect(try await store.claimAlert(scope: "tenant:acme:daily", periodStart: start, threshold: 0.8))
            #expect(try await store.claimAlert(scope: "tenant:acme:daily", periodStart: start.addingTimeInterval(86_400), threshold: 0.5))
            #expect(try await store.claimAlert(scope: "key:k1:daily", periodStart: start, threshold: 0.5))
        }
    }

    /// Many instances syncing one budget at once: the row lock serialises them, and the slices
    /// granted never add up to more than the cap.
    @Test func concurrentSyncsNeverOvergrant() async throws {
        try await withStore { store in
            let grants = try await withThrowingTaskGroup(of: BudgetLeaseGrant.self) { group in
                for index in 0..<12 {
                    group.addTask { try await store.syncBudgets([request(want: 0.2)], instance: "i\(index)", ttl: .seconds(30))[0] }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let total = grants.reduce(0) { $0 + $1.held.usd }
            #expect(abs(total - 1.0) < 1e-9, "granted \(total)")
        }
    }
}
