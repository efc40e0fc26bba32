import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization
import SwitchyardCore

/// The simulated LLM provider: OpenAI-compatible chat completions and Anthropic-compatible
/// messages (plain and streamed) for any number of named models, with latency profiles, token usage, logprobs, deterministic text and
/// injected faults. Used by `serve --demo`, `switchyard mock-provider`, tests and benchmarks.
public struct MockProvider: Sendable {
    public let profile: MockProfile
    /// What the mock received, newest last.
    public let requestLog: MockRequestLog
    private let dice: FaultDice
    private let faultCounter = FaultCounter()

    public init(profile: MockProfile = MockProfile(), requestLog: MockRequestLog = MockRequestLog()) {
        self.profile = profile
        self.requestLog = requestLog
        self.dice = FaultDice(seed: profile.seed)
    }

    /// Header that requests a fault for one call, e.g. `x-mock-fault: 429;retry-after=2`.
    public static let faultHeader = HTTPField.Name("x-mock-fault")!
    /// Header that fixes the answer text for one call.
    public static let answerHeader = HTTPField.Name("x-mock-answer")!
    /// Header with answers per upstream model, as JSON: `{"model": "text"}` or
    /// `{"model": ["first call", "second call", …]}` (the last one repeats).
    public static let answersHeader = HTTPField.Name("x-mock-answers")!

    /// The mock's routes.
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.post("/v1/chat/completions") { request, context in
            try await self.chatCompletions(request, context: context)
        }
        router.post("/v1/messages") { request, context in
            try await self.messages(request, context: context)
        }
        router.post("/v1/embeddings") { request, _ in
            try await self.embeddings(request)
        }
        router.get("/v1/models") { _, _ in
            let names = profile.models.keys.sorted()
            let data = JSONValue.array(names.map { ["id": .string($0), "object": "model", "owned_by": "switchyard-mock"] })
            return Self.json(["object": "list", "data": data])
        }
        router.get("/healthz") { _, _ in Self.json(["status": "ok"]) }
        router.get("/mock/requests") { _, _ in Self.json(requestLog.json) }
        router.delete("/mock/requests") { _, _ in
            requestLog.removeAll()
            return Response(status: .noContent)
        }
        return router
    }

    /// An application serving the mock on `host:port` (port 0 picks a free port, reported to `onServerRunning`).
    /// `server` builds its HTTP channel: Hummingbird's standard HTTP/1, which answers each request
    /// on Swift's shared threads (what the benchmarks measure against), unless the caller passes
    /// another (the tests serve it from its event loops, so that tests busy with CPU on the shared
    /// threads cannot hold its answers up).
    public func buildApplication(
        host: String = "127.0.0.1", port: Int, logger: Logger = Logger(label: "switchyard.mock"), server: HTTPServerBuilder = .http1(),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "switchyard-mock"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    private func chatCompletions(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let bytes = try await request.body.collect(upTo: 64 * 1024 * 1024)
        guard let json = try? JSONParser.parse(bytes.readableBytesView), let body = json.objectValue else {
            return MockWire.openAI.error(400, code: "invalid_json", message: "We could not parse the JSON body of your request.")
        }
        log(request, json: json, bytes: bytes)
        return try await answer(body, request: request, wire: .openAI)
    }

    /// `POST /v1/messages`: the request read as the chat request it asks for, answered as one,
    /// and the answer, its stream and its errors written in Anthropic's shapes.
    private func messages(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let bytes = try await request.body.collect(upTo: 64 * 1024 * 1024)
        guard let json = try? JSONParser.parse(bytes.readableBytesView) else {
            return MockWire.anthropic.error(400, code: "invalid_json", message: "We could not parse the JSON body of your request.")
        }
        log(request, json: json, bytes: bytes)
        let chat: AnthropicMessagesRequest
        do {
            chat = try AnthropicMessagesRequest(json: json)
        } catch {
            return MockWire.anthropic.error(error.status, code: error.code ?? "invalid_request", message: error.message, param: error.param)
        }
        return try await answer(chat.chatBody, request: request, wire: .anthropic)
    }

    private func log(_ request: Request, json: JSONValue, bytes: ByteBuffer) {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0),\(field.value)" } ?? field.value
        }
        requestLog.append(MockRecordedRequest(path: request.uri.path, headers: headers, body: json, rawBody: Array(bytes.readableBytesView)))
    }

    /// Answers a chat request (`body`) in `wire`'s format, with the faults the request asks for.
    private func answer(_ body: JSONObject, request: Request, wire: MockWire) async throws -> Response {
        guard let model = body["model"]?.stringValue else {
            return wire.error(400, code: "missing_required_parameter", message: "you must provide a model parameter", param: "model")
        }
        guard let modelProfile = profile.model(model) else {
            return wire.error(404, code: "model_not_found", message: "The model `\(model)` does not exist or you do not have access to it.", param: "model")
        }
        var faults: [MockFault] = []
        if let header = request.headers[Self.faultHeader] {
            do {
                let rules = try MockFaultRule.parse(header: header)
                for rule in rules where rule.model == nil || rule.model == model {
                    if let times = rule.times, !faultCounter.claim(key: "\(header)|\(model)", limit: times) { continue }
                    faults.append(rule.fault)
                }
            } catch {
                return wire.error(400, code: "invalid_mock_fault", message: error.description)
            }
        }
        if let drawn = dice.draw(modelProfile.faultRates) { faults.append(MockFault(kind: drawn)) }

        var fixedAnswer = request.headers[Self.answerHeader]
        if let header = request.headers[Self.answersHeader] {
            guard let answers = (try? JSONParser.parse(header))?.objectValue else {
                return wire.error(400, code: "invalid_mock_answers", message: "x-mock-answers must be a JSON object of model → answer or list of answers.")
            }
            switch answers[model] {
            case .string(let text)?: fixedAnswer = text
            case .array(let list)? where !list.isEmpty:
                let index = faultCounter.next(key: "answers|\(header)|\(model)")
                fixedAnswer = list[min(index, list.count - 1)].stringValue
            default: break
            }
        }
        let completion = MockCompletion(
            request: body, model: model, profile: modelProfile, seed: profile.seed,
            fixedAnswer: fixedAnswer, created: Int64(Date().timeIntervalSince1970)
        )
        let requested = body["max_completion_tokens"]?.intValue ?? body["max_tokens"]?.intValue ?? 0
        if completion.promptTokens + requested > modelProfile.contextWindow { faults.append(.contextLength) }

        var cutAfter: Int?
        var errorEventStatus: Int?
        for fault in faults {
            switch fault {
            case .delay(let duration): try await Task.sleep(for: duration)
            case .status(let status, let retryAfter): return wire.statusError(status, retryAfter: retryAfter)
            case .contextLength:
                return wire.error(
                    400, code: "context_length_exceeded",
                    message: "This model's maximum context length is \(modelProfile.contextWindow) tokens. However, you requested \(completion.promptTokens + requested) tokens.",
                    param: "messages")
            case .hang:
                try await Self.hang()
                return wire.error(504, code: "hang_ended", message: "the injected hang ended")
            case .malformed:
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"id\": \"chatcmpl-broken\", \"choices\": [")))
            case .cut(let chunks): cutAfter = chunks
            case .errorEvent(let status): errorEventStatus = status
            }
        }

        if body["stream"]?.boolValue == true {
            let includeUsage = body["stream_options"]?["include_usage"]?.boolValue ?? false
            let stream = MockStream(
                completion: completion, profile: modelProfile, includeUsage: includeUsage || wire == .anthropic, cutAfter: cutAfter,
                errorEventStatus: errorEventStatus, malformed: false, anthropic: wire == .anthropic)
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in try await stream.write(to: &writer) })
        }
        try await Task.sleep(for: modelProfile.timeToFirstToken + Self.generationTime(tokens: completion.tokens.count, profile: modelProfile))
        if let cutAfter {
            // A body cut short: the bytes up to the cut, then the connection drops.
            let full = JSONWriter.bytes(wire.answer(completion.completionObject))
            let partial = Array(full.prefix(max(1, min(full.count - 1, cutAfter * 16))))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(bytes: partial))
                throw MockConnectionDropped()
            })
        }
        return Self.json(wire.answer(completion.completionObject))
    }

    static func generationTime(tokens: Int, profile: MockModelProfile) -> Duration {
        guard profile.tokensPerSecond > 0 else { return .zero }
        return .milliseconds(Int64(Double(tokens) / profile.tokensPerSecond * 1000))
    }

    /// Waits until the client goes away (the task is cancelled) or ten minutes pass.
    static func hang() async throws {
        for _ in 0..<600 {
            try await Task.sleep(for: .seconds(1))
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
    }

    static func error(_ status: Int, code: String, message: String, param: String? = nil, type: String = "invalid_request_error") -> Response {
        let body: JSONValue = [
            "error": ["message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null, "code": .string(code)]
        ]
        return json(body, status: HTTPResponse.Status(code: status))
    }

    static func statusError(_ status: Int, retryAfter: Int?) -> Response {
        let (code, type, message): (String, String, String) =
            switch status {
            case 429: ("rate_limit_exceeded", "requests", "Rate limit reached for requests. Please try again later.")
            case 401: ("invalid_api_key", "invalid_request_error", "Incorrect API key provided.")
            case 403: ("forbidden", "invalid_request_error", "You are not allowed to use this model.")
            case 404: ("model_not_found", "invalid_request_error", "The model does not exist or you do not have access to it.")
            case 400: ("invalid_request", "invalid_request_error", "Invalid request (injected by the mock).")
            case 529: ("overloaded", "overloaded_error", "The server is overloaded. Please try again later.")
            default: ("server_error", "server_error", "The server had an error while processing your request (injected HTTP \(status)).")
            }
        var response = error(status, code: code, message: message, type: type)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// Thrown inside a response body to drop the connection mid-way.
struct MockConnectionDropped: Error {}

/// Counts how often each `times=N` fault was applied.
final class FaultCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// How many times `key` was seen before (0 the first time), counting this one.
    func next(key: String) -> Int {
        counts.withLock { counts in
            let seen = counts[key, default: 0]
            counts[key] = seen + 1
            return seen
        }
    }

    /// Whether the fault keyed `key` may apply once more (and counts it if so).
    func claim(key: String, limit: Int) -> Bool {
        counts.withLock { counts in
            let used = counts[key, default: 0]
            guard used < limit else { return false }
            counts[key] = used + 1
            return true
        }
    }
}

/// Draws profile faults; shared by all requests, so guarded by a lock.
final class FaultDice: Sendable {
    private let generator: Mutex<SplitMix64>

    init(seed: UInt64) {
        generator = Mutex(SplitMix64(seed: seed ^ 0xFA17))
    }

    /// At most one fault, each kind with its own probability.
    func draw(_ rates: [MockFaultKind: Double]) -> MockFaultKind? {
        guard !rates.isEmpty else { return nil }
        let roll = generator.withLock { $0.unit() }
        var threshold = 0.0
        for kind in MockFaultKind.allCases {
            threshold += rates[kind] ?? 0
            if roll < threshold { return kind }
        }
        return nil
    }
}

/// The wire format of one mock route: where answers and errors differ between the two APIs.
enum MockWire: Equatable {
    case openAI
    case anthropic

    /// The answer for a chat completion.
    func answer(_ completion: JSONValue) -> JSONValue {
        self == .anthropic ? AnthropicMessage.message(fromChatCompletion: completion) : completion
    }

    /// An error with OpenAI's fields, in this format.
    func error(_ status: Int, code: String, message: String, param: String? = nil, type: String = "invalid_request_error") -> Response {
        guard self == .anthropic else { return MockProvider.error(status, code: code, message: message, param: param, type: type) }
        return MockProvider.json(AnthropicMessage.error(status: status, openAIType: type, message: message), status: HTTPResponse.Status(code: status))
    }

    /// An injected HTTP error, in this format, with `Retry-After` when given.
    func statusError(_ status: Int, retryAfter: Int?) -> Response {
        guard self == .anthropic else { return MockProvider.statusError(status, retryAfter: retryAfter) }
        var response = error(status, code: "injected", message: "Injected HTTP \(status).")
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}
