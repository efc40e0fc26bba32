import Synchronization
import SwitchyardCore

/// Rate limits shared with other gateway instances: what the lease sync reports of this
/// instance's demand, and the shares it brings back (see ``RateShares`` and ``BudgetLeaseSync``).
extension BudgetBook {
    /// How much of a subject's last reported demand carries into the next report: demand is
    /// smoothed over a few syncs, so one quiet interval does not give a share away.
    static let demandCarry = 0.5

    /// Each rate-limited subject's demand in requests per minute, from the requests checked in
    /// the `elapsed` since the last report (smoothed), and the count started again.
    func rateDemand(elapsed: Duration) -> [String: Double] {
        let minutes = max(elapsed.milliseconds, 1) / 60_000
        return state.withLock { state in
            var demand: [String: Double] = [:]
            for id in state.limiters.keys {
                guard var limiter = state.limiters[id] else { continue }
                let recent = Double(limiter.attempts) / minutes
                limiter.demand = Self.demandCarry * limiter.demand + (1 - Self.demandCarry) * recent
                limiter.attempts = 0
                state.limiters[id] = limiter
                demand[id] = limiter.demand
            }
            return demand
        }
    }

    /// `/admin/stats`' `rate_limits` member (limits shared with other instances): the instances
    /// alive, and this instance's share of and demand on each rate-limited tenant and key it
    /// has served.
    var rateSharesJSON: JSONValue {
        state.withLock { state in
            let subjects = state.limiters.keys.sorted().compactMap { id -> JSONValue? in
                guard let limiter = state.limiters[id] else { return nil }
                return .object(JSONObject([
                    ("subject", .string(id)), ("share", .double(limiter.share)), ("demand_per_minute", .double(limiter.demand)),
                ]))
            }
            return .object(JSONObject([("instances", .int(Int64(state.rateInstances))), ("subjects", .array(subjects))]))
        }
    }

    /// How much a subject's share may grow in one sync. The other instances' demand is what
    /// they last reported, up to a sync interval old: at the start of a burst on all of them,
    /// the first to report would otherwise take the whole limit while the others still hold
    /// their shares. A share that falls, falls at once.
    static let shareGrowthPerSync = 0.1

    /// Applies the shares a sync brought back: each limiter's buckets are resized to its share
    /// (keeping what was used), and limiters created from now on start with an even split.
    func applyRateShares(_ shares: RateShares) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.rateInstances = shares.instances
            for (id, reported) in shares.shares {
                guard var limiter = state.limiters[id] else { continue }
                let share = min(reported, limiter.share + Self.shareGrowthPerSync)
                guard share != limiter.share else { continue }
                limiter.share = share
                limiter.adjust(to: limiter.limits, now: now)
                state.limiters[id] = limiter
            }
        }
    }
}
