import Foundation

/// Everything about a request's circumstances that routing weighs besides its text: who asks,
/// from where, when, with how much budget left, in which session, and what is down.
public struct RoutingContext: Sendable {
    /// The decision record's id (e.g. the request id); `nil` leaves it unset.
    public var decisionID: String?
    /// The tenant, for the record.
    public var tenant: String?
    /// The tenant's plan.
    public var userTier: UserTier
    /// Regions the tenant's data may be processed in; `nil` = anywhere.
    public var allowedRegions: Set<String>?
    /// Region the request's data must stay in (overrides the `region` hint); `nil` = use the hint.
    public var requestRegion: String?
    /// The injected clock's time.
    public var now: Date
    /// Spent / limit of the tenant's tightest budget, if it has one.
    public var budgetUtilization: Double?
    /// The session's state, from ``SessionTracker/state(for:now:)``.
    public var session: SessionSnapshot?
    /// Model names that cannot be used now (open circuit breaker, provider limit reached).
    public var unavailableDeployments: Set<String>
    /// Tiers that shadow evaluation found too often in disagreement, per task.
    public var shadowDemotions: ShadowDemotions

    public init(
        decisionID: String? = nil, tenant: String? = nil, userTier: UserTier = .pro, allowedRegions: Set<String>? = nil,
        requestRegion: String? = nil, now: Date, budgetUtilization: Double? = nil, session: SessionSnapshot? = nil,
        unavailableDeployments: Set<String> = [], shadowDemotions: ShadowDemotions = .none
    ) {
        self.shadowDemotions = shadowDemotions
        self.decisionID = decisionID
        self.tenant = tenant
        self.userTier = userTier
        self.allowedRegions = allowedRegions
        self.requestRegion = requestRegion
        self.now = now
        self.budgetUtilization = budgetUtilization
        self.session = session
        self.unavailableDeployments = unavailableDeployments
    }
}
