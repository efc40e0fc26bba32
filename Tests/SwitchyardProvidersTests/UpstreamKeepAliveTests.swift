import NIOCore
import NIOHTTP1
import NIOPosix
import SwitchyardCore
import SwitchyardProviders
import Synchronization
import Testing

/// A minimal HTTP/1.1 server on loopback that counts the connections it accepts. By default it
/// answers every request with a fixed JSON body, optionally asking for each connection to be
/// closed; `responder` makes the handler that answers instead.
final class CountingServer: Sendable {
    final class Counter: Sendable {
        let value = Mutex(0)
    }

    let accepted = Counter()
    let channel: any Channel

    convenience init(closeEachConnection: Bool) async throws {
        try await self.init { Responder(closeEachConnection: closeEachConnection) }
    }

    init(responder: @escaping @Sendable () -> any ChannelHandler) async throws {
        let accepted = accepted
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.value.withLock { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(responder())
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
        let closeEachConnection: Bool

        init(closeEachConnection: Bool) { self.closeEachConnection = closeEachConnection }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            let body = ByteBuffer(string: #"{"choices":[]}"#)
            var head = HTTPResponseHead(version: .http1_1, status: .ok)
            head.headers.add(name: "content-type", value: "application/json")
            head.headers.add(name: "content-length", value: String(body.readableBytes))
            if closeEachConnection { head.headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            let close = closeEachConnection
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if close { loopBound.value.close(promise: nil) }
            }
        }
    }
}

@Suite("Upstream keep-alive")
struct UpstreamKeepAliveTests {
    static func call(_ pool: UpstreamConnectionPool) async throws -> UpstreamResponse {
        try await pool.execute(UpstreamConnectionPoolTests.chat(), deadline: UpstreamConnectionPoolTests.soon(), readTimeout: UpstreamConnectionPoolTests.patience, maxBodyBytes: 1 << 20)
    }

    static func pool(_ server: CountingServer, idleTimeout: TimeAmount = .seconds(60)) -> UpstreamConnectionPool {
        UpstreamConnectionPool(configuration: .init(endpoint: UpstreamEndpoint(url: "http://127.0.0.1:\(server.port)/v1")!, idleTimeout: idleTimeout))
    }

    @Test("a keep-alive upstream gets one connection for calls in sequence")
    func keepAlive() async throws {
        let server = try await CountingServer(closeEachConnection: false)
        let pool = Self.pool(server)
        for _ in 0..<4 { #expect(try await Self.call(pool).status == .ok) }
        #expect(server.connections == 1)
        pool.shutdown()
        try await server.stop()
    }

    @Test("an upstream named by host name is resolved, and by address connected to as it is; both keep their connection")
    func hostNameAndAddress() async throws {
        let server = try await CountingServer(closeEachConnection: false)
        for host in ["localhost", "127.0.0.1"] {
            let pool = UpstreamConnectionPool(configuration: .init(endpoint: UpstreamEndpoint(url: "http://\(host):\(server.port)/v1")!))
            for _ in 0..<2 { #expect(try await Self.call(pool).status == .ok) }
            #expect(pool.openConnections == 1)
            pool.shutdown()
        }
        #expect(server.connections == 2)
        try await server.stop()
    }

    @Test("an upstream that answers Connection: close gets a new connection per call, and none is kept")
    func connectionClose() async throws {
        let server = try await CountingServer(closeEachConnection: true)
        let pool = Self.pool(server)
        for _ in 0..<3 { #expect(try await Self.call(pool).status == .ok) }
        #expect(server.connections == 3)
        #expect(pool.openConnections == 0)
        pool.shutdown()
        try await server.stop()
    }

    @Test("a connection idle past idle_timeout is closed and replaced, not reused")
    func idleTimeout() async throws {
        let server = try await CountingServer(closeEachConnection: false)
        let pool = Self.pool(server, idleTimeout: .milliseconds(100))
        #expect(try await Self.call(pool).status == .ok)
        try await Task.sleep(for: .milliseconds(250))
        #expect(try await Self.call(pool).status == .ok)
        #expect(server.connections == 2)
        #expect(pool.openConnections == 1)
        pool.shutdown()
        try await server.stop()
    }
}
