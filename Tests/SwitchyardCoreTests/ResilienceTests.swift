import Testing

@testable import SwitchyardCore

/// A small seeded generator (SplitMix64), so a test can replay the same jitter.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttemptsPerDeployment: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1), retryAfterCap: .seconds(5))

    @Test(
        "decides retry, fallback or fail by error class",
        arguments: [
            (ProviderError.serverError(status: 503, message: ""), 0, "retry"),
            (.timeout(message: ""), 1, "retry"),
            (.serverError(status: 500, message: ""), 2, "fallback"),  // attempts exhausted
            (.connectionFailed(message: ""), 0, "retry"),
            (.rateLimited(retryAfter: .seconds(2), message: ""), 0, "retry"),
            (.rateLimited(retryAfter: .seconds(30), message: ""), 0, "fallback"),  // over the cap
            (.badRequest(status: 400, message: "", code: nil, param: nil), 0, "fail"),
            (.badRequest(status: 422, message: "", code: nil, param: nil), 0, "fail"),
            (.authentication(status: 401, message: ""), 0, "fail"),
            (.contextLengthExceeded(message: ""), 0, "bigger"),
        ])
    func decides(error: ProviderError, attempt: Int, expected: String) {
        var random = SystemRandomNumberGenerator()
        let action = policy.next(after: error, attempt: attempt, random: &random)
        switch (action, expected) {
        case (.retry, "retry"), (.fallBack(false), "fallback"), (.fail, "fail"), (.fallBack(true), "bigger"): break
        default: Issue.record("\(error) at attempt \(attempt): got \(action), expected \(expected)")
        }
    }

    @Test("Retry-After within the cap is waited for exactly")
    func honoursRetryAfter() {
        var random = SystemRandomNumberGenerator()
        #expect(policy.next(after: .rateLimited(retryAfter: .seconds(2), message: ""), attempt: 0, random: &random) == .retry(after: .seconds(2)))
    }

    @Test("full jitter stays within [0, min(max, base × 2^n)]")
    func jitterBounds() {
        var generator = SystemRandomNumberGenerator()
        for attempt in 0..<8 {
            let ceiling = min(Duration.seconds(1), .milliseconds(100) * (1 << attempt))
            for _ in 0..<200 {
                let delay = policy.jitteredDelay(attempt: attempt, random: &generator)
                #expect(delay >= .zero && delay <= ceiling)
            }
        }
    }

    @Test("the same seed replays the same delays (randomness is injected)")
    func jitterIsReplayable() {
        var first = SeededRandom(state: 42)
        var second = SeededRandom(state: 42)
        let a = (0..<5).map { policy.jitteredDelay(attempt: $0, random: &first) }
        let b = (0..<5).map { policy.jitteredDelay(attempt: $0, random: &second) }
        #expect(a == b)
    }

    @Test("jitter spreads delays rather than repeating one value")
    func jitterSpreads() {
        var generator = SystemRandomNumberGenerator()
        let delays = Set((0..<50).map { _ in policy.jitteredDelay(attempt: 2, random: &generator) })
        #expect(delays.count > 40)
    }
}

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    let t0 = ContinuousClock.now

    @Test("opens after N consecutive failures, refuses traffic, half-opens after the cooldown and closes on a successful probe")
    func lifecycle() {
        var breaker = CircuitBreaker(settings: CircuitBreakerSettings(consecutiveFailures: 3, cooldown: .seconds(10), halfOpenProbes: 1))
        for index in 0..<2 {
            #expect(breaker.admit(now: t0).0 == .allowed)
            #expect(breaker.record(success: false, latency: .milliseconds(5), now: t0 + .seconds(index)) == nil)
        }
        #expect(breaker.admit(now: t0).0 == .allowed)
        let opened = breaker.record(success: false, latency: .milliseconds(5), now: t0 + .seconds(2))
        #expect(opened == .open(until: t0 + .seconds(12)))
        #expect(breaker.admit(now: t0 + .seconds(5)).0 == .rejected)
        #expect(!breaker.isAvailable(now: t0 + .seconds(11)))

        let (admission, change) = breaker.admit(now: t0 + .seconds(12))
        #expect(admission == .probe && change == .halfOpen)
        #expect(breaker.admit(now: t0 + .seconds(12)).0 == .rejected)  // one probe at a time
        #expect(breaker.record(success: true, latency: .milliseconds(5), now: t0 + .seconds(13)) == .closed)
        #expect(breaker.admit(now: t0 + .seconds(13)).0 == .allowed)
    }

    @Test("a failed probe opens the breaker again for a full cooldown")
    func failedProbe() {
        var breaker = CircuitBreaker(settings: CircuitBreakerSettings(consecutiveFailures: 1, cooldown: .seconds(10)))
        _ = breaker.admit(now: t0)
        _ = breaker.record(success: false, latency: .zero, now: t0)
        #expect(breaker.admit(now: t0 + .seconds(10)).0 == .probe)
        #expect(breaker.record(success: false, latency: .zero, now: t0 + .seconds(11)) == .open(until: t0 + .seconds(21)))
    }

    @Test("a success resets the consecutive count; the error rate over the window still opens it")
    func errorRate() {
        var breaker = CircuitBreaker(settings: CircuitBreakerSettings(consecutiveFailures: 3, failureRate: 0.5, minimumRequests: 10, windowSize: 10))
        var changes: [CircuitBreaker.State] = []
        for index in 0..<10 {
            _ = breaker.admit(now: t0)
            // fail, fail, succeed, … : never three failures in a row, but 2/3 of calls fail
            if let change = breaker.record(success: index % 3 == 2, latency: .zero, now: t0) { changes.append(change) }
        }
        // Never three failures in a row, but 7 of 10 failed: the window opens it on the tenth.
        #expect(changes == [.open(until: t0 + .seconds(30))])
    }

    @Test("slow successes count as failures when a latency threshold is set")
    func slowCalls() {
        var breaker = CircuitBreaker(settings: CircuitBreakerSettings(consecutiveFailures: 2, slowCallThreshold: .seconds(1)))
        _ = breaker.record(success: true, latency: .seconds(3), now: t0)
        let change = breaker.record(success: true, latency: .seconds(3), now: t0)
        #expect(change != nil)
        var unjudged = CircuitBreaker(settings: CircuitBreakerSettings(consecutiveFailures: 2))
        _ = unjudged.record(success: true, latency: .seconds(3), now: t0)
        #expect(unjudged.record(success: true, latency: .seconds(3), now: t0) == nil)
    }
}

@Suite("Token bucket")
struct TokenBucketTests {
    let t0 = ContinuousClock.now

    @Test("starts full, refuses when empty, refills over time")
    func refills() {
        var bucket = TokenBucket(capacity: 60, period: .seconds(60), now: t0)
        let tookAll = bucket.take(60, now: t0)
        let tookMore = bucket.take(1, now: t0)
        let wait = bucket.wait(for: 1, now: t0)
        let tookAfterASecond = bucket.take(1, now: t0 + .seconds(1))
        let refilled = bucket.available(now: t0 + .seconds(1000))
        #expect(tookAll && !tookMore && tookAfterASecond)
        #expect(wait == .seconds(1))
        #expect(refilled == 60)
    }

    @Test("a changed capacity keeps what was used")
    func resize() {
        var bucket = TokenBucket(capacity: 2, period: .seconds(60), now: t0)
        let tookBoth = bucket.take(2, now: t0)
        bucket.resize(to: 5, now: t0)
        let raised = bucket.available(now: t0)
        let tookThree = bucket.take(3, now: t0)
        bucket.resize(to: 1, now: t0)
        let lowered = bucket.available(now: t0)
        // Refilled at the new rate: one token a minute.
        let afterThirtySeconds = bucket.available(now: t0 + .seconds(30))
        #expect(tookBoth && tookThree)
        #expect(raised == 3)
        #expect(lowered == -4)
        #expect(afterThirtySeconds == -3.5)
        #expect(bucket.capacity == 1)
    }

    @Test("rate shares follow demand; an instance keeps at least one request a minute")
    func rateShares() {
        #expect(RateShares.share(mine: 30, total: 40, reporters: 2) == 0.75)
        #expect(RateShares.share(mine: 0, total: 0, reporters: 4) == 0.25)
        #expect(RateShares.enforced(20, share: 1) == 20)
        #expect(RateShares.enforced(20, share: 0.5) == 10)
        #expect(RateShares.enforced(20, share: 0.01) == 1)
        #expect(RateShares.enforced(0, share: 0.5) == 0)
        #expect(RateShares(shares: [:], instances: 0).instances == 1)
    }

    @Test("a new share creates no tokens: a larger one fills at its faster rate, a smaller one gives up the rest")
    func reapportion() {
        var bucket = TokenBucket(capacity: 10, period: .seconds(60), now: t0)
        let tookSix = bucket.take(6, now: t0)
        bucket.reapportion(to: 20, now: t0)
        let afterGrowing = bucket.available(now: t0)
        // Refilled at the new rate: 20 a minute.
        let afterSixSeconds = bucket.available(now: t0 + .seconds(6))
        bucket.reapportion(to: 3, now: t0 + .seconds(6))
        let afterFalling = bucket.available(now: t0 + .seconds(6))
        bucket.charge(5, now: t0 + .seconds(6))
        bucket.reapportion(to: 10, now: t0 + .seconds(6))
        let debtKept = bucket.available(now: t0 + .seconds(6))
        #expect(tookSix)
        #expect(afterGrowing == 4)
        #expect(afterSixSeconds == 6)
        #expect(afterFalling == 3)
        #expect(debtKept == -2)
        #expect(bucket.capacity == 10)
    }

    /// Two instances that each spent their half of `rpm: 20`, then swap demand, share by share as
    /// syncs bring them: neither admits again what the other already spent.
    @Test("shares that move between instances admit no more than the limit and its refill")
    func movingSharesConserveTheLimit() {
        let limits = DeploymentLimits(requestsPerMinute: 20)
        var first = RateLimitBuckets(limits, share: 0.5, now: t0)
        var second = RateLimitBuckets(limits, share: 0.5, now: t0)
        var admitted = 0
        func admit(_ buckets: inout RateLimitBuckets, at now: ContinuousClock.Instant) {
            while buckets.requests?.take(1, now: now) == true { admitted += 1 }
        }
        admit(&first, at: t0)
        admit(&second, at: t0)
        #expect(admitted == 20)
        // A sync every 100 ms for a second: the first's share grows while the second's falls,
        // and both try to admit all they can after each.
        for sync in 1...10 {
            let now = t0 + .milliseconds(100 * sync)
            first.takeShare(1, now: now)
            second.takeShare(0, now: now)
            admit(&first, at: now)
            admit(&second, at: now)
        }
        #expect(first.share == 1 && second.share == 0)
        // What refilled in that second at most: 20 a minute, with the second's one a minute.
        #expect(admitted <= 20 + 1, "admitted \(admitted)")
        // From here the first has the whole limit's pace: 20 a minute, one every 3 s.
        let before = admitted
        admit(&first, at: t0 + .seconds(31))
        #expect(admitted - before >= 9, "admitted \(admitted - before) in 30 s")
    }

    @Test("charging after the fact puts the bucket in debt")
    func debt() {
        var bucket = TokenBucket(capacity: 100, period: .seconds(60), now: t0)
        bucket.charge(160, now: t0)
        let balance = bucket.available(now: t0)
        let tookAt30 = bucket.take(1, now: t0 + .seconds(30))
        let tookAt40 = bucket.take(1, now: t0 + .seconds(40))
        #expect(balance == -60)
        #expect(!tookAt30 && tookAt40)
    }
}
