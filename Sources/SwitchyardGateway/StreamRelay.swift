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

    /// Most bytes gathered before a write even while more chunks are already at hand.
    static let batchLimit = 64 * 1024

    /// Writes `first` (already read from the provider; `nil` if the stream was empty) and then
    /// the rest of `stream`, followed by `data: [DONE]` or an error event. Chunks that arrived
    /// together are written together: one write (and one flush) per upstream read, not per chunk.
    @discardableResult
    func relay(first: ChatStreamChunk?, rest stream: inout some ChatCompletionStream, to writer: inout any ResponseBodyWriter) async throws -> Outcome {
        var outcome = Outcome()
        var batch = ByteBuffer()
        do {
            var next = first
            while let chunk = next {
                if let usage = chunk.usage { outcome.usage = usage }
                if !(chunk.isUsageOnly && !includeUsage) {
                    outcome.chunks += 1
                    Self.appendEvent(chunk.data, to: &batch)
                }
                if batch.readableBytes > 0, !stream.hasBufferedChunk || batch.readableBytes >= Self.batchLimit {
                    try await writer.write(batch)
                    batch = ByteBuffer()
                }
                next = try await stream.next()
            }
            batch.writeStaticString("data: [DONE]\n\n")
            try await writer.write(batch)
        } catch let error as ProviderError {
            outcome.error = error
            logger.warning("upstream stream failed", metadata: ["error_class": "\(error.errorClass)", "chunks": "\(outcome.chunks)"])
            batch.writeBytes(ServerSentEvent(data: JSONWriter.string(error.gatewayError.json)).encoded)
            try await writer.write(batch)
        }
        try await writer.finish(nil)
        return outcome
    }

    /// Appends `data: <data>` and the blank line that ends the event.
    static func appendEvent(_ data: String, to buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: data.utf8.count + 8)
        buffer.writeStaticString("data: ")
        buffer.writeString(data)
        buffer.writeStaticString("\n\n")
    }
}
