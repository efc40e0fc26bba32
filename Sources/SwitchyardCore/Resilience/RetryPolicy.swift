/// How often and how patiently one deployment is retried before the executor falls back.
///
/// Delays use exponential backoff with full jitter (uniform in `[0, min(maxDelay, baseDelay × 2^n)]`),
/// which spreads retries of many clients instead of synchronising them. A provider's
/// `Retry-After` is honoured when it is within `retryAfterCap`; a longer one means "not this
/// deployment for now", so the executor falls back instead of waiting.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per deployment, including the first (1 = no retry).
    public var maxAttemptsPerDeployment: Int
    /// First backoff ceiling.
    public var baseDelay: Duration
    /// Largest backoff ceiling.
    public var maxDelay: Duration
    /// Longest `Retry-After` the executor waits for on the same deployment.
    public var retryAfterCap: Duration
    /// Time allowed for one attempt.
    public var attemptTimeout: Duration
    /// Time allowed for the whole request, all attempts and fallbacks included.
    public var deadline: Duration

    public init(
        maxAttemptsPerDeployment: Int = 2, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(2),
        retryAfterCap: Duration = .seconds(5), attemptTimeout: Duration = .seconds(60), deadline: Duration = .seconds(120)
    ) {
        self.maxAttemptsPerDeployment = maxAttemptsPerDeployment
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryAfterCap = retryAfterCap
        self.attemptTimeout = attemptTimeout
        self.deadline = deadline
    }

    /// What to do after attempt number `attempt` (0-based) on a deployment failed with `error`.
    public func next<R: RandomNumberGenerator>(after error: ProviderError, attempt: Int, random: inout R) -> RetryAction {
        switch error {
        case .contextLengthExceeded:
            return .fallBack(requiresLargerContext: true)
        case .badRequest, .authentication:
            // 400/401/403/404/422: no retry or other deployment changes the answer.
            return .fail
        default:
            break
        }
        guard error.isRetryable, attempt + 1 < maxAttemptsPerDeployment else { return .fallBack(requiresLargerContext: false) }
        if case .rateLimited(let retryAfter?, _) = error {
            return retryAfter <= retryAfterCap ? .retry(after: retryAfter) : .fallBack(requiresLargerContext: false)
        }
        return .retry(after: jitteredDelay(attempt: attempt, random: &random))
    }

    /// Full-jitter backoff for the retry after attempt `attempt` (0-based).
    public func jitteredDelay<R: RandomNumberGenerator>(attempt: Int, random: inout R) -> Duration {
        let ceiling = min(maxDelay, baseDelay * (1 << min(attempt, 30)))
        let nanoseconds = ceiling.nanoseconds
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &random))
    }
}

/// The executor's next step after a failed attempt.
public enum RetryAction: Sendable, Hashable {
    /// Try the same deployment again after the delay.
    case retry(after: Duration)
    /// Move to the next deployment of the chain (one with a larger context window, if required).
    case fallBack(requiresLargerContext: Bool)
    /// Return the error to the caller as it is (400, 401, 403, 404, 422).
    case fail
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : whole &+ attoseconds / 1_000_000_000
    }

    /// The duration in milliseconds as a double.
    public var milliseconds: Double {
        Double(nanoseconds) / 1_000_000
    }
}
