/// Turns a chat-completions stream (OpenAI's `chat.completion.chunk` events) into the events of
/// an Anthropic Messages stream, one chunk at a time:
///
/// `message_start`, then per content block `content_block_start`, its `content_block_delta`s
/// (`thinking_delta` and `signature_delta` for `reasoning_content` and `thinking_blocks`, see
/// ``ThinkingFields``; `text_delta`; `input_json_delta` for a tool call's arguments) and
/// `content_block_stop`,
/// then `message_delta` with the stop reason and usage, and `message_stop`. An error event of the
/// chat stream becomes an `error` event, after which nothing more is sent.
public struct AnthropicStreamTranslator: Sendable {
    /// The content block being streamed.
    private enum OpenBlock: Equatable {
        case thinking
        case text
        /// A tool call, by its index in the chat stream's `tool_calls`.
        case toolUse(Int)
    }

    private var started = false
    private var ended = false
    private var nextBlockIndex = 0
    private var openBlock: OpenBlock?
    private var stopReason: String?
    private var usage: JSONValue?
    private var model: JSONValue = .null
    private var messageID = AnthropicMessage.messageID(fromCompletionID: nil)

    public init() {}

    /// Whether the stream has ended (`message_stop` or `error` was written).
    public var hasEnded: Bool { ended }

    /// Translates the event whose data is `data` (read in place, see ``SimpleDataEvent``).
    ///
    /// A chunk that carries only text (``JSONParser/scanTextChunk(_:)``), once the message has
    /// started, is translated without a tree: its text goes into the `text_delta` as the JSON
    /// string it came as. Any other event takes ``translate(_:into:)``.
    public mutating func translate(data: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        guard !ended else { return }
        guard started, let chunk = JSONParser.scanTextChunk(data) else {
            translate(ServerSentEvent(data: String(decoding: data, as: UTF8.self)), into: &output)
            return
        }
        if let text = chunk.text {
            open(.text, block: ["type": "text", "text": ""], into: &output)
            writeTextDelta(json: UnsafeBufferPointer(rebasing: data[text]), into: &output)
        }
        if let reason = chunk.finishReason {
            stopReason = AnthropicMessage.stopReason(fromFinishReason: reason)
        }
    }

    /// Translates one event of the chat stream, appending Anthropic events to `output`.
    public mutating func translate(_ event: ServerSentEvent, into output: inout [UInt8]) {
        guard !ended else { return }
        if event.isDone {
            finish(into: &output)
            return
        }
        guard let chunk = try? JSONParser.parse(event.data) else { return }
        if let error = chunk["error"], error != .null {
            fail(
                status: error["status"]?.intValue ?? 500, openAIType: error["type"]?.stringValue,
                message: error["message"]?.stringValue ?? "The answer failed while streaming.", into: &output)
            return
        }
        start(chunk, into: &output)
        if let usage = chunk["usage"], usage != .null { self.usage = usage }
        guard let choice = chunk["choices"]?.arrayValue?.first else { return }
        let delta = choice["delta"]
        if let thinking = delta?[ThinkingFields.reasoning]?.stringValue, !thinking.isEmpty {
            open(.thinking, block: ["type": "thinking", "thinking": "", "signature": ""], into: &output)
            writeDelta(["type": "thinking_delta", "thinking": .string(thinking)], into: &output)
        }
        for block in delta?[ThinkingFields.blocks]?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "thinking":
                guard let signature = block["signature"]?.stringValue, !signature.isEmpty else { continue }
                open(.thinking, block: ["type": "thinking", "thinking": "", "signature": ""], into: &output)
                writeDelta(["type": "signature_delta", "signature": .string(signature)], into: &output)
                // A signature ends its block: the next thinking starts a new one.
                closeBlock(into: &output)
            case "redacted_thinking":
                closeBlock(into: &output)
                Self.write("content_block_start", [
                    ("type", "content_block_start"), ("index", .int(Int64(nextBlockIndex))), ("content_block", block),
                ], into: &output)
                Self.write("content_block_stop", [("type", "content_block_stop"), ("index", .int(Int64(nextBlockIndex)))], into: &output)
                nextBlockIndex += 1
            default: continue
            }
        }
        if let text = delta?["content"]?.stringValue, !text.isEmpty {
            open(.text, block: ["type": "text", "text": ""], into: &output)
            writeDelta(["type": "text_delta", "text": .string(text)], into: &output)
        }
        for call in delta?["tool_calls"]?.arrayValue ?? [] {
            let index = call["index"]?.intValue ?? 0
            if openBlock != .toolUse(index) {
                open(.toolUse(index), block: .object(JSONObject([
                    ("type", "tool_use"), ("id", .string(call["id"]?.stringValue ?? "toolu_\(index)")),
                    ("name", .string(call["function"]?["name"]?.stringValue ?? "")), ("input", .object(JSONObject())),
                ])), into: &output)
            }
            if let arguments = call["function"]?["arguments"]?.stringValue, !arguments.isEmpty {
                writeDelta(["type": "input_json_delta", "partial_json": .string(arguments)], into: &output)
            }
        }
        if let reason = choice["finish_reason"]?.stringValue {
            stopReason = AnthropicMessage.stopReason(fromFinishReason: reason)
        }
    }

    /// Ends the message: closes the open block and writes `message_delta` and `message_stop`.
    /// A chat stream that ended without `[DONE]` is finished the same way.
    public mutating func finish(into output: inout [UInt8]) {
        guard !ended else { return }
        start(.null, into: &output)
        closeBlock(into: &output)
        Self.write("message_delta", [
            ("type", "message_delta"),
            ("delta", .object(JSONObject([("stop_reason", .string(stopReason ?? "end_turn")), ("stop_sequence", .null)]))),
            ("usage", AnthropicMessage.usage(fromOpenAIUsage: usage)),
        ], into: &output)
        Self.write("message_stop", [("type", "message_stop")], into: &output)
        ended = true
    }

    /// Ends the stream with an `error` event.
    public mutating func fail(status: Int, openAIType: String?, message: String, into output: inout [UInt8]) {
        guard !ended else { return }
        let error = AnthropicMessage.error(status: status, openAIType: openAIType, message: message)
        Self.write("error", error.objectValue?.entries.map { ($0.key, $0.value) } ?? [], into: &output)
        ended = true
    }

    /// Writes `message_start` before the first content, with the chunk's id and model.
    private mutating func start(_ chunk: JSONValue, into output: inout [UInt8]) {
        guard !started else { return }
        started = true
        messageID = AnthropicMessage.messageID(fromCompletionID: chunk["id"]?.stringValue)
        model = chunk["model"] ?? .null
        Self.write("message_start", [
            ("type", "message_start"),
            ("message", .object(JSONObject([
                ("id", .string(messageID)), ("type", "message"), ("role", "assistant"), ("model", model), ("content", .array([])),
                ("stop_reason", .null), ("stop_sequence", .null),
                // The chat stream reports usage at its end; `message_delta` carries it.
                ("usage", AnthropicMessage.usage(fromOpenAIUsage: nil)),
            ]))),
        ], into: &output)
    }

    private mutating func open(_ block: OpenBlock, block content: JSONValue, into output: inout [UInt8]) {
        guard openBlock != block else { return }
        closeBlock(into: &output)
        Self.write("content_block_start", [
            ("type", "content_block_start"), ("index", .int(Int64(nextBlockIndex))), ("content_block", content),
        ], into: &output)
        openBlock = block
        nextBlockIndex += 1
    }

    /// A `content_block_delta` for the open block.
    private func writeDelta(_ delta: JSONValue, into output: inout [UInt8]) {
        Self.write("content_block_delta", [("type", "content_block_delta"), ("index", .int(Int64(nextBlockIndex - 1))), ("delta", delta)], into: &output)
    }

    /// A `text_delta` for the open block whose text is `json`, a JSON string with its quotes:
    /// the same event as ``writeDelta(_:into:)`` writes for that text.
    private func writeTextDelta(json: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        output.append(contentsOf: #"event: content_block_delta"#.utf8)
        output.append(contentsOf: "\ndata: ".utf8)
        output.append(contentsOf: #"{"type":"content_block_delta","index":"#.utf8)
        output.append(contentsOf: String(nextBlockIndex - 1).utf8)
        output.append(contentsOf: #","delta":{"type":"text_delta","text":"#.utf8)
        output.append(contentsOf: json)
        output.append(contentsOf: "}}\n\n".utf8)
    }

    private mutating func closeBlock(into output: inout [UInt8]) {
        guard openBlock != nil else { return }
        Self.write("content_block_stop", [("type", "content_block_stop"), ("index", .int(Int64(nextBlockIndex - 1)))], into: &output)
        openBlock = nil
    }

    /// One `event: NAME` / `data: JSON` event.
    private static func write(_ name: String, _ members: [(String, JSONValue)], into output: inout [UInt8]) {
        output.append(contentsOf: "event: ".utf8)
        output.append(contentsOf: name.utf8)
        output.append(contentsOf: "\ndata: ".utf8)
        JSONWriter.write(.object(JSONObject(members)), into: &output)
        output.append(contentsOf: "\n\n".utf8)
    }
}
