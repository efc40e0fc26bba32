/// Keys, tenants and budgets from the configuration (`auth`, `budgets`, `tenants`, `keys`).
///
/// The auto-downgrade near a budget's end is routing's job: the gateway passes each request's
/// budget utilization to the policy, whose `budget_stress` rules (default: above 90 %) cap the
/// tier and forbid escalation.
public struct TenancySettings: Sendable, Hashable {
    /// Whether `/v1/*` requires a virtual key. Off: requests without a key are served as the
    /// anonymous tenant (no budgets); a key that is given is still checked.
    public var requireKey: Bool
    /// Share of a budget at which an alert is raised, once per threshold and period.
    public var alertThresholds: [Double]
    /// Deployments with zero prices do not count against budgets and are served even when a
    /// budget is exhausted.
    public var exemptLocal: Bool
    /// Tokens one conversation may use before an alert.
    public var sessionTokenAlert: Int
    /// Longest a request waits for in-flight reservations to settle before it is refused.
    public var reservationWait: Duration
    /// Webhooks that receive alerts.
    public var webhooks: [AlertWebhook]
    /// Shared budgets (several instances on PostgreSQL): the slice of a budget's cap an instance
    /// asks for beyond its reservations in flight, the most the budget can be overspent by when
    /// an instance dies before reporting what it spent of its slice.
    public var leaseShare: Double
    /// Shared budgets: how often an instance reports its spend and renews its slices.
    public var leaseSyncInterval: Duration
    /// Shared budgets: how long a slice lasts unrenewed (an instance that stops renewing, dead or
    /// cut off from the database, loses it after this; the others may then take it).
    public var leaseTTL: Duration
    /// Tenants declared in the file.
    public var tenants: [Tenant]
    /// Keys declared in the file, with their secrets (hashed when the gateway starts).
    public var keys: [DeclaredKey]

    public init(
        requireKey: Bool = false, alertThresholds: [Double] = [0.5, 0.8], exemptLocal: Bool = true,
        sessionTokenAlert: Int = 50_000, reservationWait: Duration = .seconds(5), webhooks: [AlertWebhook] = [], leaseShare: Double = 0.05,
        leaseSyncInterval: Duration = .seconds(1), leaseTTL: Duration = .seconds(15), tenants: [Tenant] = [], keys: [DeclaredKey] = []
    ) {
        self.requireKey = requireKey
        self.alertThresholds = alertThresholds
        self.exemptLocal = exemptLocal
        self.sessionTokenAlert = sessionTokenAlert
        self.reservationWait = reservationWait
        self.webhooks = webhooks
        self.leaseShare = leaseShare
        self.leaseSyncInterval = leaseSyncInterval
        self.leaseTTL = leaseTTL
        self.tenants = tenants
        self.keys = keys
    }
}

/// A key written in the configuration file.
public struct DeclaredKey: Sendable, Hashable {
    public var id: String
    public var tenant: String
    /// The secret clients send (`sy-…`), usually `${ENV_VAR}`.
    public var secret: String
    public var allowedModels: Set<String>?
    public var allowedTiers: Set<String>?
    public var budgets: [Budget]
    public var limits: RateLimits

    public init(
        id: String, tenant: String, secret: String, allowedModels: Set<String>? = nil, allowedTiers: Set<String>? = nil,
        budgets: [Budget] = [], limits: RateLimits = RateLimits()
    ) {
        self.id = id
        self.tenant = tenant
        self.secret = secret
        self.allowedModels = allowedModels
        self.allowedTiers = allowedTiers
        self.budgets = budgets
        self.limits = limits
    }
}

/// Where alerts are POSTed, signed with HMAC-SHA256 when a secret is set.
public struct AlertWebhook: Sendable, Hashable {
    public var url: String
    public var secret: String?

    public init(url: String, secret: String? = nil) {
        self.url = url
        self.secret = secret
    }
}
