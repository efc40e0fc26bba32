import Foundation
import Testing

@testable import SwitchyardConfig
@testable import SwitchyardCore

/// A valid configuration; the mistake cases below each change one thing.
let validYAML = """
    server:
      host: 0.0.0.0
      port: 9000
      max_body_bytes: 2MiB
      request_timeout: 90s
    tiers: [light, premium]
    providers:
      - name: openai
        kind: openai
        base_url: https://api.openai.com/v1/
        api_key: ${TEST_OPENAI_KEY}
        region: us
        timeout: 30s
        max_connections: 64
        forward_headers: [X-Trace-Id, "x-mock-*"]
        headers: { OpenAI-Organization: org-1 }
    models:
      - name: small
        provider: openai
        upstream_model: gpt-4o-mini
        tier: light
        price: { input: 0.15, output: 0.60, cached_input: 0.075 }
        context_window: 128000
        max_output_tokens: 16384
        capabilities: [logprobs, json]
      - name: big
        provider: openai
        tier: premium
        price: { input: 2.5, output: 10 }
    """

@Suite("Configuration loading")
struct ConfigLoaderTests {
    let loader = ConfigLoader(environment: ["TEST_OPENAI_KEY": "sk-test"])

    @Test("a valid file loads with every value")
    func loadsValid() throws {
        let configuration = try loader.parse(yaml: validYAML, file: "ok.yaml")
        #expect(configuration.server == ServerSettings(host: "0.0.0.0", port: 9000, maxBodyBytes: 2 << 20, requestTimeout: .seconds(90)))
        #expect(configuration.tiers == ["light", "premium"])
        let provider = try #require(configuration.provider(named: "openai"))
        #expect(provider.baseURL == "https://api.openai.com/v1")
        #expect(provider.apiKey == "sk-test")
        #expect(provider.timeout == .seconds(30))
        #expect(provider.maxConnections == 64)
        #expect(provider.forwards(header: "x-trace-id") && provider.forwards(header: "X-Mock-Fault") && !provider.forwards(header: "authorization"))
        #expect(provider.headers == ["OpenAI-Organization": "org-1"])
        let small = try #require(configuration.model(named: "small"))
        #expect(small.upstreamModel == "gpt-4o-mini")
        #expect(small.price == ModelPrice(inputPerMillion: 0.15, outputPerMillion: 0.60, cachedInputPerMillion: 0.075))
        #expect(small.capabilities == [.logprobs, .json])
        #expect(configuration.model(named: "big")?.upstreamModel == "big")
        #expect(configuration.premiumTier == "premium")
    }

    /// (what is changed, replaced text, replacement, expected line, expected key path, words in the message)
    static let mistakes: [(String, String, String, Int?, String, String)] = [
        ("price not a number", "input: 0.15,", "input: cheap,", 22, "models[0].price.input", "expected a number, got \"cheap\""),
        ("negative price", "output: 10 }", "output: -1 }", 29, "models[1].price.output", "at least 0"),
        ("missing price", "\n    price: { input: 2.5, output: 10 }", "", 26, "models[1]", "missing required key 'price'"),
        ("unknown provider", "provider: openai\n    tier: premium", "provider: opnai\n    tier: premium", 27, "models[1].provider", "did you mean 'openai'"),
        ("unknown tier", "tier: premium", "tier: gold", 28, "models[1].tier", "unknown tier 'gold'"),
        ("unknown key with typo", "upstream_model: gpt-4o-mini", "upstream_modle: gpt-4o-mini", 20, "models[0].upstream_modle", "did you mean 'upstream_model'"),
        ("bad URL", "base_url: https://api.openai.com/v1/", "base_url: api.openai.com", 10, "providers[0].base_url", "http:// or https://"),
        ("unset env var", "${TEST_OPENAI_KEY}", "${MISSING_KEY}", 11, "providers[0].api_key", "MISSING_KEY is not set"),
        ("bad duration", "timeout: 30s", "timeout: soon", 13, "providers[0].timeout", "duration"),
        ("unreadable ca_file", "timeout: 30s", "timeout: 30s\n    ca_file: /nonexistent/ca.pem", 14, "providers[0].ca_file", "cannot read \"/nonexistent/ca.pem\""),
        ("ca_file that is no certificate", "timeout: 30s", "timeout: 30s\n    ca_file: /etc/passwd", 14, "providers[0].ca_file", "holds no PEM certificate"),
        ("ca_file on plain http", "base_url: https://api.openai.com/v1/", "base_url: http://10.0.0.5:8000/v1\n    ca_file: /etc/passwd", 11, "providers[0].ca_file", "https:// providers only"),
        ("port out of range", "port: 9000", "port: 70000", 3, "server.port", "between 0 and 65535"),
        ("no event loops", "request_timeout: 90s", "request_timeout: 90s\n  event_loops: 0", 6, "server.event_loops", "between 1 and 1024"),
        ("negative CPU latency limit", "request_timeout: 90s", "request_timeout: 90s\n  cpu_latency_limit_us: -1", 6, "server.cpu_latency_limit_us", "between 0 and 2000000000"),
        ("bad size", "max_body_bytes: 2MiB", "max_body_bytes: lots", 4, "server.max_body_bytes", "size"),
        ("bad capability", "[logprobs, json]", "[logprobs, telepathy]", 25, "models[0].capabilities[1]", "must be one of"),
        ("bad provider kind", "kind: openai", "kind: carrier-pigeon", 9, "providers[0].kind", "must be one of openai"),
        ("duplicate model", "- name: big", "- name: small", 26, "models[1].name", "defined twice"),
        ("reserved model name", "- name: big", "- name: auto", 26, "models[1].name", "reserved"),
        ("tiers not a list", "tiers: [light, premium]", "tiers: light", 6, "tiers", "expected a list"),
        ("max output over context", "max_output_tokens: 16384", "max_output_tokens: 200000", 24, "models[0].max_output_tokens", "must not exceed context_window"),
        ("unknown top-level section", "tiers: [light, premium]", "tiers: [light, premium]\nrouting_magic: true", 7, "routing_magic", "unknown key"),
        ("duplicate key", "  port: 9000", "  port: 9000\n  port: 9001", 3, "", "duplicate key 'port'"),
        ("invalid YAML", "tiers: [light, premium]", "tiers: [light, premium", nil, "", "invalid YAML"),
    ]

    @Test("server.event_loops is read; without it the count is left to the CPUs the process may use")
    func eventLoops() throws {
        #expect(try loader.parse(yaml: validYAML, file: "ok.yaml").server.eventLoops == nil)
        let yaml = validYAML.replacing("request_timeout: 90s", with: "request_timeout: 90s\n  event_loops: 3", maxReplacements: 1)
        #expect(try loader.parse(yaml: yaml, file: "ok.yaml").server.eventLoops == 3)
    }

    @Test("server.cpu_latency_limit_us is read, 0 included; without it the machine's idle policy is left alone")
    func cpuLatencyLimit() throws {
        #expect(try loader.parse(yaml: validYAML, file: "ok.yaml").server.cpuLatencyLimitMicroseconds == nil)
        for limit in [0, 50] {
            let yaml = validYAML.replacing("request_timeout: 90s", with: "request_timeout: 90s\n  cpu_latency_limit_us: \(limit)", maxReplacements: 1)
            #expect(try loader.parse(yaml: yaml, file: "ok.yaml").server.cpuLatencyLimitMicroseconds == limit)
        }
    }

    @Test("each kind of mistake names file, line and key path", arguments: mistakes)
    func mistake(_ case: (String, String, String, Int?, String, String)) throws {
        let (name, original, replacement, line, path, words) = `case`
        #expect(validYAML.contains(original), "fixture for \(name)")
        let yaml = validYAML.replacing(original, with: replacement, maxReplacements: 1)
        do {
            _ = try loader.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("\(name): accepted")
        } catch {
            let match = error.issues.first { $0.path == path && $0.message.contains(words) }
            #expect(match != nil, "\(name): \(error)")
            if let match {
                #expect(match.file == "bad.yaml")
                if let line { #expect(match.line == line, "\(name): \(match)") }
                #expect(match.description.hasPrefix("bad.yaml:\(match.line ?? 0):"))
            }
        }
    }

    @Test("all problems are reported at once, in file order")
    func reportsAll() {
        let yaml = validYAML.replacing("input: 0.15,", with: "input: cheap,").replacing("tier: premium", with: "tier: gold")
        do {
            _ = try loader.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.issues.count == 2)
            #expect(error.issues.map(\.path) == ["models[0].price.input", "models[1].tier"])
            #expect(error.description.contains("2 configuration problems"))
        }
    }

    @Test("a missing file is reported with its path")
    func missingFile() {
        do {
            _ = try loader.load(path: "/nonexistent/switchyard.yaml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.issues.first?.file == "/nonexistent/switchyard.yaml")
            #expect(error.issues.first?.message.contains("cannot read") == true)
        }
    }

    @Test("an empty document is an error, not a crash")
    func emptyDocument() {
        #expect(throws: ConfigurationError.self) { try loader.parse(yaml: "", file: "empty.yaml") }
        #expect(throws: ConfigurationError.self) { try loader.parse(yaml: "- just\n- a list\n", file: "list.yaml") }
    }
}

@Suite("Environment interpolation")
struct EnvironmentInterpolationTests {
    let interpolation = EnvironmentInterpolation(environment: ["HOST": "example.com", "EMPTY": ""])

    @Test(
        "replaces references",
        arguments: [
            ("https://${HOST}/v1", "https://example.com/v1"), ("${UNSET:-fallback}", "fallback"), ("${EMPTY:-fallback}", "fallback"),
            ("${EMPTY}", ""), ("cost $5", "cost $5"), ("$${HOST}", "${HOST}"), ("${UNSET:-}", ""),
        ])
    func replaces(input: String, output: String) throws {
        #expect(try interpolation.interpolate(input) == output)
    }

    @Test("an unset variable without default is an error")
    func unset() {
        #expect(throws: EnvironmentInterpolation.Failure.unsetVariable("NOPE")) { try interpolation.interpolate("${NOPE}") }
        #expect(throws: EnvironmentInterpolation.Failure.unterminatedReference) { try interpolation.interpolate("${HOST") }
    }
}

@Suite("Shipped configurations")
struct ShippedConfigurationTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the example configuration loads")
    func exampleLoads() throws {
        let path = Self.repositoryRoot.appendingPathComponent("switchyard.example.yaml").path
        let configuration = try ConfigLoader(environment: ["OPENAI_API_KEY": "sk-x", "ANTHROPIC_API_KEY": "sk-y"]).load(path: path)
        #expect(configuration.models.count >= 3)
        #expect(configuration.tiers.count >= 3)
    }

    @Test("durations and sizes parse with units")
    func units() {
        #expect(parseDuration("250ms") == .milliseconds(250))
        #expect(parseDuration("1.5s") == .milliseconds(1500))
        #expect(parseDuration("2m") == .seconds(120))
        #expect(parseDuration("1h") == .seconds(3600))
        #expect(parseDuration("7") == .seconds(7))
        #expect(parseDuration("soon") == nil)
        #expect(parseByteSize("16MiB") == 16 << 20)
        #expect(parseByteSize("1KB") == 1000)
        #expect(parseByteSize("512") == 512)
        #expect(parseByteSize("big") == nil)
    }
}

@Suite("Tenancy configuration")
struct TenancyConfigTests {
    let base = """
        tiers: [light]
        providers: [{ name: p, base_url: "http://127.0.0.1:1/v1" }]
        models: [{ name: m, provider: p, upstream_model: m, tier: light, price: { input: 1, output: 1 } }]

        """

    @Test("tenants, keys and budgets are read")
    func reads() throws {
        let yaml = base + """
            auth: { require_key: true }
            budgets: { alerts: [0.8, 0.5], session_token_alert: 1000, webhooks: [{ url: "https://hooks.example.com/a", secret: s3cret }] }
            tenants:
              - { id: acme, user_tier: free, regions: [EU], budgets: [{ period: monthly, usd: 50 }, { period: daily, tokens: 1000 }], limits: { rpm: 60 } }
            keys:
              - { id: ci, tenant: acme, key: sy-0123456789abcdefghij, models: [m] }
            """
        let configuration = try ConfigLoader(environment: [:]).parse(yaml: yaml, file: "t.yaml")
        let tenancy = configuration.tenancy
        #expect(tenancy.requireKey)
        #expect(tenancy.alertThresholds == [0.5, 0.8])
        #expect(tenancy.sessionTokenAlert == 1000)
        #expect(tenancy.webhooks == [AlertWebhook(url: "https://hooks.example.com/a", secret: "s3cret")])
        #expect(tenancy.tenants.first?.userTier == .free)
        #expect(tenancy.tenants.first?.allowedRegions == ["eu"])
        #expect(tenancy.tenants.first?.budgets == [Budget(period: .monthly, usd: 50), Budget(period: .daily, tokens: 1000)])
        #expect(tenancy.tenants.first?.limits == RateLimits(requestsPerMinute: 60))
        #expect(tenancy.keys.first?.allowedModels == ["m"])
    }

    @Test("mistakes name the line and the key")
    func mistakes() {
        let yaml = base + """
            tenants:
              - { id: acme, budgets: [{ period: weekly, usd: 5 }] }
            keys:
              - { id: k, tenant: nobody, key: short }
            """
        let error = #expect(throws: ConfigurationError.self) { try ConfigLoader(environment: [:]).parse(yaml: yaml, file: "t.yaml") }
        let text = error?.description ?? ""
        #expect(text.contains("t.yaml:5:37: tenants[0].budgets[0].period"), "\(text)")
        #expect(!text.contains("unknown key"))
        #expect(text.contains("keys[0].tenant"))
        #expect(text.contains("keys[0].key"))
    }

    @Test("shared budgets' slice, sync interval and lifetime are read and checked")
    func leases() throws {
        let defaults = try ConfigLoader(environment: [:]).parse(yaml: base, file: "t.yaml").tenancy
        #expect(defaults.leaseShare == 0.05 && defaults.leaseSyncInterval == .seconds(1) && defaults.leaseTTL == .seconds(15))
        let yaml = base + "budgets: { lease_share: 0.1, lease_sync_interval: 500ms, lease_ttl: 5s }\n"
        let tenancy = try ConfigLoader(environment: [:]).parse(yaml: yaml, file: "t.yaml").tenancy
        #expect(tenancy.leaseShare == 0.1 && tenancy.leaseSyncInterval == .milliseconds(500) && tenancy.leaseTTL == .seconds(5))
        for (section, words) in [
            ("budgets: { lease_share: 0 }", "budgets.lease_share"), ("budgets: { lease_share: 1.5 }", "budgets.lease_share"),
            ("budgets: { lease_ttl: 2s }", "budgets.lease_ttl: lease_ttl must be at least three lease_sync_intervals"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try ConfigLoader(environment: [:]).parse(yaml: base + section + "\n", file: "t.yaml") }
            #expect(error?.description.contains(words) == true, "\(section): \(error?.description ?? "")")
        }
    }
}
