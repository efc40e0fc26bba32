/// The answer carried by a chat-completions event stream, read as it is written to a client:
/// the first choice's `delta.content`, joined, and whether the stream ended well.
///
/// Shadow evaluation reads the streams it samples with it (see `TranscribingWriter` in the
/// gateway). It parses each event into a tree, which is fine for a sampled share of streams and
/// keeps it independent of how the relay wrote them.
public struct ChatStreamTranscript: Sendable {
    private var parser = ServerSentEventParser()
    private var events: [ServerSentEvent] = []
    /// The first choice's content so far.
    public private(set) var text = ""
    /// Whether `data: [DONE]` ended the stream.
    public private(set) var ended = false
    /// Whether the stream carried an error event or something that is not a chat chunk.
    public private(set) var failed = false

    public init() {}

    /// The answer, once the stream ended with `[DONE]` and without an error; `nil` before, or
    /// for a stream that failed.
    public var answer: String? { ended && !failed ? text : nil }

    /// Reads the next bytes of the stream.
    public mutating func read(_ bytes: some Sequence<UInt8>) {
        guard !failed else { return }
        events.removeAll(keepingCapacity: true)
        do {
            try parser.feed(bytes, into: &events)
        } catch {
            failed = true
            return
        }
        for event in events { read(event) }
    }

    private mutating func read(_ event: ServerSentEvent) {
        if event.isDone {
            ended = true
            return
        }
        guard !ended, let chunk = try? JSONParser.parse(event.data), chunk.objectValue != nil,
            (chunk["error"] ?? .null) == .null
        else {
            failed = true
            return
        }
        if let content = chunk["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue { text += content }
    }
}
