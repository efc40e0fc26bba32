import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardProviders

/// Copies a provider's stream to the client as OpenAI server-sent events.
///
/// Chunks the relay needs nothing from arrive, from a ``WireEventStream``, as the provider's own
/// event bytes and are written on as they are; the rest are written from their text.
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

    /// The chunks the first write waits for at most. OpenAI opens a stream with a chunk that only
    /// names the role and sends the first token in the next one: the first write goes out with
    /// the first token, not after every chunk that arrived with it has been relayed.
    static let firstWriteChunks = 2

    /// Writes `first` (already read from the provider; `nil` if the stream was empty) and then
    /// the rest of `stream`, followed by `data: [DONE]` or an error event. Past the first token,
    /// chunks that arrived together are written together: one write (and one flush) per upstream
    /// read, not per chunk. The last bytes leave with the end of the body when the writer can
    /// send both at once (see ``ResponseBodyFinalWriter``), and the body ends only once the
    /// provider's response has (see ``ChatCompletionStream/awaitProviderResponseEnd()``).
    @discardableResult
    @concurrent func relay(first: ChatStreamChunk?, rest stream: inout some WireEventStream, to writer: inout any ResponseBodyWriter) async throws -> Outcome {
        var outcome = Outcome()
        var batch = ByteBuffer()
        var written = false
        do {
            var next = first.map { StreamRelayStep.chunk($0) }
            while let step = next {
                switch step {
                case .chunk(let chunk):
                    if let usage = chunk.usage { outcome.usage = usage }
                    if !(chunk.isUsageOnly && !includeUsage) {
                        outcome.chunks += 1
                        Self.appendEvent(chunk.data, to: &batch)
                    }
                case .events(var events, let count):
                    outcome.chunks += count
                    batch.writeBuffer(&events)
                }
                if batch.readableBytes > 0, Self.writesNow(batch: batch, relayedChunks: outcome.chunks, written: written, moreAtHand: stream.hasBufferedChunk) {
                    try await writer.write(batch)
                    batch = ByteBuffer()
                    written = true
                }
                next = try await stream.nextStep(limit: written ? .max : max(1, Self.firstWriteChunks - outcome.chunks))
            }
            batch.writeStaticString("data: [DONE]\n\n")
            if !stream.providerResponseEnded {
                // The provider's body has not ended yet. The client gets the last events now and
                // the end of the response once the provider's has arrived, so its next request
                // finds the provider's connection free instead of opening another.
                try await writer.write(batch)
                batch = ByteBuffer()
                await stream.awaitProviderResponseEnd()
            }
        } catch let error as ProviderError {
            outcome.error = error
            logger.warning("upstream stream failed", metadata: ["error_class": "\(error.errorClass)", "chunks": "\(outcome.chunks)"])
            batch.writeBytes(ServerSentEvent(data: JSONWriter.string(error.gatewayError.json)).encoded)
        }
        try await Self.finish(&writer, with: batch)
        return outcome
    }

    /// Relays `stream`, taking its plain chunks as the provider's bytes when it hands them over
    /// (a ``WireEventStream``), else chunk by chunk.
    @discardableResult
    @concurrent func relay(first: ChatStreamChunk?, of stream: any ChatCompletionStream, to writer: inout any ResponseBodyWriter) async throws -> Outcome {
        if var wire = stream as? any WireEventStream {
            return try await relay(first: first, rest: &wire, to: &writer)
        }
        var stream = stream
        return try await relay(first: first, rest: &stream, to: &writer)
    }

    /// Relays a stream that hands over no event bytes, chunk by chunk.
    @discardableResult
    @concurrent func relay(first: ChatStreamChunk?, rest stream: inout some ChatCompletionStream, to writer: inout any ResponseBodyWriter) async throws -> Outcome {
        var steps = ChunkByChunk(base: stream)
        defer { stream = steps.base }
        return try await relay(first: first, rest: &steps, to: &writer)
    }

    /// Whether the batch leaves now: nothing more is at hand, the batch is full, or the first
    /// write is still owed and holds ``firstWriteChunks`` chunks.
    static func writesNow(batch: ByteBuffer, relayedChunks: Int, written: Bool, moreAtHand: Bool) -> Bool {
        !moreAtHand || batch.readableBytes >= batchLimit || (!written && relayedChunks >= firstWriteChunks)
    }

    /// Writes `last` and ends the body: in one write when the writer can, else in two.
    @concurrent static func finish(_ writer: inout any ResponseBodyWriter, with last: ByteBuffer) async throws {
        if let finalWriter = writer as? any ResponseBodyFinalWriter {
            try await finalWriter.finish(last: last)
            return
        }
        if last.readableBytes > 0 { try await writer.write(last) }
        try await writer.finish(nil)
    }

    /// Appends `data: <data>` and the blank line that ends the event.
    static func appendEvent(_ data: String, to buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: data.utf8.count + 8)
        buffer.writeStaticString("data: ")
        buffer.writeString(data)
        buffer.writeStaticString("\n\n")
    }
}

/// A response body writer that can send its last bytes together with the end of the body, so a
/// stream's final event and the chunked coding's terminator leave in one write.
protocol ResponseBodyFinalWriter: ResponseBodyWriter {
    /// Writes `last` and ends the body, without trailers.
    func finish(last: ByteBuffer) async throws
}

/// A stream that hands over no event bytes, seen as one whose every step is a single chunk.
struct ChunkByChunk<Base: ChatCompletionStream>: WireEventStream {
    var base: Base

    var hasBufferedChunk: Bool { base.hasBufferedChunk }
    var providerResponseEnded: Bool { base.providerResponseEnded }

    mutating func next() async throws(ProviderError) -> ChatStreamChunk? { try await base.next() }

    mutating func nextStep(limit: Int) async throws(ProviderError) -> StreamRelayStep? {
        try await base.next().map { .chunk($0) }
    }

    mutating func awaitProviderResponseEnd() async { await base.awaitProviderResponseEnd() }
}
