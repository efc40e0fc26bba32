import Foundation
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
@testable import SwitchyardMock

/// Deployments on a provider of kind `anthropic` (the simulator's `/v1/messages`), end to end.
@Suite("Anthropic providers over loopback")
struct AnthropicProviderTests {
    /// `claude` speaks Messages and falls back to `mini` on an OpenAI-compatible provider.
    static func yaml(mockPort: Int) -> String {
        """
            server: { host: 127.0.0.1, port: 0 }
            tiers: [light, mid]
            providers:
              - { name: claude, kind: anthropic, base_url: "http://127.0.0.1:\(mockPort)/v1", api_key: sk-ant-secret, timeout: 10s, forward_headers: ["x-mock-*"] }
              - { name: oa, base_url: "http://127.0.0.1:\(mockPort)/v1", timeout: 10s, forward_headers: ["x-mock-*"] }
            models:
              - { name: claude, provider: claude, upstream_model: sim-light, tier: light, price: { input: 1.0, output: 5.0 }, fallbacks: [mini] }
              - { name: mini, provider: oa, upstream_model: sim-mid, tier: mid, price: { input: 0.4, output: 1.6 } }
            """
    }

    @Test("a chat request is sent as a Messages request with the provider's key, and answered as a chat completion with cost")
    func plain() async throws {
        try await LiveGateway.run(yaml: Self.yaml) { live in
            let response = try await live.post(
                #"{"model":"claude","temperature":0.5,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Summarize the notes."}]}"#,
                headers: [("authorization", "Bearer client-key")])
            #expect(response.status == 200)
            #expect(response.headers["x-switchyard-model"] == "claude")
            #expect(response.json["object"] == "chat.completion")
            #expect(response.json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue?.isEmpty == false)
            let usage = try #require(TokenUsage(openAIUsage: response.json["usage"]))
            #expect(usage.promptTokens > 0 && usage.completionTokens > 0)
            let expected = (Double(usage.promptTokens) * 1.0 + Double(usage.completionTokens) * 5.0) / 1_000_000
            #expect(abs((response.headers["x-switchyard-cost-usd"].flatMap(Double.init) ?? -1) - expected) < 1e-10)

            let upstream = try #require(live.mock.requestLog.requests.last)
            #expect(upstream.path == "/v1/messages")
            #expect(upstream.headers["x-api-key"] == "sk-ant-secret")
            #expect(upstream.headers["anthropic-version"] == "2023-06-01")
            #expect(upstream.headers["authorization"] == nil)
            #expect(upstream.body["model"] == "sim-light")
            #expect(upstream.body["system"] == "Be brief.")
            // The Messages API needs a limit; a request without one gets the default.
            #expect(upstream.body["max_tokens"] == 4096)
            #expect(upstream.body["temperature"] == 0.5)
            #expect(upstream.body["messages"] == [["role": "user", "content": [["type": "text", "text": "Summarize the notes."]]]])
        }
    }

    @Test("a stream reaches the client as chat chunks with usage and [DONE]")
    func stream() async throws {
        try await LiveGateway.run(yaml: Self.yaml) { live in
            let response = try await live.post(chatBody(model: "claude", stream: true, extra: #","stream_options":{"include_usage":true}"#))
            #expect(response.status == 200)
            let events = response.events
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().map { (try? JSONParser.parse($0)) ?? .null }
            #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
            let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
            #expect(!text.isEmpty)
            #expect((TokenUsage(openAIUsage: chunks.last?["usage"])?.completionTokens ?? 0) > 0)
            #expect(live.mock.requestLog.requests.last?.body["stream"] == true)
        }
    }

    @Test("an overloaded Anthropic provider (529) falls back to the next deployment")
    func fallback() async throws {
        try await LiveGateway.run(yaml: Self.yaml) { live in
            let response = try await live.post(chatBody(model: "claude"), headers: [("x-mock-fault", "529;model=sim-light")])
            #expect(response.status == 200)
            #expect(response.headers["x-switchyard-model"] == "mini")
            #expect(live.upstreamCount("sim-light") >= 1)
        }
    }

    @Test("a stream refused with an error event before any content falls back to the next deployment")
    func streamErrorEventFallsBack() async throws {
        try await LiveGateway.run(yaml: Self.yaml) { live in
            let response = try await live.post(chatBody(model: "claude", stream: true), headers: [("x-mock-fault", "error-event=529;model=sim-light")])
            #expect(response.status == 200)
            #expect(response.headers["x-switchyard-model"] == "mini")
            #expect(response.events.last == "[DONE]")
        }
    }

    @Test("the provider's 400 stays the caller's error, with its message")
    func badRequest() async throws {
        try await LiveGateway.run(yaml: Self.yaml) { live in
            let response = try await live.post(chatBody(model: "claude"), headers: [("x-mock-fault", "400;model=sim-light")])
            #expect(response.status == 400)
            #expect(live.upstreamCount("sim-mid") == 0)
        }
    }

    @Test("a stream the provider cuts after the first tokens ends with an error event")
    func cutStream() async throws {
        try await LiveGateway.run(yaml: Self.yaml) { live in
            let response = try await live.post(chatBody(model: "claude", stream: true), headers: [("x-mock-fault", "cut-after=4;model=sim-light")])
            #expect(response.status == 200)
            let last = try #require(response.events.last)
            #expect(last != "[DONE]")
            #expect((try? JSONParser.parse(last))?["error"] != nil)
        }
    }

    @Test("Anthropic in, Anthropic provider, Anthropic out")
    func messagesThroughAnthropic() async throws {
        try await LiveGateway.run(yaml: Self.yaml) { live in
            let response = try await live.post(
                #"{"model":"claude","max_tokens":40,"stream":true,"messages":[{"role":"user","content":"Say hello"}]}"#, path: "/v1/messages")
            #expect(response.status == 200)
            let names = MessagesEndpointTests.events(response.body).map(\.name)
            #expect(names.first == "message_start" && names.last == "message_stop")
            #expect(live.mock.requestLog.requests.last?.path == "/v1/messages")
        }
    }

    @Test("a Messages request reaches an Anthropic provider as the client sent it: cache marks, thinking, top_k")
    func nativeBody() async throws {
        try await LiveGateway.run(yaml: Self.yaml) { live in
            let body = #"""
                {"model":"claude","max_tokens":64,"top_k":5,"thinking":{"type":"enabled","budget_tokens":1024},
                 "system":[{"type":"text","text":"Long shared instructions.","cache_control":{"type":"ephemeral"}}],
                 "metadata":{"user_id":"u-1","switchyard":{"task":"chat"}},
                 "messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]}]}
                """#
            let response = try await live.post(body, path: "/v1/messages")
            #expect(response.status == 200)
            #expect(response.json["type"] == "message")
            #expect(response.headers["x-switchyard-task"] == "chat")
            let upstream = try #require(live.mock.requestLog.requests.last)
            #expect(upstream.path == "/v1/messages")
            #expect(upstream.body["model"] == "sim-light")
            #expect(upstream.body["top_k"] == 5)
            #expect(upstream.body["thinking"] == ["type": "enabled", "budget_tokens": 1024])
            #expect(upstream.body["system"]?.arrayValue?.first?["cache_control"] == ["type": "ephemeral"])
            #expect(upstream.body["messages"]?.arrayValue?.first?["content"]?.arrayValue?.first?["cache_control"] == ["type": "ephemeral"])
            // Switchyard's own hints are read, and not sent on.
            #expect(upstream.body["metadata"] == ["user_id": "u-1"])
            #expect(upstream.body["stream"] == nil)
        }
    }

    @Test("embeddings are refused for a model whose provider has no embeddings API")
    func embeddings() async throws {
        try await LiveGateway.run(yaml: Self.yaml) { live in
            let response = try await live.post(#"{"model":"claude","input":"x"}"#, path: "/v1/embeddings")
            #expect(response.status == 400)
            #expect(response.errorCode == "model_not_supported")
        }
    }
}
