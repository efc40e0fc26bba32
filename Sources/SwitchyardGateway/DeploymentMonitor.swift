import Logging
import Synchronization
import SwitchyardCore

/// Live state of every deployment: circuit breaker, requests in flight, recent latency and
/// provider-limit buckets. One lock per deployment, so requests to different deployments never
/// contend, and each lock is held only for a few arithmetic steps.
///
/// With a shared store, a deployment's `limits` are split between the gateway instances by
/// demand, as tenants' rate limits are (``SharedRateLimits``): each instance's buckets hold its
/// share of them.
public final class DeploymentMonitor: Sendable {
    struct State {
        var breaker: CircuitBreaker
        var inFlight = 0
        /// Exponentially weighted moving average of successful latency, in milliseconds.
        var latencyEWMA: Double?
        /// The deployment's `limits`, sized to this instance's share of them.
        var buckets: RateLimitBuckets
    }

    final class Slot: Sendable {
        let state: Mutex<State>
        init(_ state: State) { self.state = Mutex(state) }
    }

    private let slots: [String: Slot]
    private let logger: Logger
    private let breakerTransitions = Atomic<Int>(0)

    public init(configuration: GatewayConfiguration, logger: Logger, now: ContinuousClock.Instant = .now) {
        var slots: [String: Slot] = [:]
        for model in configuration.models {
            let limits = model.limits
            slots[model.name] = Slot(State(
                breaker: CircuitBreaker(settings: configuration.resilience.breaker),
                buckets: RateLimitBuckets(limits, now: now)))
        }
        self.slots = slots
        self.logger = logger
    }

    /// Why a deployment cannot take a request right now.
    public enum Unavailability: Error, Sendable, Hashable {
        case breakerOpen
        /// At its RPM/TPM limit; capacity returns after `wait`.
        case limited(wait: Duration)

        var errorClass: String {
            switch self {
            case .breakerOpen: return "skipped_breaker_open"
            case .limited: return "skipped_rate_limit"
            }
        }
    }

    /// A slot taken for one attempt; give it back with ``finish(_:success:latency:tokens:now:)``.
    public struct Lease: Sendable {
        let deployment: String
        let isProbe: Bool
        /// Tokens taken from the TPM bucket up front (the estimate), settled in ``finish``.
        let reservedTokens: Int
    }

    /// Takes a slot on `deployment` for one attempt that may use about `estimatedTokens` tokens,
    /// or says why it cannot.
    public func acquire(_ deployment: String, estimatedTokens: Int, now: ContinuousClock.Instant) -> Result<Lease, Unavailability> {
        guard let slot = slots[deployment] else { return .success(Lease(deployment: deployment, isProbe: false, reservedTokens: 0)) }
        let (result, change): (Result<Lease, Unavailability>, CircuitBreaker.State?) = slot.state.withLock { state in
            if !state.buckets.isUnlimited { state.buckets.attempts += 1 }
            guard state.breaker.isAvailable(now: now) else { return (.failure(.breakerOpen), nil) }
            if var requests = state.buckets.requests {
                guard requests.available(now: now) >= 1 else { return (.failure(.limited(wait: requests.wait(for: 1, now: now))), nil) }
                state.buckets.requests = requests
            }
            var reserved = 0
            if var tokens = state.buckets.tokens {
                reserved = min(estimatedTokens, Int(tokens.capacity))
                guard tokens.available(now: now) >= Double(reserved) else {
                    return (.failure(.limited(wait: tokens.wait(for: Double(reserved), now: now))), nil)
                }
                state.buckets.tokens = tokens
            }
            let (admission, change) = state.breaker.admit(now: now)
            guard admission != .rejected else { return (.failure(.breakerOpen), change) }
            _ = state.buckets.requests?.take(1, now: now)
            state.buckets.tokens?.charge(Double(reserved), now: now)
            state.inFlight += 1
            return (.success(Lease(deployment: deployment, isProbe: admission == .probe, reservedTokens: reserved)), change)
        }
        if let change { noteTransition(deployment, to: change) }
        return result
    }

    /// Returns the slot with the attempt's outcome. When the actual usage is known (`tokens`),
    /// the TPM bucket is settled from the reserved estimate to it; otherwise the estimate stands.
    /// `success` and `latency` feed the breaker and the latency average.
    public func finish(_ lease: Lease, success: Bool, latency: Duration, tokens: Int?, now: ContinuousClock.Instant) {
        guard let slot = slots[lease.deployment] else { return }
        let change = slot.state.withLock { state -> CircuitBreaker.State? in
            state.inFlight = max(0, state.inFlight - 1)
            if let tokens { state.buckets.tokens?.charge(Double(tokens - lease.reservedTokens), now: now) }
            if success {
                let sample = latency.milliseconds
                state.latencyEWMA = state.latencyEWMA.map { 0.8 * $0 + 0.2 * sample } ?? sample
            }
            return state.breaker.record(success: success, latency: latency, now: now)
        }
        if let change { noteTransition(lease.deployment, to: change) }
    }

    /// Gives back a slot whose attempt outcome says nothing about the deployment (the client
    /// went away, or the caller's own request was rejected).
    public func release(_ lease: Lease) {
        slots[lease.deployment]?.state.withLock { state in
            state.inFlight = max(0, state.inFlight - 1)
            if lease.isProbe { state.breaker.releaseProbe() }
        }
    }

    /// Requests in flight and recent latency of `deployment`, for load balancing.
    public func load(of deployment: String) -> (inFlight: Int, latencyMilliseconds: Double) {
        slots[deployment]?.state.withLock { ($0.inFlight, $0.latencyEWMA ?? 0) } ?? (0, 0)
    }

    /// The breaker state of `deployment` (`closed` for unknown names).
    public func breakerState(of deployment: String) -> CircuitBreaker.State {
        slots[deployment]?.state.withLock { $0.breaker.state } ?? .closed
    }

    /// Names of deployments whose breaker refuses traffic at `now` (for the routing context).
    public func unavailableDeployments(now: ContinuousClock.Instant) -> Set<String> {
        Set(slots.compactMap { name, slot in slot.state.withLock { $0.breaker.isAvailable(now: now) } ? nil : name })
    }

    /// Number of breaker state changes since start.
    public var transitionCount: Int { breakerTransitions.load(ordering: .relaxed) }

    private func noteTransition(_ deployment: String, to state: CircuitBreaker.State) {
        breakerTransitions.add(1, ordering: .relaxed)
        let level: Logger.Level = state == .closed ? .notice : .warning
        logger.log(level: level, "circuit breaker \(state)", metadata: ["deployment": "\(deployment)", "breaker_state": "\(state)"])
    }
}

/// Deployments' own limits shared with other gateway instances; subjects are
/// `deployment:<name>`.
extension DeploymentMonitor: SharedRateLimits {
    static let subjectPrefix = "deployment:"

    func rateDemand(elapsed: Duration) -> [String: Double] {
        var demand: [String: Double] = [:]
        for (name, slot) in slots {
            slot.state.withLock { state in
                guard !state.buckets.isUnlimited else { return }
                demand[Self.subjectPrefix + name] = state.buckets.reportDemand(elapsed: elapsed)
            }
        }
        return demand
    }

    var rateShareRows: [JSONValue] {
        slots.compactMap { name, slot in
            slot.state.withLock { state in
                let buckets = state.buckets
                return buckets.isUnlimited ? nil : Self.rateShareRow(subject: Self.subjectPrefix + name, share: buckets.share, demand: buckets.demand)
            }
        }
    }

    func applyRateShares(_ shares: RateShares) {
        let now = ContinuousClock.now
        for (subject, reported) in shares.shares where subject.hasPrefix(Self.subjectPrefix) {
            guard let slot = slots[String(subject.dropFirst(Self.subjectPrefix.count))] else { continue }
            slot.state.withLock { $0.buckets.takeShare(reported, now: now) }
        }
    }
}
