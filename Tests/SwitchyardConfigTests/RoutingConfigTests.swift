import Foundation
import SwitchyardConfig
import SwitchyardCore
import Testing

@Suite struct RoutingConfigTests {
    static let repository = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let base = """
        tiers: [light, mid, premium]
        providers:
          - { name: openai, base_url: "https://api.openai.com/v1", region: us }
          - { name: mistral, base_url: "https://api.mistral.ai/v1", region: eu }
        models:
          - { name: small, provider: openai, tier: light, price: { input: 0.1, output: 0.4 } }
          - { name: medium, provider: mistral, tier: mid, price: { input: 0.4, output: 2 } }
          - { name: large, provider: openai, tier: premium, price: { input: 2, output: 8 } }

        """

    func load(_ yaml: String) throws(ConfigurationError) -> GatewayConfiguration {
        try ConfigLoader(environment: [:]).parse(yaml: Self.base + yaml, file: "switchyard.yaml")
    }

    @Test func workedExampleLoadsAndRoutes() throws {
        let path = Self.repository.appendingPathComponent("examples/routing-policy.yaml").path
        let configuration = try ConfigLoader(environment: [:]).load(path: path)
        let routing = configuration.routing
        #expect(routing.tasks.map(\.name) == ["classify", "extract", "summarize", "generate", "reason", "code", "chat"])
        #expect(routing.task(named: "code")?.regexes.count == 2)
        #expect(routing.task(named: "summarize")?.keywords.contains("summarize") == true, "omitted keys keep the default rules")
        #expect(routing.policy.userTiers[.free] == UserTierPolicy(floor: "light", ceiling: "mid", escalation: false))
        #expect(routing.policy.residency[.restricted]?.regions == ["eu", "local"])
        #expect(routing.policy.timeWindows.map(\.name) == ["berlin-business-hours", "openai-maintenance"])
        #expect(routing.policy.timeWindows[0].timeZone.identifier == "Europe/Berlin")
        #expect(routing.policy.timeWindows[0].fromMinute == 540)
        #expect(routing.policy.budgetStress.count == 2)
        #expect(routing.policy.sessions.stickyFor == .seconds(1800))

        let engine = RoutingEngine(configuration: configuration)
        let now = ISO8601DateFormatter().date(from: "2026-01-14T22:00:00Z")!
        let restricted = try engine.route(
            RoutingRequest(model: "auto", messages: [ChatMessage(role: "user", text: "Summarize this patient record: diagnosis pending.")]),
            context: RoutingContext(now: now))
        #expect(restricted.signals.sensitivity.value == .restricted)
        #expect(restricted.chain.allSatisfy { $0.provider != "openai" })
        let code = try engine.route(
            RoutingRequest(model: "auto", messages: [ChatMessage(role: "user", text: "Traceback (most recent call last):\n  File app.py")]),
            context: RoutingContext(now: now))
        #expect(code.signals.task.value == "code")
        #expect(code.record.rulesMatched.contains { $0.rule == "tasks.code.regexes" })
    }

    /// The walk-through in docs/routing.md ("Worked example").
    @Test func workedExampleBehavesAsDocumented() throws {
        let path = Self.repository.appendingPathComponent("examples/routing-policy.yaml").path
        let engine = RoutingEngine(configuration: try ConfigLoader(environment: [:]).load(path: path))
        func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
        func ask(_ text: String, history: [ChatMessage] = []) -> RoutingRequest {
            RoutingRequest(model: "auto", messages: history + [ChatMessage(role: "user", text: text)])
        }
        let wednesdayNight = date("2026-01-14T22:00:00Z")
        let refactor = try engine.route(ask("Refactor this function and write a test"), context: RoutingContext(userTier: .pro, now: wednesdayNight))
        #expect(refactor.signals.task.value == "code")
        #expect(refactor.signals.complexity.value < 0.35)
        #expect(refactor.chain.map(\.name) == ["gpt-4.1-nano", "mistral-small", "gpt-4.1-mini", "mistral-medium", "mistral-large", "gpt-4.1"])

        let free = try engine.route(ask("Refactor this function and write a test"), context: RoutingContext(userTier: .free, now: date("2026-01-13T09:00:00Z")))
        #expect(free.chain.map(\.tier) == ["light", "light"])
        #expect(!free.escalationAllowed)

        let patient = try engine.route(ask("Summarize this patient record"), context: RoutingContext(now: wednesdayNight))
        #expect(patient.chain.map(\.name) == ["mistral-small", "mistral-medium", "mistral-large"])
        let down = #expect(throws: GatewayError.self) {
            try engine.route(ask("Summarize this patient record"), context: RoutingContext(now: wednesdayNight, unavailableDeployments: ["mistral-small", "mistral-medium", "mistral-large"]))
        }
        #expect(down?.status == 503)

        let sunday = try engine.route(ask("Refactor this function"), context: RoutingContext(now: date("2026-01-18T03:00:00Z")))
        #expect(sunday.chain.allSatisfy { $0.provider != "openai" })

        let stressed = try engine.route(ask("Prove it step by step and compare the trade-offs"), context: RoutingContext(now: wednesdayNight, budgetUtilization: 0.96))
        #expect(stressed.chain.allSatisfy { $0.tier == "light" })
        #expect(!stressed.escalationAllowed)

        let history = [ChatMessage(role: "user", text: "How long is the refund window?"), ChatMessage(role: "assistant", text: "14 days.")]
        let dispute = try engine.route(
            ask("That's wrong, the policy says 30 days", history: history),
            context: RoutingContext(now: wednesdayNight, session: SessionSnapshot(id: "conv-7", lastTier: "light", lastServedAt: wednesdayNight)))
        #expect(dispute.chosen.tier == "mid")
        #expect(dispute.escalated)
    }

    @Test func configWithoutRoutingSectionsGetsTheDefaults() throws {
        let configuration = try load("")
        #expect(configuration.routing.tasks.map(\.name) == DefaultRouting.taskNames)
        #expect(DefaultRouting.taskNames == ["classify", "extract", "summarize", "generate", "reason", "code", "chat"])
        #expect(configuration.routing.tasks.allSatisfy { $0.regexes.isEmpty && !$0.keywords.isEmpty })
        #expect(configuration.routing.task(named: "reason")?.thresholds == ["mid": 0.25, "premium": 0.5])
        #expect(configuration.routing.policy.userTiers[.free]?.ceiling == "mid")
        #expect(configuration.routing == RoutingConfiguration.defaults(tiers: ["light", "mid", "premium"]))
    }

    struct Mistake: Sendable, CustomTestStringConvertible {
        var yaml: String
        var path: String
        var message: String
        var line: Int
        var testDescription: String { path }
    }

    static let mistakes: [Mistake] = [
        Mistake(yaml: "tasks:\n  - { name: code, chain: [light, ultra] }\n", path: "tasks[0].chain", message: "unknown tier 'ultra'", line: 10),
        Mistake(yaml: "tasks:\n  - { name: code, thresholds: { premum: 0.5 } }\n", path: "tasks[0].thresholds.premum", message: "unknown tier 'premum'", line: 10),
        Mistake(yaml: "tasks:\n  - { name: code, thresholds: { mid: 1.5 } }\n", path: "tasks[0].thresholds.mid", message: "between 0 and 1", line: 10),
        Mistake(yaml: "tasks:\n  - name: code\n    regexes: [\"(unclosed\"]\n", path: "tasks[0].regexes[0]", message: "invalid regular expression", line: 11),
        Mistake(yaml: "tasks:\n  - { name: code, keywrds: [x] }\n", path: "tasks[0].keywrds", message: "did you mean 'keywords'", line: 10),
        Mistake(yaml: "heuristics:\n  weights: { cleverness: 0.3 }\n", path: "heuristics.weights.cleverness", message: "unknown feature", line: 10),
        Mistake(yaml: "policy:\n  default_task: dance\n", path: "policy.default_task", message: "unknown task 'dance'", line: 10),
        Mistake(yaml: "policy:\n  user_tiers:\n    free: { ceiling: premiun }\n", path: "policy.user_tiers.free.ceiling", message: "did you mean 'premium'", line: 11),
        Mistake(yaml: "policy:\n  user_tiers:\n    free: { floor: premium, ceiling: light }\n", path: "policy.user_tiers.free.floor", message: "above ceiling", line: 11),
        Mistake(yaml: "policy:\n  user_tiers:\n    gold: { ceiling: mid }\n", path: "policy.user_tiers.gold", message: "unknown key 'gold'", line: 11),
        Mistake(yaml: "policy:\n  residency:\n    secret: { regions: [eu] }\n", path: "policy.residency.secret", message: "unknown key", line: 11),
        Mistake(
            yaml: "policy:\n  time_windows:\n    - { name: w, timezone: Europe/Berlinn, from: \"09:00\", to: \"18:00\", ceiling: light }\n",
            path: "policy.time_windows[0].timezone", message: "unknown timezone 'Europe/Berlinn'", line: 11),
        Mistake(
            yaml: "policy:\n  time_windows:\n    - { name: w, timezone: UTC, from: \"9am\", to: \"18:00\", ceiling: light }\n",
            path: "policy.time_windows[0].from", message: "expected a time", line: 11),
        Mistake(
            yaml: "policy:\n  time_windows:\n    - { name: m, timezone: UTC, from: \"02:00\", to: \"04:00\", exclude_providers: [opneai] }\n",
            path: "policy.time_windows[0].exclude_providers", message: "unknown provider 'opneai'", line: 11),
        Mistake(
            yaml: "policy:\n  time_windows:\n    - { name: w, timezone: UTC, days: [mon, funday], from: \"02:00\", to: \"04:00\", ceiling: light }\n",
            path: "policy.time_windows[0].days", message: "unknown day 'funday'", line: 11),
        Mistake(yaml: "policy:\n  budget_stress:\n    - { above: 0.9, ceiling: platinum }\n", path: "policy.budget_stress[0].ceiling", message: "unknown tier", line: 11),
        Mistake(yaml: "policy:\n  sessions: { sticky_for: forever }\n", path: "policy.sessions.sticky_for", message: "duration", line: 10),
        Mistake(yaml: "policy:\n  shadow: { rate: 0.1, model: larg }\n", path: "policy.shadow.model", message: "did you mean 'large'", line: 10),
        Mistake(yaml: "policy:\n  shadow: { rate: 1.5, model: large }\n", path: "policy.shadow.rate", message: "between 0 and 1", line: 10),
        Mistake(yaml: "policy:\n  shadow: { model: large }\n", path: "policy.shadow", message: "missing required key 'rate'", line: 10),
        Mistake(
            yaml: "policy:\n  shadow: { rate: 0.1, model: large, agreement: fuzzy }\n", path: "policy.shadow.agreement", message: "must be one of",
            line: 10),
        Mistake(yaml: "policy:\n  shadow: { rate: 0.1, model: large, tasks: [extract, dance] }\n", path: "policy.shadow.tasks", message: "unknown task 'dance'", line: 10),
        Mistake(
            yaml: "policy:\n  shadow: { rate: 0.1, model: large, min_samples: 50, window: 20 }\n", path: "policy.shadow.min_samples",
            message: "must not exceed window", line: 10),
    ]

    @Test(arguments: mistakes)
    func mistakesAreReportedWithLocationAndPath(_ test: Mistake) {
        let error = #expect(throws: ConfigurationError.self) { try load(test.yaml) }
        let issue = error?.issues.first { $0.path == test.path }
        #expect(issue != nil, "expected an issue at \(test.path); got \(error?.issues.map(\.description) ?? [])")
        #expect(issue?.message.contains(test.message) == true, "\(issue?.message ?? "")")
        #expect(issue?.line == test.line)
        #expect(issue?.file == "switchyard.yaml")
    }

    @Test func routingSectionsAreNotReportedAsUnknownWhenModelsAreBroken() {
        let yaml = "tiers: [light]\nproviders: []\nmodels: []\npolicy: { default_task: chat }\n"
        let error = #expect(throws: ConfigurationError.self) { try ConfigLoader(environment: [:]).parse(yaml: yaml, file: "f.yaml") }
        #expect(error?.issues.contains { $0.path == "policy" } == false)
    }

    @Test func weekdayShortcutsAndPastMidnightWindows() throws {
        let configuration = try load("""
            policy:
              time_windows:
                - { name: night, timezone: America/New_York, days: [weekdays], from: "22:00", to: "06:00", ceiling: light }
            """)
        let window = try #require(configuration.routing.policy.timeWindows.first)
        #expect(window.days == [.mon, .tue, .wed, .thu, .fri])
        #expect(window.fromMinute == 22 * 60 && window.toMinute == 6 * 60)
    }

    @Test func shadowEvaluationIsReadWithItsDefaults() throws {
        #expect(try load("").routing.policy.shadow == nil)
        let shadow = try #require(try load("policy:\n  shadow: { rate: 0.02, model: large, agreement: json, min_agreement: 0.9, tasks: [extract] }\n").routing.policy.shadow)
        #expect(shadow == ShadowSettings(rate: 0.02, model: "large", agreement: .json, tasks: ["extract"], minSamples: 20, minAgreement: 0.9, window: 100))
    }
}
