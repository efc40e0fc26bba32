import NIOCore
import Synchronization

/// A streamed response body: the upstream's bytes in the order they arrived.
///
/// Backpressure reaches the socket: while more than a few buffers wait unread, the connection
/// stops reading, and it starts again once the reader catches up. Dropping the sequence before
/// its end closes the connection (it cannot be reused with an unread body).
public struct UpstreamBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, UpstreamBodyDelegate
    >

    let producer: Producer
    let state: UpstreamBodyState

    /// Whether the whole body has arrived (its reader may not have read all of it yet); the
    /// connection is then free for the next exchange.
    public var hasEnded: Bool { state.hasEnded }

    /// Tells the connection that the reader needs nothing more than the body's end (a stream's
    /// end marker was read): the connection waits at most `grace` of silence for it, then fails
    /// the body and closes, instead of the provider's whole read timeout.
    public func expectEnd(within grace: TimeAmount) {
        state.tellConnection { $0.expectEnd(exchangeID: $1, within: grace) }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Producer.AsyncIterator

        /// `@concurrent`, as SwiftNIO's iterator it calls is.
        @concurrent public mutating func next() async throws -> ByteBuffer? {
            try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: producer.makeAsyncIterator())
    }
}

/// What a body's reader and its connection share: the exchange the body belongs to, and whether
/// the body has ended (set on the connection's loop, read from the reader's).
final class UpstreamBodyState: Sendable {
    let connection: UpstreamConnection
    let exchangeID: UInt64
    private let ended = Atomic(false)

    init(connection: UpstreamConnection, exchangeID: UInt64) {
        self.connection = connection
        self.exchangeID = exchangeID
    }

    var hasEnded: Bool { ended.load(ordering: .acquiring) }

    func markEnded() { ended.store(true, ordering: .releasing) }

    /// Runs `message` with the connection and the exchange's id, on the connection's event loop.
    func tellConnection(_ message: @escaping @Sendable (UpstreamConnection, UInt64) -> Void) {
        let connection = connection
        let exchangeID = exchangeID
        connection.eventLoop.execute { message(connection, exchangeID) }
    }
}

/// Carries the body reader's demand back to the connection, on its event loop.
struct UpstreamBodyDelegate: NIOAsyncSequenceProducerDelegate {
    let state: UpstreamBodyState

    func produceMore() {
        state.tellConnection { $0.resumeReading(exchangeID: $1) }
    }

    func didTerminate() {
        state.tellConnection { $0.bodyReaderFinished(exchangeID: $1) }
    }
}
