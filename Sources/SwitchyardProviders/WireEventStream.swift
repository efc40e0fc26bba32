import NIOCore
import SwitchyardCore

/// What a relay gets next from a provider's stream.
public enum StreamRelayStep: Sendable {
    /// `count` chunks the relay needs nothing from, as the provider sent them: `data: <chunk>`
    /// events in OpenAI's wire form, each ended by its blank line, ready to be written on.
    case events(ByteBuffer, count: Int)
    /// One chunk that was read: it carries usage, or came in another form of the event stream.
    case chunk(ChatStreamChunk)
}

/// A chat stream that can hand a relay the chunks it has no need to read in the provider's own
/// bytes, instead of as one ``ChatStreamChunk`` each: a stream that needs no translation then
/// costs a relay no more than finding where its events end.
public protocol WireEventStream: ChatCompletionStream {
    /// The next step, of at most `limit` chunks (at least one); `nil` after the end marker.
    /// Errors are those of ``ChatCompletionStream/next()``.
    mutating func nextStep(limit: Int) async throws(ProviderError) -> StreamRelayStep?
}
