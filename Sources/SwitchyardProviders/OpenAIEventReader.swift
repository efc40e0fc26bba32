import Foundation
import NIOCore
import SwitchyardCore

/// Reads the events of an OpenAI chat stream from the buffers of its body, as they arrive.
///
/// Events in the form every provider writes (``SimpleDataEvent``) are read in place, and runs of
/// plain chunks among them (``SimpleDataEvent/isPlainChatChunk(_:)``) are handed over as slices
/// of the provider's buffer: no copy, no string, no parse per chunk. Whatever is not in that form,
/// and any event cut by the end of a buffer, goes through ``ServerSentEventParser``, which follows
/// the whole standard, a line at a time; once it is at an event boundary again, the bytes after
/// it are read in place. Both readings give the same chunks.
struct OpenAIEventReader {
    /// What ``nextStep(limit:)`` found.
    enum Step {
        case step(StreamRelayStep)
        /// The end marker, `data: [DONE]`, was read (or the stream failed earlier).
        case end
        /// Nothing more is at hand: ``feed(_:)`` the body's next buffer.
        case needsBytes
    }

    private var parser = ServerSentEventParser()
    /// Events the parser completed, read up to `pendingIndex`; they come before `unread`.
    private var pending: [ServerSentEvent] = []
    private var pendingIndex = 0
    /// Bytes of the last buffer not read yet. When set, they start with a whole event in the
    /// simple form, `unreadEvent`, located relative to the buffer's reader index.
    private var unread: ByteBuffer?
    private var unreadEvent: SimpleDataEvent?
    /// Whether the end marker was read or the stream failed: nothing more is read.
    private(set) var finished = false

    /// Whether ``nextStep(limit:)`` can answer without more bytes.
    var hasBufferedStep: Bool { pendingIndex < pending.count || unread != nil }

    /// Marks the stream as ended (its body failed).
    mutating func finish() { finished = true }

    /// Takes the body's next buffer; call only when ``nextStep(limit:)`` asked for it.
    mutating func feed(_ buffer: ByteBuffer) throws(ProviderError) {
        try settle(buffer)
    }

    /// The next chunks: a run of at most `limit` plain ones as bytes, or one chunk read.
    mutating func nextStep(limit: Int) throws(ProviderError) -> Step {
        if finished { return .end }
        if pendingIndex < pending.count {
            let event = pending[pendingIndex]
            pendingIndex += 1
            if event.isDone {
                finished = true
                return .end
            }
            return .step(.chunk(try chunk(fromData: event.data)))
        }
        guard var bytes = unread, let first = unreadEvent else { return .needsBytes }
        var count = 0
        var end = 0
        var next: SimpleDataEvent? = first
        bytes.withUnsafeReadableBytes { raw in
            let buffer = raw.assumingMemoryBound(to: UInt8.self)
            while count < limit, let event = next, SimpleDataEvent.isPlainChatChunk(UnsafeBufferPointer(rebasing: buffer[event.value])) {
                count += 1
                end = event.end
                next = SimpleDataEvent.at(end, in: buffer)
            }
        }
        if count > 0 {
            let run = bytes.readSlice(length: end)!
            try settle(bytes, next: next.map { $0.shifted(by: -end) })
            return .step(.events(run, count: count))
        }
        // A whole event that must be read: usage, an error, the end marker or a malformed chunk.
        let data = bytes.getString(at: bytes.readerIndex + first.value.lowerBound, length: first.value.count) ?? ""
        bytes.moveReaderIndex(forwardBy: first.end)
        if data == "[DONE]" {
            finished = true
            unread = nil
            return .end
        }
        let chunk = try chunk(fromData: data)
        try settle(bytes)
        return .step(.chunk(chunk))
    }

    /// Keeps `bytes` to be read in place from their first whole event in the simple form (`next`,
    /// when the caller already located it). What comes before it (an event cut by the end of the
    /// last buffer, a comment, an event in another form) goes to the parser a line at a time, so
    /// one odd event does not send the rest of the buffer the slow way.
    private mutating func settle(_ bytes: ByteBuffer, next: SimpleDataEvent?? = .none) throws(ProviderError) {
        unread = nil
        unreadEvent = nil
        var bytes = bytes
        var located = next
        while bytes.readableBytes > 0 {
            if parser.isAtEventBoundary,
                let event = located ?? bytes.withUnsafeReadableBytes({ SimpleDataEvent.at(0, in: $0.assumingMemoryBound(to: UInt8.self)) })
            {
                unread = bytes
                unreadEvent = event
                return
            }
            located = .none
            let lineLength = bytes.withUnsafeReadableBytes { raw in
                memchr(raw.baseAddress!, 0x0A, raw.count).map { raw.baseAddress!.distance(to: $0) + 1 } ?? raw.count
            }
            try feedParser(bytes.readSlice(length: lineLength)!)
        }
    }

    private mutating func feedParser(_ bytes: ByteBuffer) throws(ProviderError) {
        if pendingIndex == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
        }
        do {
            try parser.feed(bytes.readableBytesView, into: &pending)
        } catch {
            finished = true
            throw .malformedResponse(message: "a stream event exceeded \(parser.maximumEventBytes) bytes")
        }
    }

    /// The chunk of an event's data. Only chunks that may carry usage or an error are parsed;
    /// the rest are checked to look like a JSON object and relayed as they came.
    private mutating func chunk(fromData data: String) throws(ProviderError) -> ChatStreamChunk {
        guard JSONKeyScanner.looksLikeObject(data) else { throw malformed(data) }
        if JSONKeyScanner.mayHaveMember("error", in: data) {
            guard let object = (try? JSONParser.parse(data))?.objectValue else { throw malformed(data) }
            if let error = object["error"], error != .null {
                finished = true
                let message = error["message"]?.stringValue ?? error.stringValue ?? "error event"
                let code = error["code"]?.stringValue ?? error["type"]?.stringValue
                if code == "rate_limit_exceeded" || code == "rate_limit_error" { throw .rateLimited(retryAfter: nil, message: message) }
                throw .serverError(status: error["status"]?.intValue ?? 500, message: message)
            }
            return ChatStreamChunk(data: data, json: object)
        }
        guard let chunk = ChatStreamChunk(data: data) else { throw malformed(data) }
        return chunk
    }

    private mutating func malformed(_ data: String) -> ProviderError {
        finished = true
        return .malformedResponse(message: "stream event is not a JSON object: \(data.prefix(80))")
    }

    /// The chunk of one plain event handed over as bytes (`data: <chunk>` and its blank line).
    static func chunk(fromPlainEvent event: ByteBuffer) -> ChatStreamChunk {
        let data = event.getString(at: event.readerIndex + 6, length: event.readableBytes - 8) ?? ""
        return ChatStreamChunk(plainData: data)
    }
}

extension SimpleDataEvent {
    /// The same event with its positions moved by `distance`.
    func shifted(by distance: Int) -> SimpleDataEvent {
        SimpleDataEvent(value: (value.lowerBound + distance)..<(value.upperBound + distance), end: end + distance)
    }
}
