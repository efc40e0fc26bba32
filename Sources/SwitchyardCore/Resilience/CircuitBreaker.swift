/// When a deployment's breaker opens, how long it stays open, and how it recovers.
public struct CircuitBreakerSettings: Sendable, Hashable {
    /// Consecutive failures that open the breaker.
    public var consecutiveFailures: Int
    /// Failure share over the sliding window that opens the breaker…
    public var failureRate: Double
    /// …once the window holds at least this many outcomes.
    public var minimumRequests: Int
    /// Number of most recent outcomes in the sliding window.
    public var windowSize: Int
    /// A success slower than this counts as a failure (nil: latency is not judged).
    public var slowCallThreshold: Duration?
    /// Time the breaker stays open before letting probes through.
    public var cooldown: Duration
    /// Concurrent probe requests allowed while half-open; this many successes close it.
    public var halfOpenProbes: Int

    public init(
        consecutiveFailures: Int = 5, failureRate: Double = 0.5, minimumRequests: Int = 20, windowSize: Int = 50,
        slowCallThreshold: Duration? = nil, cooldown: Duration = .seconds(30), halfOpenProbes: Int = 1
    ) {
        self.consecutiveFailures = consecutiveFailures
        self.failureRate = failureRate
        self.minimumRequests = minimumRequests
        self.windowSize = windowSize
        self.slowCallThreshold = slowCallThreshold
        self.cooldown = cooldown
        self.halfOpenProbes = halfOpenProbes
    }
}

/// A circuit breaker for one deployment, as a state machine over an injected clock reading.
///
/// Closed: traffic flows, outcomes are counted. Open: traffic is refused until the cooldown ends.
/// Half-open: up to `halfOpenProbes` requests go through; that many successes close it, any
/// failure opens it again. Methods return the state change (if any) so the caller can log and
/// count it.
public struct CircuitBreaker: Sendable {
    public enum State: Sendable, Hashable, CustomStringConvertible {
        case closed
        case open(until: ContinuousClock.Instant)
        case halfOpen

        public var description: String {
            switch self {
            case .closed: return "closed"
            case .open: return "open"
            case .halfOpen: return "half_open"
            }
        }
    }

    /// Whether a request may use the deployment now.
    public enum Admission: Sendable, Hashable {
        /// Closed: go ahead.
        case allowed
        /// Half-open: go ahead as one of the limited probes; report its outcome.
        case probe
        /// Open (or all probe slots taken): skip this deployment.
        case rejected
    }

    public let settings: CircuitBreakerSettings
    public private(set) var state: State = .closed
    private var consecutiveFailures = 0
    private var window: [Bool] = []  // true = failure; a ring of the last `windowSize` outcomes
    private var windowNext = 0
    private var probesInFlight = 0
    private var probeSuccesses = 0

    public init(settings: CircuitBreakerSettings = CircuitBreakerSettings()) {
        self.settings = settings
        window.reserveCapacity(settings.windowSize)
    }

    /// Asks to send one request at `now`. Moves open → half-open once the cooldown is over.
    public mutating func admit(now: ContinuousClock.Instant) -> (Admission, change: State?) {
        switch state {
        case .closed:
            return (.allowed, nil)
        case .open(let until):
            guard now >= until else { return (.rejected, nil) }
            state = .halfOpen
            probesInFlight = 1
            probeSuccesses = 0
            return (.probe, .halfOpen)
        case .halfOpen:
            guard probesInFlight < settings.halfOpenProbes else { return (.rejected, nil) }
            probesInFlight += 1
            return (.probe, nil)
        }
    }

    /// Whether `admit` would let a request through at `now` (without taking a probe slot).
    public func isAvailable(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until): return now >= until
        case .halfOpen: return probesInFlight < settings.halfOpenProbes
        }
    }

    /// Records the outcome of an admitted request. A success slower than
    /// `slowCallThreshold` counts as a failure.
    public mutating func record(success: Bool, latency: Duration, now: ContinuousClock.Instant) -> State? {
        var failed = !success
        if success, let threshold = settings.slowCallThreshold, latency > threshold { failed = true }
        switch state {
        case .halfOpen:
            probesInFlight = max(0, probesInFlight - 1)
            if failed { return open(now: now) }
            probeSuccesses += 1
            guard probeSuccesses >= settings.halfOpenProbes else { return nil }
            state = .closed
            consecutiveFailures = 0
            window.removeAll(keepingCapacity: true)
            windowNext = 0
            return .closed
        case .open:
            // A request admitted before the breaker opened finished late; it does not count.
            return nil
        case .closed:
            remember(failed)
            consecutiveFailures = failed ? consecutiveFailures + 1 : 0
            if consecutiveFailures >= settings.consecutiveFailures { return open(now: now) }
            if window.count >= settings.minimumRequests, failureShare >= settings.failureRate { return open(now: now) }
            return nil
        }
    }

    /// A probe that was admitted but never sent (e.g. the request was cancelled) gives its slot back.
    public mutating func releaseProbe() {
        if case .halfOpen = state { probesInFlight = max(0, probesInFlight - 1) }
    }

    /// Failure share of the sliding window.
    public var failureShare: Double {
        window.isEmpty ? 0 : Double(window.lazy.filter { $0 }.count) / Double(window.count)
    }

    private mutating func remember(_ failed: Bool) {
        if window.count < settings.windowSize {
            window.append(failed)
        } else {
            window[windowNext] = failed
            windowNext = (windowNext + 1) % settings.windowSize
        }
    }

    private mutating func open(now: ContinuousClock.Instant) -> State {
        state = .open(until: now + settings.cooldown)
        probesInFlight = 0
        probeSuccesses = 0
        consecutiveFailures = 0
        window.removeAll(keepingCapacity: true)
        windowNext = 0
        return state
    }
}
