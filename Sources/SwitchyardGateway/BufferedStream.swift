import NIOCore
import SwitchyardCore

/// Turns a complete answer into OpenAI server-sent events, for streaming requests whose answer
/// had to pass gates first (`x-switchyard-buffered: true`): a role chunk, the content, the finish
/// chunk, the usage chunk if the client asked for it, then `data: [DONE]`.
enum BufferedStream {
    static func events(from completion: JSONObject, includeUsage: Bool) -> ByteBuffer {
        let id = completion["id"] ?? "chatcmpl-switchyard"
        let created = completion["created"] ?? 0
        let model = completion["model"] ?? ""
        let choice = completion["choices"]?.arrayValue?.first
        let message = choice?["message"]
        func chunk(_ delta: JSONValue, finish: JSONValue = .null, logprobs: JSONValue = .null) -> JSONValue {
            [
                "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [["index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish]],
            ]
        }
        var events: [JSONValue] = [chunk(["role": "assistant", "content": ""])]
        var delta = JSONObject()
        if let content = message?["content"], content != .null { delta["content"] = content }
        if let toolCalls = message?["tool_calls"] { delta["tool_calls"] = toolCalls }
        if let refusal = message?["refusal"], refusal != .null { delta["refusal"] = refusal }
        if !delta.isEmpty { events.append(chunk(.object(delta), logprobs: choice?["logprobs"] ?? .null)) }
        events.append(chunk([:], finish: choice?["finish_reason"] ?? "stop"))
        if includeUsage, let usage = completion["usage"] {
            events.append(["id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [], "usage": usage])
        }
        var buffer = ByteBuffer()
        for event in events {
            buffer.writeStaticString("data: ")
            buffer.writeBytes(JSONWriter.bytes(event))
            buffer.writeStaticString("\n\n")
        }
        buffer.writeStaticString("data: [DONE]\n\n")
        return buffer
    }
}
