import Testing

@testable import SwitchyardCore

@Suite("Chat completion request validation")
struct ChatCompletionRequestTests {
    @Test("reads the routed fields and keeps the whole body")
    func readsFields() throws {
        let request = try ChatCompletionRequest(bytes: Array(#"""
            {"model":"m","stream":true,"stream_options":{"include_usage":true},"max_tokens":50,"logprobs":true,
             "messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"x"}}]}],
             "vendor_extension":{"keep":[1,2]}}
            """#.utf8))
        #expect(request.model == "m")
        #expect(request.stream && request.includeUsageInStream && request.logprobs)
        #expect(request.maxOutputTokens == 50)
        #expect(request.messages == [ChatMessage(role: "system", text: "be brief"), ChatMessage(role: "user", text: "hi")])
        #expect(request.body["vendor_extension"]?["keep"] == [1, 2])
    }

    @Test("keeps the body's bytes while the body is unchanged, and edits only what a provider must")
    func originalBody() throws {
        let text = #" {"model" : "auto", "n": 1E0, "messages":[{"role":"user","content":"\u00e9"}]} "#
        var request = try ChatCompletionRequest(bytes: Array(text.utf8))
        let original = try #require(request.original)
        #expect(String(decoding: original.bytes[original.spans.values["model"]!], as: UTF8.self) == #""auto""#)
        #expect(original.spans.objectStart == 1)
        let plain = try #require(original.forwarding(model: "sim \"x\"", stream: false))
        #expect(String(decoding: plain, as: UTF8.self) == #" {"model" : "sim \"x\"", "n": 1E0, "messages":[{"role":"user","content":"\u00e9"}]} "#)
        // A stream needs "stream": true in the body to be edited, not rebuilt.
        #expect(original.forwarding(model: "m", stream: true) == nil)
        let stream = try #require(
            try ChatCompletionRequest(bytes: Array(#"{"stream":true,"model":"a","messages":[{"role":"user","content":"x"}]}"#.utf8)).original)
        #expect(
            stream.forwarding(model: "b", stream: true).map { String(decoding: $0, as: UTF8.self) }
                == #"{"stream_options":{"include_usage":true},"stream":true,"model":"b","messages":[{"role":"user","content":"x"}]}"#)
        // A non-stream call for a body that asks to stream, or a stream with its own options: rebuilt.
        #expect(stream.forwarding(model: "b", stream: false) == nil)
        let withOptions = try #require(
            try ChatCompletionRequest(bytes: Array(#"{"stream":true,"stream_options":{},"model":"a","messages":[{"role":"user","content":"x"}]}"#.utf8))
                .original)
        #expect(withOptions.forwarding(model: "b", stream: true) == nil)
        // Options that already ask for usage (as cost-tracking SDKs send them) go as they came.
        let asksForUsage = try ChatCompletionRequest(
            bytes: Array(#"{"stream":true,"stream_options":{"include_usage":true,"x":1},"model":"a","messages":[{"role":"user","content":"x"}]}"#.utf8))
        #expect(asksForUsage.includeUsageInStream)
        #expect(
            asksForUsage.original?.forwarding(model: "b", stream: true, usageRequested: true).map { String(decoding: $0, as: UTF8.self) }
                == #"{"stream":true,"stream_options":{"include_usage":true,"x":1},"model":"b","messages":[{"role":"user","content":"x"}]}"#)
        // Duplicate keys: the parsed body keeps the last, so the bytes are not trusted.
        #expect(try ChatCompletionRequest(bytes: Array(#"{"model":"a","model":"b","messages":[{"role":"user","content":"x"}]}"#.utf8)).original == nil)
        // Any change to the body drops the bytes.
        request.body["logprobs"] = .bool(true)
        #expect(request.original == nil)
    }

    @Test("tools, functions and prediction stay text: checked, kept out of the tree, forwarded as they came")
    func passthroughMembers() throws {
        let tools = #"[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"id":{"type":"string"}}}}}]"#
        let head = #"{"model":"#
        let rest = #","tools": "# + tools + #" ,"messages":[{"role":"user","content":"hi"}],"prediction":{"type":"content","content":"x"}}"#
        let text = head + #""auto""# + rest
        var request = try ChatCompletionRequest(bytes: Array(text.utf8))
        let parsedTools = try JSONParser.parse(tools)
        #expect(request.body["tools"] == nil && request.body["prediction"] == nil)
        #expect(request.passthrough.map(\.name) == ["tools", "prediction"])
        #expect(String(decoding: request.passthrough[0].json, as: UTF8.self) == tools)
        #expect(request.completeBody["tools"] == parsedTools)
        #expect(request.completeBody["prediction"]?["content"] == "x")
        #expect(request.completeBody["messages"] == request.body["messages"])
        // The bytes still hold them, so a forwarded body carries them unchanged.
        let forwarded = try #require(request.original?.forwarding(model: "m", stream: false))
        #expect(String(decoding: forwarded, as: UTF8.self) == head + #""m""# + rest)
        // A changed body keeps them too: the tree the provider then serialises has them.
        request.body["logprobs"] = .bool(true)
        #expect(request.original == nil)
        #expect(request.completeBody["tools"] == parsedTools && request.completeBody["logprobs"] == true)
        // A request built from a tree has none.
        #expect(try ChatCompletionRequest(json: .object(request.completeBody)).passthrough.isEmpty)
    }

    @Test("a skipped member is checked as strictly as a parsed one, and a repeated one keeps its last value")
    func passthroughMembersAreChecked() throws {
        for bad in [#"[{"a":1,}]"#, #"[{"a":"\x"}]"#, #"[01]"#, "[\"\u{1}\"]"] {
            #expect(throws: GatewayError.self, "\(bad)") {
                try ChatCompletionRequest(bytes: Array((#"{"model":"m","tools":"# + bad + #","messages":[{"role":"user","content":"x"}]}"#).utf8))
            }
        }
        let escaped = try ChatCompletionRequest(bytes: Array(#"{"model":"m","tool\u0073":[1],"toolz":[2],"messages":[{"role":"user","content":"x"}]}"#.utf8))
        #expect(escaped.passthrough.map(\.name) == ["tools"], "a name is matched as decoded")
        #expect(escaped.body["toolz"] == [2])
        let twice = try ChatCompletionRequest(bytes: Array(#"{"model":"m","tools":[1],"messages":[{"role":"user","content":"x"}],"tools":[2]}"#.utf8))
        #expect(twice.original == nil, "repeated keys: the bytes are not trusted")
        #expect(twice.passthrough.count == 1 && twice.completeBody["tools"] == [2])
    }

    @Test("max_completion_tokens wins over max_tokens")
    func maxCompletionTokens() throws {
        let request = try ChatCompletionRequest(bytes: Array(#"{"model":"m","max_tokens":9,"max_completion_tokens":7,"messages":[{"role":"user","content":"x"}]}"#.utf8))
        #expect(request.maxOutputTokens == 7)
    }

    @Test(
        "rejects bad requests with a 400 naming the field",
        arguments: [
            (#"[]"#, nil as String?),
            (#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
            (#"{"model":3,"messages":[{"role":"user","content":"x"}]}"#, "model"),
            (#"{"model":"m"}"#, "messages"),
            (#"{"model":"m","messages":{}}"#, "messages"),
            (#"{"model":"m","messages":[]}"#, "messages"),
            (#"{"model":"m","messages":["hi"]}"#, "messages[0]"),
            (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role"),
            (#"{"model":"m","messages":[{"role":"wizard","content":"x"}]}"#, "messages[0].role"),
            (#"{"model":"m","messages":[{"role":"user","content":5}]}"#, "messages[0].content"),
            (#"{"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}"#, "stream"),
            (#"{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}"#, "max_tokens"),
            (#"{"model":"m","stream_options":true,"messages":[{"role":"user","content":"x"}]}"#, "stream_options"),
        ])
    func rejects(body: String, param: String?) {
        do {
            _ = try ChatCompletionRequest(bytes: Array(body.utf8))
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.status == 400)
            #expect(error.param == param)
            #expect(!error.message.isEmpty)
        }
    }

    @Test("malformed JSON is a 400 invalid_json with the position")
    func malformed() {
        do {
            _ = try ChatCompletionRequest(bytes: Array(#"{"model": "m", "#.utf8))
            Issue.record("accepted malformed JSON")
        } catch {
            #expect(error.status == 400)
            #expect(error.code == "invalid_json")
            #expect(error.message.contains("byte"))
        }
    }
}
