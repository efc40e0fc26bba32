extension AnthropicMessage {
    /// ``message(fromChatCompletion:)`` for a completion's bytes: read with a scan instead of a
    /// tree (``JSONParser/scanChatCompletion(_:)-([UInt8])`` and one pass for `id` and `model`),
    /// unless the answer has tool calls or thinking blocks, which are built from the parsed body.
    public static func message(fromChatCompletionBytes bytes: [UInt8]) -> JSONValue {
        // `thinking_blocks` is ``ThinkingFields/blocks``; the scanner takes a static name.
        guard !bytes.withUnsafeBufferPointer({ JSONKeyScanner.mayHaveMember("thinking_blocks", in: $0) }),
            let summary = try? JSONParser.scanChatCompletion(bytes), !summary.hasToolCalls,
            let identity = try? JSONParser.topLevelStrings(named: "id", "model", in: bytes)
        else {
            return message(fromChatCompletion: (try? JSONParser.parse(bytes)) ?? .null)
        }
        let text: JSONValue = ["type": "text", "text": .string(summary.content ?? "")]
        return message(
            completionID: identity.0, model: identity.1.map(JSONValue.string) ?? .null, content: [text], finishReason: summary.finishReason,
            usage: summary.usage)
    }
}

extension JSONParser {
    /// The values of two top-level members of the object in `bytes`, when they are strings; the
    /// other members are skipped, not parsed.
    static func topLevelStrings(named first: StaticString, _ second: StaticString, in bytes: [UInt8]) throws(JSONParseError) -> (String?, String?) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> (String?, String?) in
            var parser = JSONParser(buffer)
            parser.skipWhitespace()
            guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "{") else { throw parser.error("expected an object") }
            var found: (String?, String?) = (nil, nil)
            try parser.forEachMember(depth: 1) { (parser, key) throws(JSONParseError) in
                let isString = parser.isAtString
                if isString, key.is(first) {
                    found.0 = try parser.parseString()
                } else if isString, key.is(second) {
                    found.1 = try parser.parseString()
                } else {
                    try parser.skipValue(depth: 1)
                }
            }
            return found
        }
    }
}
