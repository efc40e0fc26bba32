import Logging
import SwitchyardCore

/// Walks a chain of deployments until one answers: retries retryable errors on the same
/// deployment with full-jitter backoff (honouring `Retry-After` up to a cap), falls back to the
/// next deployment when retries run out or a deployment is unavailable (breaker open, RPM/TPM
/// limit reached), moves a context-length failure to a deployment with a larger window, and
/// returns the caller's own errors (400, 401, 403, 404, 422) as they are. Every try is recorded.
///
/// A class: every call shares one executor instead of copying the configuration it holds.
final class ChainExecutor: Sendable {
    let configuration: GatewayConfiguration
    let providers: ProviderRegistry
    let monitor: DeploymentMonitor
    let logger: Logger

    init(configuration: GatewayConfiguration, providers: ProviderRegistry, monitor: DeploymentMonitor, logger: Logger) {
        self.configuration = configuration
        self.providers = providers
        self.monitor = monitor
        self.logger = logger
    }

    var retry: RetryPolicy { configuration.resilience.retry }

    /// The answer and how it was obtained.
    struct Success<Value> {
        var value: Value
        var deployment: ModelDeployment
        var attempts: [AttemptRecord]
    }

    /// Every deployment failed or was unavailable.
    struct Failure: Error {
        var error: GatewayError
        var attempts: [AttemptRecord]
    }

    /// Runs `operation` against the chain's deployments in order (equal-rank neighbours balanced
    /// by load) until it succeeds, within `deadline`. `usage` reads the tokens an answer used, so
    /// the deployment's TPM budget is settled to them (a stream's is known only later: its
    /// estimate stands).
    func execute<Value>(
        chain: [ModelDeployment], request: ChatCompletionRequest, clientHeaders: [(name: String, value: String)],
        deadline: ContinuousClock.Instant, usage: (Value) -> TokenUsage? = { _ in nil },
        operation: (any ChatProvider, ProviderCall) async throws(ProviderError) -> Value
    ) async throws -> Result<Success<Value>, Failure> {
        var attempts: [AttemptRecord] = []
        var lastError: ProviderError?
        var minimumContext: Int?
        var random = SystemRandomNumberGenerator()
        let ordered = balanced(chain)
        let estimatedTokens = request.promptByteCount / 4 + (request.maxOutputTokens ?? 256)

        deployments: for (position, deployment) in ordered.enumerated() {
            let isLast = position == ordered.count - 1
            if let minimumContext, deployment.contextWindow <= minimumContext {
                attempts.append(skip(deployment, "skipped_context_too_small"))
                continue
            }
            guard let adapter = providers.adapter(named: deployment.provider) else {
                attempts.append(skip(deployment, "skipped_no_adapter"))
                continue
            }
            var attempt = 0
            while true {
                let now = ContinuousClock.now
                guard now < deadline else { break deployments }
                let lease: DeploymentMonitor.Lease
                switch monitor.acquire(deployment.name, estimatedTokens: estimatedTokens, now: now) {
                case .success(let granted):
                    lease = granted
                case .failure(.limited(let wait)) where isLast && wait <= configuration.resilience.limitWait && now + wait < deadline:
                    try await pause(for: wait)
                    continue
                case .failure(let reason):
                    attempts.append(skip(deployment, reason.errorClass))
                    continue deployments
                }

                let call = makeCall(deployment, request: request, clientHeaders: clientHeaders, timeout: min(deadline - now, retry.attemptTimeout))
                let started = ContinuousClock.now
                do {
                    return try await succeeded(operation(adapter, call), deployment: deployment, lease: lease, started: started, usage: usage, attempts: &attempts)
                } catch {
                    let latency = ContinuousClock.now - started
                    if Task.isCancelled {
                        monitor.release(lease)
                        throw CancellationError()
                    }
                    switch settle(
                        error, lease: lease, deployment: deployment, attempt: attempt, latency: latency, deadline: deadline, random: &random,
                        attempts: &attempts)
                    {
                    case .fail(let failure):
                        return .failure(failure)
                    case .retry(let delay):
                        lastError = error
                        try await pause(for: delay)
                        attempt += 1
                    case .moveOn(let largerContext):
                        lastError = error
                        if largerContext { minimumContext = deployment.contextWindow }
                        continue deployments
                    }
                }
            }
        }
        return exhausted(lastError: lastError, attempts: attempts, deadline: deadline)
    }

    /// Settles a successful attempt's lease, records it and wraps the answer. Synchronous and
    /// not inlined, like ``settle(_:lease:deployment:attempt:latency:deadline:random:attempts:)``.
    @inline(never)
    private func succeeded<Value>(
        _ value: Value, deployment: ModelDeployment, lease: DeploymentMonitor.Lease, started: ContinuousClock.Instant,
        usage: (Value) -> TokenUsage?, attempts: inout [AttemptRecord]
    ) -> Result<Success<Value>, Failure> {
        let latency = ContinuousClock.now - started
        monitor.finish(lease, success: true, latency: latency, tokens: usage(value)?.totalTokens, now: .now)
        attempts.append(AttemptRecord(deployment: deployment.name, provider: deployment.provider, status: 200, errorClass: nil, latency: latency))
        return .success(Success(value: value, deployment: deployment, attempts: attempts))
    }

    /// Sleeps for `delay` (a rate limit's wait, a retry's backoff). Not inlined, so the sleep's
    /// state has a frame of its own, allocated only when the chain waits, instead of a place in
    /// `execute`'s, which a request holds for its whole exchange.
    @inline(never)
    private func pause(for delay: Duration) async throws {
        try await Task.sleep(for: delay)
    }

    /// The call for one attempt, with the client headers the provider forwards.
    @inline(never)
    private func makeCall(
        _ deployment: ModelDeployment, request: ChatCompletionRequest, clientHeaders: [(name: String, value: String)], timeout: Duration
    ) -> ProviderCall {
        // The provider's settings are read where they are stored: a copy (`provider(named:)`)
        // retains each of their strings for every attempt, which forwards nothing by default.
        var forwarded: [(name: String, value: String)] = []
        if let index = configuration.providers.firstIndex(where: { $0.name == deployment.provider }),
            !configuration.providers[index].forwardHeaders.isEmpty
        {
            forwarded = clientHeaders.filter { configuration.providers[index].forwards(header: $0.name) }
        }
        return ProviderCall(deployment: deployment, request: request, forwardedHeaders: forwarded, timeout: timeout)
    }

    /// What to do after a failed attempt.
    private enum NextStep {
        /// The caller's own error: answer with it.
        case fail(Failure)
        /// Try the same deployment again after the delay.
        case retry(Duration)
        /// Fall back to the next deployment (one with a larger context window, if so).
        case moveOn(largerContext: Bool)
    }

    /// Records a failed attempt, settles its lease and decides what comes next. Synchronous and
    /// not inlined, so its temporaries stay off `execute`'s async frame (a connection's task
    /// keeps its deepest frame stack for as long as it lives).
    @inline(never)
    private func settle(
        _ error: ProviderError, lease: DeploymentMonitor.Lease, deployment: ModelDeployment, attempt: Int, latency: Duration,
        deadline: ContinuousClock.Instant, random: inout SystemRandomNumberGenerator, attempts: inout [AttemptRecord]
    ) -> NextStep {
        var record = AttemptRecord(
            deployment: deployment.name, provider: deployment.provider, status: error.gatewayError.status, errorClass: error.errorClass,
            latency: latency)
        let action = retry.next(after: error, attempt: attempt, random: &random)
        if case .fail = action {
            // The caller's own error says nothing about the deployment's health.
            monitor.release(lease)
            attempts.append(record)
            return .fail(Failure(error: error.gatewayError, attempts: attempts))
        }
        monitor.finish(lease, success: false, latency: latency, tokens: nil, now: .now)
        switch action {
        case .retry(let delay) where ContinuousClock.now + delay < deadline:
            record.retryDelay = delay
            attempts.append(record)
            logger.debug("retrying", metadata: ["deployment": "\(deployment.name)", "error_class": "\(error.errorClass)", "delay_ms": "\(delay.milliseconds)"])
            return .retry(delay)
        case .fallBack(requiresLargerContext: true):
            attempts.append(record)
            return .moveOn(largerContext: true)
        default:
            attempts.append(record)
            return .moveOn(largerContext: false)
        }
    }

    /// How many times a run moved on to another deployment, from its attempts in order.
    static func fallbackCount(_ attempts: [AttemptRecord]) -> Int {
        var moves = 0
        var previous: String?
        for attempt in attempts where attempt.deployment != previous {
            if previous != nil { moves += 1 }
            previous = attempt.deployment
        }
        return moves
    }

    /// The result of a chain that produced no answer. Synchronous and not inlined, so building
    /// it stays off `execute`'s async frame.
    @inline(never)
    private func exhausted<Value>(
        lastError: ProviderError?, attempts: [AttemptRecord], deadline: ContinuousClock.Instant
    ) -> Result<Success<Value>, Failure> {
        let error: GatewayError
        if ContinuousClock.now >= deadline {
            error = GatewayError(status: 504, type: "upstream_error", code: "deadline_exceeded", message: "No deployment answered before the request's deadline (\(attempts.count) attempts).")
        } else if let lastError {
            error = lastError.gatewayError
        } else {
            let reasons = Set(attempts.compactMap(\.errorClass)).sorted().joined(separator: ", ")
            error = GatewayError(
                status: 503, type: "upstream_error", code: "no_deployment_available",
                message: "No deployment of the chain can take the request right now (\(reasons.isEmpty ? "empty chain" : reasons)).",
                retryAfterSeconds: 1)
        }
        return .failure(Failure(error: error, attempts: attempts))
    }

    /// The chain with each run of equal-rank neighbours (same tier, same price) ordered by
    /// fewest requests in flight, then lowest recent latency.
    func balanced(_ chain: [ModelDeployment]) -> [ModelDeployment] {
        guard chain.count > 1 else { return chain }
        var result: [ModelDeployment] = []
        result.reserveCapacity(chain.count)
        var start = chain.startIndex
        while start < chain.endIndex {
            var end = start + 1
            while end < chain.endIndex, chain[end].tier == chain[start].tier, chain[end].price == chain[start].price { end += 1 }
            if end - start == 1 {
                result.append(chain[start])
            } else {
                let loads = chain[start..<end].map { (deployment: $0, load: monitor.load(of: $0.name)) }
                result += loads.sorted { ($0.load.inFlight, $0.load.latencyMilliseconds) < ($1.load.inFlight, $1.load.latencyMilliseconds) }.map(\.deployment)
            }
            start = end
        }
        return result
    }

    private func skip(_ deployment: ModelDeployment, _ reason: String) -> AttemptRecord {
        AttemptRecord(deployment: deployment.name, provider: deployment.provider, status: nil, errorClass: reason, latency: .zero)
    }
}
