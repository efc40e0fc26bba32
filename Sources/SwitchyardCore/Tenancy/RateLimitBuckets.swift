/// The token buckets of one subject's rate limits (a tenant's, a key's or a deployment's
/// requests and tokens per minute), sized to this instance's share of them (all of them unless
/// the limits are shared between instances, see ``RateShares``), with the demand on them that the
/// instance reports.
public struct RateLimitBuckets: Sendable {
    /// Requests per minute (taken one per request) and tokens per minute; `nil` when unlimited.
    public var requests: TokenBucket?
    public var tokens: TokenBucket?
    /// The limits as last seen, and this instance's share of them.
    public private(set) var limits: DeploymentLimits
    public private(set) var share: Double
    /// Requests asked for, admitted or not, since demand was last reported.
    public var attempts = 0
    /// The demand last reported: requests per minute, smoothed.
    public private(set) var demand: Double = 0

    /// Whether neither requests nor tokens are limited.
    public var isUnlimited: Bool { limits.isUnlimited }

    /// Full buckets for `share` of `limits`.
    public init(_ limits: DeploymentLimits, share: Double = 1, now: ContinuousClock.Instant) {
        self.limits = limits
        self.share = share
        adjust(to: limits, now: now)
    }

    /// Follows `limits` as they are now (an admin change, or a refresh from a shared store, may
    /// have changed them): a new limit starts full, a changed one keeps what was used of it.
    public mutating func adjust(to limits: DeploymentLimits, now: ContinuousClock.Instant) {
        self.limits = limits
        sizeBuckets(now: now) { $0.resize(to: $1, now: now) }
    }

    /// The demand to report for the `elapsed` since the last report (see
    /// ``RateShares/demand(previous:attempts:elapsed:)``); the count starts again.
    public mutating func reportDemand(elapsed: Duration) -> Double {
        demand = RateShares.demand(previous: demand, attempts: attempts, elapsed: elapsed)
        attempts = 0
        return demand
    }

    /// Takes the share a sync `reported` (growing by at most ``RateShares/growthPerSync``) and
    /// resizes the buckets to it without creating tokens (see ``TokenBucket/reapportion(to:now:)``):
    /// a growing share fills at its faster rate, a falling one gives up what is over its size.
    /// What another instance spent before the shares moved is not admitted again here.
    public mutating func takeShare(_ reported: Double, now: ContinuousClock.Instant) {
        let next = RateShares.next(current: share, reported: reported)
        guard next != share else { return }
        share = next
        sizeBuckets(now: now) { $0.reapportion(to: $1, now: now) }
    }

    /// Sizes both buckets to `share` of `limits`: a new one starts full, none is kept for a limit
    /// that is gone, and one whose capacity differs is changed by `resize`.
    private mutating func sizeBuckets(now: ContinuousClock.Instant, resize: (inout TokenBucket, Double) -> Void) {
        func sized(_ bucket: TokenBucket?, limit: Int?) -> TokenBucket? {
            guard let limit else { return nil }
            let capacity = RateShares.enforced(limit, share: share)
            guard var bucket else { return TokenBucket(capacity: capacity, now: now) }
            if bucket.capacity != capacity { resize(&bucket, capacity) }
            return bucket
        }
        requests = sized(requests, limit: limits.requestsPerMinute)
        tokens = sized(tokens, limit: limits.tokensPerMinute)
    }
}
