import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore

/// Rewrites a chat-completions event stream into Anthropic's events as it is written.
struct AnthropicEventWriter<Parent: ResponseBodyWriter>: ResponseBodyWriter {
    private var parent: Parent
    private var parser = ServerSentEventParser()
    private var translator = AnthropicStreamTranslator()
    private var events: [ServerSentEvent] = []

    init(parent: consuming Parent) {
        self.parent = parent
    }

    /// Events in the form the chat route writes (``SimpleDataEvent``) are read in place while the
    /// parser holds nothing of an earlier buffer; the rest of the buffer goes through the parser.
    @concurrent mutating func write(_ buffer: ByteBuffer) async throws {
        var output: [UInt8] = []
        try buffer.withUnsafeReadableBytes { raw in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            var offset = 0
            if parser.isAtEventBoundary {
                while let event = SimpleDataEvent.at(offset, in: bytes) {
                    translator.translate(data: UnsafeBufferPointer(rebasing: bytes[event.value]), into: &output)
                    offset = event.end
                }
            }
            guard offset < bytes.count else { return }
            events.removeAll(keepingCapacity: true)
            try parser.feed(UnsafeBufferPointer(rebasing: bytes[offset...]), into: &events)
            for event in events { translator.translate(event, into: &output) }
        }
        if !output.isEmpty { try await parent.write(ByteBuffer(bytes: output)) }
    }

    @concurrent consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        var output: [UInt8] = []
        translator.finish(into: &output)
        if !output.isEmpty { try await parent.write(ByteBuffer(bytes: output)) }
        try await parent.finish(trailingHeaders)
    }
}

extension ResponseBodyWriter {
    /// This writer behind one that turns a chat-completions stream into Anthropic's events.
    consuming func anthropicEvents() -> some ResponseBodyWriter {
        AnthropicEventWriter(parent: self)
    }
}
