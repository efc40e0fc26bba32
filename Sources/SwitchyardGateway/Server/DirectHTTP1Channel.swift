import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// HTTP/1.1 connections whose requests go straight from a SwiftNIO channel handler to a
/// Hummingbird responder: no `NIOAsyncChannel` between the socket and the router.
///
/// Hummingbird's own ``HTTP1Channel`` reads each connection through a `NIOAsyncChannel`: every
/// request part passes an async sequence's state machine, and every response part an async
/// writer's and four more channel handlers (type conversion, error handling, pipelining, the
/// encoder). Here SwiftNIO's HTTP/1 decoder hands the request's parts to a
/// ``DirectHTTP1Handler``, which collects them on the connection's event loop and hands them,
/// one at a time, to the connection's serving task, which prefers that same loop as its
/// executor; the task writes the response's bytes straight to the socket, a plain answer as one
/// buffer.
///
/// What it keeps from Hummingbird: the router, middleware, `Request`/`Response`, the request
/// context and its request id (`hb.request.id`), the server's bind and graceful shutdown
/// (connections finish the request in flight and close). The handler does what the NIO
/// handlers it replaces did: pipelined requests are answered in order, keep-alive follows the
/// request (`Connection`, HTTP/1.0), a malformed request gets `400` and the connection closes.
public struct DirectHTTP1Channel: ServerChildChannel {
    /// A connection being served.
    public struct Connection: ServerChildChannelValue {
        public let channel: any Channel
    }

    /// Answers one request whose whole body the server collected, on the connection `channel`;
    /// `logger` is the request's (with its `hb.request.id`). Made from the responder, which it
    /// calls with the request context built from the channel and the logger.
    public typealias Answering = @Sendable (
        _ request: Request, _ collectedBody: ByteBuffer, _ channel: any Channel, _ logger: Logger
    ) async throws -> Response

    let answer: Answering
    let limits: DirectHTTP1Handler.Limits
    let serverName: String?
    let logger: Logger

    /// - Parameters:
    ///   - responder: Answers every request (the gateway's router).
    ///   - maxBodyBytes: The most request body kept; the bytes after it are read and dropped, so a
    ///     route that reads more than its own (lower or equal) limit sees a body over it and answers `413`.
    ///   - serverName: The `Server` header's value, if any.
    ///   - logger: Each request's logger is this one plus Hummingbird's `hb.request.id`.
    public init<Responder: CollectedBodyResponder>(responder: Responder, maxBodyBytes: Int, serverName: String?, logger: Logger)
    where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
        self.answer = { request, collectedBody, channel, logger in
            let context = Responder.Context(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            return try await responder.respond(to: request, collectedBody: collectedBody, context: context)
        }
        self.limits = .init(maxBodyBytes: maxBodyBytes)
        self.serverName = serverName
        self.logger = logger
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            try channel.pipeline.syncOperations.addHandler(
                DirectHTTP1Handler(answer: answer, limits: limits, serverName: serverName, logger: self.logger))
            return Connection(channel: channel)
        }
    }

    /// Waits until the connection closes; the requests are served by the channel's handler.
    public func handle(value: Connection, logger: Logger) async {
        await withTaskCancellationHandler {
            try? await value.channel.closeFuture.get()
        } onCancel: {
            value.channel.close(mode: .input, promise: nil)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 served by ``DirectHTTP1Channel`` with `responder`, in place of the responder
    /// the application would hand over (which writes through Hummingbird's `ResponseWriter`).
    public static func directHTTP1<Responder: CollectedBodyResponder>(
        responder: Responder, maxBodyBytes: Int, serverName: String?, logger: Logger
    ) -> HTTPServerBuilder
    where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
        .init { _ in
            DirectHTTP1Channel(responder: responder, maxBodyBytes: maxBodyBytes, serverName: serverName, logger: logger)
        }
    }
}
