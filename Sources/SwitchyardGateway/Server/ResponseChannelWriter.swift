import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// Writes a Hummingbird `Response` through a ``DirectHTTP1Handler``, from the request's task.
///
/// The task prefers the connection's event loop, so the writes normally happen right where the
/// task runs; from anywhere else they hop to the loop. A body of known length (a plain answer) is
/// written with its head in one buffer and one flush. A body of unknown length (a stream) is
/// flushed at every write, and the next write waits while the client is not reading (the channel
/// is not writable), so a slow client cannot make the gateway buffer a whole stream.
struct ResponseChannelWriter: Sendable {
    let handler: NIOLoopBound<DirectHTTP1Handler>
    let eventLoop: any EventLoop

    /// Writes `response` and ends it.
    ///
    /// - Parameters:
    ///   - keepAlive: The request allows another one on the connection.
    ///   - http10: The request was HTTP/1.0 (no chunked coding).
    ///   - headOnly: The request was `HEAD`: the head alone is written (with the length the body
    ///     has, when it is known), and the body is never asked for.
    func write(_ response: Response, keepAlive: Bool, http10: Bool, headOnly: Bool = false) async throws {
        let streams = response.body.contentLength == nil
        let head = response.head
        if headOnly {
            try await onLoop { handler in
                try handler.writeHead(head, streamed: streams, keepAlive: keepAlive, http10: http10, headOnly: true)
                try handler.writeEnd(nil)
            }
            return
        }
        try await onLoop { try $0.writeHead(head, streamed: streams, keepAlive: keepAlive, http10: http10) }
        try await response.body.write(BodyWriter(channel: self, flushesEachWrite: streams))
    }

    /// Runs `body` with the handler on its event loop.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (DirectHTTP1Handler) throws -> T) async throws -> T {
        if eventLoop.inEventLoop { return try body(handler.value) }
        let handler = self.handler
        return try await eventLoop.submit { try body(handler.value) }.get()
    }

    /// Returns once the channel takes more bytes without buffering them (or throws if it closed).
    func untilWritable() async throws {
        guard try await onLoop({ $0.isBackedUp }) else { return }
        let handler = self.handler
        let eventLoop = self.eventLoop
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
            eventLoop.execute { handler.value.resumeWhenWritable(waiter) }
        }
    }

    /// The `ResponseBodyWriter` a response body writes itself to.
    struct BodyWriter: ResponseBodyFinalWriter {
        let channel: ResponseChannelWriter
        let flushesEachWrite: Bool

        mutating func write(_ buffer: ByteBuffer) async throws {
            let flush = flushesEachWrite
            try await channel.onLoop { try $0.writeBody(buffer, flush: flush) }
            if flush { try await channel.untilWritable() }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
            try await channel.onLoop { try $0.writeEnd(trailingHeaders) }
        }

        /// Writes `last` and ends the body; the two leave with one flush.
        func finish(last: ByteBuffer) async throws {
            try await channel.onLoop { handler in
                try handler.writeBody(last, flush: false)
                try handler.writeEnd(nil)
            }
        }
    }
}
