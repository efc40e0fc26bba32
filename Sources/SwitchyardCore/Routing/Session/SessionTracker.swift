import Foundation

/// What routing knows about one conversation.
public struct SessionSnapshot: Sendable, Hashable {
    public var id: String
    /// Tier that served the previous request.
    public var lastTier: String?
    public var lastServedAt: Date?
    /// Tier the session was escalated to, while sticky.
    public var escalatedTier: String?
    /// When stickiness ends.
    public var escalatedUntil: Date?

    public init(id: String, lastTier: String? = nil, lastServedAt: Date? = nil, escalatedTier: String? = nil, escalatedUntil: Date? = nil) {
        self.id = id
        self.lastTier = lastTier
        self.lastServedAt = lastServedAt
        self.escalatedTier = escalatedTier
        self.escalatedUntil = escalatedUntil
    }

    /// The escalated tier, if stickiness still holds at `now`.
    public func stickyTier(at now: Date) -> String? {
        guard let escalatedTier, let escalatedUntil, now < escalatedUntil else { return nil }
        return escalatedTier
    }
}

/// Session stickiness as a value-type state machine with injected time.
///
/// The gateway keeps one in a `Mutex`, reads ``state(for:now:)`` into the ``RoutingContext``
/// and calls ``noteServed(session:tier:escalated:now:)`` after answering. An escalation (a
/// dispute, or a failed gate moving up a tier) keeps the session at that tier for
/// `sessions.sticky_for` from the escalation; later escalations extend it.
public struct SessionTracker: Sendable {
    public let stickyFor: Duration
    /// Sessions kept at most; the least recently served are dropped first.
    ///
    /// When a new session takes the tracker over `capacity`, expired sessions are pruned and, if
    /// it is still over, the least recently served are dropped down to ``retainedAfterEviction``
    /// in the same pass. The next eviction is then at least `capacity / 10` new sessions away,
    /// so its O(n log n) cost is amortised to O(log n) per request (instead of a full prune and
    /// a linear scan on every request once full).
    public let capacity: Int
    private let tierRanks: [String: Int]
    private var sessions: [String: SessionSnapshot] = [:]

    public init(policy: SessionPolicy, tiers: [String], capacity: Int = 100_000) {
        self.stickyFor = policy.stickyFor
        self.capacity = max(1, capacity)
        self.tierRanks = Dictionary(tiers.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public init(configuration: GatewayConfiguration, capacity: Int = 100_000) {
        self.init(policy: configuration.routing.policy.sessions, tiers: configuration.tiers, capacity: capacity)
    }

    /// Number of sessions held.
    public var count: Int { sessions.count }

    /// Sessions kept after an eviction that had to drop live sessions: 90 % of `capacity`.
    public var retainedAfterEviction: Int { max(1, capacity - capacity / 10) }

    private var stickySeconds: TimeInterval {
        let (seconds, attoseconds) = stickyFor.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// The session's state at `now`; `nil` if unknown or idle for longer than `sticky_for`.
    public func state(for session: String, now: Date) -> SessionSnapshot? {
        guard var snapshot = sessions[session] else { return nil }
        if let last = snapshot.lastServedAt, now.timeIntervalSince(last) >= stickySeconds, snapshot.stickyTier(at: now) == nil {
            return nil
        }
        if snapshot.stickyTier(at: now) == nil {
            snapshot.escalatedTier = nil
            snapshot.escalatedUntil = nil
        }
        return snapshot
    }

    /// Records that `session` was served at `tier`; `escalated` if this request moved up a tier.
    public mutating func noteServed(session: String, tier: String, escalated: Bool, now: Date) {
        var snapshot = state(for: session, now: now) ?? SessionSnapshot(id: session)
        snapshot.lastTier = tier
        snapshot.lastServedAt = now
        if escalated {
            let current = snapshot.escalatedTier.flatMap { tierRanks[$0] } ?? -1
            if (tierRanks[tier] ?? 0) >= current { snapshot.escalatedTier = tier }
            snapshot.escalatedUntil = now.addingTimeInterval(stickySeconds)
        }
        sessions[session] = snapshot
        if sessions.count > capacity { evict(now: now) }
    }

    /// Drops sessions that no longer affect routing.
    public mutating func prune(now: Date) {
        sessions = sessions.filter { state(for: $0.key, now: now) != nil }
    }

    private mutating func evict(now: Date) {
        prune(now: now)
        // Down to 90 % even if pruning alone got under `capacity`: otherwise a steady trickle of
        // expiring sessions would make every request pay for a full prune again.
        guard sessions.count > retainedAfterEviction else { return }
        let newest = sessions.sorted { ($0.value.lastServedAt ?? .distantPast) > ($1.value.lastServedAt ?? .distantPast) }
        sessions = Dictionary(uniqueKeysWithValues: newest.prefix(retainedAfterEviction).map { ($0.key, $0.value) })
    }
}
