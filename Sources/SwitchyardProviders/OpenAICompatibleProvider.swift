import NIOCore
import NIOHTTP1
import SwitchyardCore

/// A provider that speaks OpenAI's chat-completions API: OpenAI itself, Groq, DeepSeek, Mistral,
/// Together, vLLM, Ollama's `/v1`, LM Studio and `switchyard mock-provider`.
public struct OpenAICompatibleProvider: ChatProvider {
    public let settings: ProviderSettings
    let pool: UpstreamConnectionPool
    let completionsPath: String
    /// The headers every call sends: content type, credentials and the provider's own headers.
    let fixedHeaders: HTTPHeaders

    /// Largest non-streamed response body read from the provider.
    static let maximumResponseBytes = 64 * 1024 * 1024
    /// Largest error body read from a provider that refused a stream.
    static let maximumErrorBytes = 1024 * 1024

    /// - Parameters:
    ///   - settings: The provider's configuration.
    ///   - pool: The connections (owned by the caller) to the provider's `base_url`.
    public init(settings: ProviderSettings, pool: UpstreamConnectionPool) {
        self.settings = settings
        self.pool = pool
        self.completionsPath = pool.configuration.endpoint.basePath + "/chat/completions"
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        if let apiKey = settings.apiKey {
            headers.add(name: "authorization", value: "Bearer \(apiKey)")
        }
        for (name, value) in settings.headers {
            headers.replaceOrAdd(name: name, value: value)
        }
        self.fixedHeaders = headers
    }

    public func complete(_ call: ProviderCall) async throws(ProviderError) -> ProviderCompletion {
        let response: UpstreamResponse
        do {
            response = try await pool.execute(
                makeRequest(call, stream: false), deadline: settings.deadline(for: call), readTimeout: TimeAmount(settings.timeout),
                maxBodyBytes: Self.maximumResponseBytes)
        } catch {
            throw ProviderErrorMapping.error(from: error)
        }
        return try Self.completion(from: response)
    }

    /// The answer in `response`, checked and read in one pass; the body's tree is built only if
    /// something asks for it. Synchronous and not inlined, so its temporaries (the summary, the
    /// error paths) stay off `complete`'s async frame, which the request's task holds for the
    /// whole exchange.
    @inline(never)
    static func completion(from response: UpstreamResponse) throws(ProviderError) -> ProviderCompletion {
        let bytes = Array(buffer: response.body)
        guard (200..<300).contains(response.status.code) else {
            throw ProviderErrorMapping.error(status: response.status, headers: response.headers, body: bytes)
        }
        let summary: ChatCompletionSummary?
        do {
            summary = try JSONParser.scanChatCompletion(bytes)
        } catch {
            throw .malformedResponse(message: "response is not JSON (\(error))")
        }
        guard let summary, summary.hasChoices else {
            throw .malformedResponse(message: "response has no 'choices' array")
        }
        return ProviderCompletion(scanned: bytes, summary: summary)
    }

    public func stream(_ call: ProviderCall) async throws(ProviderError) -> any ChatCompletionStream {
        let request = makeRequest(call, stream: true)
        let body = try await pool.acceptedStream(request, deadline: settings.deadline(for: call), readTimeout: TimeAmount(settings.timeout))
        return OpenAIEventStream(body: body)
    }

    /// The upstream request: the client's body with the upstream model id, and, for streams,
    /// usage always requested so every streamed token is accounted for.
    func makeRequest(_ call: ProviderCall, stream: Bool) -> UpstreamRequest {
        var headers = fixedHeaders
        headers.add(name: "accept", value: stream ? "text/event-stream" : "application/json")
        for header in call.forwardedHeaders {
            headers.replaceOrAdd(name: header.name, value: header.value)
        }
        return UpstreamRequest(path: completionsPath, headers: headers, body: ByteBuffer(bytes: Self.body(for: call, stream: stream)))
    }

    /// The body to send: the client's own bytes with `model` set to the deployment's (see
    /// ``OriginalBody/forwarding(model:stream:)``) while the request still matches them, so
    /// every other member goes as it came; otherwise the parsed body (with the members kept as
    /// text parsed back in) serialised with `model`, `stream` and `stream_options` set.
    static func body(for call: ProviderCall, stream: Bool) -> [UInt8] {
        if let forwarded = call.request.original?.forwarding(
            model: call.deployment.upstreamModel, stream: stream, usageRequested: call.request.includeUsageInStream)
        {
            return forwarded
        }
        var body = call.request.completeBody
        body["model"] = .string(call.deployment.upstreamModel)
        if stream {
            body["stream"] = .bool(true)
            var options = body["stream_options"]?.objectValue ?? JSONObject()
            options["include_usage"] = .bool(true)
            body["stream_options"] = .object(options)
        } else if body["stream"] != nil {
            body["stream"] = .bool(false)
        }
        return JSONWriter.bytes(.object(body))
    }
}

/// Reads an OpenAI SSE body chunk by chunk, without an intermediate task or buffer; a relay
/// takes its plain chunks as the provider's bytes (see ``OpenAIEventReader``).
///
/// `@unchecked Sendable`: the stream is created by the request handler and then consumed by
/// exactly one task (the response writer); it is never shared between tasks concurrently.
struct OpenAIEventStream: WireEventStream, @unchecked Sendable {
    private let body: UpstreamBody
    private var iterator: UpstreamBody.AsyncIterator?
    private var reader = OpenAIEventReader()

    /// The most silence after `data: [DONE]` before the body's end: providers end the body right
    /// after the marker, so longer means a connection not worth keeping.
    private let endGrace: TimeAmount

    init(body: UpstreamBody, endGrace: TimeAmount = .milliseconds(100)) {
        self.body = body
        self.endGrace = endGrace
    }

    var hasBufferedChunk: Bool { reader.hasBufferedStep }

    var providerResponseEnded: Bool { body.hasEnded }

    mutating func awaitProviderResponseEnd() async {
        guard reader.finished, !body.hasEnded, iterator != nil else { return }
        body.expectEnd(within: endGrace)
        do {
            while try await iterator!.next() != nil {}
        } catch {
            // Past the grace the connection closes; the client already has the whole answer.
        }
    }

    mutating func next() async throws(ProviderError) -> ChatStreamChunk? {
        switch try await nextStep(limit: 1) {
        case nil: return nil
        case .chunk(let chunk): return chunk
        case .events(let event, _): return OpenAIEventReader.chunk(fromPlainEvent: event)
        }
    }

    mutating func nextStep(limit: Int) async throws(ProviderError) -> StreamRelayStep? {
        while true {
            switch try reader.nextStep(limit: max(1, limit)) {
            case .step(let step): return step
            case .end: return nil
            case .needsBytes: break
            }
            if iterator == nil { iterator = body.makeAsyncIterator() }
            let buffer: ByteBuffer?
            do {
                buffer = try await iterator!.next()
            } catch {
                reader.finish()
                throw .streamInterrupted(message: "\(ProviderErrorMapping.error(from: error).errorClass): \(error)")
            }
            guard let buffer else {
                reader.finish()
                throw .streamInterrupted(message: "the provider closed the stream before 'data: [DONE]'")
            }
            try reader.feed(buffer)
        }
    }
}
