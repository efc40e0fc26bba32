import SwitchyardCore

/// Reads the `resilience` section: retries, circuit breaker and provider-limit waits.
struct ResilienceConfigurationReader {
    let document: MappingReader

    func read() -> ResilienceSettings {
        var settings = ResilienceSettings()
        guard let section = document.mapping("resilience") else { return settings }
        defer { section.rejectUnknownKeys() }
        if let wait = section.duration("limit_wait") { settings.limitWait = wait }
        if let retries = section.mapping("retries") {
            defer { retries.rejectUnknownKeys() }
            var policy = settings.retry
            if let attempts = retries.int("max_attempts", range: 1...10) { policy.maxAttemptsPerDeployment = attempts }
            if let delay = retries.duration("base_delay") { policy.baseDelay = delay }
            if let delay = retries.duration("max_delay") { policy.maxDelay = delay }
            if let cap = retries.duration("retry_after_cap") { policy.retryAfterCap = cap }
            if let timeout = retries.duration("attempt_timeout") { policy.attemptTimeout = timeout }
            if let deadline = retries.duration("deadline") { policy.deadline = deadline }
            if policy.baseDelay > policy.maxDelay { retries.report("base_delay", "must not exceed max_delay") }
            settings.retry = policy
        }
        if let breaker = section.mapping("circuit_breaker") {
            defer { breaker.rejectUnknownKeys() }
            var values = settings.breaker
            if let count = breaker.int("consecutive_failures", range: 1...1000) { values.consecutiveFailures = count }
            if let rate = breaker.double("failure_rate", minimum: 0) {
                if rate > 1 { breaker.report("failure_rate", "must be between 0 and 1, got \(rate)") }
                values.failureRate = rate
            }
            if let minimum = breaker.int("minimum_requests", range: 1...100_000) { values.minimumRequests = minimum }
            if let window = breaker.int("window", range: 1...100_000) { values.windowSize = window }
            if let slow = breaker.duration("slow_call_threshold") { values.slowCallThreshold = slow }
            if let cooldown = breaker.duration("cooldown") { values.cooldown = cooldown }
            if let probes = breaker.int("half_open_probes", range: 1...1000) { values.halfOpenProbes = probes }
            if values.minimumRequests > values.windowSize { breaker.report("minimum_requests", "must not exceed window (\(values.windowSize))") }
            settings.breaker = values
        }
        return settings
    }
}
