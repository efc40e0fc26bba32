import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SwitchyardCore
import SwitchyardMock
@testable import SwitchyardProviders
import SwitchyardTestSupport
import Testing

@Suite("Upstream connection pool over loopback")
struct UpstreamConnectionPoolTests {
    /// Runs `body` with a mock provider on a free loopback port (its profile is `profile`).
    static func withMock<T: Sendable>(profile: MockProfile = .instant, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let mock = MockProvider(profile: profile)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = mock.buildApplication(port: 0, logger: logger) { sink.yield($0) }
        return try await whileServing(app, ports: ports, logger: logger, body)
    }

    static func pool(port: Int, maxConnections: Int = 8) -> UpstreamConnectionPool {
        UpstreamConnectionPool(configuration: .init(endpoint: UpstreamEndpoint(url: "http://127.0.0.1:\(port)/v1")!, maxConnections: maxConnections))
    }

    static func chat(stream: Bool = false, fault: String? = nil) -> UpstreamRequest {
        var headers: HTTPHeaders = ["content-type": "application/json"]
        if let fault { headers.add(name: "x-mock-fault", value: fault) }
        let body = #"{"model":"sim-light","stream":\#(stream),"messages":[{"role":"user","content":"Say hello."}]}"#
        return UpstreamRequest(path: "/v1/chat/completions", headers: headers, body: ByteBuffer(string: body))
    }

    /// A deadline that only a hang reaches: these tests are not about deadlines, and a machine busy
    /// with the whole suite (or two) can hold a 20 ms answer up for seconds.
    static func soon(_ seconds: Int64 = 60) -> NIODeadline { .now() + .seconds(seconds) }

    /// A read timeout that only a hang reaches, for the same reason. The time a test stands still
    /// is real: Swift Testing runs every test on the cooperative pool, which has a thread per core,
    /// and a test that computes for seconds holds one of them; a caller's task can then wait that
    /// long to take the next step after its deadline was set.
    static let patience: TimeAmount = .seconds(60)

    /// Polls `condition` for up to two seconds (connections return to the pool on their loop).
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("a buffered call returns the provider's answer, and one connection serves calls in sequence")
    func bufferedReuse() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port)
            defer { pool.shutdown() }
            for _ in 0..<5 {
                let response = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20)
                #expect(response.status == .ok)
                let json = try JSONParser.parse(Array(buffer: response.body))
                #expect(json["choices"]?.arrayValue?.isEmpty == false)
            }
            #expect(pool.openConnections == 1)
            #expect(pool.idleConnections == 1)
        }
    }

    @Test("calls beyond max_connections wait for a connection instead of failing")
    func waitsForConnection() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port, maxConnections: 2)
            defer { pool.shutdown() }
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await pool.execute(Self.chat(fault: "delay=20"), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20).status.code
                    }
                }
                return try await group.reduce(into: [UInt]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 12))
            #expect(pool.openConnections <= 2)
        }
    }

    @Test("a hanging provider fails at the deadline and its connection is closed, not reused")
    func deadline() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port)
            defer { pool.shutdown() }
            let started = ContinuousClock.now
            await #expect(throws: UpstreamError.deadlineExceeded) {
                _ = try await pool.execute(Self.chat(fault: "hang"), deadline: .now() + .milliseconds(200), readTimeout: .seconds(120), maxBodyBytes: 1 << 20)
            }
            // Far from the read timeout; the bound leaves room for a busy machine.
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(pool.openConnections == 0)
        }
    }

    @Test("a reused connection times out at its new exchange's deadline, earlier than the last one's")
    func deadlineOnAReusedConnection() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port)
            defer { pool.shutdown() }
            // The first exchange leaves the connection's timer due in two minutes.
            let first = try await pool.execute(Self.chat(), deadline: Self.soon(120), readTimeout: .seconds(120), maxBodyBytes: 1 << 20)
            #expect(first.status == .ok)
            #expect(pool.openConnections == 1)
            let started = ContinuousClock.now
            await #expect(throws: UpstreamError.deadlineExceeded) {
                _ = try await pool.execute(Self.chat(fault: "hang"), deadline: .now() + .milliseconds(200), readTimeout: .seconds(120), maxBodyBytes: 1 << 20)
            }
            #expect(ContinuousClock.now - started < .seconds(60))
            // And a later exchange on a new connection still answers.
            let third = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20)
            #expect(third.status == .ok)
        }
    }

    @Test("silence longer than the read timeout fails the call")
    func readTimeout() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port)
            defer { pool.shutdown() }
            await #expect(throws: UpstreamError.readTimeout) {
                _ = try await pool.execute(Self.chat(fault: "hang"), deadline: Self.soon(), readTimeout: .milliseconds(150), maxBodyBytes: 1 << 20)
            }
        }
    }

    @Test("a refused connection fails at once and frees its slot")
    func refused() async throws {
        // The discard port, on which nothing listens: a port just freed by this test could be
        // taken at once by another test's server (both come from the ephemeral range).
        let pool = Self.pool(port: 9, maxConnections: 1)
        defer { pool.shutdown() }
        for _ in 0..<2 {
            do {
                _ = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20)
                Issue.record("a refused connection answered")
            } catch {
                guard case .connectFailed = error else { Issue.record("expected connectFailed, got \(error)"); continue }
            }
        }
        #expect(pool.openConnections == 0)
    }

    @Test("a body over the caller's limit fails instead of growing")
    func bodyLimit() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port)
            defer { pool.shutdown() }
            await #expect(throws: UpstreamError.bodyTooLarge(limit: 16)) {
                _ = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 16)
            }
        }
    }

    @Test("a stream arrives whole and in order, then its connection goes back to the pool")
    func streamWhole() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port)
            defer { pool.shutdown() }
            let response = try await pool.stream(Self.chat(stream: true), deadline: Self.soon(), readTimeout: Self.patience)
            #expect(response.status == .ok)
            var text = ""
            for try await buffer in response.body { text += String(buffer: buffer) }
            #expect(text.hasPrefix("data: {"))
            #expect(text.hasSuffix("data: [DONE]\n\n"))
            #expect(try await Self.eventually { pool.idleConnections == 1 })
        }
    }

    @Test("dropping a stream before its end closes the connection")
    func streamDropped() async throws {
        let paced = MockProfile(defaultModel: MockModelProfile(timeToFirstToken: .zero, tokensPerSecond: 20, outputTokens: 40))
        try await Self.withMock(profile: paced) { port in
            let pool = Self.pool(port: port)
            defer { pool.shutdown() }
            do {
                let response = try await pool.stream(Self.chat(stream: true), deadline: Self.soon(), readTimeout: Self.patience)
                var iterator = response.body.makeAsyncIterator()
                #expect(try await iterator.next() != nil)
            }
            #expect(try await Self.eventually { pool.openConnections == 0 })
        }
    }

    @Test("the event-loop API answers on the caller's loop, opens connections there, and queues past the limit")
    func eventLoopAPI() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port, maxConnections: 1)
            defer { pool.shutdown() }
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let futures = (0..<4).map { _ in
                pool.execute(Self.chat(fault: "delay=10"), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20, on: loop)
            }
            for future in futures {
                #expect(future.eventLoop === loop)
                let response = try await future.get()
                #expect(response.status == .ok)
            }
            #expect(pool.openConnections == 1)
        }
    }

    @Test("a caller on an event loop gets the idle connection on its own loop, not the newest")
    func callersLoopIsPreferred() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port, maxConnections: 4)
            defer { pool.shutdown() }
            let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
            try #require(loops.count >= 2)
            let (first, second) = (loops[0], loops[1])
            // One connection on each loop, the second loop's idle last, so it is the newest idle.
            // (With none idle on its loop and the limit not reached, a caller opens one there.)
            _ = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20, on: first).get()
            #expect(try await Self.eventually { pool.idleConnections == 1 })
            _ = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20, on: second).get()
            #expect(try await Self.eventually { pool.idleConnections == 2 })
            #expect(pool.idleConnectionLoops == [ObjectIdentifier(first), ObjectIdentifier(second)])
            // A call from the first loop takes the first loop's connection, leaving the newest.
            let call = pool.execute(Self.chat(fault: "delay=200"), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20, on: first)
            #expect(pool.idleConnectionLoops == [ObjectIdentifier(second)])
            _ = try await call.get()
            #expect(pool.openConnections == 2)
        }
    }

    @Test("with none idle on its loop, a caller opens one there while the limit allows, and borrows another loop's at the limit")
    func callersLoopGetsItsOwnConnection() async throws {
        try await Self.withMock { port in
            let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
            try #require(loops.count >= 2)
            let (first, second) = (loops[0], loops[1])
            for limit in [2, 1] {
                let pool = Self.pool(port: port, maxConnections: limit)
                defer { pool.shutdown() }
                _ = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20, on: second).get()
                #expect(try await Self.eventually { pool.idleConnections == 1 })
                _ = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20, on: first).get()
                #expect(try await Self.eventually { pool.idleConnections == limit })
                #expect(pool.openConnections == limit, "limit \(limit)")
                #expect(Set(pool.idleConnectionLoops) == Set((limit == 2 ? [first, second] : [second]).map { ObjectIdentifier($0) }))
            }
        }
    }

    @Test("after shutdown, calls fail with shutDown")
    func shutdown() async throws {
        try await Self.withMock { port in
            let pool = Self.pool(port: port)
            _ = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20)
            pool.shutdown()
            #expect(pool.openConnections == 0)
            await #expect(throws: UpstreamError.shutDown) {
                _ = try await pool.execute(Self.chat(), deadline: Self.soon(), readTimeout: Self.patience, maxBodyBytes: 1 << 20)
            }
        }
    }
}
