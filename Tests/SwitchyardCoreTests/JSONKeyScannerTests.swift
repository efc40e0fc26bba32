import Testing

@testable import SwitchyardCore

@Suite("JSON key scanner")
struct JSONKeyScannerTests {
    @Test("finds a usage object in the spellings providers send")
    func findsUsage() {
        for text in [
            #"{"choices":[],"usage":{"prompt_tokens":3}}"#,
            #"{"choices": [], "usage" : {"prompt_tokens": 3}}"#,
            "{\"usage\"\n:\n\t{}}",
            #"{"usage":[]}"#,
            #"{"u":"usage","usage":{}}"#,
        ] {
            #expect(JSONKeyScanner.mayHaveStructuredValue(forKey: "usage", in: text), "\(text)")
        }
    }

    @Test("a null usage, a usage word in content, or no usage at all is skipped")
    func skipsOthers() {
        for text in [
            #"{"choices":[{"delta":{"content":"hi"}}],"usage":null}"#,
            #"{"choices":[{"delta":{"content":"the usage: {x}"}}]}"#,
            #"{"choices":[{"delta":{"content":"say \"usage\""}}]}"#,
            #"{"usage_note":{"a":1}}"#,
            #"{"uusage":{"a":1}}"#,
            #"{"a":"usage"}"#,
            #"{}"#,
            "",
        ] {
            #expect(!JSONKeyScanner.mayHaveStructuredValue(forKey: "usage", in: text), "\(text)")
        }
    }

    @Test("never misses a member that a parser finds")
    func agreesWithParser() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = [#""usage""#, ":", "{", "}", "null", " ", "\"", "\\\"", "usage", ",", "[", "]", "1", #""a""#]
        for _ in 0..<3000 {
            let text = "{" + (0..<Int.random(in: 1...9, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined() + "}"
            guard let object = (try? JSONParser.parse(text))?.objectValue else { continue }
            if let usage = object["usage"], usage.objectValue != nil || usage.arrayValue != nil {
                #expect(JSONKeyScanner.mayHaveStructuredValue(forKey: "usage", in: text), "\(text)")
            }
        }
        let real = #"{"id":"x","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#
        #expect(JSONKeyScanner.mayHaveStructuredValue(forKey: "usage", in: real))
    }

    @Test("members of any value, and the object shape check")
    func membersAndShape() {
        #expect(JSONKeyScanner.mayHaveMember("error", in: #"{"error": "boom"}"#))
        #expect(!JSONKeyScanner.mayHaveMember("error", in: #"{"choices":[{"delta":{"content":"error"}}]}"#))
        #expect(JSONKeyScanner.looksLikeObject("  {\"a\":1}\n"))
        #expect(!JSONKeyScanner.looksLikeObject("[1]"))
        #expect(!JSONKeyScanner.looksLikeObject("{"))
        #expect(!JSONKeyScanner.looksLikeObject("not json"))
    }

    @Test("a lazily read stream chunk carries the usage a full parse finds")
    func chunkUsage() throws {
        let usageOnly = #"{"id":"c","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}"#
        let chunk = try #require(ChatStreamChunk(data: usageOnly))
        #expect(chunk.usage == TokenUsage(promptTokens: 5, completionTokens: 7))
        #expect(chunk.isUsageOnly)
        let content = try #require(ChatStreamChunk(data: #"{"id":"c","choices":[{"delta":{"content":"hi"}}],"usage":null}"#))
        #expect(content.usage == nil && !content.isUsageOnly)
        #expect(ChatStreamChunk(data: #"{"usage":{"prompt_tokens":1"#) == nil)
        // Read without a tree, as the parsed chunk reads: usage with a choice, without choices,
        // with choices that are not an array, and a later `choices` replacing an earlier one.
        for text in [
            #"{"choices":[{"delta":{"content":"x"},"finish_reason":"stop"}],"usage":{"prompt_tokens":2,"completion_tokens":1}}"#,
            #"{"usage":{"prompt_tokens":2,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":1}}}"#,
            #"{"choices":null,"usage":{"prompt_tokens":2,"completion_tokens":1}}"#,
            #"{"choices":[{}],"usage":{"prompt_tokens":2},"choices":[]}"#,
            #"{"choices":[],"usage":[]}"#,
        ] {
            let read = try #require(ChatStreamChunk(data: text))
            let parsed = ChatStreamChunk(data: text, json: try #require(try JSONParser.parse(text).objectValue))
            #expect(read.usage == parsed.usage && read.isUsageOnly == parsed.isUsageOnly, "\(text)")
        }
    }

    @Test("the one-pass scan for two keys answers as the two scans do, at every offset of a word")
    func twoKeysInOnePass() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            #""error""#, #""usage""#, ":", " : ", "{", "}", "[", "null", "\"", "\\\"", "error", "usage", "e", "u", ",", "x", "xxxxxxx",
            #""errors""#, #""usag""#, "\n",
        ]
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...10, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let bytes = Array(text.utf8)
            let expected = JSONKeyScanner.mayHaveMember("error", in: text) || JSONKeyScanner.mayHaveStructuredValue(forKey: "usage", in: text)
            let found = bytes.withUnsafeBufferPointer { JSONKeyScanner.mayHaveMember("error", orStructuredValueFor: "usage", in: $0) }
            #expect(found == expected, "\(text)")
            if found != expected { return }
        }
        let chunk = Array(#"{"id":"c","choices":[{"index":0,"delta":{"content":"an error of usage"}}],"usage":null}"#.utf8)
        #expect(!chunk.withUnsafeBufferPointer { JSONKeyScanner.mayHaveMember("error", orStructuredValueFor: "usage", in: $0) })
        for member in [#""error":{"message":"x"}"#, #""usage": {"prompt_tokens":1}"#, #""usage":[]"#] {
            // At every offset, so the member falls on every byte of a word and in the tail.
            for padding in 0..<17 {
                let text = "{" + String(repeating: " ", count: padding) + member + "}"
                #expect(Array(text.utf8).withUnsafeBufferPointer { JSONKeyScanner.mayHaveMember("error", orStructuredValueFor: "usage", in: $0) }, "\(text)")
            }
        }
    }
}
