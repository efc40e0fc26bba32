/// What the `model` field asked for.
public enum RoutingMode: Sendable, Hashable {
    /// `auto`: classify and route.
    case auto
    /// `tier:NAME`: any deployment of that tier.
    case tier(String)
    /// A configured model name: that deployment only.
    case model(String)

    /// `auto`, `tier` or `model`.
    public var name: String {
        switch self {
        case .auto: "auto"
        case .tier: "tier"
        case .model: "model"
        }
    }
}

/// One policy clause that shaped the decision, and why it applied.
public struct PolicyClause: Sendable, Hashable {
    /// Configuration path of the clause, e.g. `policy.user_tiers.free.ceiling`.
    public var clause: String
    /// What it did, e.g. `ceiling=mid`.
    public var effect: String
    /// Why it applied, for a person.
    public var reason: String

    public init(clause: String, effect: String, reason: String) {
        self.clause = clause
        self.effect = effect
        self.reason = reason
    }
}

/// A deployment left out of the chain and why.
public struct Exclusion: Sendable, Hashable {
    public var model: String
    /// Configuration path or context field responsible, e.g. `policy.residency.restricted.regions`.
    public var clause: String
    public var reason: String
}

/// The routing brain's answer: the chain to try and the record explaining it.
public struct RoutingDecision: Sendable {
    /// Deployments to try in order, cheapest viable first; never empty.
    public var chain: [ModelDeployment]
    /// Everything about how the chain was chosen.
    public var record: DecisionRecord
    public var signals: RoutingSignals
    public var mode: RoutingMode
    /// Whether a failed quality gate may move the request up to a later tier of the chain
    /// (moving on after a deployment *error* — fallback — is always allowed within the chain).
    public var escalationAllowed: Bool
    /// This request was escalated by session policy (a disputed answer); pass it to
    /// ``SessionTracker/noteServed(session:tier:escalated:now:)``.
    public var escalated: Bool
    /// The conversation id, if the client gave one.
    public var session: String?

    /// The first deployment of the chain.
    public var chosen: ModelDeployment { chain[0] }
}
