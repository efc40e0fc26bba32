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
