import NIOCore
import NIOHTTP1
import NIOPosix
import SwitchyardCore
@testable import SwitchyardProviders
import Synchronization
import Testing

/// An upstream that streams two events and `data: [DONE]` at once, and ends its chunked body
/// only `endDelay` later (never, when `nil`); it counts the connections it accepts.
final class LateEndServer: Sendable {
    let accepted = CountingServer.Counter()
    let channel: any Channel

    init(endDelay: TimeAmount?) async throws {
        let accepted = accepted
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.value.withLock { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(endDelay: endDelay))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var port: Int { channel.localAddress?.port ?? 0 }
    var connections: Int { accepted.value.withLock { $0 } }

    func stop() async throws { try await channel.close() }

    final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let endDelay: TimeAmount?

        init(endDelay: TimeAmount?) { self.endDelay = endDelay }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            var head = HTTPResponseHead(version: .http1_1, status: .ok)
            head.headers.add(name: "content-type", value: "text/event-stream")
            head.headers.add(name: "transfer-encoding", value: "chunked")
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            let events = #"data: {"choices":[{"index":0,"delta":{"content":"a"}}]}"# + "\n\n"
                + #"data: {"choices":[{"index":0,"delta":{"content":"b"}}]}"# + "\n\n" + "data: [DONE]\n\n"
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: events)))), promise: nil)
            guard let endDelay else { return }
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: endDelay) {
                loopBound.value.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

/// What happens between a provider's `data: [DONE]` and the end of its HTTP body.
@Suite("Stream end")
struct StreamEndTests {
    static func pool(_ server: LateEndServer) -> UpstreamConnectionPool {
        UpstreamConnectionPool(configuration: .init(endpoint: UpstreamEndpoint(url: "http://127.0.0.1:\(server.port)/v1")!))
    }

    /// Opens a stream on `pool` and reads it to its end marker.
    static func readToDone(_ pool: UpstreamConnectionPool) async throws -> OpenAIEventStream {
        let response = try await pool.stream(UpstreamConnectionPoolTests.chat(stream: true), deadline: .now() + .seconds(10), readTimeout: .seconds(10))
        var stream = OpenAIEventStream(body: response.body)
        var chunks = 0
        while try await stream.next() != nil { chunks += 1 }
        #expect(chunks == 2)
        return stream
    }

    @Test("a body that ends after [DONE] is awaited, and the next stream reuses its connection")
    func lateEnd() async throws {
        let server = try await LateEndServer(endDelay: .milliseconds(30))
        let pool = Self.pool(server)
        var stream = try await Self.readToDone(pool)
        #expect(!stream.providerResponseEnded)
        #expect(pool.idleConnections == 0)
        await stream.awaitProviderResponseEnd()
        #expect(stream.providerResponseEnded)
        #expect(pool.idleConnections == 1)

        var second = try await Self.readToDone(pool)
        await second.awaitProviderResponseEnd()
        #expect(server.connections == 1)
        pool.shutdown()
        try await server.stop()
    }

    @Test("a body that never ends after [DONE] is given up after the grace, and its connection closed")
    func neverEnds() async throws {
        let server = try await LateEndServer(endDelay: nil)
        let pool = Self.pool(server)
        var stream = try await Self.readToDone(pool)
        let started = ContinuousClock.now
        await stream.awaitProviderResponseEnd()
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(90))
        #expect(waited < .seconds(5))
        #expect(try await UpstreamConnectionPoolTests.eventually { pool.openConnections == 0 })
        pool.shutdown()
        try await server.stop()
    }
}
