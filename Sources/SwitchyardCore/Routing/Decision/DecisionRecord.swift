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
        var writer = JSONObjectWriter()
        write(into: &writer)
        return (try? JSONParser.parse(writer.finish())) ?? .null
    }

    /// Writes the record's members into `writer` (the gateway adds how the request was served
    /// and stores the object as it is, without building a tree).
    ///
    /// The nested writers' closures use only their arguments and static helpers: a closure that
    /// reads `self` captures a copy of the whole record, a retain and a release of every list and
    /// string in it, for each nested object.
    public func write(into writer: inout JSONObjectWriter) {
        writer.string(.id, id)
        writer.string(.model, requestedModel)
        writer.string(.mode, mode.name)
        writer.string(.tenant, tenant)
        writer.string(.userTier, userTier.rawValue)
        let signals = self.signals
        writer.object(.signals) { Self.writeSignals(signals, into: &$0) }
        writer.objects(.rulesMatched, rulesMatched) { object, match in
            object.string(.rule, match.rule)
            object.string(.pattern, match.pattern)
        }
        writer.objects(.clauses, clauses) { object, clause in
            object.string(.clause, clause.clause)
            object.string(.effect, clause.effect)
            object.string(.reason, clause.reason)
        }
        writer.string(.startTier, startTier)
        writer.string(.ceilingTier, ceilingTier)
        writer.bool(.escalationAllowed, escalationAllowed)
        writer.objects(.chain, chain) { object, entry in
            object.string(.model, entry.model)
            object.string(.tier, entry.tier)
            object.string(.provider, entry.provider)
            object.string(.region, entry.region)
            object.double(.estimatedCostUSD, Self.rounded(entry.estimatedCostUSD))
        }
        writer.objects(.excluded, excluded) { object, exclusion in
            object.string(.model, exclusion.model)
            object.string(.clause, exclusion.clause)
            object.string(.reason, exclusion.reason)
        }
        writer.string(.chosen, chosen)
        writer.int(.expectedOutputTokens, expectedOutputTokens)
        writer.double(.estimatedCostUSD, Self.rounded(estimatedCostUSD))
        writer.double(.baselineCostUSD, baselineCostUSD.map(Self.rounded))
    }

    private static func writeSignals(_ signals: RoutingSignals, into writer: inout JSONObjectWriter) {
        let task = signals.task
        writer.object(.task) { object in
            object.string(.value, task.value)
            object.string(.source, task.source.rawValue)
            object.double(.score, rounded(task.score))
        }
        let complexity = signals.complexity
        writer.object(.complexity) { object in
            object.double(.value, rounded(complexity.value))
            object.string(.source, complexity.source.rawValue)
            object.double(.heuristic, rounded(complexity.heuristic))
            object.object(.features) { features in
                for score in complexity.features {
                    features.object(score.feature.memberName) { feature in
                        feature.double(.value, score.value)
                        feature.double(.weight, score.weight)
                        feature.double(.contribution, rounded(score.contribution))
                    }
                }
            }
            if let semantic = complexity.semantic { object.double(.semantic, rounded(semantic)) }
        }
        let sensitivity = signals.sensitivity
        writer.object(.sensitivity) { object in
            object.string(.value, sensitivity.value.rawValue)
            object.string(.source, sensitivity.source.rawValue)
        }
        writer.bool(.disputed, signals.disputed)
        writer.int(.promptTokens, signals.promptTokens)
        writer.int(.userTurns, signals.userTurns)
    }

    private static func rounded(_ value: Double) -> Double { (value * 1e10).rounded() / 1e10 }
}

extension ComplexityFeature {
    /// The feature's name in the decision record (its raw value), with its token.
    var memberName: JSONMemberName {
        switch self {
        case .reasoning: .reasoning
        case .constraints: .constraints
        case .outputLength: .outputLength
        case .code: .code
        case .math: .math
        case .promptTokens: .promptTokens
        case .depth: .depth
        case .brevity: .brevity
        }
    }
}
