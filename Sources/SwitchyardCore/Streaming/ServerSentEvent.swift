/// One server-sent event, as used by OpenAI and Anthropic streams.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field, if any (Anthropic names its events; OpenAI does not).
    public var event: String?
    /// The `data:` lines joined with newlines.
    public var data: String
    /// The `id:` field, if any.
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    /// Whether this is OpenAI's end-of-stream marker, `data: [DONE]`.
    public var isDone: Bool { data == "[DONE]" }

    /// The event in wire form, ending with the blank line that terminates it.
    public var encoded: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(data.utf8.count + 16)
        if let event {
            output.append(contentsOf: "event: ".utf8)
            output.append(contentsOf: event.utf8)
            output.append(0x0A)
        }
        if let id {
            output.append(contentsOf: "id: ".utf8)
            output.append(contentsOf: id.utf8)
            output.append(0x0A)
        }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            output.append(contentsOf: "data: ".utf8)
            output.append(contentsOf: line.utf8)
            output.append(0x0A)
        }
        output.append(0x0A)
        return output
    }
}
