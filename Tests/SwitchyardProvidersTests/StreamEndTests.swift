import NIOCore
import NIOHTTP1
import NIOPosix
import SwitchyardCore
@testable import SwitchyardProviders
import Synchronization
import Testing

/// Holds back the end of every response until ``open()`` (for ever, if it is never called).
final class EndGate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiting: [@Sendable () -> Void])>((false, []))

    /// Runs `action` once the gate is open (at once if it is).
    func whenOpen(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.isOpen { return true }
            state.waiting.append(action)
            return false
        }
        if now { action() }
    }

    func open() {
        let waiting = state.withLock { state -> [@Sendable () -> Void] in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for action in waiting { action() }
    }
}

/// Answers with two events and `data: [DONE]` at once, and ends the chunked body only once its
/// gate opens. Served by a ``CountingServer``.
final class LateEndResponder: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let gate: EndGate

    init(gate: EndGate) { self.gate = gate }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "content-type", value: "text/event-stream")
        head.headers.add(name: "transfer-encoding", value: "chunked")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let events = #"data: {"choices":[{"index":0,"delta":{"content":"a"}}]}"# + "\n\n"
            + #"data: {"choices":[{"index":0,"delta":{"content":"b"}}]}"# + "\n\n" + "data: [DONE]\n\n"
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: events)))), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        gate.whenOpen {
            eventLoop.execute { loopBound.value.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil) }
        }
    }
}

/// What happens between a provider's `data: [DONE]` and the end of its HTTP body.
@Suite("Stream end")
struct StreamEndTests {
    static func pool(_ server: CountingServer) -> UpstreamConnectionPool {
        UpstreamConnectionPool(configuration: .init(endpoint: UpstreamEndpoint(url: "http://127.0.0.1:\(server.port)/v1")!))
    }

    /// Opens a stream on `pool` and reads it to its end marker.
    static func readToDone(_ pool: UpstreamConnectionPool, endGrace: TimeAmount = .milliseconds(100), readTimeout: TimeAmount = UpstreamConnectionPoolTests.patience) async throws -> OpenAIEventStream {
        let response = try await pool.stream(UpstreamConnectionPoolTests.chat(stream: true), deadline: .now() + readTimeout, readTimeout: readTimeout)
        var stream = OpenAIEventStream(body: response.body, endGrace: endGrace)
        var chunks = 0
        while try await stream.next() != nil { chunks += 1 }
        #expect(chunks == 2)
        return stream
    }

    @Test("a body that ends after [DONE] is awaited, and the next stream reuses its connection")
    func lateEnd() async throws {
        let gate = EndGate()
        let server = try await CountingServer { LateEndResponder(gate: gate) }
        let pool = Self.pool(server)
        let stream = try await Self.readToDone(pool, endGrace: .seconds(30))
        #expect(!stream.providerResponseEnded)
        #expect(pool.idleConnections == 0)
        // The wait starts before the end is sent; what the pool holds is read the moment it returns.
        let waiting = Task { [stream] in
            var stream = stream
            await stream.awaitProviderResponseEnd()
            return (stream.providerResponseEnded, pool.idleConnections)
        }
        try await Task.sleep(for: .milliseconds(50))
        gate.open()
        let (ended, idle) = await waiting.value
        #expect(ended)
        #expect(idle == 1)

        var second = try await Self.readToDone(pool)
        await second.awaitProviderResponseEnd()
        #expect(server.connections == 1)
        pool.shutdown()
        try await server.stop()
    }

    @Test("a body that never ends after [DONE] is given up after the grace, and its connection closed")
    func neverEnds() async throws {
        let server = try await CountingServer { LateEndResponder(gate: EndGate()) }
        let pool = Self.pool(server)
        var stream = try await Self.readToDone(pool, readTimeout: .seconds(120))
        let started = ContinuousClock.now
        await stream.awaitProviderResponseEnd()
        // Ended by the 100 ms grace, not the call's 120 s read timeout (the bound leaves room
        // for a busy machine), and the connection is not kept.
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(try await UpstreamConnectionPoolTests.eventually { pool.openConnections == 0 })
        pool.shutdown()
        try await server.stop()
    }
}
