/// A token bucket refilled continuously: `capacity` tokens per `period`, never more than
/// `capacity` stored. Used for provider RPM/TPM limits and for tenants' and keys' rate limits.
public struct TokenBucket: Sendable, Hashable {
    public private(set) var capacity: Double
    public let period: Duration
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    /// A full bucket at `now`.
    public init(capacity: Double, period: Duration = .seconds(60), now: ContinuousClock.Instant) {
        self.capacity = capacity
        self.period = period
        self.tokens = capacity
        self.updated = now
    }

    private var refillPerNanosecond: Double { capacity / Double(period.nanoseconds) }

    private mutating func refill(now: ContinuousClock.Instant) {
        guard now > updated else { return }
        let elapsed = Double((now - updated).nanoseconds)
        tokens = min(capacity, tokens + elapsed * refillPerNanosecond)
        updated = now
    }

    /// Changes the capacity (a limit was changed) and with it the refill rate. What was used
    /// stays used: a raised limit adds the difference to what is available, a lowered one takes
    /// it away (down to nothing, or into debt).
    public mutating func resize(to capacity: Double, now: ContinuousClock.Instant) {
        refill(now: now)
        tokens = min(capacity, tokens + capacity - self.capacity)
        self.capacity = capacity
    }

    /// Changes the capacity for a new share of a limit split between instances (see
    /// ``RateShares``), creating no tokens: a larger share raises the refill rate and the room to
    /// fill, a smaller one gives up what is over its new capacity (a debt stays a debt). Tokens
    /// another instance already spent are not handed out again when the shares move.
    public mutating func reapportion(to capacity: Double, now: ContinuousClock.Instant) {
        refill(now: now)
        tokens = min(capacity, tokens)
        self.capacity = capacity
    }

    /// Tokens available at `now`.
    public mutating func available(now: ContinuousClock.Instant) -> Double {
        refill(now: now)
        return tokens
    }

    /// Takes `amount` tokens if they are there; returns whether it did.
    public mutating func take(_ amount: Double, now: ContinuousClock.Instant) -> Bool {
        refill(now: now)
        guard tokens >= amount else { return false }
        tokens -= amount
        return true
    }

    /// Takes `amount` tokens even if that leaves the bucket in debt (for usage known only after
    /// the fact, such as tokens of an answer). Later requests wait until the debt is refilled.
    public mutating func charge(_ amount: Double, now: ContinuousClock.Instant) {
        refill(now: now)
        tokens -= amount
    }

    /// How long until `amount` tokens are available (zero if they are now).
    public mutating func wait(for amount: Double, now: ContinuousClock.Instant) -> Duration {
        refill(now: now)
        guard tokens < amount else { return .zero }
        guard amount <= capacity else { return .seconds(Int64.max / 2) }
        return .nanoseconds(Int64(((amount - tokens) / refillPerNanosecond).rounded(.up)))
    }
}
