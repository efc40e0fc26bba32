import Hummingbird
import Logging
import NIOCore
import SwitchyardCore

/// Copies a provider's stream to the client as OpenAI server-sent events.
///
/// Usage is always requested from the provider and captured here; the usage-only chunk reaches
/// the client only if it asked for it. A failure after the first byte cannot change the status
/// any more, so it ends the stream with an OpenAI error event.
struct StreamRelay: Sendable {
    let includeUsage: Bool
    let logger: Logger

    /// What the relay saw, for accounting.
    struct Outcome {
        var usage: TokenUsage?
        var chunks = 0
        var error: ProviderError?
    }

    /// Writes `first` (already read from the provider; `nil` if the stream was empty) and then
    /// the rest of `stream`, followed by `data: [DONE]` or an error event.
    @discardableResult
    func relay(first: ChatStreamChunk?, rest stream: inout some ChatCompletionStream, to writer: inout any ResponseBodyWriter) async throws -> Outcome {
        var outcome = Outcome()
        do {
            var next = first
            while let chunk = next {
                if let usage = chunk.usage { outcome.usage = usage }
                if !(chunk.isUsageOnly && !includeUsage) {
                    outcome.chunks += 1
                    try await writer.write(Self.event(chunk.data))
                }
                next = try await stream.next()
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
        } catch let error as ProviderError {
            outcome.error = error
            logger.warning("upstream stream failed", metadata: ["error_class": "\(error.errorClass)", "chunks": "\(outcome.chunks)"])
            try await writer.write(ByteBuffer(bytes: ServerSentEvent(data: JSONWriter.string(error.gatewayError.json)).encoded))
        }
        try await writer.finish(nil)
        return outcome
    }

    static func event(_ data: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(data.utf8.count + 8)
        buffer.writeStaticString("data: ")
        buffer.writeString(data)
        buffer.writeStaticString("\n\n")
        return buffer
    }
}
