/// A chat-completions request written as an Anthropic Messages request, for a provider of kind
/// `anthropic`: the inverse of ``AnthropicMessagesRequest``.
///
/// System and developer messages become `system`; user and assistant turns become messages
/// (consecutive turns of one role merged, as the Messages API wants them alternating); `tool`
/// messages become `tool_result` blocks of a user turn; an assistant's `tool_calls` become
/// `tool_use` blocks; `image_url` parts become `image` blocks. `max_completion_tokens` or
/// `max_tokens` becomes `max_tokens` (required there; `defaultMaxTokens` when the client gave
/// none), `stop` becomes `stop_sequences`, `user` becomes `metadata.user_id`, function tools and
/// `tool_choice` their Anthropic forms. Members with no Messages counterpart (`logprobs`, `n`,
/// `response_format`, `seed`, penalties, `metadata`, …) are left out.
public enum AnthropicUpstreamRequest {
    /// The Messages body for `chat`, asking for `model`.
    ///
    /// - Throws: A ``ProviderError/badRequest(status:message:code:param:)`` for content the
    ///   Messages API cannot take (an image given by a URL scheme other than `http(s)` or `data:`,
    ///   a content part of another type).
    public static func body(fromChat chat: JSONObject, model: String, stream: Bool, defaultMaxTokens: Int) throws(ProviderError) -> JSONObject {
        var system: [String] = []
        var turns: [(role: String, blocks: [JSONValue])] = []
        func append(_ role: String, _ blocks: [JSONValue]) {
            guard !blocks.isEmpty else { return }
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        for (index, message) in (chat["messages"]?.arrayValue ?? []).enumerated() {
            let role = message["role"]?.stringValue ?? "user"
            let param = "messages[\(index)]"
            switch role {
            case "system", "developer":
                let text = try blocks(message["content"], param: param).compactMap { $0["text"]?.stringValue }.joined(separator: "\n\n")
                if !text.isEmpty { system.append(text) }
            case "assistant":
                // Thinking first, signatures and all, as Anthropic wants it back (see ThinkingFields).
                var content = (message[ThinkingFields.blocks]?.arrayValue ?? []) + (try blocks(message["content"], param: param))
                for call in message["tool_calls"]?.arrayValue ?? [] {
                    let arguments = call["function"]?["arguments"]?.stringValue ?? "{}"
                    let input = (try? JSONParser.parse(arguments)).flatMap { $0.objectValue != nil ? $0 : nil } ?? .object(JSONObject())
                    content.append(.object(JSONObject([
                        ("type", "tool_use"), ("id", call["id"] ?? .string("toolu_\(index)")),
                        ("name", call["function"]?["name"] ?? ""), ("input", input),
                    ])))
                }
                append("assistant", content)
            case "tool", "function":
                let text = try blocks(message["content"], param: param).compactMap { $0["text"]?.stringValue }.joined(separator: "\n\n")
                append("user", [.object(JSONObject([
                    ("type", "tool_result"), ("tool_use_id", message["tool_call_id"] ?? message["name"] ?? ""), ("content", .string(text)),
                ]))])
            default:
                append("user", try blocks(message["content"], param: param))
            }
        }

        var body = JSONObject()
        body["model"] = .string(model)
        let maxTokens = chat["max_completion_tokens"]?.intValue ?? chat["max_tokens"]?.intValue ?? defaultMaxTokens
        body["max_tokens"] = .int(Int64(maxTokens))
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        body["messages"] = .array(turns.map { .object(JSONObject([("role", .string($0.role)), ("content", .array($0.blocks))])) })
        for name in ["temperature", "top_p"] {
            if let value = chat[name], value.doubleValue != nil { body[name] = value }
        }
        switch chat["stop"] {
        case .string(let stop)?: body["stop_sequences"] = [.string(stop)]
        case .array(let stops)? where !stops.isEmpty: body["stop_sequences"] = .array(stops)
        default: break
        }
        if let user = chat["user"]?.stringValue { body["metadata"] = ["user_id": .string(user)] }
        if let tools = chat["tools"]?.arrayValue, !tools.isEmpty {
            body["tools"] = .array(tools.compactMap { tool in
                guard let function = tool["function"], let name = function["name"]?.stringValue else { return nil }
                var converted: JSONObject = ["name": .string(name)]
                if let description = function["description"]?.stringValue { converted["description"] = .string(description) }
                converted["input_schema"] = function["parameters"] ?? ["type": "object"]
                return .object(converted)
            })
        }
        var toolChoice: JSONObject?
        switch chat["tool_choice"] {
        case .string("auto")?: toolChoice = ["type": "auto"]
        case .string("required")?: toolChoice = ["type": "any"]
        case .string("none")?: toolChoice = ["type": "none"]
        case .object(let choice)?:
            if let name = choice["function"]?["name"]?.stringValue { toolChoice = ["type": "tool", "name": .string(name)] }
        default: break
        }
        if chat["parallel_tool_calls"] == false, body["tools"] != nil {
            toolChoice = toolChoice ?? ["type": "auto"]
            toolChoice?["disable_parallel_tool_use"] = true
        }
        if let toolChoice { body["tool_choice"] = .object(toolChoice) }
        if stream { body["stream"] = true }
        return body
    }

    /// The body a client sent in Anthropic's format (``ChatCompletionRequest/anthropicBody``),
    /// to send as it came: with `model`, `stream` as the call needs it, and without Switchyard's
    /// own hints in `metadata`, which the Messages API would refuse.
    public static func body(fromClientBody clientBody: JSONObject, model: String, stream: Bool) -> JSONObject {
        var body = clientBody
        body["model"] = .string(model)
        body["stream"] = stream ? true : nil
        if var metadata = body["metadata"]?.objectValue {
            for key in metadata.keys where key == "switchyard" || key.hasPrefix("switchyard.") { metadata[key] = nil }
            body["metadata"] = metadata.isEmpty ? nil : .object(metadata)
        }
        return body
    }

    /// A chat message's content as Messages content blocks: text and images.
    static func blocks(_ content: JSONValue?, param: String) throws(ProviderError) -> [JSONValue] {
        switch content {
        case nil, .null?: return []
        case .string(let text)?: return text.isEmpty ? [] : [["type": "text", "text": .string(text)]]
        case .array(let parts)?:
            var blocks: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                switch part["type"]?.stringValue {
                case "text":
                    if let text = part["text"]?.stringValue, !text.isEmpty { blocks.append(["type": "text", "text": .string(text)]) }
                case "image_url":
                    let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue ?? ""
                    blocks.append(["type": "image", "source": try imageSource(url, param: "\(param).content[\(index)].image_url.url")])
                default:
                    throw unsupported("'\(param).content[\(index)]' (type '\(part["type"]?.stringValue ?? "?")') has no Anthropic Messages form.", param: "\(param).content[\(index)].type")
                }
            }
            return blocks
        case let other?:
            throw unsupported("'\(param).content' must be a string or an array of parts, got \(other.typeName).", param: "\(param).content")
        }
    }

    /// An image URL as a Messages image source: `base64` for a `data:` URL, `url` for http(s).
    static func imageSource(_ url: String, param: String) throws(ProviderError) -> JSONValue {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
            let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            guard header.hasSuffix(";base64") else {
                throw unsupported("'\(param)': a data URL must be base64-encoded.", param: param)
            }
            return ["type": "base64", "media_type": .string(String(header.dropLast(";base64".count))), "data": .string(String(url[url.index(after: comma)...]))]
        }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw unsupported("'\(param)' must be an http(s) or data: URL.", param: param)
        }
        return ["type": "url", "url": .string(url)]
    }

    private static func unsupported(_ message: String, param: String) -> ProviderError {
        .badRequest(status: 400, message: message, code: "unsupported_content", param: param)
    }
}
