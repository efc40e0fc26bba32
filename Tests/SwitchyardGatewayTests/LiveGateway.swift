import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardConfig
import SwitchyardCore
import SwitchyardGateway
import SwitchyardMock
import SwitchyardTestSupport

/// A gateway and a simulated provider, both real servers on loopback ports, for one test.
struct LiveGateway {
    let gatewayURL: String
    let mockURL: String
    let mock: MockProvider
    let configuration: GatewayConfiguration

    /// Starts both servers, runs `body`, and stops them.
    static func run<T: Sendable>(
        profile: MockProfile = .instant,
        yaml: @Sendable (Int) -> String = { LiveGateway.standardYAML(mockPort: $0) },
        configure: @Sendable (inout GatewayConfiguration) -> Void = { _ in },
        _ body: @Sendable (LiveGateway) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let mock = MockProvider(profile: profile)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Removed after the servers have stopped (the ledger writer drains into it on the way out).
        defer { try? FileManager.default.removeItem(at: directory) }
        // Served from its event loops: a test busy on Swift's shared threads (two here) must not
        // hold the provider's answers up past the gateway's timeouts.
        let (mockPorts, mockPortSink) = AsyncStream.makeStream(of: Int.self)
        let mockApp = mock.buildApplication(port: 0, logger: logger, server: .http1OnEventLoop()) { mockPortSink.yield($0) }
        return try await whileServing(mockApp, ports: mockPorts, logger: logger) { mockPort in
            var configuration = try ConfigLoader(environment: [:]).parse(yaml: yaml(mockPort), file: "test.yaml")
            // Each gateway gets its own database unless the test names one.
            if configuration.storage == .default { configuration.storage = .sqlite(path: directory.appendingPathComponent("ledger.sqlite").path) }
            // The embedding model loads only for tests that ask for it (it takes a few hundred ms).
            if configuration.embeddings == EmbeddingsSettings() { configuration.embeddings.modelPath = directory.appendingPathComponent("no-model").path }
            configure(&configuration)
            let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
            let gatewayApp = try await GatewayApplication.build(configuration: configuration, logger: logger) { portSink.yield($0) }
            return try await whileServing(gatewayApp, ports: ports, logger: logger) { port in
                try await body(LiveGateway(
                    gatewayURL: "http://127.0.0.1:\(port)", mockURL: "http://127.0.0.1:\(mockPort)", mock: mock, configuration: configuration))
            }
        }
    }

    /// Three tiers on the simulator. Timeouts are long, so that a machine busy with the whole
    /// suite never times out an answer; a test of timeouts sets a short one
    /// (``shortTimeout(on:_:)``).
    static func standardYAML(mockPort: Int) -> String {
        """
            server: { host: 127.0.0.1, port: 0, max_body_bytes: 64KiB }
            tiers: [light, mid, premium]
            providers:
              - name: sim
                base_url: http://127.0.0.1:\(mockPort)/v1
                api_key: sk-upstream-secret
                timeout: 10s
                forward_headers: ["x-mock-*", "x-trace-id"]
            models:
              - { name: cheap, provider: sim, upstream_model: sim-light, tier: light, price: { input: 0.15, output: 0.60 } }
              - { name: middle, provider: sim, upstream_model: sim-mid, tier: mid, price: { input: 0.40, output: 1.60 } }
              - { name: best, provider: sim, upstream_model: sim-premium, tier: premium, price: { input: 2.50, output: 10.00 } }
            """
    }

    /// Three tiers with fallbacks, quick retries and a sensitive breaker, for resilience tests.
    /// Timeouts are long, as in ``standardYAML(mockPort:)``.
    static func resilientYAML(mockPort: Int) -> String {
        """
            server: { host: 127.0.0.1, port: 0 }
            tiers: [light, mid, premium]
            resilience:
              retries: { max_attempts: 2, base_delay: 10ms, max_delay: 50ms, retry_after_cap: 2s, attempt_timeout: 20s, deadline: 30s }
              circuit_breaker: { consecutive_failures: 3, cooldown: 1s, half_open_probes: 1, minimum_requests: 100, window: 100 }
            providers:
              - { name: sim, base_url: "http://127.0.0.1:\(mockPort)/v1", timeout: 10s, forward_headers: ["x-mock-*"] }
            models:
              - { name: cheap, provider: sim, upstream_model: sim-light, tier: light, price: { input: 0.15, output: 0.60 }, context_window: 8000, max_output_tokens: 4000, fallbacks: [middle, best] }
              - { name: middle, provider: sim, upstream_model: sim-mid, tier: mid, price: { input: 0.40, output: 1.60 }, context_window: 128000, fallbacks: [best] }
              - { name: best, provider: sim, upstream_model: sim-premium, tier: premium, price: { input: 2.50, output: 10.00 } }
            """
    }

    /// Three tiers with logprobs, gates and an admin key, for cascade tests.
    static func gatedYAML(mockPort: Int) -> String {
        """
            server: { host: 127.0.0.1, port: 0, admin_key: test-admin-key-0123456789 }
            tiers: [light, mid, premium]
            gates:
              max_escalations: 1
              json_repair: true
              confidence: { mean_logprob: -1.0 }
              uncertain_band: off
            providers:
              - { name: sim, base_url: "http://127.0.0.1:\(mockPort)/v1", timeout: 5s, forward_headers: ["x-mock-*"] }
            models:
              - { name: cheap, provider: sim, upstream_model: sim-light, tier: light, price: { input: 0.15, output: 0.60 }, capabilities: [logprobs, json, streaming], fallbacks: [middle, best] }
              - { name: middle, provider: sim, upstream_model: sim-mid, tier: mid, price: { input: 0.40, output: 1.60 }, capabilities: [logprobs, json, streaming], fallbacks: [best] }
              - { name: best, provider: sim, upstream_model: sim-premium, tier: premium, price: { input: 2.50, output: 10.00 }, capabilities: [logprobs, json, streaming] }
            """
    }

    /// How many requests the simulator received for `upstreamModel`.
    func upstreamCount(_ upstreamModel: String) -> Int {
        mock.requestLog.requests.filter { $0.body["model"]?.stringValue == upstreamModel }.count
    }

    /// Sends a chat completion body (as given, so malformed bodies can be sent too).
    func post(_ body: String, path: String = "/v1/chat/completions", headers: [(String, String)] = []) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: gatewayURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await HTTPResult(HTTPClient.shared.execute(request, timeout: .seconds(30)))
    }

    func delete(_ path: String, headers: [(String, String)] = []) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: gatewayURL + path)
        request.method = .DELETE
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await HTTPResult(HTTPClient.shared.execute(request, timeout: .seconds(30)))
    }

    func patch(_ path: String, body: String, headers: [(String, String)] = []) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: gatewayURL + path)
        request.method = .PATCH
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await HTTPResult(HTTPClient.shared.execute(request, timeout: .seconds(30)))
    }

    func get(_ path: String) async throws -> HTTPResult {
        try await getWithHeaders(path, headers: [])
    }

    func getWithHeaders(_ path: String, headers: [(String, String)]) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: gatewayURL + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await HTTPResult(HTTPClient.shared.execute(request, timeout: .seconds(30)))
    }
}

/// A response with its body read.
struct HTTPResult: Sendable {
    let status: Int
    let headers: [String: String]
    let body: String

    init(_ response: HTTPClientResponse) async throws {
        status = Int(response.status.code)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        self.headers = headers
        body = String(buffer: try await response.body.collect(upTo: 32 * 1024 * 1024))
    }

    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }

    /// The `data:` payloads of an SSE body.
    var events: [String] {
        body.components(separatedBy: "\n\n").compactMap { block in
            block.hasPrefix("data: ") ? String(block.dropFirst(6)) : nil
        }
    }

    /// The OpenAI error code of an error body.
    var errorCode: String? { json["error"]?["code"]?.stringValue }
}

struct ServerDidNotStart: Error {}

extension GatewayConfiguration {
    /// Gives `model` a provider of its own, the same as its own but for a timeout of `timeout`:
    /// what a test of timeouts hangs times out quickly, while the other deployments answer
    /// however long a busy machine takes.
    mutating func shortTimeout(on model: String, _ timeout: Duration = .seconds(1)) {
        guard let index = models.firstIndex(where: { $0.name == model }),
            var provider = providers.first(where: { $0.name == models[index].provider })
        else { preconditionFailure("shortTimeout(on:): no model \(model) with a provider in the test configuration") }
        provider.name = "\(provider.name)-\(model)-short"
        provider.timeout = timeout
        providers.append(provider)
        models[index].provider = provider.name
    }
}

func firstValue<Value: Sendable>(_ stream: AsyncStream<Value>) async throws -> Value {
    var iterator = stream.makeAsyncIterator()
    guard let value = await iterator.next() else { throw ServerDidNotStart() }
    return value
}

func chatBody(model: String = "cheap", stream: Bool = false, extra: String = "") -> String {
    #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"Summarize the meeting notes."}]\#(extra)}"#
}

/// The path of a SQLite ledger in a fresh temporary directory, for gateways that must find
/// what an earlier one stored; the directory (with the database's journal files) is removed
/// afterwards.
func withTemporarySQLite<T>(_ body: (String) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-sqlite-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory.appendingPathComponent("ledger.sqlite").path)
}
