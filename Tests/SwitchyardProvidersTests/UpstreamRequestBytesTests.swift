import NIOCore
import NIOHTTP1
import NIOPosix
import SwitchyardCore
@testable import SwitchyardProviders
import Synchronization
import Testing

/// Answers every request with `{}` and keeps what it received: each request's head and body.
final class RecordingResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    struct Received: Sendable {
        var head: HTTPRequestHead
        var body: String
    }

    /// What every responder of one server received, in order.
    final class Log: Sendable {
        let value = Mutex<[Received]>([])
    }

    let log: Log

    init(into log: Log) { self.log = log }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            log.value.withLock { $0.append(Received(head: head, body: "")) }
        case .body(let bytes):
            log.value.withLock { $0[$0.count - 1].body += String(buffer: bytes) }
        case .end:
            var head = HTTPResponseHead(version: .http1_1, status: .ok)
            head.headers.add(name: "content-length", value: "2")
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "{}")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

@Suite("Upstream request bytes")
struct UpstreamRequestBytesTests {
    /// A server on loopback that records the requests it gets, and a pool to it.
    static func withRecordingServer(_ body: (UpstreamConnectionPool, () -> [RecordingResponder.Received]) async throws -> Void) async throws {
        let log = RecordingResponder.Log()
        let server = try await CountingServer { RecordingResponder(into: log) }
        let pool = UpstreamConnectionPool(configuration: .init(endpoint: UpstreamEndpoint(url: "http://127.0.0.1:\(server.port)/v1")!))
        try await body(pool) { log.value.withLock { $0 } }
        pool.shutdown()
        try await server.stop()
    }

    static func send(_ request: UpstreamRequest, to pool: UpstreamConnectionPool) async throws -> UpstreamResponse {
        try await pool.execute(request, deadline: UpstreamConnectionPoolTests.soon(), readTimeout: UpstreamConnectionPoolTests.patience, maxBodyBytes: 1 << 20)
    }

    @Test("the upstream gets the caller's headers and body, with host and content-length set by the connection and the caller's framing headers left out")
    func headersAndFraming() async throws {
        try await Self.withRecordingServer { pool, received in
            let body = #"{"model":"sim-light","messages":[{"role":"user","content":"Say \"hello\"."}]}"#
            let headers: HTTPHeaders = [
                "Content-Type": "application/json", "Authorization": "Bearer sk-test", "X-Trace": "a b, c",
                "Host": "elsewhere.example", "Content-Length": "3", "CONNECTION": "close", "Transfer-Encoding": "chunked",
            ]
            let request = UpstreamRequest(path: "/v1/chat/completions?api-version=2024-06-01", headers: headers, body: ByteBuffer(string: body))
            #expect(try await Self.send(request, to: pool).status == .ok)
            // The same connection carries the next request: nothing the caller said closed it.
            #expect(try await Self.send(request, to: pool).status == .ok)
            #expect(pool.openConnections == 1)

            let requests = received()
            try #require(requests.count == 2)
            let head = requests[0].head
            #expect(head.method == .POST)
            #expect(head.uri == "/v1/chat/completions?api-version=2024-06-01")
            #expect(head.version == .http1_1)
            #expect(head.headers["content-type"] == ["application/json"])
            #expect(head.headers["authorization"] == ["Bearer sk-test"])
            #expect(head.headers["x-trace"] == ["a b, c"])
            #expect(head.headers["host"] == ["127.0.0.1:\(pool.configuration.endpoint.port)"])
            #expect(head.headers["content-length"] == [String(body.utf8.count)])
            #expect(head.headers["connection"].isEmpty)
            #expect(head.headers["transfer-encoding"].isEmpty)
            #expect(requests[0].body == body)
            #expect(requests[1].body == body)
        }
    }

    @Test("a header value with a line break or a name that is not a token fails the call before anything is sent, and the connection stays usable")
    func unsendableHeaders() async throws {
        try await Self.withRecordingServer { pool, received in
            let good = UpstreamConnectionPoolTests.chat()
            #expect(try await Self.send(good, to: pool).status == .ok)
            for (name, value) in [("x-note", "one\r\nx-injected: 1"), ("x-note", "nul\u{0}"), ("x note", "space in the name"), ("", "empty name")] {
                var bad = good
                bad.headers.add(name: name, value: value)
                do {
                    _ = try await Self.send(bad, to: pool)
                } catch let error as UpstreamError {
                    guard case .invalidRequest(let reason) = error else {
                        Issue.record("expected invalidRequest, got \(error)")
                        continue
                    }
                    #expect(reason.contains("header"))
                    continue
                }
                Issue.record("the header \(name.debugDescription): \(value.debugDescription) was sent")
            }
            var badTarget = good
            badTarget.path = "/v1/chat completions"
            await #expect(throws: UpstreamError.invalidRequest("the request target \"/v1/chat completions\" has a space or a control character")) {
                try await Self.send(badTarget, to: pool)
            }
            #expect(try await Self.send(good, to: pool).status == .ok)
            #expect(received().count == 2)
            #expect(received().allSatisfy { $0.head.headers["x-injected"].isEmpty })
            #expect(pool.openConnections == 1)
        }
    }

    @Test("ASCII case is ignored when the connection's own headers are left out, and only for those")
    func managedHeaderNames() {
        for name in ["host", "HOST", "Content-Length", "connection", "Transfer-ENCODING"] {
            #expect(UpstreamRequest.isManaged(name), "\(name)")
        }
        for name in ["hosts", "content-type", "x-connection", "keep-alive", "", "höst"] {
            #expect(!UpstreamRequest.isManaged(name), "\(name)")
        }
    }
}
