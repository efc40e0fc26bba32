import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Serves one HTTP/1.x connection (see ``DirectHTTP1Channel``): collects a request's head and
/// body as SwiftNIO's decoder hands them over, answers it from the connection's serving task
/// (which prefers the connection's event loop), and writes the response's bytes to the socket
/// itself.
///
/// The serving task starts with the connection's first request, answers one request after
/// another and ends when the connection closes. A task per request would allocate its task
/// and, as its frames grow, about seven 1 KB blocks of frame memory for every request; one task
/// keeps the blocks its first request needed and reuses them for the next.
///
/// One request is answered at a time. Parts of a pipelined request that arrive meanwhile wait
/// here, and the handler then asks the socket for nothing more until the answer is out, so a
/// client cannot make it buffer without bound. A plain answer leaves as one buffer (head and body); a
/// body of unknown length is sent chunked (or, to an HTTP/1.0 client, until the connection
/// closes). Flushes go through the event loop's ``LoopFlushBatch``, so the answers of one turn of
/// the loop leave together; a close, a stream's first bytes and an answer alone on its loop are
/// flushed at once. A `HEAD` request is answered as a `GET` of its target, without the body. A
/// request SwiftNIO cannot parse gets an OpenAI-shaped `400` (`431` for a head too large) once
/// the requests before it are answered, and the connection closes.
///
/// The handler is not generic over the responder: it holds the ``DirectHTTP1Channel/Answering``
/// closure the channel made from it. SwiftNIO calls a handler through its protocols, and the
/// witnesses of a generic class's conformances are its unspecialised code, which looks up type
/// metadata as it runs.
public final class DirectHTTP1Handler: ChannelDuplexHandler, RemovableChannelHandler, BatchedFlushing {
    public typealias InboundIn = HTTPServerRequestPart
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// How much of a request the handler keeps.
    public struct Limits: Sendable {
        /// The most body bytes kept; one byte more is kept so a route can tell an oversized
        /// body, and the rest are dropped.
        public var maxBodyBytes: Int
    }

    /// How the response being written frames its body.
    enum Framing {
        /// `Content-Length` is set (or the body is empty): bytes as they are.
        case length
        /// HTTP/1.1 chunked transfer coding.
        case chunked
        /// HTTP/1.0 without a length: the body ends when the connection closes.
        case untilClose
    }

    private let answer: DirectHTTP1Channel.Answering
    private let limits: Limits
    private let serverName: String?
    private let logger: Logger

    private var context: ChannelHandlerContext?
    private var executor: EventLoopTaskExecutor?
    private var flushBatch: LoopFlushBatch?
    /// A flush was asked of the loop's batch and has not been made yet.
    private var flushWaits = false
    private var dates = HTTPDateCache()

    /// A request collected while the serving task was still busy with the one before.
    private var nextRequest: CollectedRequest?
    /// The serving task, waiting for the next request.
    private var requestWaiter: UnsafeContinuation<CollectedRequest?, Never>?
    /// The serving task was started (it is only started once).
    private var serving = false
    /// The connection closed: the serving task gets no more requests and ends.
    private var closed = false

    /// The request being read.
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    /// A request is being answered; what arrives meanwhile waits in `waiting`.
    private var answering = false {
        didSet {
            guard answering != oldValue else { return }
            if answering { flushBatch?.answerStarted() } else { flushBatch?.answerEnded() }
        }
    }
    private var waiting = CircularBuffer<HTTPServerRequestPart>()
    /// The request being read was answered from its head (its declared body is over the
    /// limit): its body parts are dropped until its end.
    private var discardingBody = false
    /// A read was held back; it is passed on once the answer is out.
    private var readPending = false
    /// Close once the answer in flight is out (the server is stopping, or the request said so).
    private var closesWhenAnswered = false
    /// The client sends nothing more: close once every request it sent is answered.
    private var inputClosed = false
    /// What the client sent after the requests being answered could not be parsed: it is
    /// refused once they are out (see ``refuse(_:context:)``).
    private var malformed: HTTPParserError?
    /// A malformed request was refused: the connection is closing.
    private var refused = false

    /// The response being written: its head's bytes (held back to leave with the first body
    /// bytes in one buffer sized for both; the array is reused from response to response),
    /// whether they are still held, framing, and whether the connection closes after it.
    private var headBytes: [UInt8] = []
    private var holdsHead = false
    private var framing = Framing.length
    private var closesAfterResponse = false
    private var writabilityWaiters: [CheckedContinuation<Void, any Error>] = []

    init(answer: @escaping DirectHTTP1Channel.Answering, limits: Limits, serverName: String?, logger: Logger) {
        self.answer = answer
        self.limits = limits
        self.serverName = serverName
        self.logger = logger
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.executor = EventLoopTaskExecutor(context.eventLoop)
        self.flushBatch = LoopFlushBatch.current(on: context.eventLoop)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        answering = false
        failWritabilityWaiters()
        stopServing()
    }

    // MARK: Reading

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if discardingBody {
            // The request was answered from its head; the rest of its body is dropped.
            if case .end = part { discardingBody = false }
            return
        }
        if answering {
            waiting.append(part)
        } else {
            take(part, context: context)
        }
    }

    /// Takes one part of the request being read; its end starts the answer.
    private func take(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let requestHead):
            if let declared = requestHead.headers.first(name: "content-length").flatMap(Int.init), declared > limits.maxBodyBytes {
                // No route reads this much: answer now (the route refuses it by its declared
                // length) and drop the body as it comes, rather than wait for all of it.
                discardingBody = true
                answer(requestHead, body: ByteBuffer(), context: context)
                return
            }
            head = requestHead
            body = nil
        case .body(var chunk):
            keep(&chunk)
        case .end:
            guard let requestHead = head else { return }
            let requestBody = body ?? ByteBuffer()
            head = nil
            body = nil
            answer(requestHead, body: requestBody, context: context)
        }
    }

    /// Holds reads back while a pipelined request waits for the one before it to be answered.
    ///
    /// Only then: holding them back whenever a request is being answered would make SwiftNIO
    /// drop and re-add the socket's read interest (two `epoll_ctl` calls) for every request.
    public func read(context: ChannelHandlerContext) {
        if answering, !waiting.isEmpty {
            readPending = true
        } else {
            context.read()
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // The server is stopping: finish the answer in flight, if any, and close.
            // (A body being dropped after its early answer has nothing left to wait for.)
            if answering || head != nil { closesWhenAnswered = true } else { close(context) }
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            if !answering { close(context) }
        }
        context.fireUserInboundEventTriggered(event)
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
        stopServing()
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if malformed != nil || refused, error is HTTPParserError || error is ByteToMessageDecoderError {
            // The decoder's later errors, about the bytes after the malformed part: the refusal
            // is on its way.
            return
        }
        if let error = error as? HTTPParserError, context.channel.isActive {
            logger.debug("malformed request", metadata: ["error": "\(error)"])
            // The requests before it are answered first, in order.
            if answering { malformed = error } else { refuse(error, context: context) }
            return
        }
        logger.trace("connection failed", metadata: ["error": "\(error)"])
        close(context)
    }

    /// Answers what could not be parsed as a request with an OpenAI-shaped error, and closes
    /// the connection once it is out: what follows on it cannot be told apart.
    private func refuse(_ error: HTTPParserError, context: ChannelHandlerContext) {
        refused = true
        let refusal = MalformedRequest(error)
        var response = context.channel.allocator.buffer(capacity: 160 + refusal.body.utf8.count)
        response.writeString("HTTP/1.1 \(refusal.status.code) \(refusal.status.reasonPhrase)\r\n")
        response.writeString("content-type: application/json\r\nconnection: close\r\ncontent-length: \(refusal.body.utf8.count)\r\n\r\n")
        response.writeString(refusal.body)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(response)).whenComplete { _ in boundContext.value.close(promise: nil) }
    }

    /// Appends `chunk` to the body, up to one byte past the limit.
    private func keep(_ chunk: inout ByteBuffer) {
        let room = limits.maxBodyBytes + 1 - (body?.readableBytes ?? 0)
        guard room > 0 else { return }
        if chunk.readableBytes > room { chunk.moveWriterIndex(to: chunk.readerIndex + room) }
        if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
    }

    // MARK: Answering

    /// A request ready to be answered, with what the answer needs to know of it.
    struct CollectedRequest: Sendable {
        var request: Request
        var body: ByteBuffer
        var keepAlive: Bool
        var http10: Bool
        /// A `HEAD` request: answered as a `GET`, with the head alone.
        var headOnly: Bool
    }

    /// Hands a request to the connection's serving task (starting it with the first request).
    private func answer(_ requestHead: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        var request: HTTPRequest
        do {
            request = try HTTP1Head.request(from: requestHead)
        } catch {
            errorCaught(context: context, error: HTTPParserError.invalidURL)
            return
        }
        guard let executor, !closed else { return }
        answering = true
        let headOnly = requestHead.method == .HEAD
        if headOnly { request.method = .get }
        let collected = CollectedRequest(
            request: Request(head: request, body: RequestBody(buffer: body)), body: body, keepAlive: requestHead.isKeepAlive,
            http10: requestHead.version.minor == 0, headOnly: headOnly)
        if let waiter = requestWaiter {
            requestWaiter = nil
            waiter.resume(returning: collected)
        } else {
            nextRequest = collected
            if !serving { startServing(on: executor, context: context) }
        }
    }

    /// Starts the task that answers the connection's requests, one after another, on its event
    /// loop, until the connection closes.
    private func startServing(on executor: EventLoopTaskExecutor, context: ChannelHandlerContext) {
        serving = true
        let channel = context.channel
        let handler = NIOLoopBound(self, eventLoop: channel.eventLoop)
        let writer = ResponseChannelWriter(handler: handler, eventLoop: channel.eventLoop)
        let answer = self.answer
        let eventLoop = channel.eventLoop
        let connectionLogger = self.logger
        Task(executorPreference: executor) {
            // The task's own logger: once a request's context has let go of it, setting the next
            // request's id changes it in place instead of copying the logger and its metadata.
            var logger = connectionLogger
            // The task prefers the event loop, where the handler's state lives, so the request is
            // taken at once; the hop is there should the task ever resume elsewhere.
            while let next = await withUnsafeContinuation({ (waiter: UnsafeContinuation<CollectedRequest?, Never>) in
                if eventLoop.inEventLoop {
                    handler.value.handNextRequest(to: waiter)
                } else {
                    eventLoop.execute { handler.value.handNextRequest(to: waiter) }
                }
            }) {
                logger[metadataKey: "hb.request.id"] = .string(RequestIdentifier.next())
                var response: Response
                do {
                    response = try await answer(next.request, next.body, channel, logger)
                } catch {
                    logger.debug("unrecognised error", metadata: ["error.type": "\(error)"])
                    response = Response(status: .internalServerError)
                }
                do {
                    try await writer.write(response, keepAlive: next.keepAlive, http10: next.http10, headOnly: next.headOnly)
                } catch {
                    // The answer is cut short (the client left, or a streamed body failed): the
                    // connection cannot carry another request.
                    logger.trace("response not written", metadata: ["error": "\(error)"])
                    try? await writer.onLoop { $0.closeConnection() }
                }
            }
        }
    }

    /// Resumes the serving task with the request waiting for it, with `nil` once the connection
    /// closed, or else when the next request is collected.
    private func handNextRequest(to waiter: UnsafeContinuation<CollectedRequest?, Never>) {
        if closed {
            waiter.resume(returning: nil)
        } else if let request = nextRequest {
            nextRequest = nil
            waiter.resume(returning: request)
        } else {
            requestWaiter = waiter
        }
    }

    /// The connection closed: the serving task ends (at once if it waits for a request, else
    /// after the answer in flight).
    private func stopServing() {
        closed = true
        nextRequest = nil
        if let waiter = requestWaiter {
            requestWaiter = nil
            waiter.resume(returning: nil)
        }
    }

    /// After an answer: close, or go on with what the client sent meanwhile.
    private func answered(context: ChannelHandlerContext) {
        answering = false
        while !answering, let part = waiting.popFirst() {
            take(part, context: context)
        }
        guard !answering else { return }
        if let error = malformed {
            malformed = nil
            refuse(error, context: context)
        } else if inputClosed {
            close(context)
        } else if readPending {
            readPending = false
            context.read()
        }
    }

    // MARK: Writing, on the event loop (called through ``ResponseChannelWriter``)

    /// Serialises the response head; it leaves with the first body bytes.
    ///
    /// - Parameters:
    ///   - streamed: The body's length is unknown (it is sent chunked, or until close to HTTP/1.0).
    ///   - keepAlive: The request allows another one on this connection.
    ///   - headOnly: No body follows (the answer to a `HEAD` request): no chunked coding either.
    func writeHead(_ head: HTTPResponse, streamed: Bool, keepAlive: Bool, http10: Bool, headOnly: Bool = false) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        let streamed = streamed && !headOnly && !head.headerFields.contains(.contentLength)
        framing = streamed ? (http10 ? .untilClose : .chunked) : .length
        closesAfterResponse = !keepAlive || closesWhenAnswered || framing == .untilClose
        // Gathered in an array (appends of contiguous text), then written to a buffer once:
        // a buffer write per piece cost more than the head's bytes.
        headBytes.removeAll(keepingCapacity: true)
        headBytes.append(contentsOf: "HTTP/1.1 ".utf8)
        headBytes.append(contentsOf: String(head.status.code).utf8)
        headBytes.append(UInt8(ascii: " "))
        headBytes.append(contentsOf: head.status.reasonPhrase.utf8)
        headBytes.append(contentsOf: "\r\n".utf8)
        for field in head.headerFields where !HTTP1Head.isWrittenByServer(field.name.canonicalName) {
            headBytes.appendHeaderLine(field.name.rawName, field.value)
        }
        headBytes.appendHeaderLine("date", dates.current())
        if let serverName { headBytes.appendHeaderLine("server", serverName) }
        if framing == .chunked { headBytes.append(contentsOf: "transfer-encoding: chunked\r\n".utf8) }
        if closesAfterResponse {
            headBytes.append(contentsOf: "connection: close\r\n".utf8)
        } else if http10 {
            headBytes.append(contentsOf: "connection: keep-alive\r\n".utf8)
        }
        headBytes.append(contentsOf: "\r\n".utf8)
        holdsHead = true
    }

    /// A buffer with the held head, if any, and room for `more` bytes after it; the head is
    /// then no longer held.
    private func takeHead(roomFor more: Int, context: ChannelHandlerContext) -> ByteBuffer {
        guard holdsHead else { return context.channel.allocator.buffer(capacity: more) }
        holdsHead = false
        var buffer = context.channel.allocator.buffer(capacity: headBytes.count + more)
        buffer.writeBytes(headBytes)
        return buffer
    }

    /// Bodies up to this size are copied behind the head, so one buffer leaves; larger ones go
    /// as buffers of their own.
    static var largestCopiedBody: Int { 16 * 1024 }

    /// Chunks of a chunked body up to this size are copied between their framing lines, so one
    /// buffer leaves; larger ones go as buffers of their own between two small ones. (A relayed
    /// stream's chunks are a few hundred bytes, but the rest of a stream that arrived at once
    /// leaves as one chunk: copying that cost more than the kernel's own copy of it.)
    static var largestCopiedChunk: Int { 2 * 1024 }

    /// Writes body bytes (after the held head, if it is still held), flushing them if `flush`.
    ///
    /// The first bytes of a streamed body leave at once rather than with the loop's batch: the
    /// rest of a stream that arrived together is relayed before the batch runs, and a client's
    /// first token would wait for all of it.
    func writeBody(_ bytes: ByteBuffer, flush: Bool) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        guard bytes.readableBytes > 0 else { return }
        if flush, holdsHead {
            try writeBody(bytes, flush: false)
            return flushNow(context)
        }
        if framing == .chunked {
            // Chunk framing: the size in hex, a line end, the bytes, a line end. A small chunk is
            // copied between its lines; a large one leaves as a buffer of its own between them.
            let copies = bytes.readableBytes <= Self.largestCopiedChunk
            var out = takeHead(roomFor: (copies ? bytes.readableBytes : 0) + 20, context: context)
            out.writeString(String(bytes.readableBytes, radix: 16))
            out.writeStaticString("\r\n")
            if copies {
                out.writeImmutableBuffer(bytes)
                out.writeStaticString("\r\n")
                send(out, flush: flush, context: context)
            } else {
                send(out, flush: false, context: context)
                send(bytes, flush: false, context: context)
                send(ChunkFraming.end, flush: flush, context: context)
            }
            return
        }
        if bytes.readableBytes > Self.largestCopiedBody {
            if holdsHead { send(takeHead(roomFor: 0, context: context), flush: false, context: context) }
            send(bytes, flush: flush, context: context)
            return
        }
        var out = takeHead(roomFor: bytes.readableBytes, context: context)
        out.writeImmutableBuffer(bytes)
        send(out, flush: flush, context: context)
    }

    /// Ends the response and flushes it; then closes, or reads the next request.
    func writeEnd(_ trailers: HTTPFields?) throws {
        guard let context, context.channel.isActive else { throw ChannelError.ioOnClosedChannel }
        var out = holdsHead ? takeHead(roomFor: 5, context: context) : nil
        if framing == .chunked {
            if out == nil { out = context.channel.allocator.buffer(capacity: 5) }
            out!.writeStaticString("0\r\n")
            if let trailers, !trailers.isEmpty {
                // Gathered like the head's lines, in its array (the head has left by now).
                headBytes.removeAll(keepingCapacity: true)
                for field in trailers { headBytes.appendHeaderLine(field.name.rawName, field.value) }
                out!.writeBytes(headBytes)
            }
            out!.writeStaticString("\r\n")
        }
        guard closesAfterResponse || closesWhenAnswered else {
            send(out, flush: true, context: context)
            return answered(context: context)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        send(out, flush: true, promise: written, context: context)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.futureResult.whenComplete { _ in boundContext.value.close(promise: nil) }
        answering = false
    }

    /// Writes `buffer`, if any, and flushes if `flush`: with the loop's batch (see
    /// ``LoopFlushBatch``), or at once when `promise` waits for the bytes to leave (the
    /// connection closes after them) or when no other connection of the loop is answering.
    /// `promise` completes once `buffer` is written, at once when there is nothing to write.
    private func send(_ buffer: ByteBuffer?, flush: Bool, promise: EventLoopPromise<Void>? = nil, context: ChannelHandlerContext) {
        if let buffer {
            context.write(wrapOutboundOut(buffer), promise: promise)
        }
        if flush {
            if promise != nil || !flushBatch!.hasOtherAnswers {
                flushNow(context)
            } else if !flushWaits {
                flushWaits = true
                flushBatch!.flushSoon(self)
            }
        }
        if buffer == nil { promise?.succeed() }
    }

    /// Flushes what was written since the loop's batch was asked to (nothing once the connection
    /// is gone).
    func flushBatched() {
        if let context { flushNow(context) }
    }

    /// Closes the connection, after flushing what waits for the loop's batch (closing drops
    /// writes not yet flushed).
    private func close(_ context: ChannelHandlerContext) {
        if flushWaits { flushNow(context) }
        context.close(promise: nil)
    }

    /// Flushes everything written so far, including what waits for the loop's batch.
    private func flushNow(_ context: ChannelHandlerContext) {
        flushWaits = false
        context.flush()
    }

    /// Closes the connection (see ``close(_:)``), if it is still open.
    func closeConnection() {
        guard let context else { return }
        close(context)
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

/// The line end after a chunk sent as a buffer of its own, shared by every response (a written
/// buffer is never changed).
private enum ChunkFraming {
    static let end = ByteBuffer(staticString: "\r\n")
}

extension [UInt8] {
    /// Appends `name: value` and the line's end.
    fileprivate mutating func appendHeaderLine(_ name: String, _ value: String) {
        append(contentsOf: name.utf8)
        append(UInt8(ascii: ":"))
        append(UInt8(ascii: " "))
        append(contentsOf: value.utf8)
        append(UInt8(ascii: "\r"))
        append(UInt8(ascii: "\n"))
    }
}
