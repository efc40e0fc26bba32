import Foundation
import SwitchyardCore
import Testing

@Suite struct RoutingPolicyTests {
    let engine = RoutingFixtures.engine

    func route(_ request: RoutingRequest, _ context: RoutingContext = RoutingFixtures.context()) throws -> RoutingDecision {
        try engine.route(request, context: context)
    }

    func complexity(_ value: Double, task: String = "reason") -> RoutingHints {
        RoutingHints(
            task: Hint(value: task, source: .metadataHeader, param: "x-switchyard-task"),
            complexity: Hint(value: value, source: .metadataHeader, param: "x-switchyard-complexity"))
    }

    // MARK: thresholds and chain

    struct ThresholdCase: Sendable {
        var task: String
        var complexity: Double
        var start: String
    }

    static let thresholdCases: [ThresholdCase] = [
        ThresholdCase(task: "reason", complexity: 0.1, start: "light"),
        ThresholdCase(task: "reason", complexity: 0.3, start: "mid"),
        ThresholdCase(task: "reason", complexity: 0.5, start: "premium"),
        ThresholdCase(task: "extract", complexity: 0.3, start: "light"),
        ThresholdCase(task: "extract", complexity: 0.5, start: "mid"),
        ThresholdCase(task: "extract", complexity: 0.79, start: "mid"),
        ThresholdCase(task: "extract", complexity: 0.8, start: "premium"),
    ]

    @Test(arguments: thresholdCases)
    func thresholdsPickTheStartTier(_ test: ThresholdCase) throws {
        let decision = try route(RoutingFixtures.request("x", hints: complexity(test.complexity, task: test.task)))
        #expect(decision.chosen.tier == test.start)
        #expect(decision.record.clauses.first?.clause.hasPrefix("tasks.\(test.task).") == true)
        // The chain climbs from the start tier to the top, never below it, and never into `local`.
        let ranks = decision.chain.map { RoutingFixtures.tiers.firstIndex(of: $0.tier)! }
        #expect(ranks == ranks.sorted())
        #expect(decision.chain.last?.tier == "premium")
        #expect(!decision.chain.contains { $0.tier == "local" })
    }

    @Test func cheapestDeploymentFirstWithinATier() throws {
        let decision = try route(RoutingFixtures.request("x", hints: complexity(0)))
        #expect(decision.chain.map(\.name) == ["us-light-cheap", "us-light", "eu-light", "us-mid", "eu-mid", "us-premium"])
        #expect(decision.record.chosen == "us-light-cheap")
    }

    // MARK: model forms

    struct ModelCase: Sendable {
        var model: String
        var chain: [String]
    }

    static let modelCases: [ModelCase] = [
        ModelCase(model: "tier:mid", chain: ["us-mid", "eu-mid"]),
        ModelCase(model: "tier:local", chain: ["local-small"]),
        ModelCase(model: "eu-light", chain: ["eu-light"]),
    ]

    @Test(arguments: modelCases)
    func pinnedModelsAndTiers(_ test: ModelCase) throws {
        let decision = try route(RoutingFixtures.request("Prove the theorem step by step", model: test.model))
        #expect(decision.chain.map(\.name) == test.chain)
    }

    @Test(arguments: ["gpt-5", "tier:ultra", "Auto", "tier:"])
    func unknownModelIs404(_ model: String) throws {
        let error = #expect(throws: GatewayError.self) { try route(RoutingFixtures.request("hi", model: model)) }
        #expect(error?.status == 404)
        #expect(error?.code == "model_not_found")
    }

    @Test func pinAboveTheCeilingIs403() throws {
        let error = #expect(throws: GatewayError.self) {
            try route(RoutingFixtures.request("hi", model: "tier:premium"), RoutingFixtures.context(.free))
        }
        #expect(error?.status == 403)
        #expect(error?.message.contains("policy.user_tiers.free.ceiling") == true)
    }

    // MARK: user tiers

    struct UserTierCase: Sendable {
        var tier: UserTier
        var complexity: Double
        var start: String
        var top: String
        var escalation: Bool
    }

    static let userTierCases: [UserTierCase] = [
        UserTierCase(tier: .free, complexity: 0.9, start: "mid", top: "mid", escalation: false),
        UserTierCase(tier: .free, complexity: 0.0, start: "light", top: "mid", escalation: false),
        UserTierCase(tier: .pro, complexity: 0.9, start: "premium", top: "premium", escalation: true),
        UserTierCase(tier: .pro, complexity: 0.0, start: "light", top: "premium", escalation: true),
        UserTierCase(tier: .enterprise, complexity: 0.0, start: "mid", top: "premium", escalation: true),
    ]

    @Test(arguments: userTierCases)
    func userTierFloorsCeilingsAndEscalation(_ test: UserTierCase) throws {
        let decision = try route(RoutingFixtures.request("x", hints: complexity(test.complexity)), RoutingFixtures.context(test.tier))
        #expect(decision.chosen.tier == test.start)
        #expect(decision.chain.last?.tier == test.top)
        #expect(decision.escalationAllowed == test.escalation)
        #expect(decision.record.ceilingTier == test.top)
    }

    // MARK: residency and regions

    struct ResidencyCase: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var hints: RoutingHints = RoutingHints()
        var unavailable: Set<String> = []
        var model = "auto"
        var userTier: UserTier = .pro
        var testDescription: String { label }
    }

    static let restrictedHeader = RoutingHints(sensitivity: Hint(value: .restricted, source: .metadataHeader, param: "x-switchyard-sensitivity"))

    static let residencyCases: [ResidencyCase] = [
        ResidencyCase(label: "rule-detected restricted", text: "Patient record: diagnosis follows. Summarize."),
        ResidencyCase(label: "header restricted, hard prompt", text: "Prove this theorem rigorously step by step and analyze the edge cases.", hints: restrictedHeader),
        ResidencyCase(label: "restricted with the cheap eu deployment down", text: "Passport number attached; extract it.", unavailable: ["eu-light"]),
        ResidencyCase(label: "restricted free user", text: "Patient record: diagnosis follows.", userTier: .free),
        ResidencyCase(label: "restricted pinned tier", text: "Patient record: diagnosis follows.", model: "tier:mid"),
    ]

    @Test(arguments: residencyCases)
    func restrictedDataNeverLeavesItsRegions(_ test: ResidencyCase) throws {
        let decision = try route(
            RoutingFixtures.request(test.text, model: test.model, hints: test.hints), RoutingFixtures.context(test.userTier, unavailable: test.unavailable))
        #expect(decision.signals.sensitivity.value == .restricted)
        #expect(!decision.chain.isEmpty)
        let regions = Set(decision.record.chain.map(\.region))
        #expect(regions == ["eu"])
        #expect(decision.record.clauses.contains { $0.clause == "policy.residency.restricted.regions" })
        #expect(decision.record.excluded.contains { $0.model == "us-premium" || $0.model == "us-mid" || $0.model == "us-light-cheap" })
    }

    @Test(arguments: [["eu-light", "eu-mid"], ["eu-light", "eu-mid", "local-small"]])
    func restrictedWithEveryInRegionDeploymentDownIs503(_ down: [String]) throws {
        let error = #expect(throws: GatewayError.self) {
            try route(RoutingFixtures.request("Patient record: diagnosis follows."), RoutingFixtures.context(unavailable: Set(down)))
        }
        #expect(error?.status == 503)
        #expect(error?.code == "no_eligible_deployment")
        #expect(error?.message.contains("restricted data never leaves eu") == true)
        #expect(error?.message.contains("eu-mid: unavailable") == true)
        #expect(error?.message.contains("us-premium") == true)
    }

    @Test func pinnedOutOfRegionModelWithRestrictedDataIs503() throws {
        let error = #expect(throws: GatewayError.self) {
            try route(RoutingFixtures.request("Patient record: diagnosis follows.", model: "us-premium"))
        }
        #expect(error?.status == 503)
    }

    @Test func restrictedCanBePinnedToLocalDeployments() throws {
        var routing = RoutingFixtures.routing()
        routing.policy.residency[.restricted] = ResidencyRule(localOnly: true)
        let engine = RoutingEngine(configuration: RoutingFixtures.configuration(routing: routing))
        let decision = try engine.route(RoutingFixtures.request("Patient record: diagnosis follows."), context: RoutingFixtures.context())
        #expect(decision.chain.map(\.name) == ["local-small"])
        #expect(decision.record.clauses.contains { $0.clause == "policy.residency.restricted.local_only" })
        let down = #expect(throws: GatewayError.self) {
            try engine.route(RoutingFixtures.request("Patient record: diagnosis follows."), context: RoutingFixtures.context(unavailable: ["local-small"]))
        }
        #expect(down?.status == 503)
        #expect(down?.message.contains("local deployments") == true)
    }

    struct RegionCase: Sendable {
        var allowed: Set<String>?
        var requestRegion: String?
        var hint: String?
        var expected: Set<String>
    }

    static let regionCases: [RegionCase] = [
        RegionCase(allowed: nil, requestRegion: nil, hint: nil, expected: ["us", "eu"]),
        RegionCase(allowed: ["eu"], requestRegion: nil, hint: nil, expected: ["eu"]),
        RegionCase(allowed: nil, requestRegion: "eu", hint: nil, expected: ["eu"]),
        RegionCase(allowed: nil, requestRegion: nil, hint: "us", expected: ["us"]),
        RegionCase(allowed: ["eu", "us"], requestRegion: "us", hint: nil, expected: ["us"]),
    ]

    @Test(arguments: regionCases)
    func tenantAndRequestRegionsRestrictTheChain(_ test: RegionCase) throws {
        let request = RoutingFixtures.request("x", hints: RoutingHints(complexity: Hint(value: 0, source: .metadataHeader, param: "c"), region: test.hint))
        let decision = try route(request, RoutingFixtures.context(regions: test.allowed, requestRegion: test.requestRegion))
        #expect(Set(decision.record.chain.compactMap(\.region)) == test.expected)
    }

    @Test func publicDataFallsBackAcrossRegionsWhenEuIsDown() throws {
        let decision = try route(RoutingFixtures.request("x", hints: complexity(0)), RoutingFixtures.context(unavailable: ["eu-light", "eu-mid"]))
        #expect(decision.chain.map(\.name) == ["us-light-cheap", "us-light", "us-mid", "us-premium"])
        #expect(decision.record.excluded.map(\.model).sorted() == ["eu-light", "eu-mid"])
    }

    // MARK: time windows

    struct WindowCase: Sendable, CustomTestStringConvertible {
        var label: String
        var utc: String
        var userTier: UserTier
        var chosenTier: String
        var openaiExcluded: Bool = false
        var testDescription: String { label }
    }

    static let windowCases: [WindowCase] = [
        // Winter (CET, UTC+1): 09:00 Berlin = 08:00 UTC.
        WindowCase(label: "winter 07:59 UTC = 08:59 Berlin, closed", utc: "2026-03-27T07:59:00Z", userTier: .free, chosenTier: "mid"),
        WindowCase(label: "winter 08:00 UTC = 09:00 Berlin, open", utc: "2026-03-27T08:00:00Z", userTier: .free, chosenTier: "light"),
        // After the spring change (CEST, UTC+2, from 2026-03-29): 09:00 Berlin = 07:00 UTC.
        WindowCase(label: "summer 07:00 UTC = 09:00 Berlin, open", utc: "2026-03-30T07:00:00Z", userTier: .free, chosenTier: "light"),
        WindowCase(label: "summer 15:59 UTC = 17:59 Berlin, open", utc: "2026-03-30T15:59:00Z", userTier: .free, chosenTier: "light"),
        WindowCase(label: "summer 16:00 UTC = 18:00 Berlin, closed", utc: "2026-03-30T16:00:00Z", userTier: .free, chosenTier: "mid"),
        // Autumn change on 2026-10-25: back to UTC+1 from Monday 26th.
        WindowCase(label: "Fri before autumn change, 07:30 UTC = 09:30 CEST, open", utc: "2026-10-23T07:30:00Z", userTier: .free, chosenTier: "light"),
        WindowCase(label: "Mon after autumn change, 07:30 UTC = 08:30 CET, closed", utc: "2026-10-26T07:30:00Z", userTier: .free, chosenTier: "mid"),
        WindowCase(label: "Mon after autumn change, 08:00 UTC = 09:00 CET, open", utc: "2026-10-26T08:00:00Z", userTier: .free, chosenTier: "light"),
        WindowCase(label: "weekend, closed", utc: "2026-03-28T10:00:00Z", userTier: .free, chosenTier: "mid"),
        WindowCase(label: "business hours, pro users unaffected", utc: "2026-03-30T09:00:00Z", userTier: .pro, chosenTier: "premium"),
        WindowCase(label: "openai maintenance Sunday 03:00 UTC", utc: "2026-03-29T03:00:00Z", userTier: .pro, chosenTier: "mid", openaiExcluded: true),
        WindowCase(label: "after maintenance Sunday 04:00 UTC", utc: "2026-03-29T04:00:00Z", userTier: .pro, chosenTier: "premium"),
    ]

    @Test(arguments: windowCases)
    func timeWindowsAcrossDaylightSavingChanges(_ test: WindowCase) throws {
        let decision = try route(
            RoutingFixtures.request("x", hints: complexity(0.9)), RoutingFixtures.context(test.userTier, now: RoutingFixtures.date(test.utc)))
        #expect(decision.chosen.tier == test.chosenTier)
        #expect(decision.chain.contains { $0.provider == "openai" } == !test.openaiExcluded)
        if test.openaiExcluded {
            #expect(decision.record.excluded.contains { $0.clause.hasPrefix("policy.time_windows[1]") })
        }
    }

    @Test func windowPastMidnightBelongsToTheDayItOpens() {
        let window = TimeWindow(name: "night", timeZone: RoutingFixtures.berlin, days: [.fri], fromMinute: 22 * 60, toMinute: 2 * 60, ceiling: "light")
        #expect(window.isOpen(at: RoutingFixtures.date("2026-03-27T21:30:00Z")))  // Fri 22:30 CET
        #expect(window.isOpen(at: RoutingFixtures.date("2026-03-28T00:30:00Z")))  // Sat 01:30 CET
        #expect(!window.isOpen(at: RoutingFixtures.date("2026-03-28T21:30:00Z")))  // Sat 22:30
        #expect(!window.isOpen(at: RoutingFixtures.date("2026-03-27T20:30:00Z")))  // Fri 21:30
    }

    // MARK: budget stress

    struct BudgetCase: Sendable {
        var utilization: Double?
        var chosenTier: String
        var top: String
        var escalation: Bool
    }

    static let budgetCases: [BudgetCase] = [
        BudgetCase(utilization: nil, chosenTier: "premium", top: "premium", escalation: true),
        BudgetCase(utilization: 0.5, chosenTier: "premium", top: "premium", escalation: true),
        BudgetCase(utilization: 0.85, chosenTier: "premium", top: "premium", escalation: false),
        BudgetCase(utilization: 0.97, chosenTier: "light", top: "light", escalation: false),
    ]

    @Test(arguments: budgetCases)
    func budgetStressCapsAndForbidsEscalation(_ test: BudgetCase) throws {
        let decision = try route(RoutingFixtures.request("x", hints: complexity(0.9)), RoutingFixtures.context(budget: test.utilization))
        #expect(decision.chosen.tier == test.chosenTier)
        #expect(decision.chain.last?.tier == test.top)
        #expect(decision.escalationAllowed == test.escalation)
    }

    // MARK: sessions

    let history = [ChatMessage(role: "user", text: "What is our refund window?"), ChatMessage(role: "assistant", text: "14 days.")]

    @Test func escalatedSessionStaysEscalatedUntilStickinessEnds() throws {
        var tracker = SessionTracker(configuration: RoutingFixtures.configuration())
        let t0 = RoutingFixtures.quietTime
        tracker.noteServed(session: "s1", tier: "premium", escalated: true, now: t0)
        struct Step { var offset: TimeInterval; var tier: String }
        for step in [Step(offset: 60, tier: "premium"), Step(offset: 1799, tier: "premium"), Step(offset: 1800, tier: "light")] {
            let now = t0.addingTimeInterval(step.offset)
            let decision = try route(
                RoutingFixtures.request("ok", hints: complexity(0, task: "chat")),
                RoutingFixtures.context(now: now, session: tracker.state(for: "s1", now: now)))
            #expect(decision.chosen.tier == step.tier, "after \(step.offset)s")
        }
    }

    struct DisputeCase: Sendable, CustomTestStringConvertible {
        var text: String
        var previousTier: String?
        var userTier: UserTier = .pro
        var chosenTier: String
        var escalated: Bool
        var testDescription: String { "\(text) after \(previousTier ?? "nothing") (\(userTier))" }
    }

    static let disputeCases: [DisputeCase] = [
        DisputeCase(text: "That's wrong, the refund window is 30 days.", previousTier: "light", chosenTier: "mid", escalated: true),
        DisputeCase(text: "But the policy says 30 days!", previousTier: "mid", chosenTier: "premium", escalated: true),
        DisputeCase(text: "THAT IS WRONG.", previousTier: nil, chosenTier: "mid", escalated: true),
        DisputeCase(text: "Thanks, that helps.", previousTier: "light", chosenTier: "light", escalated: false),
        DisputeCase(text: "That's wrong.", previousTier: "light", userTier: .free, chosenTier: "light", escalated: false),
    ]

    @Test(arguments: disputeCases)
    func disputedAnswersEscalate(_ test: DisputeCase) throws {
        let session = test.previousTier.map { SessionSnapshot(id: "s1", lastTier: $0, lastServedAt: RoutingFixtures.quietTime) }
        let hints = RoutingHints(complexity: Hint(value: 0, source: .metadataHeader, param: "c"), session: "s1")
        let decision = try route(
            RoutingFixtures.request(test.text, hints: hints, history: history), RoutingFixtures.context(test.userTier, session: session))
        #expect(decision.chosen.tier == test.chosenTier)
        #expect(decision.escalated == test.escalated)
        #expect(decision.record.clauses.contains { $0.clause == "policy.sessions.dispute_phrases" } == test.text.lowercased().contains("wrong") || test.text.contains("policy says"))
    }

    @Test func disputeWithoutAnEarlierAnswerIsNotADispute() throws {
        let decision = try route(RoutingFixtures.request("That's wrong to say, isn't it?", hints: complexity(0, task: "chat")))
        #expect(!decision.signals.disputed)
        #expect(!decision.escalated)
    }

    @Test func trackerForgetsIdleSessionsAndKeepsTheHighestEscalation() {
        var tracker = SessionTracker(policy: SessionPolicy(stickyFor: .seconds(600)), tiers: RoutingFixtures.tiers)
        let t0 = RoutingFixtures.quietTime
        tracker.noteServed(session: "a", tier: "light", escalated: false, now: t0)
        #expect(tracker.state(for: "a", now: t0.addingTimeInterval(599))?.lastTier == "light")
        #expect(tracker.state(for: "a", now: t0.addingTimeInterval(600)) == nil)
        tracker.noteServed(session: "b", tier: "premium", escalated: true, now: t0)
        tracker.noteServed(session: "b", tier: "mid", escalated: true, now: t0.addingTimeInterval(10))
        let state = tracker.state(for: "b", now: t0.addingTimeInterval(20))
        #expect(state?.stickyTier(at: t0.addingTimeInterval(20)) == "premium")
        #expect(state?.lastTier == "mid")
        tracker.prune(now: t0.addingTimeInterval(10_000))
        #expect(tracker.count == 0)
    }

    // MARK: decision record

    @Test func decisionRecordExplainsEverything() throws {
        let request = RoutingFixtures.request("Please refactor this function and write a test for it.", maxTokens: 100)
        let decision = try route(request, RoutingFixtures.context(.free, budget: 0.85))
        let json = decision.record.json
        #expect(json["id"] == "dec-1")
        #expect(json["mode"] == "auto")
        #expect(json["signals"]?["task"]?["value"] == "code")
        #expect(json["signals"]?["task"]?["source"] == "rule")
        #expect(json["signals"]?["complexity"]?["source"] == "heuristic")
        #expect(json["signals"]?["complexity"]?["features"]?["reasoning"]?["weight"] != nil)
        #expect(json["signals"]?["sensitivity"]?["source"] == "default")
        let rules = json["rules_matched"]?.arrayValue?.compactMap { $0["pattern"]?.stringValue } ?? []
        #expect(rules.contains("refactor*"))
        #expect(rules.contains("write a test"))
        let clauses = json["clauses"]?.arrayValue?.compactMap { $0["clause"]?.stringValue } ?? []
        #expect(clauses.contains("policy.user_tiers.free.ceiling"))
        #expect(clauses.contains("policy.budget_stress[0]"))
        #expect(json["chosen"] == .string(decision.chosen.name))
        #expect(json["chain"]?.arrayValue?.count == decision.chain.count)
        let estimate = try #require(json["estimated_cost_usd"]?.doubleValue)
        let baseline = try #require(json["baseline_cost_usd"]?.doubleValue)
        #expect(estimate > 0 && baseline > estimate)
        // Baseline = prompt tokens at us-premium's price + 100 output tokens.
        let expected = (Double(decision.signals.promptTokens) * 2.5 + 100 * 10) / 1_000_000
        #expect(abs(baseline - expected) < 1e-9)
    }
}
