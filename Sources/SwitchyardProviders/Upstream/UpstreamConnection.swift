import NIOCore
import NIOHTTP1

/// One pooled HTTP/1.1 connection to an upstream, and the channel handler that runs one
/// exchange (request, response) on it at a time.
///
/// Everything mutable is confined to the channel's event loop; callers on other threads go
/// through ``start(_:mode:deadline:readTimeout:)`` and ``cancel(_:)``, which hop onto it. At the
/// end of every exchange the connection hands itself back to its pool, reusable or not.
final class UpstreamConnection: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// How the response is delivered.
    enum Mode {
        /// The whole body, once it has ended (at most `limit` bytes).
        case buffered(EventLoopPromise<UpstreamResponse>, limit: Int)
        /// The head once it arrives, then the body as a sequence.
        case streaming(EventLoopPromise<UpstreamStreamingResponse>)

        var futureIdentity: ObjectIdentifier {
            switch self {
            case .buffered(let promise, _): return ObjectIdentifier(promise.futureResult)
            case .streaming(let promise): return ObjectIdentifier(promise.futureResult)
            }
        }
    }

    private struct Exchange {
        let id: UInt64
        let mode: Mode
        let deadline: NIODeadline
        var readTimeout: TimeAmount
        var lastRead: NIODeadline
        var head: HTTPResponseHead?
        var body: ByteBuffer?
        var source: UpstreamBody.Producer.Source?
        var bodyState: UpstreamBodyState?
    }

    /// The head part written for a `POST`, made once.
    private static let postHead = HTTPRequestHead(version: .http1_1, method: .POST, uri: "")

    /// A head part that carries only `method`, for the response decoder.
    private static func methodOnlyHead(_ method: HTTPMethod) -> HTTPRequestHead {
        method == .POST ? postHead : HTTPRequestHead(version: .http1_1, method: method, uri: "")
    }

    let channel: any Channel
    let eventLoop: any EventLoop
    private let pool: UpstreamConnectionPool
    private let host: String
    /// The pipeline's outbound end, which sends a request's rendered bytes.
    private let writer: UpstreamRequestBytesWriter

    /// Set by the pool (under its lock) while the connection waits in the idle list.
    var idleSince: NIODeadline = .uptimeNanoseconds(0)

    // Event-loop state.
    private var context: ChannelHandlerContext?
    private var exchange: Exchange?
    private var exchangeCount: UInt64 = 0
    /// The connection's one timer, due at the running exchange's next check or earlier (see
    /// ``armTimer(at:)``), and when.
    private var timer: Scheduled<Void>?
    private var timerDue = NIODeadline.distantFuture
    private var readPaused = false
    private var readPending = false
    private var closed = false
    /// What closed the connection while no exchange ran (a failed TLS handshake, say), so the
    /// next exchange can say why instead of only that it closed.
    private var closeReason: String?

    init(channel: any Channel, pool: UpstreamConnectionPool, hostHeader: String, writer: UpstreamRequestBytesWriter) {
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.pool = pool
        self.host = hostHeader
        self.writer = writer
    }

    // MARK: Calls from other threads

    /// Sends `request` and delivers the response as `mode` says.
    func start(_ request: UpstreamRequest, mode: Mode, deadline: NIODeadline, readTimeout: TimeAmount) {
        if eventLoop.inEventLoop {
            begin(request, mode: mode, deadline: deadline, readTimeout: readTimeout)
        } else {
            eventLoop.execute { self.begin(request, mode: mode, deadline: deadline, readTimeout: readTimeout) }
        }
    }

    /// Fails the exchange whose promise's future is `future`, if it is still running.
    func cancel(_ future: ObjectIdentifier) {
        eventLoop.execute {
            guard let exchange = self.exchange, exchange.mode.futureIdentity == future else { return }
            self.fail(.cancelled)
        }
    }

    // MARK: Exchange

    private func begin(_ request: UpstreamRequest, mode: Mode, deadline: NIODeadline, readTimeout: TimeAmount) {
        guard self.exchange == nil else {
            // The pool leases a connection to one caller at a time; never reached.
            Self.failPromise(of: mode, with: .connectionClosed(afterResponseStarted: false))
            return
        }
        exchangeCount &+= 1
        let exchange = Exchange(id: exchangeCount, mode: mode, deadline: deadline, readTimeout: readTimeout, lastRead: .now())
        self.exchange = exchange
        guard let context, !closed, channel.isActive else {
            // The connection closed while it was idle (or before its first exchange).
            fail(closeReason.map(UpstreamError.connectFailed) ?? .connectionClosed(afterResponseStarted: false))
            return
        }
        let bytes: ByteBuffer
        do {
            bytes = try request.rendered(hostHeader: host, allocator: channel.allocator)
        } catch {
            // Nothing was sent: the connection stays good for the next exchange.
            self.exchange = nil
            pool.release(self, reusable: true)
            Self.failPromise(of: mode, with: error)
            return
        }
        // The head only tells the response decoder the method (see `UpstreamRequestBytesWriter`);
        // the request leaves as one buffer, from the writer, without passing the decoder.
        context.write(wrapOutboundOut(.head(Self.methodOnlyHead(request.method))), promise: nil)
        writer.send(bytes)
        armTimer(at: min(deadline, exchange.lastRead + readTimeout))
    }

    /// Makes sure the timer fires by `due`. A timer already due by then stays: exchanges back to
    /// back on a connection share one timer instead of scheduling and cancelling one each (three
    /// allocations and two updates of the loop's timer queue per request). A timer left by an
    /// exchange that ended only checks the one running when it fires.
    private func armTimer(at due: NIODeadline) {
        if timer != nil, timerDue <= due { return }
        timer?.cancel()
        timerDue = due
        timer = eventLoop.scheduleTask(deadline: due) { self.timerFired() }
    }

    /// Checks the running exchange: the deadline (until the head arrives) and the time the
    /// connection has been silent against the read timeout. Reads only move the next check,
    /// they never reschedule it.
    private func timerFired() {
        timer = nil
        guard let exchange else { return }
        let now = NIODeadline.now()
        if exchange.head == nil && now >= exchange.deadline {
            fail(.deadlineExceeded)
            return
        }
        let silentUntil = exchange.lastRead + exchange.readTimeout
        if now >= silentUntil {
            fail(.readTimeout)
            return
        }
        armTimer(at: exchange.head == nil ? min(exchange.deadline, silentUntil) : silentUntil)
    }

    /// Ends the running exchange with `error` and closes the connection.
    private func fail(_ error: UpstreamError) {
        guard let exchange else { return }
        self.exchange = nil
        // Back in the pool's count before the caller hears of the failure.
        close()
        pool.release(self, reusable: false)
        if let source = exchange.source {
            source.finish(error)
        } else {
            Self.failPromise(of: exchange.mode, with: error)
        }
    }

    private static func failPromise(of mode: Mode, with error: UpstreamError) {
        switch mode {
        case .buffered(let promise, _): promise.fail(error)
        case .streaming(let promise): promise.fail(error)
        }
    }

    private func finish() {
        guard var exchange, let head = exchange.head else { return }
        self.exchange = nil
        resumeReadingIfPaused()
        let reusable = head.isKeepAlive && !closed && channel.isActive
        if !reusable { close() }
        pool.release(self, reusable: reusable)
        switch exchange.mode {
        case .buffered(let promise, _):
            promise.succeed(UpstreamResponse(status: head.status, headers: head.headers, body: exchange.body ?? ByteBuffer()))
        case .streaming:
            exchange.bodyState?.markEnded()
            exchange.source?.finish()
            exchange.source = nil
        }
    }

    private func close() {
        guard !closed else { return }
        closed = true
        stopTimer()
        context?.close(promise: nil)
    }

    private func stopTimer() {
        timer?.cancel()
        timer = nil
    }

    // MARK: Backpressure

    func resumeReading(exchangeID: UInt64) {
        guard exchange?.id == exchangeID else { return }
        resumeReadingIfPaused()
    }

    /// The body's reader has read what it needs and waits only for the body's end: from now on
    /// the exchange fails after `grace` of silence instead of the whole read timeout.
    func expectEnd(exchangeID: UInt64, within grace: TimeAmount) {
        guard var exchange, exchange.id == exchangeID, exchange.source != nil, grace < exchange.readTimeout else { return }
        exchange.readTimeout = grace
        self.exchange = exchange
        armTimer(at: exchange.lastRead + grace)
    }

    /// The body's reader stopped (it finished, or dropped the sequence early). Mid-body, the
    /// connection cannot be reused: the exchange ends and the connection closes.
    func bodyReaderFinished(exchangeID: UInt64) {
        guard let exchange, exchange.id == exchangeID, exchange.source != nil else { return }
        fail(.cancelled)
    }

    private func resumeReadingIfPaused() {
        guard readPaused else { return }
        readPaused = false
        if readPending {
            readPending = false
            context?.read()
        }
    }

    // MARK: ChannelHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func read(context: ChannelHandlerContext) {
        if readPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard exchange != nil else {
            // Bytes with no request outstanding: the connection cannot be trusted any more.
            close()
            return
        }
        exchange!.lastRead = .now()
        switch unwrapInboundIn(data) {
        case .head(let head):
            // 1xx (other than a protocol switch, which is never asked for) precede the answer.
            if head.status.code < 200 && head.status.code != 101 { return }
            exchange!.head = head
            switch exchange!.mode {
            case .buffered:
                break
            case .streaming(let promise):
                let bodyState = UpstreamBodyState(connection: self, exchangeID: exchange!.id)
                let produced = UpstreamBody.Producer.makeSequence(
                    backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8),
                    finishOnDeinit: false,
                    delegate: UpstreamBodyDelegate(state: bodyState))
                exchange!.source = produced.source
                exchange!.bodyState = bodyState
                promise.succeed(UpstreamStreamingResponse(
                    status: head.status, headers: head.headers, body: UpstreamBody(producer: produced.sequence, state: bodyState)))
            }
        case .body(let buffer):
            guard exchange!.head != nil else { return }
            if let source = exchange!.source {
                if source.yield(buffer) == .stopProducing { readPaused = true }
            } else if case .buffered(_, let limit) = exchange!.mode {
                if exchange!.body == nil {
                    exchange!.body = buffer
                } else {
                    var incoming = buffer
                    exchange!.body!.writeBuffer(&incoming)
                }
                if exchange!.body!.readableBytes > limit { fail(.bodyTooLarge(limit: limit)) }
            }
        case .end:
            if exchange!.head == nil {
                fail(.invalidResponse("the response ended before its head"))
            } else {
                finish()
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        stopTimer()
        if let exchange {
            fail(.connectionClosed(afterResponseStarted: exchange.head != nil))
        } else {
            pool.closedWhileIdle(self)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let exchange {
            switch error {
            case HTTPParserError.invalidEOFState:
                // The connection closed in the middle of a message.
                fail(.connectionClosed(afterResponseStarted: exchange.head != nil))
            case let error as HTTPParserError:
                fail(.invalidResponse("\(error)"))
            default:
                fail(.connectFailed(UpstreamError.brief(error)))
            }
        } else {
            closeReason = UpstreamError.brief(error)
            close()
        }
    }
}
