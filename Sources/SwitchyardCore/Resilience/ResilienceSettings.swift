/// Retries, circuit breakers and provider-limit behaviour (the `resilience` config section).
public struct ResilienceSettings: Sendable, Hashable {
    public var retry: RetryPolicy
    public var breaker: CircuitBreakerSettings
    /// How long a request may wait for a rate-limited deployment when it is the chain's last option.
    public var limitWait: Duration

    public init(retry: RetryPolicy = RetryPolicy(), breaker: CircuitBreakerSettings = CircuitBreakerSettings(), limitWait: Duration = .seconds(2)) {
        self.retry = retry
        self.breaker = breaker
        self.limitWait = limitWait
    }
}

/// Requests-per-minute and tokens-per-minute ceilings of one deployment.
public struct DeploymentLimits: Sendable, Hashable {
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?

    public init(requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    public var isUnlimited: Bool { requestsPerMinute == nil && tokensPerMinute == nil }
}
