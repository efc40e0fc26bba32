import Foundation

/// A virtual API key (`sy-…`). Only a hash of the secret is stored; the secret is shown once, when
/// the key is created.
public struct VirtualKey: Sendable, Hashable {
    /// Public identifier (safe to log and show).
    public var id: String
    public var tenant: String
    public var name: String
    /// Hex SHA-256 of the secret.
    public var secretHash: String
    /// The first characters of the secret, to recognise it in lists (`sy-AbC1…`).
    public var prefix: String
    public var created: Date
    public var expires: Date?
    public var revoked: Date?
    /// Models this key may call (`nil`: any).
    public var allowedModels: Set<String>?
    /// Tiers this key may use (`nil`: any).
    public var allowedTiers: Set<String>?
    public var budgets: [Budget]
    public var limits: RateLimits

    public init(
        id: String, tenant: String, name: String = "", secretHash: String, prefix: String, created: Date, expires: Date? = nil,
        revoked: Date? = nil, allowedModels: Set<String>? = nil, allowedTiers: Set<String>? = nil, budgets: [Budget] = [],
        limits: RateLimits = RateLimits()
    ) {
        self.id = id
        self.tenant = tenant
        self.name = name
        self.secretHash = secretHash
        self.prefix = prefix
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.allowedModels = allowedModels
        self.allowedTiers = allowedTiers
        self.budgets = budgets
        self.limits = limits
    }

    /// Whether the key may be used at `now`.
    public func isActive(at now: Date) -> Bool {
        revoked == nil && (expires.map { now < $0 } ?? true)
    }
}

/// One administrative change, as the append-only audit log keeps it.
public struct AuditEntry: Sendable, Hashable {
    public var time: Date
    /// Who: `admin` (the master key) or `config`.
    public var actor: String
    /// What, e.g. `tenant.create`, `key.revoke`.
    public var action: String
    /// The tenant or key id changed.
    public var target: String
    public var before: JSONValue?
    public var after: JSONValue?

    public init(time: Date, actor: String, action: String, target: String, before: JSONValue? = nil, after: JSONValue? = nil) {
        self.time = time
        self.actor = actor
        self.action = action
        self.target = target
        self.before = before
        self.after = after
    }
}
