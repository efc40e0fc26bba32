import Synchronization

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
///
/// Made from a scan of the provider's bytes (``init(scanned:summary:)``), it holds what the
/// gateway reads of every answer (``summary``) and parses the whole body only when something
/// asks for ``body``: most answers are forwarded as they came, and building the tree of each
/// was most of the cost of reading them.
public struct ProviderCompletion: Sendable {
    /// The response body exactly as the provider sent it.
    public var bodyBytes: [UInt8]
    /// Token usage the provider reported, if any.
    public var usage: TokenUsage?
    /// The first choice's content, finish reason, log-probabilities and tool calls.
    public private(set) var summary: ChatCompletionSummary
    private var parsedBody: ParsedBody

    /// An answer whose body is already parsed.
    public init(bodyBytes: [UInt8], body: JSONObject, usage: TokenUsage?) {
        self.bodyBytes = bodyBytes
        self.usage = usage
        self.summary = ChatCompletionSummary(parsed: body)
        self.parsedBody = ParsedBody(body)
    }

    /// An answer from bytes that ``JSONParser/scanChatCompletion(_:)`` found to be a valid
    /// JSON object, read as `summary`; the usage is the summary's.
    public init(scanned bytes: [UInt8], summary: ChatCompletionSummary) {
        self.bodyBytes = bytes
        self.usage = summary.usage
        self.summary = summary
        self.parsedBody = ParsedBody(bytes: bytes)
    }

    /// The parsed body: parsed from ``bodyBytes`` at the first read, once. Setting it replaces
    /// the body (and its summary), not ``bodyBytes``.
    public var body: JSONObject {
        get { parsedBody.object }
        set {
            parsedBody = ParsedBody(newValue)
            summary = ChatCompletionSummary(parsed: newValue)
        }
    }
}

/// A body parsed when first read; shared by the copies of one ``ProviderCompletion``.
private final class ParsedBody: Sendable {
    private let bytes: [UInt8]
    private let parsed: Mutex<JSONObject?>

    init(_ object: JSONObject) {
        bytes = []
        parsed = Mutex(object)
    }

    /// Bytes already checked to be a JSON object.
    init(bytes: [UInt8]) {
        self.bytes = bytes
        parsed = Mutex(nil)
    }

    var object: JSONObject {
        parsed.withLock { parsed in
            if let parsed { return parsed }
            // The bytes were scanned as a valid object; an empty object stands in if they were not.
            let object = (try? JSONParser.parse(bytes))?.objectValue ?? JSONObject()
            parsed = object
            return object
        }
    }
}

/// One `data:` chunk of a streamed chat completion.
///
/// Most chunks are relayed as they came, so only the chunks that carry usage are parsed (see
/// ``init(data:)``); the rest stay text.
public struct ChatStreamChunk: Sendable {
    /// The chunk's JSON text as the provider sent it.
    public var data: String
    /// Usage carried by this chunk (the final one, when usage was requested).
    public var usage: TokenUsage?
    /// Whether the chunk only carries usage (no choices), as OpenAI sends last with `include_usage`.
    public var isUsageOnly: Bool

    /// A chunk already parsed.
    public init(data: String, json: JSONObject) {
        let usage = TokenUsage(openAIUsage: json["usage"])
        self.init(data: data, usage: usage, isUsageOnly: usage != nil && (json["choices"]?.arrayValue?.isEmpty ?? true))
    }

    private init(data: String, usage: TokenUsage?, isUsageOnly: Bool) {
        self.data = data
        self.usage = usage
        self.isUsageOnly = isUsageOnly
    }

    /// A chunk known to carry neither usage nor an error (see
    /// ``SimpleDataEvent/isPlainChatChunk(_:)``), kept as text.
    public init(plainData data: String) {
        self.init(data: data, usage: nil, isUsageOnly: false)
    }

    /// A chunk read from `data`, parsed only when it may carry a usage object; `nil` when a text
    /// that had to be parsed is not a JSON object.
    public init?(data: String) {
        guard JSONKeyScanner.mayHaveStructuredValue(forKey: "usage", in: data) else {
            self.init(data: data, usage: nil, isUsageOnly: false)
            return
        }
        var text = data
        // Read in one pass for the usage and the number of choices, without building the tree.
        guard let summary = text.withUTF8({ try? JSONParser.scanChatCompletion($0) }) ?? nil else { return nil }
        self.init(data: data, usage: summary.usage, isUsageOnly: summary.usage != nil && summary.choiceCount == 0)
    }
}

/// The chunks of a streamed answer, read one at a time. Ends with `nil` after the provider's
/// end-of-stream marker; a stream that stops early throws ``ProviderError/streamInterrupted(message:)``.
public protocol ChatCompletionStream: Sendable {
    mutating func next() async throws(ProviderError) -> ChatStreamChunk?

    /// Whether ``next()`` can answer without waiting for the provider: the chunk (or the end of
    /// the stream) arrived with earlier ones. A relay writes such chunks to the client together.
    var hasBufferedChunk: Bool { get }

    /// Whether the provider's response has wholly arrived, so its connection can serve another
    /// call. After the end marker, a provider may still be sending the end of its HTTP body.
    var providerResponseEnded: Bool { get }

    /// After ``next()`` returned `nil`: waits, briefly, for the end of the provider's response,
    /// so the next call finds its connection free instead of opening another one.
    mutating func awaitProviderResponseEnd() async
}

extension ChatCompletionStream {
    public var hasBufferedChunk: Bool { false }
    public var providerResponseEnded: Bool { true }
    public mutating func awaitProviderResponseEnd() async {}
}

/// A model provider's chat API, whatever its wire format.
public protocol ChatProvider: Sendable {
    /// Sends the call and waits for the whole answer.
    func complete(_ call: ProviderCall) async throws(ProviderError) -> ProviderCompletion

    /// Sends the call with streaming on. Returns once the provider accepted the request (status
    /// 2xx); errors before that are thrown here, errors after it come from the stream.
    func stream(_ call: ProviderCall) async throws(ProviderError) -> any ChatCompletionStream
}
