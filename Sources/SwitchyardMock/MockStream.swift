import Hummingbird
import NIOCore
import SwitchyardCore

/// Writes one simulated answer as OpenAI server-sent events (or, with `anthropic`, as a Messages
/// stream's events), paced by the model's profile.
struct MockStream: Sendable {
    let completion: MockCompletion
    let profile: MockModelProfile
    let includeUsage: Bool
    let cutAfter: Int?
    let errorEventStatus: Int?
    let malformed: Bool
    var anthropic = false

    func write(to writer: inout any ResponseBodyWriter) async throws {
        var encoder = Encoder(anthropic: anthropic)
        try await Task.sleep(for: profile.timeToFirstToken)
        if let status = errorEventStatus {
            let code = status == 429 ? "rate_limit_exceeded" : "server_error"
            let event: JSONValue = ["error": ["message": .string("Injected error event (HTTP \(status))."), "type": .string(code), "code": .string(code), "status": .int(Int64(status))]]
            try await writer.write(encoder.event(event))
            try await writer.finish(nil)
            return
        }
        var events: [JSONValue] = [completion.chunk(delta: ["role": "assistant", "content": "", "refusal": nil], tokens: [], finishReason: nil, usageNull: includeUsage)]
        for index in completion.tokens.indices {
            events.append(completion.chunk(delta: ["content": .string(completion.tokens[index].text)], tokens: completion.tokens[index...index], finishReason: nil, usageNull: includeUsage))
        }
        events.append(completion.chunk(delta: [:], tokens: [], finishReason: completion.finishReason, usageNull: includeUsage))
        if includeUsage { events.append(completion.usageChunk) }

        let interval = profile.tokensPerSecond > 0 ? Duration.milliseconds(Int64(1000 / profile.tokensPerSecond)) : .zero
        if interval == .zero, cutAfter == nil {
            // Instant models: one write for the whole stream.
            var buffer = ByteBuffer()
            for event in events { buffer.writeImmutableBuffer(encoder.event(event)) }
            buffer.writeImmutableBuffer(encoder.done())
            try await writer.write(buffer)
            try await writer.finish(nil)
            return
        }
        for (index, event) in events.enumerated() {
            if index > 1, interval > .zero { try await Task.sleep(for: interval) }
            // The drop comes one token interval after the last chunk, like a stalled upstream.
            if let cutAfter, index >= cutAfter { throw MockConnectionDropped() }
            try await writer.write(encoder.event(event))
        }
        try await writer.write(encoder.done())
        try await writer.finish(nil)
    }

    static func event(_ value: JSONValue) -> ByteBuffer {
        var bytes = Array("data: ".utf8)
        JSONWriter.write(value, into: &bytes)
        bytes.append(contentsOf: [0x0A, 0x0A])
        return ByteBuffer(bytes: bytes)
    }

    /// Writes chunks as OpenAI's `data:` events, or as Anthropic's events for the same answer.
    struct Encoder {
        let anthropic: Bool
        private var translator = AnthropicStreamTranslator()

        init(anthropic: Bool) {
            self.anthropic = anthropic
        }

        mutating func event(_ chunk: JSONValue) -> ByteBuffer {
            guard anthropic else { return MockStream.event(chunk) }
            var bytes: [UInt8] = []
            translator.translate(ServerSentEvent(data: JSONWriter.string(chunk)), into: &bytes)
            return ByteBuffer(bytes: bytes)
        }

        mutating func done() -> ByteBuffer {
            guard anthropic else { return ByteBuffer(string: "data: [DONE]\n\n") }
            var bytes: [UInt8] = []
            translator.finish(into: &bytes)
            return ByteBuffer(bytes: bytes)
        }
    }
}
