import Foundation
import SwitchyardCore

/// The non-embedding inputs of the learned router, computed from the prompt text with public
/// SwitchyardCore API: the heuristic classifier's complexity score and its eight feature values
/// (``ComplexityFeature``), plus the log-scaled prompt length and line count.
public struct HeuristicFeatures: Sendable {
    /// Names, in the order of ``values(for:)``, as stored in `router.json`.
    public static let names: [String] =
        ["heuristic.complexity"] + ComplexityFeature.allCases.map { "heuristic.\($0.rawValue)" } + ["text.log_chars", "text.log_lines"]

    let engine: RoutingEngine

    /// Uses the heuristics of `routing` (the built-in defaults unless the gateway configures its own;
    /// a router must be used with the heuristics it was trained with).
    public init(routing: RoutingConfiguration? = nil) {
        let tiers = ["light", "mid", "premium"]
        engine = RoutingEngine(configuration: GatewayConfiguration(
            providers: [ProviderSettings(name: "features", baseURL: "http://localhost")],
            models: [ModelDeployment(name: "features", provider: "features", upstreamModel: "features", tier: "light", price: ModelPrice(inputPerMillion: 0, outputPerMillion: 0))],
            tiers: tiers, routing: routing ?? .defaults(tiers: tiers)))
    }

    /// The feature values of a single-turn prompt.
    public func values(for text: String) -> [Double] {
        values(for: [ChatMessage(role: "user", text: text)])
    }

    /// The feature values of a conversation.
    public func values(for messages: [ChatMessage]) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(Self.names.count)
        let request = RoutingRequest(model: "auto", messages: messages.isEmpty ? [ChatMessage(role: "user", text: "")] : messages)
        if let signals = try? engine.classify(request) {
            result.append(signals.complexity.heuristic)
            let byFeature = Dictionary(signals.complexity.features.map { ($0.feature, $0.value) }, uniquingKeysWith: { first, _ in first })
            for feature in ComplexityFeature.allCases { result.append(byFeature[feature] ?? 0) }
        } else {
            result += [Double](repeating: 0, count: 1 + ComplexityFeature.allCases.count)
        }
        let text = messages.last { $0.role == "user" }?.text ?? messages.last?.text ?? ""
        result.append(log1p(Double(text.utf8.count)))
        result.append(log1p(Double(text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })))
        return result
    }
}
