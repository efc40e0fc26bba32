import AsyncHTTPClient
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@testable import SwitchyardGateway
import SwitchyardTestSupport

@Suite("Requests served on their connection's event loop")
struct EventLoopBoundServerTests {
    /// Serves `GET /where` with `server` and answers where the handler ran: "loop" or "pool",
    /// before and after an await that resumes from another thread (a sleep's timer).
    func whereHandlersRun(server: HTTPServerBuilder, path: String = "/where") async throws -> String {
        let router = Router()
        router.get("/where") { _, _ -> String in
            let before = Self.place()
            try await Task.sleep(for: .milliseconds(2))
            return "\(before),\(Self.place())"
        }
        router.get("/away") { _, _ -> String in
            let before = Self.place()
            let away = await awayFromEventLoop { Self.place() }
            return "\(before),\(away),\(Self.place())"
        }
        router.get("/away-from-nonsending") { _, _ -> String in
            await Self.placesAroundAwayFromEventLoop()
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, server: server, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: logger)
        return try await whileServing(app, ports: ports, logger: logger) { port in
            // Generous: two of these handlers need Swift's shared threads, which tests busy with
            // CPU can hold for seconds.
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(60))
            #expect(response.status == .ok)
            return String(buffer: try await response.body.collect(upTo: 1024))
        }
    }

    /// Where a `nonisolated(nonsending)` function (as the gateway's handlers are) runs before,
    /// during and after ``awayFromEventLoop(if:_:)``: such a caller does not hop back itself.
    nonisolated(nonsending) static func placesAroundAwayFromEventLoop() async -> String {
        let before = place()
        let away = await awayFromEventLoop { place() }
        return "\(before),\(away),\(place())"
    }

    static func place() -> String {
        MultiThreadedEventLoopGroup.currentEventLoop == nil ? "pool" : "loop"
    }

    @Test("CPU-heavy work can leave the loop and the handler comes back to it")
    func heavyWorkRunsAwayFromTheLoop() async throws {
        #expect(try await whereHandlersRun(server: .http1OnEventLoop(), path: "/away") == "loop,pool,loop")
        // Also for a caller that does not hop back after an await by itself.
        #expect(try await whereHandlersRun(server: .http1OnEventLoop(), path: "/away-from-nonsending") == "loop,pool,loop")
    }

    @Test("the event-loop server runs handlers on the loop, before and after an await")
    func handlersRunOnTheLoop() async throws {
        #expect(try await whereHandlersRun(server: .http1OnEventLoop()) == "loop,loop")
    }

    @Test("Hummingbird's own server runs them on Swift's global executor (what the event-loop server avoids)")
    func defaultServerHops() async throws {
        #expect(try await whereHandlersRun(server: .http1()) == "pool,pool")
    }
}
