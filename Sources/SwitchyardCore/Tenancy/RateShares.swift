/// How rate limits (of tenants, keys and deployments) are split between gateway instances that
/// share a store: each instance enforces its share of a subject's limits, in proportion to its
/// demand on the subject against every live instance's (see
/// ``BudgetLeaseStore/syncRateDemand(_:instance:ttl:)``).
public struct RateShares: Sendable, Hashable {
    /// This instance's share of each subject it reported (`tenant:<id>`, `key:<id>` or
    /// `deployment:<name>`), 0–1.
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

    /// How much of a subject's last reported demand carries into the next report: demand is
    /// smoothed over a few syncs, so one quiet interval does not give a share away.
    public static let demandCarry = 0.5

    /// How much a share may grow in one sync. The other instances' demand is what they last
    /// reported, up to a sync interval old: at the start of a burst on all of them, the first to
    /// report would otherwise take the whole limit's pace while the others still hold theirs. A
    /// share that falls, falls at once.
    public static let growthPerSync = 0.1

    /// The demand to report, in requests per minute: `attempts` asked for in the `elapsed` since
    /// the last report, smoothed with the `previous` report.
    public static func demand(previous: Double, attempts: Int, elapsed: Duration) -> Double {
        let minutes = max(elapsed.milliseconds, 1) / 60_000
        return demandCarry * previous + (1 - demandCarry) * Double(attempts) / minutes
    }

    /// The share to hold next: the `reported` one, but at most ``growthPerSync`` above the
    /// `current` one.
    public static func next(current: Double, reported: Double) -> Double {
        min(reported, current + growthPerSync)
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
