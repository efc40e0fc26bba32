import Testing

@testable import SwitchyardCore

@Suite("Chat text chunk scan")
struct ChatTextChunkScanTests {
    private func scan(_ text: String) -> ChatTextChunk? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { JSONParser.scanTextChunk($0) }
    }

    /// The text the scan found, decoded, or nil.
    private func text(_ chunk: String) throws -> String? {
        let bytes = Array(chunk.utf8)
        guard let range = try #require(scan(chunk)).text else { return nil }
        return try JSONParser.parse(Array(bytes[range])).stringValue
    }

    @Test("text chunks are read in place: the text as the JSON string it came as, and the finish reason")
    func textChunks() throws {
        #expect(try text(#"{"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}]}"#) == "Hel")
        #expect(try text(#"{"choices":[{"delta":{"role":"assistant","content":"a \"quoted\" \u00e9 line\nbreak"}}],"usage":null}"#) == "a \"quoted\" é line\nbreak")
        #expect(try text(#" { "choices" : [ { "delta" : { "content" : "x" } } ] } "#) == "x")
        #expect(try text(#"{"choices":[{"delta":{"role":"assistant","content":""}}]}"#) == nil)
        #expect(try text(#"{"choices":[{"delta":{"content":null}}]}"#) == nil)
        #expect(try text(#"{"choices":[{"delta":{}}]}"#) == nil)
        #expect(scan(#"{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#) == ChatTextChunk(finishReason: "length"))
        #expect(scan(#"{"choices":[]}"#) == ChatTextChunk())
        #expect(try text(#"{"choices":[{"delta":{"content":"first"}},{"delta":{"tool_calls":[]}}]}"#) == "first")
    }

    @Test("anything else is left to the parser: errors, usage, tool calls, thinking, repeated members, invalid JSON")
    func otherChunks() {
        for chunk in [
            #"{"error":{"message":"x"}}"#,
            #"{"choices":[],"usage":{"prompt_tokens":1}}"#,
            #"{"choices":[{"delta":{"tool_calls":[{"index":0}]}}]}"#,
            #"{"choices":[{"delta":{"reasoning_content":"hmm"}}]}"#,
            #"{"choices":[{"delta":{"thinking_blocks":[]}}]}"#,
            #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,
            #"{"choices":[{"delta":{"content":"a"},"delta":{"content":"b"}}]}"#,
            #"{"choices":[{"delta":{}}],"choices":[]}"#,
            #"{"choices":[{"delta":{},"finish_reason":"stop","finish_reason":null}]}"#,
            #"{"choices":[{"delta":{"content":"a"}}]"#,
            #"{"choices":[{"delta":{"content":"a\x"}}]}"#,
            #"{"choices":[{"delta":{"content":"a"}}]} x"#,
            "[DONE]", "[1]", "",
        ] {
            #expect(scan(chunk) == nil, "\(chunk)")
        }
    }
}
