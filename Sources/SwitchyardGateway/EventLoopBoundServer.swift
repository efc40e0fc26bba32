import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// A Swift task executor that runs every job on one SwiftNIO event loop.
///
/// A connection's task that prefers this executor runs on the thread that does the
/// connection's I/O: reading the request, awaiting the upstream's answer and writing the
/// response no longer hop between the event loop and Swift's global pool of threads.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop that runs the jobs.
    public let eventLoop: any EventLoop

    /// An executor for the jobs of tasks that prefer `eventLoop`.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the event loop, after the work already queued there.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

/// Serves each connection from a task that runs on the connection's own event loop (see
/// ``EventLoopTaskExecutor``); setting up the channel is left to `Base`.
public struct EventLoopBoundChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value

    let base: Base

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger)
    }

    public func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await base.handle(value: value, logger: logger)
        }
    }
}

/// Runs `work` where it is, or, when `heavy`, on Swift's global executor and comes back: for
/// CPU-heavy work (an embedding model's forward pass), so the event loop serving the connection
/// stays free for the I/O of the other connections it serves.
func awayFromEventLoop<T, Failure: Error>(if heavy: Bool = true, _ work: () throws(Failure) -> T) async throws(Failure) -> T {
    guard heavy else { return try work() }
    return try await withTaskExecutorPreference(globalConcurrentExecutor) { () async throws(Failure) -> T in
        try work()
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 as ``http1(configuration:)`` builds it, with each connection served on its own
    /// event loop (see ``EventLoopTaskExecutor``).
    public static func http1OnEventLoop(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in
            EventLoopBoundChildChannel(base: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
