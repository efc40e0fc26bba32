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

    @concurrent mutating func write(_ buffer: ByteBuffer) async throws {
        events.removeAll(keepingCapacity: true)
        try parser.feed(buffer.readableBytesView, into: &events)
        var output: [UInt8] = []
        for event in events { translator.translate(event, into: &output) }
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
