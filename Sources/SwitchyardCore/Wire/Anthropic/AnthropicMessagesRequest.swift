/// An Anthropic Messages request (`POST /v1/messages`), read and turned into the OpenAI
/// chat-completions body that asks the same thing, so that one request path routes, checks and
/// books both wire formats.
///
/// What maps, and how:
///
/// | Messages | chat completions |
/// |---|---|
/// | `system` (a string or text blocks) | a first `system` message |
/// | `messages[].content` text blocks | `content` text, or text parts beside image parts |
/// | `image` blocks (`base64` or `url` source) | `image_url` parts (a `data:` URL for base64) |
/// | assistant `tool_use` blocks | the message's `tool_calls` (`input` as the `arguments` JSON) |
/// | user `tool_result` blocks | `tool` messages before the rest of that user message |
/// | `max_tokens`, `temperature`, `top_p`, `stop_sequences` | `max_tokens`, `temperature`, `top_p`, `stop` |
/// | `metadata.user_id` | `user` |
/// | `metadata.switchyard`, `metadata["switchyard.…"]` (routing and gate hints) | the same in `metadata` |
/// | `tools` (`input_schema`) | function `tools` (`parameters`) |
/// | `tool_choice` `auto` / `any` / `tool` / `none`, `disable_parallel_tool_use` | `auto` / `required` / the function / `none`, `parallel_tool_calls: false` |
/// | `stream` | `stream`, with `stream_options.include_usage` (the final event carries usage) |
///
/// `thinking` and `redacted_thinking` blocks in earlier assistant turns are left out, as are
/// request fields with no chat-completions counterpart (`top_k`, `thinking`, `service_tier`,
/// `container`, `mcp_servers`): a provider behind the gateway could not honour them. Every
/// other error names the field, as Anthropic's API does.
public struct AnthropicMessagesRequest: Sendable {
    /// The chat-completions body to serve.
    public var chatBody: JSONObject
    /// The body as the client sent it, parsed: a provider of kind `anthropic` sends it on as it
    /// came (``ChatCompletionRequest/anthropicBody``) instead of reading the client's bytes again.
    public var clientBody: JSONObject
    /// Whether the client asked for server-sent events.
    public var stream: Bool
    /// The `model` the client asked for (a model name, `auto` or `tier:NAME`).
    public var model: String

    /// Request members that have no chat-completions counterpart and are left out.
    public static let droppedMembers: Set<String> = ["top_k", "thinking", "service_tier", "container", "mcp_servers"]

    /// Reads and validates a Messages request body.
    public init(json: JSONValue) throws(GatewayError) {
        guard let request = json.objectValue else {
            throw .invalidRequest("The request body must be a JSON object, got \(json.typeName).")
        }
        clientBody = request
        guard let modelValue = request["model"] else { throw Self.missing("model") }
        guard let model = modelValue.stringValue, !model.isEmpty else {
            throw .invalidRequest("'model' must be a non-empty string, got \(modelValue.typeName).", param: "model", code: "invalid_type")
        }
        guard let maxTokensValue = request["max_tokens"] else { throw Self.missing("max_tokens") }
        guard let maxTokens = maxTokensValue.intValue, maxTokens >= 1 else {
            throw .invalidRequest("'max_tokens' must be a positive integer.", param: "max_tokens", code: "invalid_value")
        }
        guard let messagesValue = request["messages"] else { throw Self.missing("messages") }
        guard let messages = messagesValue.arrayValue else {
            throw .invalidRequest("'messages' must be an array, got \(messagesValue.typeName).", param: "messages", code: "invalid_type")
        }
        guard !messages.isEmpty else {
            throw .invalidRequest("'messages' must contain at least one message.", param: "messages", code: "empty_array")
        }

        var chatMessages: [JSONValue] = []
        if let system = request["system"], system != .null {
            let text = try Self.text(ofTextBlocks: system, param: "system")
            if !text.isEmpty { chatMessages.append(["role": "system", "content": .string(text)]) }
        }
        for (index, message) in messages.enumerated() {
            chatMessages += try Self.chatMessages(message, param: "messages[\(index)]")
        }

        var body = JSONObject()
        body["model"] = .string(model)
        body["messages"] = .array(chatMessages)
        body["max_tokens"] = .int(Int64(maxTokens))
        for name in ["temperature", "top_p"] {
            guard let value = request[name], value != .null else { continue }
            guard value.doubleValue != nil else {
                throw .invalidRequest("'\(name)' must be a number, got \(value.typeName).", param: name, code: "invalid_type")
            }
            body[name] = value
        }
        if let stops = request["stop_sequences"], stops != .null {
            guard let list = stops.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalidRequest("'stop_sequences' must be an array of strings.", param: "stop_sequences", code: "invalid_type")
            }
            if !list.isEmpty { body["stop"] = stops }
        }
        if let metadata = request["metadata"], metadata != .null {
            guard let object = metadata.objectValue else {
                throw .invalidRequest("'metadata' must be an object, got \(metadata.typeName).", param: "metadata", code: "invalid_type")
            }
            if let user = object["user_id"], user != .null {
                guard let id = user.stringValue else {
                    throw .invalidRequest("'metadata.user_id' must be a string.", param: "metadata.user_id", code: "invalid_type")
                }
                body["user"] = .string(id)
            }
            // Switchyard's own hints (task, complexity, gate labels, …) go where the chat route reads them.
            let hints = object.entries.filter { $0.key == "switchyard" || $0.key.hasPrefix("switchyard.") }
            if !hints.isEmpty { body["metadata"] = .object(JSONObject(hints.map { ($0.key, $0.value) })) }
        }
        if let tools = request["tools"], tools != .null {
            body["tools"] = .array(try Self.functionTools(tools))
        }
        if let choice = request["tool_choice"], choice != .null {
            let (toolChoice, parallel) = try Self.toolChoice(choice)
            if let toolChoice { body["tool_choice"] = toolChoice }
            if parallel == false { body["parallel_tool_calls"] = false }
        }
        var stream = false
        if let value = request["stream"], value != .null {
            guard let flag = value.boolValue else {
                throw .invalidRequest("'stream' must be a boolean, got \(value.typeName).", param: "stream", code: "invalid_type")
            }
            stream = flag
        }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        self.chatBody = body
        self.stream = stream
        self.model = model
    }

    private static func missing(_ field: String) -> GatewayError {
        .invalidRequest("'\(field)' is a required property.", param: field, code: "missing_required_parameter")
    }

    /// A string, or an array of `text` blocks (joined with blank lines), as `system` and a
    /// `tool_result`'s `content` may be.
    static func text(ofTextBlocks value: JSONValue, param: String) throws(GatewayError) -> String {
        if let text = value.stringValue { return text }
        guard let blocks = value.arrayValue else {
            throw .invalidRequest("'\(param)' must be a string or an array of text blocks, got \(value.typeName).", param: param, code: "invalid_type")
        }
        var texts: [String] = []
        for (index, block) in blocks.enumerated() {
            guard block["type"]?.stringValue == "text", let text = block["text"]?.stringValue else {
                throw .invalidRequest("'\(param)[\(index)]' must be a text block.", param: "\(param)[\(index)]", code: "invalid_value")
            }
            texts.append(text)
        }
        return texts.joined(separator: "\n\n")
    }

    /// One Messages message as chat messages: usually one; a user message with tool results
    /// becomes a `tool` message per result, then the rest of its content.
    static func chatMessages(_ message: JSONValue, param: String) throws(GatewayError) -> [JSONValue] {
        guard let object = message.objectValue else {
            throw .invalidRequest("'\(param)' must be an object, got \(message.typeName).", param: param, code: "invalid_type")
        }
        guard let role = object["role"]?.stringValue, role == "user" || role == "assistant" else {
            throw .invalidRequest("'\(param).role' must be 'user' or 'assistant'.", param: "\(param).role", code: "invalid_value")
        }
        let contentParam = "\(param).content"
        guard let content = object["content"] else {
            throw .invalidRequest("'\(contentParam)' is a required property.", param: contentParam, code: "missing_required_parameter")
        }
        if let text = content.stringValue {
            return [["role": .string(role), "content": .string(text)]]
        }
        guard let blocks = content.arrayValue else {
            throw .invalidRequest(
                "'\(contentParam)' must be a string or an array of content blocks, got \(content.typeName).", param: contentParam, code: "invalid_type")
        }
        var parts: [JSONValue] = []
        var toolCalls: [JSONValue] = []
        var toolResults: [JSONValue] = []
        var hasImage = false
        for (index, block) in blocks.enumerated() {
            let blockParam = "\(contentParam)[\(index)]"
            guard let type = block["type"]?.stringValue else {
                throw .invalidRequest("'\(blockParam).type' is a required string.", param: "\(blockParam).type", code: "missing_required_parameter")
            }
            switch (type, role) {
            case ("text", _):
                guard let text = block["text"]?.stringValue else {
                    throw .invalidRequest("'\(blockParam).text' must be a string.", param: "\(blockParam).text", code: "invalid_type")
                }
                parts.append(["type": "text", "text": .string(text)])
            case ("image", "user"):
                parts.append(["type": "image_url", "image_url": ["url": .string(try imageURL(block, param: blockParam))]])
                hasImage = true
            case ("tool_use", "assistant"):
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                    throw .invalidRequest("'\(blockParam)' needs string 'id' and 'name'.", param: blockParam, code: "invalid_value")
                }
                let input = block["input"] ?? .object(JSONObject())
                guard input.objectValue != nil else {
                    throw .invalidRequest("'\(blockParam).input' must be an object.", param: "\(blockParam).input", code: "invalid_type")
                }
                toolCalls.append([
                    "id": .string(id), "type": "function",
                    "function": ["name": .string(name), "arguments": .string(JSONWriter.string(input))],
                ])
            case ("tool_result", "user"):
                guard let id = block["tool_use_id"]?.stringValue else {
                    throw .invalidRequest("'\(blockParam).tool_use_id' must be a string.", param: "\(blockParam).tool_use_id", code: "invalid_type")
                }
                var text = try block["content"].map { value throws(GatewayError) in
                    try Self.text(ofTextBlocks: value, param: "\(blockParam).content")
                } ?? ""
                if block["is_error"]?.boolValue == true { text = "Error: " + text }
                toolResults.append(["role": "tool", "tool_call_id": .string(id), "content": .string(text)])
            case ("thinking", "assistant"), ("redacted_thinking", "assistant"):
                continue
            default:
                throw .invalidRequest(
                    "'\(blockParam).type' '\(type)' is not supported in a\(role == "user" ? "" : "n") \(role) message.",
                    param: "\(blockParam).type", code: "invalid_value")
            }
        }
        var result = toolResults
        if role == "assistant" {
            // Chat completions take the assistant's text as one string beside its tool calls.
            let text = parts.compactMap { $0["text"]?.stringValue }.joined()
            var assistant: JSONObject = ["role": "assistant", "content": toolCalls.isEmpty || !text.isEmpty ? .string(text) : .null]
            if !toolCalls.isEmpty { assistant["tool_calls"] = .array(toolCalls) }
            result.append(.object(assistant))
        } else if !parts.isEmpty || toolResults.isEmpty {
            // Text alone stays a string, as most providers read best; with images, parts.
            let content: JSONValue = hasImage ? .array(parts) : .string(parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n\n"))
            result.append(["role": "user", "content": content])
        }
        return result
    }

    /// An image block's source as a URL: `data:` for base64 data.
    static func imageURL(_ block: JSONValue, param: String) throws(GatewayError) -> String {
        let source = block["source"]
        switch source?["type"]?.stringValue {
        case "base64":
            guard let mediaType = source?["media_type"]?.stringValue, let data = source?["data"]?.stringValue else {
                throw .invalidRequest("'\(param).source' needs string 'media_type' and 'data'.", param: "\(param).source", code: "invalid_value")
            }
            return "data:\(mediaType);base64,\(data)"
        case "url":
            guard let url = source?["url"]?.stringValue else {
                throw .invalidRequest("'\(param).source.url' must be a string.", param: "\(param).source.url", code: "invalid_type")
            }
            return url
        default:
            throw .invalidRequest("'\(param).source.type' must be 'base64' or 'url'.", param: "\(param).source.type", code: "invalid_value")
        }
    }

    /// Client tools as chat-completions function tools.
    static func functionTools(_ tools: JSONValue) throws(GatewayError) -> [JSONValue] {
        guard let list = tools.arrayValue else {
            throw .invalidRequest("'tools' must be an array, got \(tools.typeName).", param: "tools", code: "invalid_type")
        }
        var result: [JSONValue] = []
        for (index, tool) in list.enumerated() {
            let param = "tools[\(index)]"
            if let type = tool["type"]?.stringValue, type != "custom" {
                throw .invalidRequest(
                    "'\(param).type' '\(type)': server tools run at Anthropic and are not supported; define the tool with 'input_schema'.",
                    param: "\(param).type", code: "invalid_value")
            }
            guard let name = tool["name"]?.stringValue, !name.isEmpty else {
                throw .invalidRequest("'\(param).name' must be a non-empty string.", param: "\(param).name", code: "invalid_value")
            }
            guard let schema = tool["input_schema"], schema.objectValue != nil else {
                throw .invalidRequest("'\(param).input_schema' must be an object.", param: "\(param).input_schema", code: "invalid_type")
            }
            var function: JSONObject = ["name": .string(name)]
            if let description = tool["description"]?.stringValue { function["description"] = .string(description) }
            function["parameters"] = schema
            result.append(["type": "function", "function": .object(function)])
        }
        return result
    }

    /// `tool_choice` as the chat-completions value, and `false` when parallel tool use is off.
    static func toolChoice(_ choice: JSONValue) throws(GatewayError) -> (JSONValue?, parallel: Bool?) {
        guard choice.objectValue != nil, let type = choice["type"]?.stringValue else {
            throw .invalidRequest("'tool_choice' must be an object with a 'type'.", param: "tool_choice", code: "invalid_type")
        }
        let parallel = choice["disable_parallel_tool_use"]?.boolValue.map { !$0 }
        switch type {
        case "auto": return ("auto", parallel)
        case "any": return ("required", parallel)
        case "none": return ("none", parallel)
        case "tool":
            guard let name = choice["name"]?.stringValue else {
                throw .invalidRequest("'tool_choice.name' must be a string when its type is 'tool'.", param: "tool_choice.name", code: "invalid_type")
            }
            return (["type": "function", "function": ["name": .string(name)]], parallel)
        default:
            throw .invalidRequest("'tool_choice.type' must be one of auto, any, tool, none; got '\(type)'.", param: "tool_choice.type", code: "invalid_value")
        }
    }
}
