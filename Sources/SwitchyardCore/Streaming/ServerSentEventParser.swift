/// An incremental parser for `text/event-stream`, fed with bytes as they arrive.
///
/// Follows the WHATWG rules: lines end in LF, CR or CRLF (also when split across chunks), a blank
/// line dispatches the event, lines starting with `:` are comments, a single space after the colon
/// is dropped. Synchronous and allocation-light: it is on the streaming hot path.
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
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0A:
                if let event = endLine() { events.append(event) }
            case 0x0D:
                lastWasCR = true
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
                if line.count + data.count > maximumEventBytes { throw EventTooLarge() }
            }
        }
        return events
    }

    /// Whether bytes of an unfinished event are pending (a stream that ends here was cut).
    public var hasPartialEvent: Bool { !line.isEmpty || hasData }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line[0] == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let nameEnd = colon ?? line.endIndex
        var valueStart = colon.map { $0 + 1 } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == 0x20 { valueStart += 1 }
        let name = line[..<nameEnd]
        let value = line[valueStart...]
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
