import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardEvaluation

/// The audit's view of a running Switchyard gateway (or any OpenAI-compatible server): chat
/// completions with logprobs, timed on the wall clock, priced by `x-switchyard-cost-usd`, and
/// `POST /v1/embeddings` for embedding agreement.
public struct GatewayAuditBackend: AuditBackend {
    /// The gateway's base URL, e.g. `http://127.0.0.1:8080` (a trailing `/v1` is accepted).
    public let baseURL: String
    /// Sent as `Authorization: Bearer …` when set (a virtual key of the gateway).
    public let apiKey: String?
    /// Longest wait for one answer.
    public let timeout: Duration
    /// The model asked for embeddings.
    public let embeddingModel: String
    public let client: HTTPClient

    /// The gateway's in-process embedding model.
    public static let localEmbeddingModel = "local/all-MiniLM-L6-v2"

    public init(baseURL: String, apiKey: String? = nil, timeout: Duration = .seconds(60), embeddingModel: String = Self.localEmbeddingModel, client: HTTPClient = .shared) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix("/v1") { url.removeLast(3) }
        self.baseURL = url
        self.apiKey = apiKey
        self.timeout = timeout
        self.embeddingModel = embeddingModel
        self.client = client
    }

    public func complete(_ sample: AuditSample, model: String) async -> Result<AuditAnswer, AuditFailure> {
        let clock = ContinuousClock()
        let started = clock.now
        let response: (status: Int, headers: HTTPHeaders, body: JSONValue?)
        switch await post("/v1/chat/completions", sample.prompt.requestBody(model: model, seed: sample.seed)) {
        case .success(let value): response = value
        case .failure(let failure): return .failure(failure)
        }
        let elapsed = started.duration(to: clock.now)
        guard response.status == 200 else { return .failure(Self.failure(status: response.status, body: response.body, model: model, url: baseURL)) }
        guard let choice = response.body?["choices"]?.arrayValue?.first, let text = choice["message"]?["content"]?.stringValue else {
            return .failure(AuditFailure(category: "malformed answer", message: "the answer of '\(model)' has no choices[0].message.content"))
        }
        if let served = response.headers.first(name: "x-switchyard-model"), !served.isEmpty, served != model {
            return .failure(AuditFailure(category: "served by \(served)", message: "the gateway answered a request for '\(model)' with '\(served)' (a fallback or escalation), so it is not compared"))
        }
        let logprobs = (choice["logprobs"]?["content"]?.arrayValue ?? []).compactMap { $0["logprob"]?.doubleValue }
        return .success(AuditAnswer(
            text: text, latencyMS: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15,
            costUSD: response.headers.first(name: "x-switchyard-cost-usd").flatMap(Double.init),
            meanLogprob: logprobs.isEmpty ? nil : logprobs.reduce(0, +) / Double(logprobs.count),
            servedModel: response.headers.first(name: "x-switchyard-model")))
    }

    public func embed(_ texts: [String]) async -> Result<[[Double]], AuditFailure> {
        let body: JSONValue = ["model": .string(embeddingModel), "input": .array(texts.map(JSONValue.string))]
        switch await post("/v1/embeddings", body) {
        case .failure(let failure): return .failure(failure)
        case .success(let response):
            guard response.status == 200 else { return .failure(Self.failure(status: response.status, body: response.body, model: embeddingModel, url: baseURL)) }
            let items = (response.body?["data"]?.arrayValue ?? []).sorted { ($0["index"]?.intValue ?? 0) < ($1["index"]?.intValue ?? 0) }
            let vectors = items.map { ($0["embedding"]?.arrayValue ?? []).compactMap(\.doubleValue) }
            guard vectors.count == texts.count, vectors.allSatisfy({ !$0.isEmpty }) else {
                return .failure(AuditFailure(category: "malformed embeddings", message: "'\(embeddingModel)' returned \(vectors.count) vectors for \(texts.count) inputs"))
            }
            return .success(vectors)
        }
    }

    /// Posts JSON; the status, headers and parsed body, or a transport failure.
    func post(_ path: String, _ body: JSONValue) async -> Result<(status: Int, headers: HTTPHeaders, body: JSONValue?), AuditFailure> {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let apiKey { request.headers.add(name: "authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return .success((Int(response.status.code), response.headers, try? JSONParser.parse(bytes.readableBytesView)))
        } catch {
            if let clientError = error as? HTTPClientError, clientError == .deadlineExceeded || clientError == .readTimeout {
                return .failure(AuditFailure(category: "timeout", message: "no answer from \(baseURL)\(path) within \(timeout)"))
            }
            return .failure(AuditFailure(category: "unreachable", message: "cannot reach the gateway at \(baseURL): \(error)", isFatal: true))
        }
    }

    /// A gateway error answer as a failure; unknown models and rejected keys are fatal.
    static func failure(status: Int, body: JSONValue?, model: String, url: String) -> AuditFailure {
        let message = body?["error"]?["message"]?.stringValue ?? "HTTP \(status)"
        let code = body?["error"]?["code"]?.stringValue
        switch (status, code) {
        case (404, _):
            return AuditFailure(category: "HTTP 404", message: "model '\(model)' is not served by the gateway at \(url) (HTTP 404): \(message)", isFatal: true)
        case (401, _), (403, _):
            return AuditFailure(category: "HTTP \(status)", message: "the gateway at \(url) refused the request for '\(model)' (HTTP \(status)): \(message)", isFatal: true)
        case (503, "model_not_loaded"):
            return AuditFailure(category: "HTTP 503", message: "'\(model)' is not loaded (HTTP 503): \(message)", isFatal: true)
        default:
            return AuditFailure(category: "HTTP \(status)" + (code.map { " \($0)" } ?? ""), message: "'\(model)': HTTP \(status): \(message)")
        }
    }
}
