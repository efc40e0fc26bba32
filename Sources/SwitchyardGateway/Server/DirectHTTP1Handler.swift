import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Serves one HTTP/1.1 connection (see ``DirectHTTP1Channel``): collects a request's head and
/// body on the event loop, answers it from a task that prefers the connection's event loop, and
/// writes the response to the channel.
///
/// The handler only ever has one request: SwiftNIO's `HTTPServerPipelineHandler` before it holds
/// a pipelined request until the response to the one before has been written.
public final class DirectHTTP1Handler<Responder: HTTPResponder>: ChannelInboundHandler, RemovableChannelHandler
where Responder.Context: RequestContext, Responder.Context.Source == ApplicationRequestContextSource {
    public typealias InboundIn = HTTPRequestPart
    public typealias OutboundOut = HTTPResponsePart

    /// How much of a request the handler keeps.
    public struct Limits: Sendable {
        /// The most body bytes kept; one byte more is kept so a route can tell an oversized
        /// body, and the rest are dropped.
        public var maxBodyBytes: Int
    }

    private let responder: Responder
    private let limits: Limits
    private let serverName: String?
    private let logger: Logger

    private var context: ChannelHandlerContext?
    private var executor: EventLoopTaskExecutor?
    private var head: HTTPRequest?
    private var body: ByteBuffer?
    private var dates = HTTPDateCache()
    /// A request is being answered.
    private var answering = false
    /// The client will send nothing more (or the server stops): close once the answer is out.
    private var closesWhenAnswered = false
    private var writabilityWaiters: [CheckedContinuation<Void, any Error>] = []

    init(responder: Responder, limits: Limits, serverName: String?, logger: Logger) {
        self.responder = responder
        self.limits = limits
        self.serverName = serverName
        self.logger = logger
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.executor = EventLoopTaskExecutor(context.eventLoop)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        failWritabilityWaiters()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
        case .body(var chunk):
            keep(&chunk)
        case .end:
            guard let requestHead = head, let executor else { return }
            let requestBody = body ?? ByteBuffer()
            head = nil
            body = nil
            answering = true
            respond(to: Request(head: requestHead, body: RequestBody(buffer: requestBody)), executor: executor, channel: context.channel)
        }
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            let waiters = writabilityWaiters
            writabilityWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
        context.fireChannelWritabilityChanged()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        failWritabilityWaiters()
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Input closes when the client half-closes or when the server is cancelled: answer the
        // request in flight, if any, and close.
        if let event = event as? ChannelEvent, event == .inputClosed {
            if answering { closesWhenAnswered = true } else { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.trace("connection failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Appends `chunk` to the body, up to one byte past the limit.
    private func keep(_ chunk: inout ByteBuffer) {
        let room = limits.maxBodyBytes + 1 - (body?.readableBytes ?? 0)
        guard room > 0 else { return }
        if chunk.readableBytes > room { chunk.moveWriterIndex(to: chunk.readerIndex + room) }
        if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
    }

    /// Answers `request` from a task on this connection's event loop.
    private func respond(to request: Request, executor: EventLoopTaskExecutor, channel: any Channel) {
        var logger = self.logger
        logger[metadataKey: "hb.request.id"] = .string(RequestIdentifier.next())
        let closesAfter = request.headers[.connection].map { $0.lowercased().contains("close") } ?? false
        let writer = ResponseChannelWriter(handler: NIOLoopBound(self, eventLoop: channel.eventLoop), eventLoop: channel.eventLoop)
        let responder = self.responder
        Task(executorPreference: executor) {
            let context = Responder.Context(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                logger.debug("unrecognised error", metadata: ["error.type": "\(error)"])
                response = Response(status: .internalServerError)
            }
            do {
                try await writer.write(response, closingAfter: closesAfter)
            } catch {
                // The answer is cut short (the client left, or a streamed body failed): the
                // connection cannot carry another request.
                logger.trace("response not written", metadata: ["error": "\(error)"])
                channel.close(promise: nil)
            }
        }
    }

    // MARK: Writing, on the event loop (called through ``ResponseChannelWriter``)

    /// Writes the response head (not flushed: it leaves with the first body bytes).
    func writeHead(_ head: HTTPResponse) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        var head = head
        head.headerFields[.date] = dates.current()
        if let serverName { head.headerFields[.server] = serverName }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    /// Writes body bytes, flushing them if `flush`.
    func writeBody(_ buffer: ByteBuffer, flush: Bool) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        if flush {
            context.writeAndFlush(wrapOutboundOut(.body(buffer)), promise: nil)
        } else {
            context.write(wrapOutboundOut(.body(buffer)), promise: nil)
        }
    }

    /// Ends the response and flushes it; closes the connection after it if `close`.
    func writeEnd(_ trailers: HTTPFields?, close: Bool) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        answering = false
        if close || closesWhenAnswered {
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: promise)
            promise.futureResult.whenComplete { _ in context.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
        }
    }

    /// Whether written bytes would now wait in the channel's buffer rather than go out.
    var isBackedUp: Bool {
        guard let context else { return false }
        return !context.channel.isWritable
    }

    /// Resumes `waiter` once the channel is writable again, or fails it if the connection closes.
    func resumeWhenWritable(_ waiter: CheckedContinuation<Void, any Error>) {
        guard let context, context.channel.isActive else { return waiter.resume(throwing: ChannelError.ioOnClosedChannel) }
        if context.channel.isWritable { return waiter.resume() }
        writabilityWaiters.append(waiter)
    }

    private func failWritabilityWaiters() {
        let waiters = writabilityWaiters
        writabilityWaiters.removeAll()
        for waiter in waiters { waiter.resume(throwing: ChannelError.ioOnClosedChannel) }
    }
}
