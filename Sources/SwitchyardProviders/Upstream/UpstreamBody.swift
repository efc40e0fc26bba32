import NIOCore

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

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Producer.AsyncIterator

        public mutating func next() async throws -> ByteBuffer? {
            try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: producer.makeAsyncIterator())
    }
}

/// Carries the body reader's demand back to the connection, on its event loop.
struct UpstreamBodyDelegate: NIOAsyncSequenceProducerDelegate {
    let connection: UpstreamConnection
    let exchangeID: UInt64

    func produceMore() {
        connection.eventLoop.execute { connection.resumeReading(exchangeID: exchangeID) }
    }

    func didTerminate() {
        connection.eventLoop.execute { connection.bodyReaderFinished(exchangeID: exchangeID) }
    }
}
