/// One call to one deployment: what an adapter needs to build the upstream request.
public struct ProviderCall: Sendable {
    /// The deployment that serves the call.
    public var deployment: ModelDeployment
    /// The client's request; its body is forwarded with `model` replaced by the upstream id.
    public var request: ChatCompletionRequest
    /// Client headers the provider's `forward_headers` lets through.
    public var forwardedHeaders: [(name: String, value: String)]
    /// Time allowed for this call to start answering; `nil` uses the provider's `timeout`.
    public var timeout: Duration?

    public init(deployment: ModelDeployment, request: ChatCompletionRequest, forwardedHeaders: [(name: String, value: String)] = [], timeout: Duration? = nil) {
        self.deployment = deployment
        self.request = request
        self.forwardedHeaders = forwardedHeaders
        self.timeout = timeout
    }
}

/// A complete (non-streamed) answer from a provider.
public struct ProviderCompletion: Sendable {
    /// The response body exactly as the provider sent it.
    public var bodyBytes: [UInt8]
    /// The parsed body.
    public var body: JSONObject
    /// Token usage the provider reported, if any.
    public var usage: TokenUsage?

    public init(bodyBytes: [UInt8], body: JSONObject, usage: TokenUsage?) {
        self.bodyBytes = bodyBytes
        self.body = body
        self.usage = usage
    }
}

/// One `data:` chunk of a streamed chat completion.
public struct ChatStreamChunk: Sendable {
    /// The chunk's JSON text as the provider sent it.
    public var data: String
    /// The parsed chunk.
    public var json: JSONObject
    /// Usage carried by this chunk (the final one, when usage was requested).
    public var usage: TokenUsage?

    public init(data: String, json: JSONObject) {
        self.data = data
        self.json = json
        self.usage = TokenUsage(openAIUsage: json["usage"])
    }

    /// Whether the chunk only carries usage (no choices), as OpenAI sends last with `include_usage`.
    public var isUsageOnly: Bool {
        usage != nil && (json["choices"]?.arrayValue?.isEmpty ?? true)
    }
}

/// The chunks of a streamed answer, read one at a time. Ends with `nil` after the provider's
/// end-of-stream marker; a stream that stops early throws ``ProviderError/streamInterrupted(message:)``.
public protocol ChatCompletionStream: Sendable {
    mutating func next() async throws(ProviderError) -> ChatStreamChunk?
}

/// A model provider's chat API, whatever its wire format.
public protocol ChatProvider: Sendable {
    /// Sends the call and waits for the whole answer.
    func complete(_ call: ProviderCall) async throws(ProviderError) -> ProviderCompletion

    /// Sends the call with streaming on. Returns once the provider accepted the request (status
    /// 2xx); errors before that are thrown here, errors after it come from the stream.
    func stream(_ call: ProviderCall) async throws(ProviderError) -> any ChatCompletionStream
}
