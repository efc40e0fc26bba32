import Foundation

extension JSONParser {
    /// Where a Messages stream's text delta keeps its text: for event data in the form
    /// `{"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"…"}}`
    /// (members in any order, `delta` with no other members), the range of the `text` value in
    /// `buffer`, quotes included. `nil` for any other event, invalid JSON, or a member read here
    /// that occurs twice; such events are parsed whole.
    public static func scanTextDeltaEvent(_ buffer: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var parser = JSONParser(buffer)
        do {
            return try parser.scanTextDeltaEvent()
        } catch {
            return nil
        }
    }

    private mutating func scanTextDeltaEvent() throws(JSONParseError) -> Range<Int>? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        var inForm = true, isTextDelta = false, sawType = false, sawDelta = false
        var text: Range<Int>?
        try forEachMember(depth: 1) { (parser, key) throws(JSONParseError) in
            if key.is("type") {
                if sawType { inForm = false }
                sawType = true
                isTextDelta = try parser.readIsString("content_block_delta", depth: 1)
            } else if key.is("delta") {
                if sawDelta { inForm = false }
                sawDelta = true
                text = try parser.scanMessagesTextDelta()
            } else {
                try parser.skipValue(depth: 1)
            }
        }
        skipWhitespace()
        guard inForm, isTextDelta, index == bytes.count else { return nil }
        return text
    }

    /// The `delta` object of a text delta: the range of its `text` string; `nil` when it is not
    /// `{"type":"text_delta","text":"…"}`.
    private mutating func scanMessagesTextDelta() throws(JSONParseError) -> Range<Int>? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            try skipValue(depth: 1)
            return nil
        }
        var inForm = true, isTextDelta = false, sawType = false, sawText = false
        var text: Range<Int>?
        try forEachMember(depth: 2) { (parser, key) throws(JSONParseError) in
            if key.is("type") {
                if sawType { inForm = false }
                sawType = true
                isTextDelta = try parser.readIsString("text_delta", depth: 2)
            } else if key.is("text") {
                if sawText { inForm = false }
                sawText = true
                text = try parser.skipValueNotingString(depth: 2)
            } else {
                inForm = false
                try parser.skipValue(depth: 2)
            }
        }
        return inForm && isTextDelta ? text : nil
    }

    /// Moves past the value at the cursor; whether it is the string `expected`, written without
    /// escapes.
    private mutating func readIsString(_ expected: StaticString, depth: Int) throws(JSONParseError) -> Bool {
        // The string's bytes between its quotes.
        guard let string = try skipValueNotingString(depth: depth), string.count - 2 == expected.utf8CodeUnitCount,
            let base = bytes.baseAddress
        else { return false }
        return memcmp(base + string.lowerBound + 1, expected.utf8Start, expected.utf8CodeUnitCount) == 0
    }
}
