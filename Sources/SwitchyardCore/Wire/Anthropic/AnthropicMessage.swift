/// The Anthropic Messages side of an answer: a chat completion as a `message`, the finish reason
/// as a stop reason, usage as Anthropic counts it, and errors in Anthropic's shape.
public enum AnthropicMessage {
    /// A chat completion (OpenAI's shape) as an Anthropic `message` object: the first choice's
    /// `thinking_blocks` as they are (see ``ThinkingFields``), its text as a `text` block and its
    /// tool calls as `tool_use` blocks.
    public static func message(fromChatCompletion completion: JSONValue) -> JSONValue {
        let choice = completion["choices"]?.arrayValue?.first
        let message = choice?["message"]
        // Thinking comes first, as Anthropic sends it (and wants it back).
        var content: [JSONValue] = message?[ThinkingFields.blocks]?.arrayValue ?? []
        let text = message?["content"]?.stringValue ?? ""
        let toolCalls = message?["tool_calls"]?.arrayValue ?? []
        if !text.isEmpty || toolCalls.isEmpty {
            content.append(["type": "text", "text": .string(text)])
        }
        for call in toolCalls {
            content.append(toolUseBlock(id: call["id"]?.stringValue, name: call["function"]?["name"]?.stringValue, arguments: call["function"]?["arguments"]?.stringValue))
        }
        return Self.message(
            completionID: completion["id"]?.stringValue, model: completion["model"] ?? .null, content: content,
            finishReason: choice?["finish_reason"]?.stringValue, usage: TokenUsage(openAIUsage: completion["usage"]))
    }

    /// A `message` object from what it is made of, however the completion was read.
    static func message(completionID: String?, model: JSONValue, content: [JSONValue], finishReason: String?, usage: TokenUsage?) -> JSONValue {
        .object(JSONObject([
            ("id", .string(messageID(fromCompletionID: completionID))),
            ("type", "message"),
            ("role", "assistant"),
            ("model", model),
            ("content", .array(content)),
            ("stop_reason", stopReason(fromFinishReason: finishReason).map(JSONValue.string) ?? .null),
            ("stop_sequence", .null),
            ("usage", self.usage(usage)),
        ]))
    }

    /// A `tool_use` block; arguments that are not a JSON object become an empty input.
    static func toolUseBlock(id: String?, name: String?, arguments: String?) -> JSONValue {
        let input = arguments.flatMap { try? JSONParser.parse($0) }.flatMap { $0.objectValue != nil ? $0 : nil } ?? .object(JSONObject())
        return .object(JSONObject([
            ("type", "tool_use"), ("id", .string(id ?? "toolu_unknown")), ("name", .string(name ?? "")), ("input", input),
        ]))
    }

    /// A message id for a completion id: Anthropic's `msg_` prefix, the completion's own id after it.
    public static func messageID(fromCompletionID id: String?) -> String {
        guard let id, !id.isEmpty else { return "msg_switchyard" }
        return id.hasPrefix("msg_") ? id : "msg_" + id
    }

    /// The stop reason for a chat-completions finish reason.
    public static func stopReason(fromFinishReason reason: String?) -> String? {
        switch reason {
        case nil: return nil
        case "length": return "max_tokens"
        case "tool_calls", "function_call": return "tool_use"
        case "content_filter": return "refusal"
        default: return "end_turn"
        }
    }

    /// OpenAI usage as Anthropic's: `input_tokens` leaves out the cached prompt tokens, which it
    /// counts as `cache_read_input_tokens`. Read as ``TokenUsage/init(openAIUsage:)`` reads it.
    public static func usage(fromOpenAIUsage usage: JSONValue?) -> JSONValue {
        self.usage(TokenUsage(openAIUsage: usage))
    }

    /// Token counts as Anthropic's `usage` (all zero when there are none).
    static func usage(_ usage: TokenUsage?) -> JSONValue {
        let cached = usage?.cachedPromptTokens ?? 0
        return .object(JSONObject([
            ("input_tokens", .int(Int64(max(0, (usage?.promptTokens ?? 0) - cached)))),
            ("output_tokens", .int(Int64(usage?.completionTokens ?? 0))),
            ("cache_creation_input_tokens", 0),
            ("cache_read_input_tokens", .int(Int64(cached))),
        ]))
    }

    /// Anthropic's error object, `{"type": "error", "error": {"type", "message"}}`, for an error
    /// with `status` and OpenAI's `type`.
    public static func error(status: Int, openAIType: String?, message: String) -> JSONValue {
        .object(JSONObject([
            ("type", "error"),
            ("error", .object(JSONObject([("type", .string(errorType(status: status, openAIType: openAIType))), ("message", .string(message))]))),
        ]))
    }

    /// Anthropic's error type for a status (and, for a 400, OpenAI's type).
    public static func errorType(status: Int, openAIType: String?) -> String {
        switch status {
        case 400: return "invalid_request_error"
        case 401: return "authentication_error"
        case 402: return "billing_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 408, 504: return "timeout_error"
        case 413: return "request_too_large"
        case 429: return "rate_limit_error"
        case 503, 529: return "overloaded_error"
        default: return status >= 500 ? "api_error" : (openAIType ?? "invalid_request_error")
        }
    }
}
