import Logging
import ServiceLifecycle

/// Runs `server` while `body` runs with the port the server reports through `ports`, then shuts
/// the server down gracefully and waits for it to stop: at most `stopWithin`, after which it is
/// cancelled, so that a request left in flight (a simulated provider that hangs on purpose, say)
/// cannot hold a test up. By then the server no longer accepts connections.
///
/// A server that is cancelled rather than shut down can trap in SwiftNIO: a connection it has
/// accepted but not yet handed to a task is dropped with its writer unfinished ("Deinited
/// NIOAsyncWriter without calling finish()", apple/swift-nio#3481). On a loaded machine a client's
/// pool opening a connection just as a test ends is enough. A graceful shutdown stops accepting
/// first, and serves or closes what it accepted.
///
/// The server's own error, if it fails, is thrown once `body` has returned; `body`'s error wins.
public func whileServing<T: Sendable>(
    _ server: some Service, ports: AsyncStream<Int>, logger: Logger, stopWithin: Duration = .seconds(5),
    _ body: (Int) async throws -> T
) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await tasks.next()
            throw ServerDidNotListen()
        }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body(port))
        } catch {
            outcome = .failure(error)
        }
        await group.triggerGracefulShutdown()
        tasks.addTask { try? await Task.sleep(for: stopWithin) }
        do {
            // Whichever comes first: the server stopped, or it is cancelled now.
            try await tasks.next()
        } catch {
            tasks.cancelAll()
            _ = try outcome.get()
            throw error
        }
        tasks.cancelAll()
        return try outcome.get()
    }
}

/// The ports stream ended before the server reported a port.
public struct ServerDidNotListen: Error, CustomStringConvertible {
    public var description: String { "the server stopped before it reported the port it listens on" }
}
