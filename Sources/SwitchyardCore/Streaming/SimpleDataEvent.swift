import Foundation

/// An event of a `text/event-stream` in the form every provider writes it: one `data: ` line and
/// the blank line that ends the event, with LF line ends (`data: <value>\n\n`).
///
/// A relay reads such events in place, and passes on those it needs nothing from as they came;
/// any other form (comments, `event:` or `id:` fields, several `data:` lines, CR line ends) is
/// left to ``ServerSentEventParser``, which follows the whole standard. For an event in this form
/// both readings give the same data.
public struct SimpleDataEvent: Equatable, Sendable {
    /// Where the event's value (the text after `data: `) lies in the scanned bytes.
    public var value: Range<Int>
    /// Where the event ends in the scanned bytes: the index just after its blank line.
    public var end: Int

    public init(value: Range<Int>, end: Int) {
        self.value = value
        self.end = end
    }

    static let prefix: StaticString = "data: "

    /// The event that starts at `offset` of `bytes`, when it is in the simple form and lies whole
    /// in them; `nil` otherwise (another form, or not all of it has arrived yet).
    public static func at(_ offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SimpleDataEvent? {
        let prefixLength = 6
        guard let base = bytes.baseAddress, bytes.count - offset >= prefixLength + 2,
            memcmp(base + offset, Self.prefix.utf8Start, prefixLength) == 0
        else { return nil }
        let valueStart = offset + prefixLength
        guard let found = memchr(base + valueStart, 0x0A, bytes.count - valueStart) else { return nil }
        let lineEnd = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        guard lineEnd + 1 < bytes.count, bytes[lineEnd + 1] == 0x0A,
            memchr(base + valueStart, 0x0D, lineEnd - valueStart) == nil
        else { return nil }
        return SimpleDataEvent(value: valueStart..<lineEnd, end: lineEnd + 2)
    }

    /// Whether `value`, the data of an OpenAI chat stream's event, is a chunk a relay can pass on
    /// without reading it: a JSON object with neither an `error` member nor an object or array
    /// for `usage` (OpenAI writes `"usage":null` into every chunk but the last when usage is
    /// asked for). `[DONE]`, error events, usage chunks and malformed data are not.
    public static func isPlainChatChunk(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        value.count >= 2 && value[0] == UInt8(ascii: "{") && value[value.count - 1] == UInt8(ascii: "}")
            && !JSONKeyScanner.mayHaveMember("error", orStructuredValueFor: "usage", in: value)
    }
}
