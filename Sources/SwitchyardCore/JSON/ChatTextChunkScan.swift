/// What a chat stream's chunk holds when it carries nothing but text for its first choice: the
/// form of nearly every chunk of an answer. Found by ``JSONParser/scanTextChunk(_:)`` without
/// building the chunk's tree, so a stream can be translated chunk by chunk without one.
public struct ChatTextChunk: Equatable, Sendable {
    /// Where `choices[0].delta.content` lies in the scanned bytes, quotes included, when it is a
    /// non-empty string: the JSON string as it came, which another JSON text can take as it is.
    public var text: Range<Int>?
    /// `choices[0].finish_reason`, when it is a string.
    public var finishReason: String?

    public init(text: Range<Int>? = nil, finishReason: String? = nil) {
        self.text = text
        self.finishReason = finishReason
    }
}

extension JSONParser {
    /// Reads `buffer` as a chat stream's chunk in the text-only form: a valid JSON object whose
    /// `error` and `usage` are absent or `null` and whose first choice's `delta` has no members
    /// but `role` and `content`. Returns `nil` for anything else — another form, invalid JSON, or
    /// a member read here that occurs twice — which a reader then parses whole; for a chunk in
    /// the form, the parsed tree says the same as the result.
    public static func scanTextChunk(_ buffer: UnsafeBufferPointer<UInt8>) -> ChatTextChunk? {
        var parser = JSONParser(buffer)
        do {
            return try parser.scanTextChunk()
        } catch {
            return nil
        }
    }

    private mutating func scanTextChunk() throws(JSONParseError) -> ChatTextChunk? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        var chunk = ChatTextChunk()
        var inForm = true
        var sawChoices = false
        try forEachMember(depth: 1) { (parser, key) throws(JSONParseError) in
            if key.is("choices") {
                if sawChoices { inForm = false }
                sawChoices = true
                if try !parser.scanTextChoices(into: &chunk) { inForm = false }
            } else if key.is("error") || key.is("usage") {
                if !parser.isAtNull { inForm = false }
                try parser.skipValue(depth: 1)
            } else {
                try parser.skipValue(depth: 1)
            }
        }
        skipWhitespace()
        guard inForm, index == bytes.count else { return nil }
        return chunk
    }

    /// `choices`: the first choice's text and finish reason; false when it is not in the form.
    private mutating func scanTextChoices(into chunk: inout ChatTextChunk) throws(JSONParseError) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
            try skipValue(depth: 1)
            return true
        }
        var inForm = true
        try forEachElement(depth: 2) { (parser, position) throws(JSONParseError) in
            guard position == 0, parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "{") else {
                return try parser.skipValue(depth: 2)
            }
            var sawDelta = false, sawFinishReason = false
            try parser.forEachMember(depth: 3) { (parser, key) throws(JSONParseError) in
                if key.is("delta") {
                    if sawDelta { inForm = false }
                    sawDelta = true
                    if try !parser.scanTextDelta(into: &chunk) { inForm = false }
                } else if key.is("finish_reason") {
                    if sawFinishReason { inForm = false }
                    sawFinishReason = true
                    chunk.finishReason = try parser.parseStringOrSkip(depth: 3)
                } else {
                    try parser.skipValue(depth: 3)
                }
            }
        }
        return inForm
    }

    /// The first choice's `delta`: its `content` as it stands; false when it has other members.
    private mutating func scanTextDelta(into chunk: inout ChatTextChunk) throws(JSONParseError) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            try skipValue(depth: 3)
            return true
        }
        var inForm = true
        var sawContent = false
        try forEachMember(depth: 4) { (parser, key) throws(JSONParseError) in
            if key.is("content") {
                if sawContent { inForm = false }
                sawContent = true
                // `""` is no text, as in the tree.
                chunk.text = try parser.skipValueNotingString(depth: 4).flatMap { $0.count > 2 ? $0 : nil }
            } else if key.is("role") {
                try parser.skipValue(depth: 4)
            } else {
                inForm = false
                try parser.skipValue(depth: 4)
            }
        }
        return inForm
    }
}
