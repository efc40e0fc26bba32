import Synchronization
import SwitchyardCore

/// Tenants' and keys' rate limits shared with other gateway instances: what the lease sync
/// reports of this instance's demand, and the shares it brings back (see ``RateShares`` and
/// ``BudgetLeaseSync``). Subjects are `tenant:<id>` and `key:<id>`.
extension BudgetBook: SharedRateLimits {
    func rateDemand(elapsed: Duration) -> [String: Double] {
        state.withLock { state in
            var demand: [String: Double] = [:]
            for id in state.limiters.keys {
                demand[id] = state.limiters[id]?.reportDemand(elapsed: elapsed)
            }
            return demand
        }
    }

    /// Rows for the rate-limited tenants and keys this instance has served.
    var rateShareRows: [JSONValue] {
        state.withLock { state in
            state.limiters.map { id, limiter in Self.rateShareRow(subject: id, share: limiter.share, demand: limiter.demand) }
        }
    }

    /// Instances alive, as the last sync counted them (1 before any, or without a shared store).
    var rateInstances: Int { state.withLock { $0.rateInstances } }

    /// Applies the shares a sync brought back: each limiter's buckets are resized to its share
    /// (creating no tokens; a share grows by at most ``RateShares/growthPerSync``), and
    /// limiters created from now on start with an even split.
    func applyRateShares(_ shares: RateShares) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.rateInstances = shares.instances
            for (id, reported) in shares.shares {
                state.limiters[id]?.takeShare(reported, now: now)
            }
        }
    }
}
