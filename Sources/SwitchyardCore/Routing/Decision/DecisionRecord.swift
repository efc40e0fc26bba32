/// A deployment in the chain, as recorded.
public struct ChainEntry: Sendable, Hashable {
    public var model: String
    public var tier: String
    public var provider: String
    public var region: String?
    /// Estimated cost of this request on this deployment, in USD.
    public var estimatedCostUSD: Double
}

/// Everything about one routing decision: signals with sources and scores, rules matched, policy
/// clauses applied and why, the chain, the chosen deployment and cost estimates.
public struct DecisionRecord: Sendable {
    /// The caller-supplied id (``RoutingContext/decisionID``).
    public var id: String?
    /// The `model` field as sent.
    public var requestedModel: String
    public var mode: RoutingMode
    public var tenant: String?
    public var userTier: UserTier
    public var signals: RoutingSignals
    public var rulesMatched: [RuleMatch]
    public var clauses: [PolicyClause]
    /// The tier the chain starts at and the highest tier it may reach.
    public var startTier: String
    public var ceilingTier: String
    public var escalationAllowed: Bool
    public var chain: [ChainEntry]
    public var excluded: [Exclusion]
    /// The first deployment of the chain.
    public var chosen: String
    /// Output tokens assumed for the estimates.
    public var expectedOutputTokens: Int
    /// Estimated cost on the chosen deployment.
    public var estimatedCostUSD: Double
    /// Estimated cost on the cheapest deployment of the most capable tier (savings baseline).
    public var baselineCostUSD: Double?

    /// The record as JSON (the shape `/v1/route` returns and the ledger stores).
    public var json: JSONValue {
        var object = JSONObject()
        object["id"] = id.map(JSONValue.string) ?? .null
        object["model"] = .string(requestedModel)
        object["mode"] = .string(mode.name)
        object["tenant"] = tenant.map(JSONValue.string) ?? .null
        object["user_tier"] = .string(userTier.rawValue)
        object["signals"] = signalsJSON
        object["rules_matched"] = .array(rulesMatched.map { .object(JSONObject([("rule", .string($0.rule)), ("pattern", .string($0.pattern))])) })
        object["clauses"] = .array(
            clauses.map { .object(JSONObject([("clause", .string($0.clause)), ("effect", .string($0.effect)), ("reason", .string($0.reason))])) })
        object["start_tier"] = .string(startTier)
        object["ceiling_tier"] = .string(ceilingTier)
        object["escalation_allowed"] = .bool(escalationAllowed)
        object["chain"] = .array(
            chain.map { entry in
                .object(JSONObject([
                    ("model", .string(entry.model)), ("tier", .string(entry.tier)), ("provider", .string(entry.provider)),
                    ("region", entry.region.map(JSONValue.string) ?? .null), ("estimated_cost_usd", .double(rounded(entry.estimatedCostUSD))),
                ]))
            })
        object["excluded"] = .array(
            excluded.map { .object(JSONObject([("model", .string($0.model)), ("clause", .string($0.clause)), ("reason", .string($0.reason))])) })
        object["chosen"] = .string(chosen)
        object["expected_output_tokens"] = .int(Int64(expectedOutputTokens))
        object["estimated_cost_usd"] = .double(rounded(estimatedCostUSD))
        object["baseline_cost_usd"] = baselineCostUSD.map { .double(rounded($0)) } ?? .null
        return .object(object)
    }

    private var signalsJSON: JSONValue {
        let complexity = signals.complexity
        var features = JSONObject()
        for score in complexity.features {
            features[score.feature.rawValue] = .object(JSONObject([
                ("value", .double(score.value)), ("weight", .double(score.weight)), ("contribution", .double(rounded(score.contribution))),
            ]))
        }
        var complexityObject = JSONObject([
            ("value", .double(rounded(complexity.value))), ("source", .string(complexity.source.rawValue)),
            ("heuristic", .double(rounded(complexity.heuristic))), ("features", .object(features)),
        ])
        if let semantic = complexity.semantic { complexityObject["semantic"] = .double(rounded(semantic)) }
        return .object(JSONObject([
            ("task", .object(JSONObject([
                ("value", .string(signals.task.value)), ("source", .string(signals.task.source.rawValue)),
                ("score", .double(rounded(signals.task.score))),
            ]))),
            ("complexity", .object(complexityObject)),
            ("sensitivity", .object(JSONObject([
                ("value", .string(signals.sensitivity.value.rawValue)), ("source", .string(signals.sensitivity.source.rawValue)),
            ]))),
            ("disputed", .bool(signals.disputed)),
            ("prompt_tokens", .int(Int64(signals.promptTokens))),
            ("user_turns", .int(Int64(signals.userTurns))),
        ]))
    }

    private func rounded(_ value: Double) -> Double { (value * 1e10).rounded() / 1e10 }
}
