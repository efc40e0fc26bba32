import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// A provider that speaks Anthropic's Messages API (`kind: anthropic`): Anthropic itself, and
/// services that offer the same API.
///
/// The call's chat request is written as a Messages request (``AnthropicUpstreamRequest``) and
/// the answer read back as a chat completion (``AnthropicUpstreamAnswer``) or, for a stream, as
/// chat chunks (``AnthropicUpstreamStreamReader``), so everything after the provider — gates,
/// the ledger, the client's format — is the same as for an OpenAI-compatible one. Errors are
/// classified as for those: Anthropic's error body has the same `error.message` and `error.type`,
/// and its 529 (overloaded) is a server error, so the chain moves on.
public struct AnthropicProvider: ChatProvider {
    public let settings: ProviderSettings
    let pool: UpstreamConnectionPool
    let messagesPath: String
    /// Content type, `x-api-key`, `anthropic-version` and the provider's own headers.
    let fixedHeaders: HTTPHeaders

    /// The Messages API version sent unless the provider's `headers` set another.
    public static let apiVersion = "2023-06-01"
    /// `max_tokens` for a request that set none: the Messages API requires one.
    public static let defaultMaxTokens = 4096

    /// - Parameters:
    ///   - settings: The provider's configuration; `base_url` is the API root with its version,
    ///     e.g. `https://api.anthropic.com/v1`, to which `/messages` is appended.
    ///   - pool: The connections (owned by the caller) to the provider's `base_url`.
    public init(settings: ProviderSettings, pool: UpstreamConnectionPool) {
        self.settings = settings
        self.pool = pool
        self.messagesPath = pool.configuration.endpoint.basePath + "/messages"
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "anthropic-version", value: Self.apiVersion)
        if let apiKey = settings.apiKey {
            headers.add(name: "x-api-key", value: apiKey)
        }
        for (name, value) in settings.headers {
            headers.replaceOrAdd(name: name, value: value)
        }
        self.fixedHeaders = headers
    }

    public func complete(_ call: ProviderCall) async throws(ProviderError) -> ProviderCompletion {
        let request = try makeRequest(call, stream: false)
        let response: UpstreamResponse
        do {
            response = try await pool.execute(
                request, deadline: settings.deadline(for: call), readTimeout: TimeAmount(settings.timeout),
                maxBodyBytes: OpenAICompatibleProvider.maximumResponseBytes)
        } catch {
            throw ProviderErrorMapping.error(from: error)
        }
        return try Self.completion(from: response)
    }

    /// The Messages answer in `response`, as a chat completion.
    static func completion(from response: UpstreamResponse) throws(ProviderError) -> ProviderCompletion {
        let bytes = Array(buffer: response.body)
        guard (200..<300).contains(response.status.code) else {
            throw ProviderErrorMapping.error(status: response.status, headers: response.headers, body: bytes)
        }
        let message: JSONValue
        do {
            message = try JSONParser.parse(bytes)
        } catch {
            throw .malformedResponse(message: "response is not JSON (\(error))")
        }
        guard let completion = AnthropicUpstreamAnswer.chatCompletion(fromMessage: message, created: Int64(Date().timeIntervalSince1970)),
            let body = completion.objectValue
        else {
            throw .malformedResponse(message: "response has no 'content' array")
        }
        return ProviderCompletion(bodyBytes: JSONWriter.bytes(completion), body: body, usage: TokenUsage(openAIUsage: body["usage"]))
    }

    public func stream(_ call: ProviderCall) async throws(ProviderError) -> any ChatCompletionStream {
        let request = try makeRequest(call, stream: true)
        let body = try await pool.acceptedStream(request, deadline: settings.deadline(for: call), readTimeout: TimeAmount(settings.timeout))
        return AnthropicEventStream(body: body, created: Int64(Date().timeIntervalSince1970))
    }

    /// The upstream request for the deployment's upstream model: the client's own Messages body
    /// when it came in that format and is unchanged, else the chat request written as one.
    func makeRequest(_ call: ProviderCall, stream: Bool) throws(ProviderError) -> UpstreamRequest {
        var headers = fixedHeaders
        headers.add(name: "accept", value: stream ? "text/event-stream" : "application/json")
        for header in call.forwardedHeaders {
            headers.replaceOrAdd(name: header.name, value: header.value)
        }
        let model = call.deployment.upstreamModel
        let body: JSONObject
        if let clientBody = call.request.anthropicBody {
            body = AnthropicUpstreamRequest.body(fromClientBody: clientBody, model: model, stream: stream)
        } else {
            body = try AnthropicUpstreamRequest.body(
                fromChat: call.request.completeBody, model: model, stream: stream, defaultMaxTokens: Self.defaultMaxTokens)
        }
        return UpstreamRequest(path: messagesPath, headers: headers, body: ByteBuffer(bytes: JSONWriter.bytes(.object(body))))
    }
}

/// A Messages event stream, read as chat chunks.
///
/// `@unchecked Sendable`: created by the request handler, then consumed by exactly one task.
struct AnthropicEventStream: ChatCompletionStream, @unchecked Sendable {
    private let body: UpstreamBody
    private var iterator: UpstreamBody.AsyncIterator?
    private var parser = ServerSentEventParser()
    private var reader: AnthropicUpstreamStreamReader
    private var pending: [ChatStreamChunk] = []
    private var pendingIndex = 0
    private var events: [ServerSentEvent] = []

    init(body: UpstreamBody, created: Int64) {
        self.body = body
        self.reader = AnthropicUpstreamStreamReader(created: created)
    }

    var hasBufferedChunk: Bool { pendingIndex < pending.count || reader.ended }

    var providerResponseEnded: Bool { body.hasEnded }

    mutating func next() async throws(ProviderError) -> ChatStreamChunk? {
        while pendingIndex >= pending.count {
            if reader.ended { return nil }
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            if iterator == nil { iterator = body.makeAsyncIterator() }
            let buffer: ByteBuffer?
            do {
                buffer = try await iterator!.next()
            } catch {
                throw .streamInterrupted(message: "\(ProviderErrorMapping.error(from: error).errorClass): \(error)")
            }
            guard let buffer else {
                throw .streamInterrupted(message: "the provider closed the stream before 'message_stop'")
            }
            events.removeAll(keepingCapacity: true)
            do {
                try parser.feed(buffer.readableBytesView, into: &events)
            } catch {
                throw .malformedResponse(message: "a stream event is larger than \(parser.maximumEventBytes) bytes")
            }
            for event in events {
                // Text deltas, nearly every event of an answer, are written as chat chunks
                // without a tree; the rest are parsed.
                var data = event.data
                if let text = data.withUTF8({ reader.textChunk(forData: $0) }) {
                    pending.append(ChatStreamChunk(plainData: text))
                    continue
                }
                for chunk in try reader.chunks(for: event) {
                    guard let object = chunk.objectValue else { continue }
                    pending.append(ChatStreamChunk(data: JSONWriter.string(chunk), json: object))
                }
                if reader.ended { break }
            }
        }
        defer { pendingIndex += 1 }
        return pending[pendingIndex]
    }
}
