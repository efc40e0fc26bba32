import SwitchyardCore

/// One line of an audit prompt file: a query of some `type`, sent as it would be in production.
public struct AuditPrompt: Sendable, Hashable {
    /// The query type results are grouped by (e.g. `classification`).
    public var type: String
    /// The user message.
    public var prompt: String
    /// An optional system message, sent before the prompt.
    public var system: String?
    /// `max_tokens` to send, if any.
    public var maxTokens: Int?
    /// `temperature` to send, if any.
    public var temperature: Double?
    /// `response_format` to send as given, e.g. `{"type": "json_object"}`.
    public var responseFormat: JSONValue?
    /// The 1-based line of the file it came from.
    public var line: Int

    public init(
        type: String, prompt: String, system: String? = nil, maxTokens: Int? = nil, temperature: Double? = nil,
        responseFormat: JSONValue? = nil, line: Int = 0
    ) {
        self.type = type
        self.prompt = prompt
        self.system = system
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.responseFormat = responseFormat
        self.line = line
    }

    /// The chat-completion body that sends this prompt to `model`, asking for logprobs. `seed`
    /// (OpenAI's sampling seed) tells repeated samples of one prompt apart.
    public func requestBody(model: String, seed: Int?) -> JSONValue {
        var messages: [JSONValue] = []
        if let system { messages.append(["role": "system", "content": .string(system)]) }
        messages.append(["role": "user", "content": .string(prompt)])
        var body: JSONObject = ["model": .string(model), "messages": .array(messages), "logprobs": true]
        if let maxTokens { body["max_tokens"] = .int(Int64(maxTokens)) }
        if let temperature { body["temperature"] = .double(temperature) }
        if let responseFormat { body["response_format"] = responseFormat }
        if let seed { body["seed"] = .int(Int64(seed)) }
        return .object(body)
    }
}
