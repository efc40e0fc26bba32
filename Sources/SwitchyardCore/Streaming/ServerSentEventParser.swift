import Foundation

/// An incremental parser for `text/event-stream`, fed with bytes as they arrive.
///
/// Follows the WHATWG rules: lines end in LF, CR or CRLF (also when split across chunks), a blank
/// line dispatches the event, lines starting with `:` are comments, a single space after the colon
/// is dropped. Synchronous and allocation-light: it is on the streaming hot path, so contiguous
/// input is scanned through a raw buffer and whole line fragments are copied at once.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var event: String?
    private var id: String?
    private var lastWasCR = false

    /// Upper bound on one event's size; a larger event is an upstream fault, not something to buffer.
    public let maximumEventBytes: Int

    public init(maximumEventBytes: Int = 16 * 1024 * 1024) {
        self.maximumEventBytes = maximumEventBytes
    }

    /// Thrown when one event grows beyond ``maximumEventBytes``.
    public struct EventTooLarge: Error, Sendable {}

    /// Consumes `bytes` and returns the events they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(EventTooLarge) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        try feed(bytes, into: &events)
        return events
    }

    /// Consumes `bytes` and appends the events they complete to `events`, in order; a caller
    /// that keeps `events` between calls reuses its storage.
    public mutating func feed(_ bytes: some Sequence<UInt8>, into events: inout [ServerSentEvent]) throws(EventTooLarge) {
        var failed = false
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            failed = !scan(buffer, into: &events)
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { failed = !scan($0, into: &events) }
        }
        if failed { throw EventTooLarge() }
    }

    /// Whether bytes of an unfinished event are pending (a stream that ends here was cut).
    public var hasPartialEvent: Bool { !line.isEmpty || hasData }

    /// Whether the bytes fed so far end exactly at the end of an event (or of a comment), so the
    /// next bytes start a new one: no line, field or line end is pending. Only then may a reader
    /// take the next bytes in place (see ``SimpleDataEvent``) instead of feeding them here.
    public var isAtEventBoundary: Bool { line.isEmpty && !hasData && !lastWasCR && event == nil }

    /// Splits `buffer` into lines; `false` when an event outgrew the limit. A line that lies
    /// whole in `buffer` is read in place; only a line cut by the end of a chunk is copied.
    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, into events: inout [ServerSentEvent]) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        var index = 0
        let end = buffer.count
        if lastWasCR, index < end {
            lastWasCR = false
            if buffer[index] == 0x0A { index += 1 }
        }
        while index < end {
            let stop = Self.lineEnd(base, from: index, to: end)
            if stop > index {
                let piece = UnsafeBufferPointer(rebasing: buffer[index..<stop])
                if stop < end && line.isEmpty {
                    if piece.count + data.count > maximumEventBytes { return false }
                    if let event = endLine(piece) { events.append(event) }
                } else {
                    line.append(contentsOf: piece)
                    if line.count + data.count > maximumEventBytes { return false }
                    if stop < end, let event = endBufferedLine() { events.append(event) }
                }
            } else if stop < end, let event = endBufferedLine() {
                events.append(event)
            }
            guard stop < end else { break }
            if buffer[stop] == 0x0D {
                if stop + 1 < end {
                    index = buffer[stop + 1] == 0x0A ? stop + 2 : stop + 1
                } else {
                    lastWasCR = true
                    index = stop + 1
                }
            } else {
                index = stop + 1
            }
        }
        return true
    }

    /// The index of the first CR or LF in `base[from..<to]`, or `to`: `memchr` finds the LF,
    /// a second one looks for a CR before it (CR alone may end a line, but rarely does).
    private static func lineEnd(_ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        let newline = memchr(base + from, 0x0A, to - from).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? to
        guard newline > from, let carriageReturn = memchr(base + from, 0x0D, newline - from) else { return newline }
        return base.distance(to: carriageReturn.assumingMemoryBound(to: UInt8.self))
    }

    /// Ends the line collected in ``line`` (it was cut across chunks).
    private mutating func endBufferedLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        return line.withUnsafeBufferPointer { endLine($0) }
    }

    private mutating func endLine(_ line: UnsafeBufferPointer<UInt8>) -> ServerSentEvent? {
        if line.isEmpty { return dispatch() }
        if line[0] == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let nameEnd = colon ?? line.endIndex
        var valueStart = colon.map { $0 + 1 } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == 0x20 { valueStart += 1 }
        let name = UnsafeBufferPointer(rebasing: line[..<nameEnd])
        let value = UnsafeBufferPointer(rebasing: line[valueStart...])
        if name.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            event = String(decoding: value, as: UTF8.self)
        } else if name.elementsEqual("id".utf8) {
            id = String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            event = nil
        }
        guard hasData else { return nil }
        return ServerSentEvent(event: event, data: String(decoding: data, as: UTF8.self), id: id)
    }
}
