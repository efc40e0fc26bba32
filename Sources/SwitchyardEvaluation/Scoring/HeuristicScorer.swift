import SwitchyardCore

/// Switchyard's own heuristic: the complexity score of ``RoutingEngine/classify(_:)`` for the
/// prompt sent as one user message. Learns nothing.
public struct HeuristicScorer: PromptScorer {
    public let name = "heuristic"
    let engine: RoutingEngine

    /// Uses `configuration`'s routing section (vocabularies, weights); the default is the built-in one.
    public init(configuration: GatewayConfiguration = HeuristicScorer.defaultConfiguration) {
        self.engine = RoutingEngine(configuration: configuration)
    }

    public func score(_ record: RoutingRecord) -> Double {
        let request = RoutingRequest(model: "auto", messages: [ChatMessage(role: "user", text: record.prompt)])
        // Without client hints classification cannot fail; a failure would score as "easy".
        return (try? engine.classify(request))?.complexity.value ?? 0
    }

    /// A minimal configuration: one placeholder model, three tiers, default routing rules.
    public static var defaultConfiguration: GatewayConfiguration {
        GatewayConfiguration(
            providers: [ProviderSettings(name: "eval", baseURL: "http://localhost")],
            models: [
                ModelDeployment(
                    name: "eval", provider: "eval", upstreamModel: "eval", tier: "light",
                    price: ModelPrice(inputPerMillion: 0, outputPerMillion: 0))
            ],
            tiers: ["light", "mid", "premium"])
    }

    /// The registry entry; `configuration` lets the CLI use the user's routing rules.
    public static func factory(configuration: GatewayConfiguration = HeuristicScorer.defaultConfiguration) -> ScorerFactory {
        let scorer = HeuristicScorer(configuration: configuration)
        return ScorerFactory(name: "heuristic", summary: "Switchyard's heuristic complexity score (no training)", learns: false) { _ in scorer }
    }
}
