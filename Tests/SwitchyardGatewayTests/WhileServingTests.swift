import Foundation
import Hummingbird
import Logging
import SwitchyardTestSupport
import Testing

/// ``whileServing(_:ports:logger:stopWithin:_:)``, which every server test runs its servers with.
@Suite("Test servers stop without trapping")
struct WhileServingTests {
    /// Connections arriving as a server stops: a server cancelled at such a moment traps in
    /// SwiftNIO ("Deinited NIOAsyncWriter without calling finish()") within a few dozen rounds,
    /// taking the whole test process with it; one shut down gracefully does not.
    @Test("a server stopped while connections arrive stops cleanly, round after round")
    func connectionsArrivingAsTheServerStops() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        for _ in 0..<100 {
            let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
            let router = Router()
            router.get("/") { _, _ in "ok" }
            let app = Application(
                router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: logger)
            let answered = try await whileServing(app, ports: ports, logger: logger) { port in
                // Connections opened and dropped from another thread until after the stop.
                let until = Date().addingTimeInterval(0.05)
                Thread { while Date() < until { _ = try? RawConnection(port: port) } }.start()
                try await Task.sleep(for: .milliseconds(20))
                return true
            }
            #expect(answered)
        }
    }
}
