/// An OpenAI chat-completions request: the few fields the gateway reads, plus the whole body,
/// which is forwarded with every other field untouched.
public struct ChatCompletionRequest: Sendable {
    /// The body as the client sent it, but for the ``passthrough`` members: they are kept as
    /// text, and ``completeBody`` has them too (changing it drops ``original``).
    public var body: JSONObject {
        didSet {
            original = nil
            anthropicBody = nil
        }
    }
    /// The client's Anthropic Messages body, parsed, for a request that came in that format (see
    /// ``AnthropicMessagesRequest/clientBody``), while ``body`` is still its translation: a
    /// provider of kind `anthropic` sends it as it came (with its own model), so members a chat
    /// request cannot hold — `cache_control` marks, `thinking`, `top_k` — reach it. Changing
    /// ``body`` drops it.
    public var anthropicBody: JSONObject?
    /// Members of the body that neither routing nor the gates read, kept as the JSON text the
    /// client sent instead of parsed into ``body``: an agent's tool definitions are often most
    /// of its body, and parsing them into a tree cost more CPU than the rest of the request's
    /// path. Forwarded with the original bytes; ``completeBody`` parses them back in.
    public private(set) var passthrough: [PassthroughMember] = []
    /// The body's bytes as they came, with where its members sit, while ``body`` still matches
    /// them: a provider then edits the one or two members it must instead of serialising the
    /// whole tree again. `nil` for a request built from a tree, or once ``body`` changed.
    public private(set) var original: OriginalBody?
    /// The `model` field: a model name, `auto` or `tier:NAME`.
    public var model: String
    /// The messages, reduced to role and text.
    public var messages: [ChatMessage]
    /// Whether the client asked for server-sent events.
    public var stream: Bool
    /// Whether the client asked for a final usage chunk on the stream (`stream_options.include_usage`).
    public var includeUsageInStream: Bool
    /// `max_completion_tokens` or `max_tokens`, if given.
    public var maxOutputTokens: Int?
    /// Whether the client asked for token logprobs.
    public var logprobs: Bool

    /// The top-level members kept as text (``passthrough``) when a body is read from bytes:
    /// tool and function definitions, and predicted outputs.
    public static let passthroughMemberNames: Set<String> = ["tools", "functions", "prediction"]

    /// One member kept as text: its name and its value's JSON, checked when the body was read.
    public struct PassthroughMember: Sendable, Hashable {
        public var name: String
        public var json: ArraySlice<UInt8>
    }

    /// The whole body: ``body`` with the ``passthrough`` members parsed back in, for the paths
    /// that change a request and serialise it again.
    public var completeBody: JSONObject {
        guard !passthrough.isEmpty else { return body }
        var complete = body
        for member in passthrough {
            // The text was checked as strictly as the rest of the body when it was read.
            complete[member.name] = (try? JSONParser.parse(member.json)) ?? .null
        }
        return complete
    }

    /// Roles OpenAI accepts in `messages`.
    public static let knownRoles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    /// Reads and validates a request body. Errors name the offending field.
    public init(json: JSONValue) throws(GatewayError) {
        guard let body = json.objectValue else {
            throw .invalidRequest("The request body must be a JSON object, got \(json.typeName).")
        }
        guard let modelValue = body["model"] else {
            throw .invalidRequest("'model' is a required property.", param: "model", code: "missing_required_parameter")
        }
        guard let model = modelValue.stringValue, !model.isEmpty else {
            throw .invalidRequest("'model' must be a non-empty string, got \(modelValue.typeName).", param: "model", code: "invalid_type")
        }
        guard let messagesValue = body["messages"] else {
            throw .invalidRequest("'messages' is a required property.", param: "messages", code: "missing_required_parameter")
        }
        guard let rawMessages = messagesValue.arrayValue else {
            throw .invalidRequest("'messages' must be an array, got \(messagesValue.typeName).", param: "messages", code: "invalid_type")
        }
        guard !rawMessages.isEmpty else {
            throw .invalidRequest("'messages' must contain at least one message.", param: "messages", code: "empty_array")
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(rawMessages.count)
        for (index, raw) in rawMessages.enumerated() {
            messages.append(try Self.readMessage(raw, index: index))
        }
        self.body = body
        self.model = model
        self.messages = messages
        self.stream = try Self.readBool(body, "stream") ?? false
        if let options = body["stream_options"], options != .null {
            guard let object = options.objectValue else {
                throw .invalidRequest("'stream_options' must be an object.", param: "stream_options", code: "invalid_type")
            }
            self.includeUsageInStream = object["include_usage"]?.boolValue ?? false
        } else {
            self.includeUsageInStream = false
        }
        let maxCompletionTokens = try Self.readPositiveInt(body, "max_completion_tokens")
        let maxTokens = try Self.readPositiveInt(body, "max_tokens")
        self.maxOutputTokens = maxCompletionTokens ?? maxTokens
        self.logprobs = try Self.readBool(body, "logprobs") ?? false
    }

    private static func readMessage(_ raw: JSONValue, index: Int) throws(GatewayError) -> ChatMessage {
        let param = "messages[\(index)]"
        guard let object = raw.objectValue else {
            throw .invalidRequest("'\(param)' must be an object, got \(raw.typeName).", param: param, code: "invalid_type")
        }
        guard let role = object["role"]?.stringValue else {
            throw .invalidRequest("'\(param).role' is required and must be a string.", param: "\(param).role", code: "missing_required_parameter")
        }
        guard knownRoles.contains(role) else {
            let roles = knownRoles.sorted().joined(separator: ", ")
            throw .invalidRequest("'\(param).role' must be one of \(roles); got '\(role)'.", param: "\(param).role", code: "invalid_value")
        }
        return ChatMessage(role: role, text: try readContent(object["content"], param: "\(param).content"))
    }

    private static func readContent(_ content: JSONValue?, param: String) throws(GatewayError) -> String {
        switch content {
        case nil, .null?: return ""
        case .string(let text)?: return text
        case .array(let parts)?:
            var texts: [String] = []
            for part in parts {
                if let text = part["text"]?.stringValue { texts.append(text) }
            }
            return texts.joined(separator: "\n")
        case let other?:
            throw .invalidRequest("'\(param)' must be a string or an array of content parts, got \(other.typeName).", param: param, code: "invalid_type")
        }
    }

    private static func readBool(_ body: JSONObject, _ key: String) throws(GatewayError) -> Bool? {
        switch body[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw .invalidRequest("'\(key)' must be a boolean, got \(other.typeName).", param: key, code: "invalid_type")
        }
    }

    private static func readPositiveInt(_ body: JSONObject, _ key: String) throws(GatewayError) -> Int? {
        switch body[key] {
        case nil, .null?: return nil
        case let value?:
            guard let integer = value.intValue, integer >= 1 else {
                throw .invalidRequest("'\(key)' must be a positive integer.", param: key, code: "invalid_value")
            }
            return integer
        }
    }
}

extension ChatCompletionRequest {
    /// Parses and validates a raw request body, keeping its bytes (``original``).
    public init(bytes: some Collection<UInt8>) throws(GatewayError) {
        let array = Array(bytes)
        let json: JSONValue
        let spans: JSONParser.TopLevelSpans?
        do {
            (json, spans) = try JSONParser.parseNotingTopLevelSpans(array, skipping: Self.passthroughMemberNames)
        } catch {
            throw .malformedJSON(error)
        }
        try self.init(json: json)
        if let spans {
            passthrough = spans.skipped.compactMap { name in
                spans.values[name].map { PassthroughMember(name: name, json: array[$0]) }
            }
            if !spans.hasDuplicateKeys { original = OriginalBody(bytes: array, spans: spans) }
        }
    }

    /// The length in UTF-8 bytes of ``promptText``, without joining the messages.
    public var promptByteCount: Int {
        messages.reduce(max(0, messages.count - 1)) { $0 + $1.text.utf8.count }
    }

    /// All message text, for classification: system prompt and conversation in order.
    public var promptText: String {
        messages.map(\.text).joined(separator: "\n")
    }
}

extension ChatCompletionRequest {
    /// The same request asked for a whole answer: without `stream` and `stream_options` (which
    /// OpenAI refuses without `stream`). A request that did not stream is returned as it is.
    public var withoutStreaming: ChatCompletionRequest {
        guard stream || includeUsageInStream || body["stream"] != nil || body["stream_options"] != nil else { return self }
        var plain = self
        var body = completeBody
        body["stream"] = nil
        body["stream_options"] = nil
        plain.body = body
        plain.stream = false
        plain.includeUsageInStream = false
        return plain
    }
}
