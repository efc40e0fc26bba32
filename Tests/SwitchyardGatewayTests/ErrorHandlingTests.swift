import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
import SwitchyardMock

@Suite("Errors over loopback")
struct ErrorHandlingTests {
    /// (x-mock-fault, expected status, expected error code)
    static let upstreamFaults: [(String, Int, String)] = [
        ("429;retry-after=2", 429, "upstream_rate_limited"),
        ("500", 502, "upstream_server_error"),
        ("503", 502, "upstream_server_error"),
        ("529", 502, "upstream_server_error"),
        ("401", 502, "upstream_authentication_failed"),
        ("400", 400, "invalid_request"),
        ("context-length", 400, "context_length_exceeded"),
        ("hang", 504, "upstream_timeout"),
        ("malformed", 502, "upstream_malformed_response"),
        ("cut-after=2", 502, "upstream_stream_interrupted"),
    ]

    @Test("each simulated provider fault surfaces as the right OpenAI-shaped error", arguments: upstreamFaults)
    func upstreamFault(fault: String, status: Int, code: String) async throws {
        try await LiveGateway.run(configure: { if fault == "hang" { $0.shortTimeout(on: "cheap") } }) { live in
            let response = try await live.post(chatBody(), headers: [("x-mock-fault", fault)])
            #expect(response.status == status, "\(fault): \(response.body)")
            #expect(response.errorCode == code, "\(fault): \(response.body)")
            #expect(response.json["error"]?["message"]?.stringValue?.isEmpty == false)
            #expect(response.json["error"]?["type"]?.stringValue != nil)
            if fault.hasPrefix("429") { #expect(response.headers["retry-after"] == "2") }
        }
    }

    @Test("the same faults on a stream, before the first byte, are HTTP errors", arguments: [("429", 429), ("503", 502), ("error-event=429", 429), ("error-event=500", 502)])
    func streamFaultBeforeFirstByte(fault: String, status: Int) async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(chatBody(stream: true), headers: [("x-mock-fault", fault)])
            #expect(response.status == status, "\(fault): \(response.body)")
            #expect(response.errorCode != nil)
        }
    }

    @Test("a stream cut mid-way ends with an OpenAI error event, not [DONE]")
    func streamCut() async throws {
        // Paced chunks (5 ms apart), so the cut comes after the chunks before it were delivered.
        let paced = MockProfile(defaultModel: MockModelProfile(timeToFirstToken: .zero, tokensPerSecond: 200))
        try await LiveGateway.run(profile: paced) { live in
            let response = try await live.post(chatBody(stream: true), headers: [("x-mock-fault", "cut-after=3")])
            #expect(response.status == 200)
            let events = response.events
            // The chunks sent before the cut (at most 3), then one error event; never [DONE].
            #expect((2...4).contains(events.count), "\(events)")
            #expect(!events.contains("[DONE]"))
            let chunks = events.dropLast().map { (try? JSONParser.parse($0)) ?? .null }
            #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
            let last = try JSONParser.parse(try #require(events.last))
            #expect(last["error"]?["code"] == "upstream_stream_interrupted")
        }
    }

    @Test("malformed JSON is a 400")
    func malformedJSON() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(#"{"model": "cheap", "messages": ["#)
            #expect(response.status == 400)
            #expect(response.errorCode == "invalid_json")
        }
    }

    /// `chunks` as an async sequence: a request body of unknown length.
    static func stream(_ chunks: [ByteBuffer]) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }

    @Test("a body over server.max_body_bytes is a 413, with or without Content-Length")
    func oversizeBody() async throws {
        try await LiveGateway.run { live in
            let big = chatBody(extra: #","padding":""# + String(repeating: "x", count: 70 * 1024) + #"""#)
            let response = try await live.post(big)
            #expect(response.status == 413)
            #expect(response.errorCode == "request_too_large")

            // Chunked, so only the bytes the server collected tell the size.
            var request = HTTPClientRequest(url: live.gatewayURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            let chunks = stride(from: 0, to: big.utf8.count, by: 8 * 1024).map { start in
                ByteBuffer(bytes: Array(big.utf8)[start..<min(start + 8 * 1024, big.utf8.count)])
            }
            request.body = .stream(Self.stream(chunks), length: .unknown)
            let chunked = try await HTTPResult(HTTPClient.shared.execute(request, timeout: .seconds(30)))
            #expect(chunked.status == 413)
            #expect(chunked.errorCode == "request_too_large")
            // Just under the limit (64 KiB here), chunked, it is read and answered.
            let fitting = chatBody(extra: #","padding":""# + String(repeating: "x", count: 60 * 1024) + #"""#)
            request.body = .stream(Self.stream([ByteBuffer(string: fitting)]), length: .unknown)
            let answered = try await HTTPResult(HTTPClient.shared.execute(request, timeout: .seconds(30)))
            #expect(answered.status == 200)
        }
    }

    @Test("a compressed body is a 415 naming its encoding, not a JSON error")
    func compressedBody() async throws {
        try await LiveGateway.run { live in
            for path in ["/v1/chat/completions", "/v1/messages", "/v1/embeddings"] {
                let response = try await live.post(chatBody(), path: path, headers: [("content-encoding", "gzip")])
                #expect(response.status == 415, "\(path): \(response.body)")
                #expect(response.json["error"]?["message"]?.stringValue?.contains("Content-Encoding: gzip") == true, "\(response.body)")
                if path == "/v1/messages" {
                    #expect(response.json["error"]?["type"]?.stringValue == "invalid_request_error", "Anthropic's shape")
                } else {
                    #expect(response.errorCode == "unsupported_content_encoding")
                }
            }
            #expect(try await live.post(chatBody(), headers: [("content-encoding", "identity")]).status == 200)
        }
    }

    @Test("an unknown model is a 404 listing the available ones")
    func unknownModel() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(chatBody(model: "gpt-17"))
            #expect(response.status == 404)
            #expect(response.errorCode == "model_not_found")
            #expect(response.json["error"]?["message"]?.stringValue?.contains("cheap") == true)
            #expect(live.mock.requestLog.requests.isEmpty)
        }
    }

    @Test("invalid fields are a 400 naming the field, and nothing is sent upstream")
    func invalidField() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(#"{"model":"cheap","messages":[{"role":"user","content":"x"}],"max_tokens":-3}"#)
            #expect(response.status == 400)
            #expect(response.json["error"]?["param"] == "max_tokens")
            #expect(live.mock.requestLog.requests.isEmpty)
        }
    }

    @Test("unknown paths and methods get JSON errors")
    func unknownRoute() async throws {
        try await LiveGateway.run { live in
            let missing = try await live.get("/v1/nothing-here")
            #expect(missing.status == 404)
            #expect(missing.errorCode == "unknown_url")
            let wrongMethod = try await live.get("/v1/chat/completions")
            #expect([404, 405].contains(wrongMethod.status))
            #expect(wrongMethod.errorCode != nil)
        }
    }

    @Test("chat requests answer alike with or without the router: a query string, a trailing slash, errors")
    func chatWithAndWithoutTheRouter() async throws {
        try await LiveGateway.run { live in
            // The exact path skips the router; with a query string the router routes it.
            for path in ["/v1/chat/completions", "/v1/chat/completions?trace=1"] {
                let response = try await live.post(chatBody(), path: path)
                #expect(response.status == 200, "\(path)")
                #expect(response.headers["x-switchyard-model"] == "cheap", "\(path)")
                let invalid = try await live.post(#"{"model":"cheap"}"#, path: path)
                #expect(invalid.status == 400, "\(path)")
                #expect(invalid.json["error"]?["param"] == "messages", "\(path)")
                #expect(invalid.headers["x-switchyard-decision-id"] != nil, "\(path): errors name their decision")
            }
            let other = try await live.post(chatBody(), path: "/v1/chat/completion")
            #expect(other.status == 404)
            #expect(other.errorCode == "unknown_url")
        }
    }

    @Test("an unreachable provider is a 502")
    func unreachableProvider() async throws {
        try await LiveGateway.run(configure: { configuration in
            configuration.providers[0].baseURL = "http://127.0.0.1:9/v1"
        }) { live in
            let response = try await live.post(chatBody())
            #expect(response.status == 502)
            #expect(response.errorCode == "upstream_unreachable")
        }
    }
}
