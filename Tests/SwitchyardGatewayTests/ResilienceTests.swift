import Foundation
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
import SwitchyardMock
import Logging

/// Retries, fallbacks and circuit breakers, end to end against simulated faults.
@Suite("Resilience over loopback")
struct ResilienceTests {
    /// A fault header unique to one test, so `times=N` counters never mix.
    func fault(_ spec: String) -> (String, String) {
        ("x-mock-fault", "\(spec);id=\(UUID().uuidString)")
    }

    @Test("429 with Retry-After, then success on the same deployment")
    func retryAfterThenSuccess() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML) { live in
            let started = ContinuousClock.now
            let response = try await live.post(chatBody(), headers: [fault("429;retry-after=1;times=1")])
            let elapsed = ContinuousClock.now - started
            #expect(response.status == 200, "\(response.body)")
            #expect(response.headers["x-switchyard-model"] == "cheap")
            #expect(response.headers["x-switchyard-fallbacks"] == "0")
            #expect(live.upstreamCount("sim-light") == 2)
            #expect(elapsed >= .seconds(1), "Retry-After was not honoured: \(elapsed)")
        }
    }

    @Test("5xx on every retry falls back to the next deployment")
    func serverErrorsFallBack() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML) { live in
            let response = try await live.post(chatBody(), headers: [fault("503;model=sim-light")])
            #expect(response.status == 200, "\(response.body)")
            #expect(response.headers["x-switchyard-model"] == "middle")
            #expect(response.headers["x-switchyard-fallbacks"] == "1")
            #expect(live.upstreamCount("sim-light") == 2)  // max_attempts: 2
            #expect(live.upstreamCount("sim-mid") == 1)
        }
    }

    @Test("a refused connection fails the attempt at once and falls back, instead of waiting out the deadline")
    func refusedConnectionFallsBackAtOnce() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML, configure: { configuration in
            configuration.providers.append(ProviderSettings(name: "dead", baseURL: "http://127.0.0.1:9/v1", timeout: .seconds(5)))
            configuration.models[0].provider = "dead"
        }) { live in
            let response = try await live.post(chatBody())
            #expect(response.status == 200, "\(response.body)")
            #expect(response.headers["x-switchyard-model"] == "middle")
            let id = try #require(response.headers["x-switchyard-decision-id"])
            let attempts = try await live.get("/v1/decisions/\(id)").json["attempts"]?.arrayValue ?? []
            let onDead = attempts.filter { $0["deployment"] == "cheap" }
            #expect(onDead.count == 2)  // tried and retried, each failing fast
            #expect(onDead.allSatisfy { $0["error_class"] == "connection_failed" }, "\(onDead)")
        }
    }

    @Test("a hanging deployment times out and the next one answers")
    func hangTimesOutThenFallsBack() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML, configure: { $0.shortTimeout(on: "cheap") }) { live in
            let response = try await live.post(chatBody(), headers: [fault("hang;model=sim-light")])
            // Had the provider's 1 s timeout not ended them, cheap's two attempts would have run
            // into the 20 s attempt timeout and the request into its 30 s deadline (a 504).
            #expect(response.status == 200, "\(response.body)")
            #expect(response.headers["x-switchyard-model"] == "middle")
            let id = try #require(response.headers["x-switchyard-decision-id"])
            let attempts = try await live.get("/v1/decisions/\(id)").json["attempts"]?.arrayValue ?? []
            let onHanging = attempts.filter { $0["deployment"] == "cheap" }
            #expect(onHanging.count == 2)
            #expect(onHanging.allSatisfy { $0["error_class"] == "timeout" }, "\(onHanging)")
        }
    }

    @Test("a 400 from the provider is returned as is, with no retry or fallback")
    func badRequestDoesNotFallBack() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML) { live in
            let response = try await live.post(chatBody(), headers: [fault("400;model=sim-light")])
            #expect(response.status == 400)
            #expect(live.upstreamCount("sim-light") == 1)
            #expect(live.upstreamCount("sim-mid") == 0)
        }
    }

    @Test("a context-length error moves to a deployment with a larger window")
    func contextLengthMovesUp() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML) { live in
            let response = try await live.post(chatBody(), headers: [fault("context-length;model=sim-light")])
            #expect(response.status == 200, "\(response.body)")
            #expect(response.headers["x-switchyard-model"] == "middle")
            #expect(live.upstreamCount("sim-light") == 1)  // not retried: the same model cannot fit it
        }
    }

    @Test("the breaker opens after the configured failures, stops traffic, half-opens after the cooldown and recovers")
    func breakerLifecycle() async throws {
        // A cooldown long enough that a loaded machine cannot let it pass before the skipped
        // request is sent.
        let cooldown = Duration.seconds(5)
        let yaml: @Sendable (Int) -> String = {
            LiveGateway.resilientYAML(mockPort: $0).replacingOccurrences(of: "cooldown: 1s", with: "cooldown: 5s")
        }
        try await LiveGateway.run(yaml: yaml) { live in
            let failing = fault("500;model=sim-light")
            // Two requests × two attempts: the third failure opens the breaker.
            for _ in 0..<2 {
                #expect(try await live.post(chatBody(), headers: [failing]).headers["x-switchyard-model"] == "middle")
            }
            let opened = ContinuousClock.now  // at the latest
            let failuresSeen = live.upstreamCount("sim-light")
            #expect(failuresSeen == 3)
            // Open: the deployment is skipped without a request.
            let skipped = try await live.post(chatBody())
            #expect(skipped.headers["x-switchyard-model"] == "middle")
            #expect(live.upstreamCount("sim-light") == failuresSeen)
            // After the cooldown one probe goes through; it succeeds and closes the breaker.
            try await Task.sleep(until: opened + cooldown + .milliseconds(100))
            let probe = try await live.post(chatBody())
            #expect(probe.headers["x-switchyard-model"] == "cheap")
            let closed = try await live.post(chatBody())
            #expect(closed.headers["x-switchyard-model"] == "cheap")
            #expect(live.upstreamCount("sim-light") == failuresSeen + 2)
        }
    }

    @Test("a 429 as the first stream chunk falls back, and the client gets one clean stream")
    func streamErrorEventFallsBack() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML) { live in
            let response = try await live.post(chatBody(stream: true), headers: [fault("error-event=429;model=sim-light")])
            #expect(response.status == 200)
            #expect(response.headers["x-switchyard-model"] == "middle")
            let events = response.events
            #expect(events.last == "[DONE]")
            #expect(!response.body.contains("\"error\""))
            let models = Set(events.dropLast().compactMap { (try? JSONParser.parse($0))?["model"]?.stringValue })
            #expect(models == ["sim-mid"])
        }
    }

    @Test("x-switchyard-timeout-ms bounds the whole request")
    func requestDeadline() async throws {
        let everyTierTimesOutQuickly: @Sendable (inout GatewayConfiguration) -> Void = { configuration in
            for model in ["cheap", "middle", "best"] { configuration.shortTimeout(on: model) }
        }
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML, configure: everyTierTimesOutQuickly) { live in
            let response = try await live.post(chatBody(), headers: [fault("hang"), ("x-switchyard-timeout-ms", "300")])
            // Without the header every tier would time out in turn (1 s each, well inside the
            // configured 30 s deadline) and the error would be the last timeout.
            #expect(response.status == 504)
            #expect(response.errorCode == "deadline_exceeded", "\(response.body)")
        }
    }

    @Test("an invalid x-switchyard-timeout-ms is a 400")
    func invalidTimeoutHeader() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML) { live in
            let response = try await live.post(chatBody(), headers: [("x-switchyard-timeout-ms", "soon")])
            #expect(response.status == 400)
            #expect(live.mock.requestLog.requests.isEmpty)
        }
    }
}

@Suite("Provider limits and load balancing")
struct LimitsAndBalancingTests {
    @Test("a deployment at its RPM limit is skipped instead of collecting a 429")
    func rpmLimitSkips() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML, configure: { configuration in
            configuration.models[0].limits = DeploymentLimits(requestsPerMinute: 2)
        }) { live in
            var served: [String] = []
            for _ in 0..<4 {
                served.append(try await live.post(chatBody()).headers["x-switchyard-model"] ?? "?")
            }
            #expect(served == ["cheap", "cheap", "middle", "middle"])
            #expect(live.upstreamCount("sim-light") == 2)
        }
    }

    @Test("a deployment whose TPM budget cannot cover the next request's estimate is skipped")
    func tpmLimitSkips() async throws {
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML, configure: { configuration in
            configuration.models[0].limits = DeploymentLimits(tokensPerMinute: 300)
        }) { live in
            // Each request reserves ~287 tokens (prompt estimate + max_tokens) and settles to its
            // actual usage (under 100), which leaves too little for a second reservation.
            let body = chatBody(extra: #","max_tokens":280"#)
            let first = try await live.post(body)
            let second = try await live.post(body)
            #expect(first.headers["x-switchyard-model"] == "cheap")
            #expect(second.headers["x-switchyard-model"] == "middle")
            #expect(live.upstreamCount("sim-light") == 1)
        }
    }

    @Test("equal-rank neighbours are ordered by fewest requests in flight")
    func leastInFlightFirst() async throws {
        let price = ModelPrice(inputPerMillion: 1, outputPerMillion: 1)
        let a = ModelDeployment(name: "a", provider: "p", upstreamModel: "a", tier: "light", price: price)
        let b = ModelDeployment(name: "b", provider: "p", upstreamModel: "b", tier: "light", price: price)
        let c = ModelDeployment(name: "c", provider: "p", upstreamModel: "c", tier: "mid", price: price)
        let configuration = GatewayConfiguration(
            providers: [ProviderSettings(name: "p", baseURL: "http://127.0.0.1:9/v1")], models: [a, b, c], tiers: ["light", "mid"])
        let providers = ProviderRegistry(configuration: configuration)
        let monitor = DeploymentMonitor(configuration: configuration, logger: .init(label: "test"))
        let executor = ChainExecutor(configuration: configuration, providers: providers, monitor: monitor, logger: .init(label: "test"))

        #expect(executor.balanced([a, b, c]).map(\.name) == ["a", "b", "c"])
        guard case .success(let lease) = monitor.acquire("a", estimatedTokens: 10, now: .now) else {
            Issue.record("could not take a slot on a")
            return
        }
        #expect(executor.balanced([a, b, c]).map(\.name) == ["b", "a", "c"])  // a is busy; c is another tier and stays last
        monitor.release(lease)
        #expect(executor.balanced([a, b, c]).map(\.name) == ["a", "b", "c"])
        try await providers.shutdown()
    }
}
