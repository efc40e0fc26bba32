import Testing
@testable import SwitchyardCore

/// The scan must read what the parsed body says and reject what the parser rejects.
@Suite("Chat completion scan")
struct ChatCompletionScanTests {
    static let plain = #"""
    {"id":"chatcmpl-1","object":"chat.completion","created":1796527522,"model":"sim-light","system_fingerprint":"fp","choices":[{"index":0,"message":{"role":"assistant","content":"Idea \"quoted\" \\ and caf\u00e9, naïve 😀","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":34,"completion_tokens":65,"total_tokens":99,"prompt_tokens_details":{"cached_tokens":4}}}
    """#

    static let bodies: [String] = [
        plain,
        // Log-probabilities, a second choice, tool calls, numbers of every form.
        #"{"choices":[{"message":{"content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls","logprobs":{"content":[{"token":"a","logprob":-0.25,"bytes":[97]},{"token":"b","logprob":-1e-3},{"token":"c","logprob":0}]}},{"message":{"content":"x"},"logprobs":{"content":[]}}],"usage":{"prompt_tokens":1.5e1,"completion_tokens":-0.0,"total_tokens":3}}"#,
        // Only a later choice has log-probabilities; empty tool calls; content not a string.
        #"{"choices":[{"message":{"content":["parts"],"tool_calls":[]},"finish_reason":7},{"logprobs":{"content":null}}]}"#,
        // Duplicate keys: the last one counts, as in the parsed body.
        #"{"choices":[{"message":{"content":"first"}}],"usage":{"prompt_tokens":1},"choices":[{"message":{"content":"second"},"message":{"content":"third"},"finish_reason":"stop","finish_reason":"length"}],"usage":null}"#,
        // A first choice that is not an object, a message that is not one, choices not an array.
        #"{"choices":["text",{"message":{"content":"later"}}]}"#,
        #"{"choices":[{"message":"hello","logprobs":null}]}"#,
        #"{"choices":{"0":{"message":{"content":"no"}}}}"#,
        #"{"choices":[]}"#,
        #"{"object":"chat.completion"}"#,
        "  {\n\t\"choices\" : [ { \"message\" : { \"content\" : \"spaced\" } } ] \r\n}  ",
        #"{}"#,
        // Keys with escapes are the keys they decode to.
        #"{"cho\u0069ces":[{"mess\u0061ge":{"cont\u0065nt":"escaped keys","tool\u005fcalls":[1]},"finish_\u0072eason":"stop"}],"\u0075sage":{"prompt_tokens":2}}"#,
        // Usage: cached tokens above the prompt's, details that are not an object, a later
        // duplicate that is not a number, later details without the count, escaped keys.
        #"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":20}}}"#,
        #"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":[{"cached_tokens":2}]}}"#,
        #"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens":"ten"}}"#,
        #"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2},"prompt_tokens_details":{}}}"#,
        #"{"choices":[],"usage":{"prompt_tok\u0065ns":9,"completion_tokens":1,"prompt_tokens_details":{"cached_t\u006fkens":4}}}"#,
        #"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":4.5}}}"#,
        // Not objects: no summary.
        #"[{"choices":[]}]"#,
        #""a string""#,
        "42",
        "null",
    ]

    /// Invalid documents: each must be rejected by both.
    static let invalid: [[UInt8]] = [
        Array(#"{"choices":[{"message":{"content":"cut"#.utf8),
        Array(#"{"choices":[],}"#.utf8),
        Array(#"{"choices":[] "usage":{}}"#.utf8),
        Array(#"{"choices":[{"message":{"content":"bad \q escape"}}]}"#.utf8),
        Array(#"{"choices":[{"message":{"content":"bad \u12G4"}}]}"#.utf8),
        Array("{\"choices\":[],\"id\":\"tab\tinside\"}".utf8),
        Array(#"{"choices":[],"n":01}"#.utf8),
        Array(#"{"choices":[],"n":1.}"#.utf8),
        Array(#"{"choices":[],"t":tru}"#.utf8),
        Array(#"{"choices":[]} trailing"#.utf8),
        Array(#"{"choices":[],"skipped":"\#u{FFFD}"}"#.utf8).map { $0 == 0xEF ? 0xC0 : $0 },
        [0x7B, 0x22, 0x78, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D],  // {"x":"<surrogate>"}
        [0x7B, 0x22, 0x78, 0x22, 0x3A, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x7D],  // past U+10FFFF
        [0x7B, 0x22, 0x78, 0x22, 0x3A, 0x22, 0xE0, 0x80, 0x80, 0x22, 0x7D],  // overlong
        Array(String(repeating: "[", count: 600).utf8) + Array(String(repeating: "]", count: 600).utf8),
        Array(("{\"choices\":[],\"deep\":" + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}").utf8),
        [],
    ]

    /// What the scan says of `bytes`, or `nil` when it throws.
    static func scanned(_ bytes: [UInt8]) -> ChatCompletionSummary?? {
        do { return .some(try JSONParser.scanChatCompletion(bytes)) } catch { return .none }
    }

    /// What the parsed body says of `bytes`, or `nil` when it does not parse.
    static func parsed(_ bytes: [UInt8]) -> ChatCompletionSummary?? {
        guard let value = try? JSONParser.parse(bytes) else { return .none }
        return .some(value.objectValue.map(ChatCompletionSummary.init(parsed:)))
    }

    @Test("the scan reads what the parsed body says", arguments: bodies)
    func agreesWithTheParsedBody(_ body: String) throws {
        let bytes = Array(body.utf8)
        let scan = try #require(Self.scanned(bytes))
        #expect(scan == Self.parsed(bytes)!)
    }

    @Test("the plain answer's reads, spelled out")
    func plainAnswer() throws {
        let summary = try #require(try JSONParser.scanChatCompletion(Array(Self.plain.utf8)))
        #expect(summary.hasChoices)
        #expect(summary.content == "Idea \"quoted\" \\ and café, naïve 😀")
        #expect(summary.finishReason == "stop")
        #expect(summary.tokenLogprobs == nil)
        #expect(!summary.hasToolCalls)
        #expect(!summary.anyChoiceHasLogprobs)
        #expect(summary.usage == TokenUsage(promptTokens: 34, completionTokens: 65, cachedPromptTokens: 4))
    }

    @Test("what the parser rejects, the scan rejects", arguments: invalid)
    func rejectsWhatTheParserRejects(_ bytes: [UInt8]) {
        #expect(Self.parsed(bytes) == nil, "the parser accepted \(bytes)")
        #expect(Self.scanned(bytes) == nil, "the scan accepted \(String(decoding: bytes, as: UTF8.self))")
    }

    @Test("every prefix and every one-byte change of real answers: the scan and the parser agree")
    func mutationsAgree() {
        var disagreements: [String] = []
        let replacements: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x20, 0x00, 0x80, 0xC3, 0xFF, 0x30, 0x6E]
        for body in Self.bodies.prefix(5) {
            let bytes = Array(body.utf8)
            var variants: [[UInt8]] = (0..<bytes.count).map { Array(bytes[..<$0]) }
            for position in bytes.indices {
                for replacement in replacements where replacement != bytes[position] {
                    var changed = bytes
                    changed[position] = replacement
                    variants.append(changed)
                }
            }
            for variant in variants where Self.scanned(variant) != Self.parsed(variant) {
                disagreements.append(String(decoding: variant, as: UTF8.self))
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.first ?? "")")
    }

    @Test("a completion made from a scan parses its body only when asked, and the body is the provider's")
    func lazyBody() throws {
        let bytes = Array(Self.bodies[1].utf8)
        let summary = try #require(try JSONParser.scanChatCompletion(bytes))
        let completion = ProviderCompletion(scanned: bytes, summary: summary)
        #expect(completion.usage == summary.usage)
        #expect(completion.summary.tokenLogprobs == [-0.25, -0.001, 0])
        #expect(completion.summary.hasToolCalls)
        #expect(completion.body == (try JSONParser.parse(bytes)).objectValue)
        var changed = completion
        changed.body = ["choices": [["message": ["content": "replaced"]]]]
        #expect(changed.summary.content == "replaced")
        #expect(changed.bodyBytes == bytes)
        #expect(completion.summary.content == nil)
    }
}
