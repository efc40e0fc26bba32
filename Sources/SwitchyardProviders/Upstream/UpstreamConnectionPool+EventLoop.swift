import NIOCore
import Synchronization

extension UpstreamConnectionPool {
    /// ``execute(_:deadline:readTimeout:maxBodyBytes:)`` for callers that live on an event loop
    /// (a SwiftNIO channel handler): no task is created and, while a connection is free or can be
    /// opened, nothing leaves the event loops. A new connection is opened on `eventLoop`, so a
    /// caller's exchanges tend to stay on its own thread. Only a caller that must wait for a
    /// connection (the pool is at ``Configuration/maxConnections``) goes through a task.
    public func execute(
        _ request: UpstreamRequest, deadline: NIODeadline, readTimeout: TimeAmount, maxBodyBytes: Int, on eventLoop: any EventLoop
    ) -> EventLoopFuture<UpstreamResponse> {
        var discarded: [UpstreamConnection] = []
        let decision = state.withLock { decide(&$0, discarding: &discarded) }
        for connection in discarded { connection.channel.close(promise: nil) }
        let promise = eventLoop.makePromise(of: UpstreamResponse.self)
        let mode = UpstreamConnection.Mode.buffered(promise, limit: maxBodyBytes)
        switch decision {
        case .fail(let error):
            promise.fail(error)
        case .lease(.connection(let connection)):
            connection.start(request, mode: mode, deadline: deadline, readTimeout: readTimeout)
        case .lease(.connect):
            connect(deadline: deadline, on: eventLoop).whenComplete { result in
                switch result {
                case .success(let connection):
                    connection.start(request, mode: mode, deadline: deadline, readTimeout: readTimeout)
                case .failure(let error):
                    self.release(nil, reusable: false)
                    promise.fail(error)
                }
            }
        case .wait:
            promise.completeWithTask {
                try await self.execute(request, deadline: deadline, readTimeout: readTimeout, maxBodyBytes: maxBodyBytes)
            }
        }
        return promise.futureResult
    }
}
