/// How the rate limits of tenants and keys are split between gateway instances that share a
/// store: each instance enforces its share of a subject's limits, in proportion to its demand on
/// the subject against every live instance's (see
/// ``BudgetLeaseStore/syncRateDemand(_:instance:ttl:)``).
public struct RateShares: Sendable, Hashable {
    /// This instance's share of each subject it reported (`tenant:<id>` or `key:<id>`), 0–1.
    public var shares: [String: Double]
    /// Instances alive (those whose last report has not expired), this one included: a subject
    /// this instance has not reported yet starts with a share of one over this.
    public var instances: Int

    public init(shares: [String: Double], instances: Int) {
        self.shares = shares
        self.instances = max(1, instances)
    }

    /// One subject's share: `mine` of the `total` demand that `reporters` live instances
    /// reported; an even split when none of them had any.
    public static func share(mine: Double, total: Double, reporters: Int) -> Double {
        guard total > 0 else { return 1 / Double(max(1, reporters)) }
        return min(1, max(0, mine / total))
    }

    /// What an instance enforces of a `limit` per minute at `share`: all of it at a share of 1,
    /// and never under one otherwise, so that an instance whose share has fallen towards nothing
    /// can still admit a request now and then (and so report the demand that wins its share
    /// back).
    public static func enforced(_ limit: Int, share: Double) -> Double {
        guard share < 1, limit > 0 else { return Double(limit) }
        return max(1, Double(limit) * share)
    }
}
