import Foundation
import SwitchyardCore

/// A gateway with four tiers, US, EU and local deployments, and a policy that uses every modifier.
enum RoutingFixtures {
    static let tiers = ["local", "light", "mid", "premium"]

    static func model(_ name: String, _ provider: String, _ tier: String, _ input: Double, _ output: Double, region: String? = nil) -> ModelDeployment {
        ModelDeployment(name: name, provider: provider, upstreamModel: name, tier: tier, price: ModelPrice(inputPerMillion: input, outputPerMillion: output), region: region)
    }

    static let providers = [
        ProviderSettings(name: "openai", baseURL: "https://api.openai.com/v1", region: "us"),
        ProviderSettings(name: "mistral", baseURL: "https://api.mistral.ai/v1", region: "eu"),
        ProviderSettings(name: "ollama", baseURL: "http://127.0.0.1:11434/v1", region: "local"),
    ]

    static let models = [
        model("us-light", "openai", "light", 0.15, 0.60),
        model("us-light-cheap", "openai", "light", 0.10, 0.40),  // listed second, cheaper: must come first
        model("eu-light", "mistral", "light", 0.20, 0.60),
        model("us-mid", "openai", "mid", 0.40, 1.60),
        model("eu-mid", "mistral", "mid", 0.40, 2.00),
        model("us-premium", "openai", "premium", 2.50, 10.0),
        model("local-small", "ollama", "local", 0, 0),
    ]

    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    /// The default taxonomy over light/mid/premium with an explicit, fully featured policy.
    static func routing() -> RoutingConfiguration {
        var routing = RoutingConfiguration.defaults(tiers: ["light", "mid", "premium"])
        if let index = routing.tasks.firstIndex(where: { $0.name == "code" }) {
            routing.tasks[index].regexes = ["Traceback \\(most recent call last\\)"]
        }
        routing.policy.userTiers = [
            .free: UserTierPolicy(floor: "light", ceiling: "mid", escalation: false),
            .pro: UserTierPolicy(),
            .enterprise: UserTierPolicy(floor: "mid"),
        ]
        routing.policy.residency = [.restricted: ResidencyRule(regions: ["eu"])]
        routing.policy.timeWindows = [
            TimeWindow(
                name: "berlin-business-hours", timeZone: berlin, days: [.mon, .tue, .wed, .thu, .fri], fromMinute: 9 * 60, toMinute: 18 * 60,
                userTiers: [.free], ceiling: "light"),
            TimeWindow(
                name: "openai-maintenance", timeZone: TimeZone(identifier: "UTC")!, days: [.sun], fromMinute: 2 * 60, toMinute: 4 * 60,
                excludeProviders: ["openai"]),
        ]
        routing.policy.budgetStress = [
            BudgetStressRule(above: 0.8, escalation: false),
            BudgetStressRule(above: 0.95, ceiling: "light"),
        ]
        routing.policy.sessions = SessionPolicy(stickyFor: .seconds(1800))
        return routing
    }

    static func configuration(routing: RoutingConfiguration = routing()) -> GatewayConfiguration {
        GatewayConfiguration(providers: providers, models: models, tiers: tiers, routing: routing)
    }

    static let engine = RoutingEngine(configuration: configuration())

    /// Wednesday 2026-01-14 22:00 UTC: outside every window.
    static let quietTime = date("2026-01-14T22:00:00Z")

    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    static func request(_ text: String, model: String = "auto", hints: RoutingHints = RoutingHints(), history: [ChatMessage] = [], maxTokens: Int? = nil)
        -> RoutingRequest
    {
        RoutingRequest(model: model, messages: history + [ChatMessage(role: "user", text: text)], maxOutputTokens: maxTokens, hints: hints)
    }

    static func context(
        _ userTier: UserTier = .pro, now: Date = quietTime, regions: Set<String>? = nil, requestRegion: String? = nil, budget: Double? = nil,
        session: SessionSnapshot? = nil, unavailable: Set<String> = []
    ) -> RoutingContext {
        RoutingContext(
            decisionID: "dec-1", tenant: "acme", userTier: userTier, allowedRegions: regions, requestRegion: requestRegion, now: now,
            budgetUtilization: budget, session: session, unavailableDeployments: unavailable)
    }

    static func chatRequest(_ body: JSONValue) throws -> ChatCompletionRequest {
        try ChatCompletionRequest(json: body)
    }

    /// A realistic ~1,000-token extraction prompt (≈4,000 characters of business text).
    static let longExtraction: String = {
        let paragraph = """
            The supplier agreement between Northwind Logistics GmbH and the buyer covers the delivery of pallets to the warehouse in \
            Hamburg, with the invoice issued on the first business day of the month and payment terms of thirty days net. The contact \
            person for the account is Maria Keller, reachable at the main office; shipments are handled by the regional carrier and \
            tracked through the portal. 
            """
        return "Extract the supplier name, invoice date and contact person as JSON.\n\n" + String(repeating: paragraph, count: 11)
    }()
}
