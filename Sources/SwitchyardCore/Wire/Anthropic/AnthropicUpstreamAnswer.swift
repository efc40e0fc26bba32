/// An answer from a provider of kind `anthropic`, read as chat completions, so that the gates,
/// the ledger and the client's wire format see one shape whatever the provider spoke.
public enum AnthropicUpstreamAnswer {
    /// A Messages `message` as a `chat.completion`: its text blocks joined as the content, its
    /// `tool_use` blocks as `tool_calls`, its `thinking` and `redacted_thinking` blocks as
    /// `thinking_blocks` (as they came, signatures included) with their text joined as
    /// `reasoning_content`, its stop reason as the finish reason and its usage as OpenAI counts
    /// it (`prompt_tokens` includes cached and cache-written tokens).
    ///
    /// - Returns: `nil` when `message` is not a Messages `message` (no `content` array).
    public static func chatCompletion(fromMessage message: JSONValue, created: Int64) -> JSONValue? {
        guard let content = message["content"]?.arrayValue else { return nil }
        var text = ""
        var toolCalls: [JSONValue] = []
        var thinkingBlocks: [JSONValue] = []
        for block in content {
            switch block["type"]?.stringValue {
            case "text": text += block["text"]?.stringValue ?? ""
            case "thinking", "redacted_thinking": thinkingBlocks.append(block)
            case "tool_use":
                toolCalls.append(.object(JSONObject([
                    ("id", block["id"] ?? ""), ("type", "function"),
                    ("function", .object(JSONObject([
                        ("name", block["name"] ?? ""), ("arguments", .string(JSONWriter.string(block["input"] ?? .object(JSONObject())))),
                    ]))),
                ])))
            default: continue
            }
        }
        var reply: JSONObject = ["role": "assistant", "content": toolCalls.isEmpty || !text.isEmpty ? .string(text) : .null]
        if !toolCalls.isEmpty { reply["tool_calls"] = .array(toolCalls) }
        if !thinkingBlocks.isEmpty {
            reply[ThinkingFields.reasoning] = .string(thinkingBlocks.compactMap { $0["thinking"]?.stringValue }.joined(separator: "\n\n"))
            reply[ThinkingFields.blocks] = .array(thinkingBlocks)
        }
        let finish: JSONValue = finishReason(fromStopReason: message["stop_reason"]?.stringValue).map(JSONValue.string) ?? .null
        let choice: [(String, JSONValue)] = [("index", 0), ("message", .object(reply)), ("finish_reason", finish)]
        let members: [(String, JSONValue)] = [
            ("id", message["id"] ?? ""),
            ("object", "chat.completion"),
            ("created", .int(created)),
            ("model", message["model"] ?? ""),
            ("choices", .array([.object(JSONObject(choice))])),
            ("usage", usage(fromAnthropicUsage: message["usage"])),
        ]
        return .object(JSONObject(members))
    }

    /// The chat-completions finish reason for a Messages stop reason.
    public static func finishReason(fromStopReason reason: String?) -> String? {
        switch reason {
        case nil: return nil
        case "max_tokens", "model_context_window_exceeded": return "length"
        case "tool_use": return "tool_calls"
        case "refusal": return "content_filter"
        default: return "stop"
        }
    }

    /// Messages usage as OpenAI's: the prompt counts every input token, cached ones too.
    public static func usage(fromAnthropicUsage usage: JSONValue?) -> JSONValue {
        let input = usage?["input_tokens"]?.intValue ?? 0
        let cacheRead = usage?["cache_read_input_tokens"]?.intValue ?? 0
        let cacheWrite = usage?["cache_creation_input_tokens"]?.intValue ?? 0
        let output = usage?["output_tokens"]?.intValue ?? 0
        let prompt = input + cacheRead + cacheWrite
        let details: JSONValue = ["cached_tokens": .int(Int64(cacheRead))]
        let members: [(String, JSONValue)] = [
            ("prompt_tokens", .int(Int64(prompt))),
            ("completion_tokens", .int(Int64(output))),
            ("total_tokens", .int(Int64(prompt + output))),
            ("prompt_tokens_details", details),
        ]
        return .object(JSONObject(members))
    }
}

/// Where a chat completion carries Anthropic's thinking, as other gateways and OpenAI-compatible
/// reasoning models do: `reasoning_content` (the text) beside `content`, and `thinking_blocks`
/// (the blocks, with the signatures Anthropic needs sent back when thinking meets tool use).
public enum ThinkingFields {
    /// The thinking text, in a message or a stream delta.
    public static let reasoning = "reasoning_content"
    /// The blocks as Anthropic sent them, in a message; in a stream delta, a block with the
    /// signature of the thinking so far, or a `redacted_thinking` block.
    public static let blocks = "thinking_blocks"
}

/// Reads a Messages stream's events as chat-completion chunks, one event at a time: the text
/// deltas as `content`, thinking as `reasoning_content` and signatures and redacted blocks as
/// `thinking_blocks`, a `tool_use` block's start and `input_json_delta`s as `tool_calls`, the
/// stop reason as `finish_reason`, and at `message_stop` a usage-only chunk (as OpenAI sends with
/// `include_usage`) with the input tokens of `message_start` and the output tokens of
/// `message_delta`. `ping`, thinking and unknown events add nothing.
public struct AnthropicUpstreamStreamReader: Sendable {
    private var id: JSONValue = ""
    private var model: JSONValue = ""
    private let created: Int64
    private var usage: JSONObject = [:]
    /// The `tool_calls` index of each open `tool_use` block, by the block's index.
    private var toolIndexByBlock: [Int: Int] = [:]
    private var toolCalls = 0
    /// Whether `message_stop` arrived: the stream is complete.
    public private(set) var ended = false
    /// What every text chunk starts with, up to its content, once `message_start` has named the
    /// message (see ``textChunk(forData:)``).
    private var textChunkPrefix: [UInt8] = []

    public init(created: Int64) {
        self.created = created
    }

    /// The chunk for an event that is a text delta (``JSONParser/scanTextDeltaEvent(_:)``), as
    /// chat-chunk JSON written without a tree: its text goes in as the JSON string it came as.
    /// `nil` for any other event, and before `message_start`; ``chunks(for:)`` reads those.
    public func textChunk(forData data: UnsafeBufferPointer<UInt8>) -> String? {
        guard !textChunkPrefix.isEmpty, let text = JSONParser.scanTextDeltaEvent(data) else { return nil }
        var chunk = textChunkPrefix
        chunk.append(contentsOf: UnsafeBufferPointer(rebasing: data[text]))
        chunk.append(contentsOf: #"},"finish_reason":null}]}"#.utf8)
        return String(decoding: chunk, as: UTF8.self)
    }

    /// The chunks for one event.
    ///
    /// - Throws: The provider's error for an `error` event (an overloaded provider as a server
    ///   error, so the chain may move on while nothing was sent).
    public mutating func chunks(for event: ServerSentEvent) throws(ProviderError) -> [JSONValue] {
        guard let data = try? JSONParser.parse(event.data) else {
            if event.data.isEmpty { return [] }
            throw .malformedResponse(message: "a stream event is not JSON")
        }
        switch data["type"]?.stringValue ?? event.event {
        case "message_start":
            let message = data["message"]
            id = message?["id"] ?? ""
            model = message?["model"] ?? ""
            merge(message?["usage"])
            // The members and their order are those ``chunk(delta:finishReason:)`` writes.
            textChunkPrefix = Array(#"{"id":"#.utf8) + JSONWriter.bytes(id) + Array(#","object":"chat.completion.chunk","created":"#.utf8)
                + Array(String(created).utf8) + Array(#","model":"#.utf8) + JSONWriter.bytes(model)
                + Array(#","choices":[{"index":0,"delta":{"content":"#.utf8)
            return [chunk(delta: ["role": "assistant", "content": ""])]
        case "content_block_start":
            let block = data["content_block"]
            let index = data["index"]?.intValue ?? 0
            switch block?["type"]?.stringValue {
            case "text":
                let text = block?["text"]?.stringValue ?? ""
                return text.isEmpty ? [] : [chunk(delta: ["content": .string(text)])]
            case "thinking":
                let thinking = block?["thinking"]?.stringValue ?? ""
                return thinking.isEmpty ? [] : [chunk(delta: [ThinkingFields.reasoning: .string(thinking)])]
            case "redacted_thinking":
                return [chunk(delta: [ThinkingFields.blocks: .array([block ?? .null])])]
            case "tool_use":
                let tool = toolCalls
                toolIndexByBlock[index] = tool
                toolCalls += 1
                let function: JSONValue = ["name": block?["name"] ?? "", "arguments": ""]
                let call: [(String, JSONValue)] = [("index", .int(Int64(tool))), ("id", block?["id"] ?? ""), ("type", "function"), ("function", function)]
                return [chunk(delta: ["tool_calls": .array([.object(JSONObject(call))])])]
            default: return []
            }
        case "content_block_delta":
            let delta = data["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta":
                return [chunk(delta: ["content": delta?["text"] ?? ""])]
            case "thinking_delta":
                return [chunk(delta: [ThinkingFields.reasoning: delta?["thinking"] ?? ""])]
            case "signature_delta":
                let block: JSONValue = ["type": "thinking", "thinking": "", "signature": delta?["signature"] ?? ""]
                return [chunk(delta: [ThinkingFields.blocks: .array([block])])]
            case "input_json_delta":
                guard let tool = toolIndexByBlock[data["index"]?.intValue ?? -1] else { return [] }
                let function: JSONValue = ["arguments": delta?["partial_json"] ?? ""]
                let call: [(String, JSONValue)] = [("index", .int(Int64(tool))), ("function", function)]
                return [chunk(delta: ["tool_calls": .array([.object(JSONObject(call))])])]
            default: return []
            }
        case "message_delta":
            merge(data["usage"])
            let reason = AnthropicUpstreamAnswer.finishReason(fromStopReason: data["delta"]?["stop_reason"]?.stringValue) ?? "stop"
            return [chunk(delta: [:], finishReason: reason)]
        case "message_stop":
            ended = true
            let members: [(String, JSONValue)] = [
                ("id", id), ("object", "chat.completion.chunk"), ("created", .int(created)), ("model", model), ("choices", .array([])),
                ("usage", AnthropicUpstreamAnswer.usage(fromAnthropicUsage: .object(usage))),
            ]
            return [.object(JSONObject(members))]
        case "error":
            let error = data["error"]
            let message = error?["message"]?.stringValue ?? "the provider sent an error event"
            switch error?["type"]?.stringValue {
            case "rate_limit_error": throw .rateLimited(retryAfter: nil, message: message)
            case "overloaded_error": throw .serverError(status: 529, message: message)
            case "api_error": throw .serverError(status: 500, message: message)
            default: throw .streamInterrupted(message: message)
            }
        default:
            return []
        }
    }

    private mutating func merge(_ update: JSONValue?) {
        guard let update = update?.objectValue else { return }
        for (key, value) in update.entries where value != .null { usage[key] = value }
    }

    private func chunk(delta: JSONObject, finishReason: String? = nil) -> JSONValue {
        let finish: JSONValue = finishReason.map(JSONValue.string) ?? .null
        let choice: [(String, JSONValue)] = [("index", 0), ("delta", .object(delta)), ("finish_reason", finish)]
        let members: [(String, JSONValue)] = [
            ("id", id), ("object", "chat.completion.chunk"), ("created", .int(created)), ("model", model),
            ("choices", .array([.object(JSONObject(choice))])),
        ]
        return .object(JSONObject(members))
    }
}
