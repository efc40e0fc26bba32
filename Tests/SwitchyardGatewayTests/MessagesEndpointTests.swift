import Foundation
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
@testable import SwitchyardMock
import SwitchyardStorage

/// `POST /v1/messages` end to end over loopback: Anthropic's format in, the chat route's work,
/// Anthropic's format out.
@Suite("Anthropic Messages over loopback")
struct MessagesEndpointTests {
    static func messagesBody(model: String = "cheap", stream: Bool = false, extra: String = "") -> String {
        #"{"model":"\#(model)","max_tokens":64,"stream":\#(stream),"system":"Be brief.","messages":[{"role":"user","content":"Summarize the meeting notes."}]\#(extra)}"#
    }

    /// The `event:` names and parsed `data:` of an SSE body.
    static func events(_ body: String) -> [(name: String, data: JSONValue)] {
        var parser = ServerSentEventParser()
        let events = (try? parser.feed(Array(body.utf8))) ?? []
        return events.map { ($0.event ?? "", (try? JSONParser.parse($0.data)) ?? .null) }
    }

    @Test("a message comes back in Anthropic's shape, with the decision headers; the provider got a chat request")
    func message() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(Self.messagesBody(), path: "/v1/messages")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let message = response.json
            #expect(message["type"] == "message" && message["role"] == "assistant")
            #expect(message["id"]?.stringValue?.hasPrefix("msg_") == true)
            let text = try #require(message["content"]?.arrayValue?.first)
            #expect(text["type"] == "text" && text["text"]?.stringValue?.isEmpty == false)
            #expect(["end_turn", "max_tokens"].contains(message["stop_reason"]?.stringValue ?? ""))
            #expect((message["usage"]?["input_tokens"]?.intValue ?? 0) > 0 && (message["usage"]?["output_tokens"]?.intValue ?? 0) > 0)
            #expect(response.headers["x-switchyard-model"] == "cheap")
            #expect(response.headers["x-switchyard-decision-id"]?.isEmpty == false)
            let upstream = try #require(live.mock.requestLog.requests.last)
            #expect(upstream.body["model"] == "sim-light")
            #expect(upstream.body["max_tokens"] == 64)
            #expect(upstream.body["messages"] == [
                ["role": "system", "content": "Be brief."], ["role": "user", "content": "Summarize the meeting notes."],
            ])
        }
    }

    @Test("model auto is routed as the same request on the chat route")
    func routed() async throws {
        try await LiveGateway.run { live in
            let messages = try await live.post(Self.messagesBody(model: "auto"), path: "/v1/messages")
            let chat = try await live.post(
                #"{"model":"auto","max_tokens":64,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Summarize the meeting notes."}]}"#)
            #expect(messages.status == 200 && chat.status == 200)
            for header in ["x-switchyard-task", "x-switchyard-tier", "x-switchyard-model"] {
                #expect(messages.headers[header] != nil)
                #expect(messages.headers[header] == chat.headers[header], "\(header)")
            }
            #expect(messages.headers["x-switchyard-task"] == "summarize")
        }
    }

    @Test("gate hints in metadata reach the gates: a weak answer is escalated, plain and streamed")
    func gates() async throws {
        try await LiveGateway.run(profile: GateCascadeTests.profile, yaml: LiveGateway.gatedYAML) { live in
            let labels = #","metadata":{"user_id":"u-1","switchyard":{"labels":["refund","shipping"]}}"#
            let answers = GateCascadeTests.answers("maybe billing", "refund")
            let plain = try await live.post(Self.messagesBody(extra: labels), path: "/v1/messages", headers: [answers])
            #expect(plain.status == 200)
            #expect(plain.headers["x-switchyard-escalated"] == "true")
            #expect(plain.headers["x-switchyard-model"] == "middle")
            #expect(plain.json["content"]?.arrayValue?.first?["text"] == "refund")

            let streamed = try await live.post(Self.messagesBody(stream: true, extra: labels), path: "/v1/messages", headers: [answers])
            #expect(streamed.headers["x-switchyard-escalated"] == "true")
            let text = Self.events(streamed.body).compactMap { $0.data["delta"]?["text"]?.stringValue }.joined()
            #expect(text == "refund")
            #expect(Self.events(streamed.body).last?.name == "message_stop")
        }
    }

    @Test("a stream comes back as Anthropic's events, in order, with the text and usage of the answer")
    func stream() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(Self.messagesBody(stream: true), path: "/v1/messages")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/event-stream")
            let events = Self.events(response.body)
            let names = events.map(\.name)
            #expect(names.first == "message_start")
            #expect(Array(names.suffix(3)) == ["content_block_stop", "message_delta", "message_stop"])
            #expect(names.dropFirst(2).dropLast(3).allSatisfy { $0 == "content_block_delta" })
            #expect(events.allSatisfy { $0.data["type"]?.stringValue == $0.name })
            let text = events.compactMap { $0.data["delta"]?["text"]?.stringValue }.joined()
            #expect(!text.isEmpty)
            let delta = try #require(events.first { $0.name == "message_delta" }?.data)
            #expect((delta["usage"]?["output_tokens"]?.intValue ?? 0) > 0)
            // The provider was asked for usage, which the last event carries.
            let upstream = try #require(live.mock.requestLog.requests.last)
            #expect(upstream.body["stream_options"]?["include_usage"] == true)
        }
    }

    @Test("a stream the provider cuts ends with Anthropic's error event")
    func cutStream() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(Self.messagesBody(stream: true), path: "/v1/messages", headers: [("x-mock-fault", "cut-after=3")])
            #expect(response.status == 200)
            let events = Self.events(response.body)
            #expect(events.first?.name == "message_start")
            let last = try #require(events.last)
            #expect(last.name == "error")
            #expect(last.data["error"]?["type"]?.stringValue?.hasSuffix("_error") == true)
            #expect(!events.contains { $0.name == "message_stop" })
        }
    }

    @Test("bad requests and failed calls get Anthropic's error shape with the right status")
    func errors() async throws {
        try await LiveGateway.run { live in
            let cases: [(body: String, headers: [(String, String)], status: Int, type: String)] = [
                ("{not json", [], 400, "invalid_request_error"),
                (#"{"model":"cheap","messages":[{"role":"user","content":"x"}]}"#, [], 400, "invalid_request_error"),
                (Self.messagesBody(model: "no-such-model"), [], 404, "not_found_error"),
                (String(repeating: " ", count: 70 * 1024) + Self.messagesBody(), [], 413, "request_too_large"),
                (Self.messagesBody(), [("x-mock-fault", "429;retry-after=1")], 429, "rate_limit_error"),
            ]
            for (body, headers, status, type) in cases {
                let response = try await live.post(body, path: "/v1/messages", headers: headers)
                #expect(response.status == status, "\(status) \(response.body)")
                #expect(response.json["type"] == "error", "\(response.body)")
                #expect(response.json["error"]?["type"]?.stringValue == type, "\(response.body)")
                #expect(response.json["error"]?["message"]?.stringValue?.isEmpty == false)
                #expect(response.headers["x-switchyard-decision-id"]?.isEmpty == false)
            }
            #expect(try await live.post(#"{"model":"cheap","max_tokens":1,"messages":[]}"#, path: "/v1/messages").json["error"]?["message"]?
                .stringValue?.contains("messages") == true)
            // Every request has its ledger entry, those refused before routing too.
            guard case .sqlite(let path) = live.configuration.storage else { return }
            let store = try SQLiteStore(path: path, readOnly: true)
            let deadline = ContinuousClock.now + .seconds(30)
            while try await store.ledgerCount() < cases.count + 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let entries = try await store.ledgerEntries(since: nil, until: nil, full: false)
            #expect(entries.count == cases.count + 1)
            #expect(Set(entries.map(\.endpoint)) == ["messages"])
            #expect(entries.map(\.status).sorted() == (cases.map(\.status) + [400]).sorted())
        }
    }

    @Test("GET /v1/models answers Anthropic's SDKs in their shape, with the same ids")
    func models() async throws {
        try await LiveGateway.run { live in
            let openAI = try await live.get("/v1/models").json
            let anthropic = try await live.getWithHeaders("/v1/models", headers: [("anthropic-version", "2023-06-01")]).json
            let ids = openAI["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.contains("cheap") && ids.contains("auto"))
            #expect(anthropic["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ids)
            #expect(anthropic["data"]?.arrayValue?.allSatisfy { $0["type"] == "model" && $0["created_at"]?.stringValue != nil } == true)
            #expect(anthropic["has_more"] == false && anthropic["first_id"] == .string(ids[0]))
        }
    }

    @Test("x-api-key is the virtual key: its tenant is booked, a wrong one is refused, and it is never forwarded")
    func apiKey() async throws {
        try await LiveGateway.run(yaml: { port in
            TenancyTests.yaml(mockPort: port).replacingOccurrences(
                of: #"timeout: 5s }"#, with: #"timeout: 5s, forward_headers: ["x-*"] }"#)
        }) { live in
            let served = try await live.post(Self.messagesBody(), path: "/v1/messages", headers: [("x-api-key", TenancyTests.acmeKey)])
            #expect(served.status == 200)
            let upstream = try #require(live.mock.requestLog.requests.last)
            #expect(upstream.headers["x-api-key"] == nil)
            #expect(upstream.headers["authorization"] != "Bearer \(TenancyTests.acmeKey)")

            let refused = try await live.post(Self.messagesBody(), path: "/v1/messages", headers: [("x-api-key", "sy-wrong-key-0123456789abcdef")])
            #expect(refused.status == 401)
            #expect(refused.json["error"]?["type"] == "authentication_error")

            guard case .sqlite(let path) = live.configuration.storage else { return }
            let store = try SQLiteStore(path: path, readOnly: true)
            let deadline = ContinuousClock.now + .seconds(30)
            while try await store.ledgerCount() < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let entries = try await store.ledgerEntries(since: nil, until: nil, full: false)
            #expect(entries.map(\.endpoint) == ["messages", "messages"])
            #expect(entries.first { $0.status == 200 }?.tenant == "acme")
        }
    }
}
