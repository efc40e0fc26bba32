import Foundation
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
@testable import SwitchyardMock

@Suite("Chat completions over loopback")
struct ChatCompletionsTests {
    @Test("a plain completion comes back with usage, model headers and the right cost")
    func plainCompletion() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(chatBody(extra: #","max_tokens":200"#))
            #expect(response.status == 200)
            #expect(response.json["object"] == "chat.completion")
            #expect(response.json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue?.isEmpty == false)
            let usage = try #require(TokenUsage(openAIUsage: response.json["usage"]))
            #expect(usage.promptTokens > 0 && usage.completionTokens > 0)
            #expect(response.headers["x-switchyard-model"] == "cheap")
            #expect(response.headers["x-switchyard-tier"] == "light")
            // $0.15 per 1M input, $0.60 per 1M output.
            let expected = (Double(usage.promptTokens) * 0.15 + Double(usage.completionTokens) * 0.60) / 1_000_000
            let reported = try #require(response.headers["x-switchyard-cost-usd"].flatMap(Double.init))
            #expect(abs(reported - expected) < 1e-10)
            // The provider got the upstream id and the provider's key, not the model's public name.
            let received = try #require(live.mock.requestLog.requests.last)
            #expect(received.body["model"] == "sim-light")
            #expect(received.headers["authorization"] == "Bearer sk-upstream-secret")
        }
    }

    @Test("the provider gets the client's bytes with only the model changed")
    func bodyBytesAreForwardedAsTheyCame() async throws {
        try await LiveGateway.run { live in
            // Spacing, a number in exponent form and an escaped character would all change if
            // the body were serialised again.
            let body = #"{ "temperature" : 1.0e0, "model" : "cheap","messages":[ {"role":"user","content":"Summarize caf\u00e9 notes."} ] }"#
            let response = try await live.post(body)
            #expect(response.status == 200)
            let received = try #require(live.mock.requestLog.requests.last)
            #expect(String(decoding: received.rawBody, as: UTF8.self) == body.replacingOccurrences(of: #""cheap""#, with: #""sim-light""#))
        }
    }

    @Test("tool definitions reach the provider byte for byte, and in a body the gateway had to rebuild")
    func toolsReachTheProvider() async throws {
        try await LiveGateway.run { live in
            let tools = #"[{"type":"function","function":{"name":"refund_status","parameters":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}}}]"#
            let body = #"{"model":"cheap","tools":"# + tools + #","tool_choice":"auto","messages":[{"role":"user","content":"Summarize the refund."}]}"#
            let response = try await live.post(body)
            #expect(response.status == 200)
            let received = try #require(live.mock.requestLog.requests.last)
            #expect(String(decoding: received.rawBody, as: UTF8.self) == body.replacingOccurrences(of: #""cheap""#, with: #""sim-light""#))
            // A stream whose body has its own stream_options is serialised again: the tools go too.
            let stream = #"{"model":"cheap","stream":true,"stream_options":{"include_usage":false},"tools":"# + tools
                + #","messages":[{"role":"user","content":"Summarize the refund."}]}"#
            #expect(try await live.post(stream).status == 200)
            let rebuilt = try #require(live.mock.requestLog.requests.last?.body)
            let parsedTools = try JSONParser.parse(tools)
            #expect(rebuilt["tools"] == parsedTools)
            #expect(rebuilt["stream_options"]?["include_usage"] == true)
        }
    }

    @Test("a stream's body gains only stream_options besides the model, or nothing when the client's ask for usage")
    func streamBodyGainsOnlyStreamOptions() async throws {
        try await LiveGateway.run { live in
            let body = #"{"model":"cheap", "stream":true,"messages":[{"role":"user","content":"Summarize the notes."}]}"#
            let response = try await live.post(body)
            #expect(response.status == 200)
            let received = try #require(live.mock.requestLog.requests.last)
            #expect(
                String(decoding: received.rawBody, as: UTF8.self)
                    == #"{"stream_options":{"include_usage":true},"model":"sim-light", "stream":true,"messages":[{"role":"user","content":"Summarize the notes."}]}"#)
            // A client that asks for usage itself, as cost-tracking SDKs do: only the model changes.
            let asking = #"{"model":"cheap", "stream":true, "stream_options": {"include_usage": true},"messages":[{"role":"user","content":"Summarize the notes."}]}"#
            #expect(try await live.post(asking).status == 200)
            let forwarded = try #require(live.mock.requestLog.requests.last)
            #expect(String(decoding: forwarded.rawBody, as: UTF8.self) == asking.replacingOccurrences(of: #""cheap""#, with: #""sim-light""#))
        }
    }

    @Test("unknown request fields reach the provider untouched and in order")
    func unknownFieldsPassThrough() async throws {
        try await LiveGateway.run { live in
            let extra = #","seed":7,"vendor_flag":{"nested":[1,"two",null]},"temperature":0.2"#
            let response = try await live.post(chatBody(extra: extra))
            #expect(response.status == 200)
            let received = try #require(live.mock.requestLog.requests.last?.body.objectValue)
            #expect(received["vendor_flag"] == ["nested": [1, "two", nil]])
            #expect(received["seed"] == 7)
            #expect(received["temperature"] == 0.2)
            #expect(received.keys == ["model", "stream", "messages", "seed", "vendor_flag", "temperature"])
        }
    }

    @Test("only configured client headers are forwarded; the client's credentials never are")
    func headerForwarding() async throws {
        try await LiveGateway.run { live in
            _ = try await live.post(chatBody(), headers: [("x-trace-id", "abc"), ("authorization", "Bearer client-key"), ("x-other", "no")])
            let received = try #require(live.mock.requestLog.requests.last)
            #expect(received.headers["x-trace-id"] == "abc")
            #expect(received.headers["x-other"] == nil)
            #expect(received.headers["authorization"] == "Bearer sk-upstream-secret")
        }
    }

    @Test("a stream with include_usage ends with a usage chunk and [DONE]")
    func streamWithUsage() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#))
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/event-stream")
            let events = response.events
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().map { (try? JSONParser.parse($0)) ?? .null }
            #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
            let usageChunk = try #require(chunks.last)
            #expect(usageChunk["choices"]?.arrayValue?.isEmpty == true)
            #expect(TokenUsage(openAIUsage: usageChunk["usage"]) != nil)
            let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
            #expect(!text.isEmpty)
        }
    }

    @Test("without include_usage the client gets no usage chunk, but usage was requested upstream")
    func streamWithoutUsage() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(chatBody(stream: true))
            #expect(response.events.last == "[DONE]")
            let chunks = response.events.dropLast().map { (try? JSONParser.parse($0)) ?? .null }
            #expect(chunks.allSatisfy { $0["choices"]?.arrayValue?.isEmpty == false })
            let upstream = try #require(live.mock.requestLog.requests.last)
            #expect(upstream.body["stream_options"]?["include_usage"] == true)
        }
    }

    @Test("GET /v1/models lists the configured public names")
    func models() async throws {
        try await LiveGateway.run { live in
            let response = try await live.get("/v1/models")
            #expect(response.status == 200)
            let ids = response.json["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
            #expect(ids == ["cheap", "middle", "best", "auto", "tier:light", "tier:mid", "tier:premium"])
        }
    }

    @Test("health and readiness answer")
    func health() async throws {
        try await LiveGateway.run { live in
            #expect(try await live.get("/healthz").status == 200)
            let ready = try await live.get("/readyz")
            #expect(ready.status == 200)
            #expect(ready.json["status"] == "ready")
        }
    }
}
