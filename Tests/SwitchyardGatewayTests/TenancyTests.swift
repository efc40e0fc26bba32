import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
import SwitchyardStorage
import SwitchyardTestSupport

/// Tenants, virtual keys and budgets, end to end over loopback.
@Suite("Tenants, keys and budgets over loopback")
struct TenancyTests {
    static let adminKey = "test-admin-key-0123456789"
    static let acmeKey = "sy-acme-test-key-0123456789abcdef"
    static let globexKey = "sy-globex-test-key-0123456789abcdef"
    static let admin = [("authorization", "Bearer \(adminKey)")]
    static func bearer(_ key: String) -> [(String, String)] { [("authorization", "Bearer \(key)")] }

    /// Three tiers, an admin key, and two tenants declared in the file; `extra` is appended.
    static func yaml(mockPort: Int, acmeBudgets: String = "[]", acmeLimits: String = "{}", extra: String = "") -> String {
        """
            server: { host: 127.0.0.1, port: 0, admin_key: \(adminKey) }
            tiers: [light, mid, premium]
            providers:
              - { name: sim, base_url: "http://127.0.0.1:\(mockPort)/v1", timeout: 5s }
            models:
              - { name: cheap, provider: sim, upstream_model: sim-light, tier: light, price: { input: 0.15, output: 0.60 } }
              - { name: middle, provider: sim, upstream_model: sim-mid, tier: mid, price: { input: 0.40, output: 1.60 } }
              - { name: best, provider: sim, upstream_model: sim-premium, tier: premium, price: { input: 2.50, output: 10.00 } }
            tenants:
              - { id: acme, user_tier: pro, budgets: \(acmeBudgets), limits: \(acmeLimits) }
              - { id: globex, user_tier: pro }
            keys:
              - { id: acme-key, tenant: acme, key: \(acmeKey) }
              - { id: globex-key, tenant: globex, key: \(globexKey) }
            \(extra)
            """
    }

    /// A request whose answer is always exactly 16 output tokens.
    static let fixedBody = chatBody(model: "cheap", extra: #","max_tokens":16"#)

    /// The cost of one `fixedBody` answer, measured with an anonymous request.
    func unitCost(_ live: LiveGateway, stream: Bool = false) async throws -> Double {
        let response = try await live.post(Self.fixedBody)
        let usage = try #require(TokenUsage(openAIUsage: response.json["usage"]))
        #expect(usage.completionTokens == 16)
        return (Double(usage.promptTokens) * 0.15 + Double(usage.completionTokens) * 0.60) / 1_000_000
    }

    /// Settled spend of a tenant from the ledger, once `count` entries are in.
    func ledgerSpend(_ live: LiveGateway, tenant: String, entries count: Int) async throws -> (usd: Double, served: Int) {
        guard case .sqlite(let path) = live.configuration.storage else { return (0, 0) }
        let store = try SQLiteStore(path: path, readOnly: true)
        let deadline = ContinuousClock.now + .seconds(60)
        while try await store.ledgerCount() < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let entries = try await store.ledgerEntries(since: nil, until: nil, full: false).filter { $0.tenant == tenant }
        return (entries.reduce(0) { $0 + $1.costUSD }, entries.filter(\.succeeded).count)
    }

    func burst(stream: Bool) async throws {
        // Measure one answer's cost, then start a gateway whose file gives acme 100 answers' worth.
        let unit = try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }) { live in try await unitCost(live) }
        let cap = unit * 100
        try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0, acmeBudgets: "[{ period: daily, usd: \(cap) }]") }) { live in
            let body = stream ? chatBody(model: "cheap", stream: true, extra: #","max_tokens":16,"stream_options":{"include_usage":true}"#) : Self.fixedBody
            let responses = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for _ in 0..<300 { group.addTask { try await live.post(body, headers: Self.bearer(Self.acmeKey)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let served = responses.filter { $0.status == 200 }.count
            let refused = responses.filter { $0.status == 429 }
            #expect(served + refused.count == 300, "only 200s and 429s: \(Set(responses.map(\.status)))")
            #expect(refused.allSatisfy { $0.errorCode == "budget_exceeded" })
            #expect(refused.allSatisfy { $0.json["error"]?["resets_at"]?.stringValue != nil })
            let spend = try await ledgerSpend(live, tenant: "acme", entries: 300)
            #expect(spend.usd <= cap * (1 + 1e-9), "settled \(spend.usd) over the cap \(cap)")
            #expect(spend.served == served)
            #expect((97...100).contains(served), "served \(served) of an ideal 100")
            #expect(live.upstreamCount("sim-light") == served, "refused requests must not reach the provider")
        }
    }

    @Test("300 concurrent requests cannot overspend a budget that covers ~100")
    func concurrentBurst() async throws { try await burst(stream: false) }

    @Test("the same holds for streams")
    func concurrentStreamingBurst() async throws { try await burst(stream: true) }
}

/// A webhook receiver on loopback that keeps what it is sent.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        var body: [UInt8]
        var signature: String?
    }

    let deliveries = Mutex<[Delivery]>([])

    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            self.deliveries.withLock {
                $0.append(Delivery(body: Array(buffer.readableBytesView), signature: request.headers[HTTPField.Name("x-switchyard-signature")!]))
            }
            return .ok
        }
        var logger = Logger(label: "webhooks")
        logger.logLevel = .critical
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { sink.yield($0.localAddress?.port ?? 0) }, logger: logger)
        return try await whileServing(app, ports: ports, logger: logger) { port in try await body("http://127.0.0.1:\(port)/hook") }
    }

    /// Deliveries so far, as JSON.
    var alerts: [JSONValue] { deliveries.withLock { $0.compactMap { try? JSONParser.parse($0.body) } } }
}

extension TenancyTests {
    @Test("alerts fire once per threshold (signed webhooks), 90 % downgrades routing, 100 % stops with the reset time")
    func thresholds() async throws {
        let unit = try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }) { live in try await unitCost(live) }
        let receiver = WebhookReceiver()
        try await receiver.run { hook in
            // 10.5 answers' worth. A request reserves its worst case (≈1.2 answers here) first, so
            // the 10th fits and the 11th does not.
            let extra = "budgets: { alerts: [0.5, 0.8], webhooks: [{ url: \"\(hook)\", secret: hook-secret-123 }] }"
            try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0, acmeBudgets: "[{ period: daily, usd: \(unit * 10.5) }]", extra: extra) }) { live in
                for _ in 0..<9 {
                    let response = try await live.post(Self.fixedBody, headers: Self.bearer(Self.acmeKey))
                    #expect(response.status == 200, "\(response.body)")
                }
                let deadline = ContinuousClock.now + .seconds(20)
                while receiver.alerts.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                try await Task.sleep(for: .milliseconds(200))
                let alerts = receiver.alerts
                #expect(alerts.count == 2, "one alert per threshold: \(alerts)")
                #expect(alerts.compactMap { $0["threshold"]?.doubleValue }.sorted() == [0.5, 0.8])
                #expect(alerts.allSatisfy { $0["scope"]?.stringValue == "tenant 'acme' daily" })
                for delivery in receiver.deliveries.withLock({ $0 }) {
                    let expected = AlertDispatcher.signature(of: delivery.body, secret: "hook-secret-123")
                    #expect(delivery.signature == expected)
                }
                #expect(try await live.post(Self.fixedBody, headers: Self.bearer(Self.acmeKey)).status == 200)

                // Over 90 % spent: routing caps the tier and forbids escalation, as the record says.
                let route = try await live.post(chatBody(model: "auto"), path: "/v1/route", headers: Self.bearer(Self.acmeKey))
                let clauses = route.json["clauses"]?.arrayValue?.compactMap { $0["clause"]?.stringValue } ?? []
                #expect(clauses.contains { $0.hasPrefix("policy.budget_stress") }, "\(clauses)")
                #expect(route.json["escalation_allowed"] == false)
                #expect(route.json["ceiling_tier"] == "mid")

                // The next one would pass 100 %: refused with the reset time, nothing sent upstream.
                let before = live.upstreamCount("sim-light")
                let refused = try await live.post(Self.fixedBody, headers: Self.bearer(Self.acmeKey))
                #expect(refused.status == 429)
                #expect(refused.errorCode == "budget_exceeded")
                let tomorrow = Budget.Period.daily.interval(containing: Date()).end
                #expect(refused.json["error"]?["resets_at"]?.stringValue == TenancyCoding.iso(tomorrow))
                #expect(Int(refused.headers["retry-after"] ?? "") ?? 0 > 0)
                #expect(live.upstreamCount("sim-light") == before)
                #expect(receiver.alerts.count == 2, "no alert twice")
                // Another tenant is unaffected.
                #expect(try await live.post(Self.fixedBody, headers: Self.bearer(Self.globexKey)).status == 200)
            }
        }
    }

    @Test("keys: created once, revoked or expired keys are refused at once, tenants see only their own usage")
    func keyLifecycle() async throws {
        try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }) { live in
            let tenant = try await live.post(
                #"{"id":"initech","name":"Initech","user_tier":"free","budgets":[{"period":"monthly","usd":5}]}"#, path: "/admin/tenants",
                headers: Self.admin)
            #expect(tenant.status == 201)
            let created = try await live.post(#"{"tenant":"initech","name":"ci"}"#, path: "/admin/keys", headers: Self.admin)
            #expect(created.status == 201)
            let secret = try #require(created.json["key"]?.stringValue)
            let id = try #require(created.json["id"]?.stringValue)
            #expect(secret.hasPrefix("sy-") && secret.count == 43)
            // The secret is never shown again.
            let listed = try await live.getWithHeaders("/admin/keys?tenant=initech", headers: Self.admin)
            #expect(!listed.body.contains(secret))
            #expect(listed.json["data"]?.arrayValue?.count == 1)

            #expect(try await live.post(Self.fixedBody, headers: Self.bearer(secret)).status == 200)
            let usage = try await live.getWithHeaders("/v1/usage", headers: Self.bearer(secret))
            #expect(usage.json["tenant"] == "initech")
            #expect(usage.json["budgets"]?.arrayValue?.count == 1)
            let acmeUsage = try await live.getWithHeaders("/v1/usage", headers: Self.bearer(Self.acmeKey))
            #expect(acmeUsage.json["tenant"] == "acme", "a key sees its own tenant only")
            #expect(try await live.getWithHeaders("/admin/tenants", headers: Self.bearer(secret)).status == 403)
            #expect(try await live.getWithHeaders("/admin/keys", headers: Self.bearer(Self.acmeKey)).status == 403)

            // Revocation is effective for the very next request.
            #expect(try await live.delete("/admin/keys/\(id)", headers: Self.admin).status == 200)
            let revoked = try await live.post(Self.fixedBody, headers: Self.bearer(secret))
            #expect(revoked.status == 401)
            #expect(revoked.errorCode == "key_revoked")

            // An expired key is refused.
            let expiring = try await live.post(
                #"{"tenant":"initech","expires_at":"2020-01-01T00:00:00Z"}"#, path: "/admin/keys", headers: Self.admin)
            let expired = try await live.post(Self.fixedBody, headers: Self.bearer(try #require(expiring.json["key"]?.stringValue)))
            #expect(expired.status == 401)
            #expect(expired.errorCode == "key_expired")
            // An unknown key is refused; a key for a model it may not use is refused.
            #expect(try await live.post(Self.fixedBody, headers: Self.bearer("sy-no-such-key-0123456789abcdef")).errorCode == "invalid_api_key")
            let limited = try await live.post(#"{"tenant":"initech","allowed_models":["best"]}"#, path: "/admin/keys", headers: Self.admin)
            let forbidden = try await live.post(Self.fixedBody, headers: Self.bearer(try #require(limited.json["key"]?.stringValue)))
            #expect(forbidden.status == 403)
            #expect(forbidden.errorCode == "model_not_allowed")

            // Every admin action is in the audit log, newest first, with before and after.
            let patched = try await live.patch("/admin/tenants/initech", body: #"{"user_tier":"enterprise"}"#, headers: Self.admin)
            #expect(patched.json["user_tier"] == "enterprise")
            let audit = try await live.getWithHeaders("/admin/audit", headers: Self.admin)
            let actions = audit.json["data"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
            #expect(actions == ["tenant.update", "key.create", "key.create", "key.revoke", "key.create", "tenant.create"])
            let update = try #require(audit.json["data"]?.arrayValue?.first)
            #expect(update["before"]?["user_tier"] == "free")
            #expect(update["after"]?["user_tier"] == "enterprise")
            #expect(update["actor"] == "admin")
        }
    }

    @Test("spend and keys survive a restart")
    func survivesRestart() async throws {
        try await withTemporarySQLite { path in
            let storage: @Sendable (inout GatewayConfiguration) -> Void = { $0.storage = .sqlite(path: path) }
            let (secret, spent) = try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }, configure: storage) { live in
                _ = try await live.post(#"{"id":"hooli","budgets":[{"period":"monthly","usd":10}]}"#, path: "/admin/tenants", headers: Self.admin)
                let secret = try #require(try await live.post(#"{"tenant":"hooli"}"#, path: "/admin/keys", headers: Self.admin).json["key"]?.stringValue)
                for _ in 0..<3 { #expect(try await live.post(Self.fixedBody, headers: Self.bearer(secret)).status == 200) }
                let usage = try await live.getWithHeaders("/v1/usage", headers: Self.bearer(secret))
                return (secret, try #require(usage.json["budgets"]?.arrayValue?.first?["spent_usd"]?.doubleValue))
            }
            #expect(spent > 0)
            try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }, configure: storage) { live in
                let usage = try await live.getWithHeaders("/v1/usage", headers: Self.bearer(secret))
                #expect(usage.status == 200, "the key outlives the process")
                let restored = try #require(usage.json["budgets"]?.arrayValue?.first?["spent_usd"]?.doubleValue)
                #expect(abs(restored - spent) < 1e-12, "spend rebuilt from the ledger: \(restored) vs \(spent)")
            }
        }
    }

    @Test("rate limits answer 429 with Retry-After")
    func rateLimits() async throws {
        try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0, acmeLimits: "{ rpm: 3 }") }) { live in
            for _ in 0..<3 { #expect(try await live.post(Self.fixedBody, headers: Self.bearer(Self.acmeKey)).status == 200) }
            let limited = try await live.post(Self.fixedBody, headers: Self.bearer(Self.acmeKey))
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
            #expect(try await live.post(Self.fixedBody, headers: Self.bearer(Self.globexKey)).status == 200)
        }
    }

    @Test("changed rate limits apply at once, counting what was already used")
    func changedRateLimits() async throws {
        try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }) { live in
            let created = try await live.post(#"{"id":"hooli","limits":{"rpm":2}}"#, path: "/admin/tenants", headers: Self.admin)
            #expect(created.status == 201, "\(created.body)")
            let secret = try #require(try await live.post(#"{"tenant":"hooli"}"#, path: "/admin/keys", headers: Self.admin).json["key"]?.stringValue)
            for _ in 0..<2 { #expect(try await live.post(Self.fixedBody, headers: Self.bearer(secret)).status == 200) }
            #expect(try await live.post(Self.fixedBody, headers: Self.bearer(secret)).status == 429)

            // Raised to 5 a minute: three more, the two already used counting.
            let raised = try await live.patch("/admin/tenants/hooli", body: #"{"limits":{"rpm":5}}"#, headers: Self.admin)
            #expect(raised.status == 200, "\(raised.body)")
            for _ in 0..<3 { #expect(try await live.post(Self.fixedBody, headers: Self.bearer(secret)).status == 200) }
            #expect(try await live.post(Self.fixedBody, headers: Self.bearer(secret)).status == 429)

            // Lowered to 100 a minute and then to 1: the five used leave nothing.
            _ = try await live.patch("/admin/tenants/hooli", body: #"{"limits":{"rpm":100}}"#, headers: Self.admin)
            #expect(try await live.post(Self.fixedBody, headers: Self.bearer(secret)).status == 200)
            _ = try await live.patch("/admin/tenants/hooli", body: #"{"limits":{"rpm":1}}"#, headers: Self.admin)
            let limited = try await live.post(Self.fixedBody, headers: Self.bearer(secret))
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
        }
    }

    @Test("a conversation over budgets.session_token_alert tokens is announced once; tenants' sessions of one name apart")
    func sessionTokenAlert() async throws {
        let unit = try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }) { live in try await tokensPerAnswer(live) }
        let receiver = WebhookReceiver()
        try await receiver.run { hook in
            // Crossed by a session's third answer.
            let extra = "budgets: { session_token_alert: \(unit * 5 / 2), webhooks: [{ url: \"\(hook)\" }] }"
            try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0, extra: extra) }) { live in
                func answer(_ key: String) async throws {
                    let response = try await live.post(Self.fixedBody, headers: Self.bearer(key) + [("x-switchyard-session", "s-1")])
                    #expect(response.status == 200, "\(response.body)")
                }
                for _ in 0..<2 {
                    try await answer(Self.acmeKey)
                    try await answer(Self.globexKey)
                }
                try await Task.sleep(for: .milliseconds(300))
                #expect(receiver.alerts.isEmpty, "two answers in each tenant's s-1: \(receiver.alerts)")
                try await answer(Self.acmeKey)
                #expect(try await PostgresStorageTests.eventually { receiver.alerts.count == 1 })
                try await answer(Self.acmeKey)
                try await Task.sleep(for: .milliseconds(300))
                let alerts = receiver.alerts
                #expect(alerts.count == 1, "announced once: \(alerts)")
                #expect(alerts.first?["type"]?.stringValue == "session_tokens")
                #expect(alerts.first?["scope"]?.stringValue == "session 's-1'")
                #expect(alerts.first?["tenant"]?.stringValue == "acme")
                #expect(alerts.first?["value"]?.doubleValue == Double(unit * 3))
            }
        }
    }

    @Test("a conversation's tokens survive a restart: crossed on its total, and not announced twice")
    func sessionTokensSurviveRestart() async throws {
        try await withTemporarySQLite { path in
            let storage: @Sendable (inout GatewayConfiguration) -> Void = { $0.storage = .sqlite(path: path) }
            let unit = try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }) { live in try await tokensPerAnswer(live) }
            let receiver = WebhookReceiver()
            try await receiver.run { hook in
                // Crossed by a session's third answer.
                let extra = "budgets: { session_token_alert: \(unit * 5 / 2), webhooks: [{ url: \"\(hook)\" }] }"
                @Sendable func answer(_ live: LiveGateway, session: String) async throws {
                    let response = try await live.post(Self.fixedBody, headers: Self.bearer(Self.acmeKey) + [("x-switchyard-session", session)])
                    #expect(response.status == 200, "\(response.body)")
                }
                try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0, extra: extra) }, configure: storage) { live in
                    for _ in 0..<2 { try await answer(live, session: "s-1") }
                    for _ in 0..<3 { try await answer(live, session: "s-2") }
                    #expect(try await PostgresStorageTests.eventually { receiver.alerts.count == 1 })
                }
                try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0, extra: extra) }, configure: storage) { live in
                    try await answer(live, session: "s-1")
                    #expect(try await PostgresStorageTests.eventually { receiver.alerts.count == 2 }, "s-1's third answer, after the restart")
                    try await answer(live, session: "s-2")
                    try await Task.sleep(for: .milliseconds(300))
                }
                let alerts = receiver.alerts
                #expect(alerts.map { $0["scope"]?.stringValue } == ["session 's-2'", "session 's-1'"], "\(alerts)")
                #expect(alerts.last?["value"]?.doubleValue == Double(unit * 3))
            }
        }
    }

    /// Prompt and answer tokens of one `fixedBody` request, measured with an anonymous request.
    func tokensPerAnswer(_ live: LiveGateway) async throws -> Int {
        let usage = try #require(TokenUsage(openAIUsage: try await live.post(Self.fixedBody).json["usage"]))
        return usage.promptTokens + usage.completionTokens
    }

    @Test("auth.require_key refuses anonymous requests")
    func keysRequired() async throws {
        try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0, extra: "auth: { require_key: true }") }) { live in
            let anonymous = try await live.post(Self.fixedBody)
            #expect(anonymous.status == 401)
            #expect(anonymous.errorCode == "missing_api_key")
            #expect(try await live.post(Self.fixedBody, headers: Self.bearer(Self.acmeKey)).status == 200)
        }
    }
}
