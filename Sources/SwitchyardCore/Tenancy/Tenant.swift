import Foundation

/// A customer of the gateway: who pays, what they may use, how much.
public struct Tenant: Sendable, Hashable {
    /// Stable identifier (letters, digits, `-`, `_`, `.`).
    public var id: String
    public var name: String
    public var userTier: UserTier
    /// Regions the tenant's requests may be served in (`nil`: any).
    public var allowedRegions: Set<String>?
    public var budgets: [Budget]
    public var limits: RateLimits
    public var metadata: [String: String]

    public init(
        id: String, name: String? = nil, userTier: UserTier = .pro, allowedRegions: Set<String>? = nil, budgets: [Budget] = [],
        limits: RateLimits = RateLimits(), metadata: [String: String] = [:]
    ) {
        self.id = id
        self.name = name ?? id
        self.userTier = userTier
        self.allowedRegions = allowedRegions
        self.budgets = budgets
        self.limits = limits
        self.metadata = metadata
    }

    /// Whether `id` is a valid tenant or key identifier.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}

/// Requests and tokens per minute of a tenant or key (`nil` is unlimited): the same ceilings a
/// deployment has. Tokens per minute count actual tokens (input + output) at settlement.
public typealias RateLimits = DeploymentLimits

/// A spending cap over a UTC calendar period.
public struct Budget: Sendable, Hashable {
    public enum Period: String, Sendable, Hashable, CaseIterable {
        case daily, monthly
    }

    public var period: Period
    /// Most USD the period may cost.
    public var usd: Double?
    /// Most tokens (input + output) the period may use.
    public var tokens: Int?

    public init(period: Period, usd: Double? = nil, tokens: Int? = nil) {
        self.period = period
        self.usd = usd
        self.tokens = tokens
    }
}

extension Budget.Period {
    /// The period containing `date`: its first instant and the first instant of the next (UTC).
    public func interval(containing date: Date) -> (start: Date, end: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        switch self {
        case .daily:
            let start = calendar.startOfDay(for: date)
            return (start, calendar.date(byAdding: .day, value: 1, to: start)!)
        case .monthly:
            let parts = calendar.dateComponents([.year, .month], from: date)
            let start = calendar.date(from: parts)!
            return (start, calendar.date(byAdding: .month, value: 1, to: start)!)
        }
    }
}
