import Testing

@testable import SwitchyardCore

@Suite("Chat stream transcript")
struct ChatStreamTranscriptTests {
    static let stream = [
        #"data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#, "",
        #"data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hel"}}]}"#, "",
        ": keep-alive", "",
        #"data: {"id":"c","choices":[{"index":0,"delta":{"content":"lo, w\u00f6rld"},"finish_reason":"stop"}]}"#, "",
        #"data: {"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#, "",
        "data: [DONE]", "", "",
    ].joined(separator: "\n")

    @Test("the first choice's text, joined, wherever the stream is cut; an answer only once [DONE] came")
    func textAcrossCuts() {
        let bytes = Array(Self.stream.utf8)
        for cut in 0...bytes.count {
            var transcript = ChatStreamTranscript()
            transcript.read(bytes[..<cut])
            if cut < bytes.count - 2 { #expect(transcript.answer == nil, "cut at \(cut)") }
            transcript.read(bytes[cut...])
            #expect(transcript.answer == "Hello, wörld", "cut at \(cut)")
        }
    }

    @Test("a stream with an error event, or that never ends, has no answer")
    func failures() {
        var failed = ChatStreamTranscript()
        failed.read(Array("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"error\":{\"message\":\"gone\"}}\n\ndata: [DONE]\n\n".utf8))
        #expect(failed.failed && failed.answer == nil && failed.text == "Hi")
        var unfinished = ChatStreamTranscript()
        unfinished.read(Array("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n".utf8))
        #expect(!unfinished.failed && unfinished.answer == nil)
        var garbage = ChatStreamTranscript()
        garbage.read(Array("data: not json\n\ndata: [DONE]\n\n".utf8))
        #expect(garbage.answer == nil)
    }

    @Test("a streamed request asked again without streaming: no stream, no stream options, the rest as it was")
    func withoutStreaming() throws {
        let text = #"{"model":"auto","stream":true,"stream_options":{"include_usage":true},"temperature":0.2,"tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"x"}]}"#
        let request = try ChatCompletionRequest(bytes: Array(text.utf8))
        let plain = request.withoutStreaming
        #expect(!plain.stream && !plain.includeUsageInStream)
        #expect(plain.completeBody["stream"] == nil && plain.completeBody["stream_options"] == nil)
        #expect(plain.completeBody["temperature"] == 0.2 && plain.completeBody["tools"]?.arrayValue?.count == 1)
        #expect(plain.original == nil, "the client's bytes asked for a stream")
        let unchanged = try ChatCompletionRequest(bytes: Array(#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#.utf8)).withoutStreaming
        #expect(unchanged.original != nil)
    }
}
