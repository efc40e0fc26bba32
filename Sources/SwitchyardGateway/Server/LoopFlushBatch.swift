import NIOCore
import NIOPosix

/// Something with written bytes whose flush may wait for a ``LoopFlushBatch``.
protocol BatchedFlushing: AnyObject {
    /// Flushes what was written since the flush was asked for (nothing if the connection is gone).
    func flushBatched()
}

/// The flushes that one event loop's connections ask for while the loop runs its queued work,
/// made together once that work is done.
///
/// A flush writes to the socket, and a write to a socket whose reader sleeps on another CPU
/// wakes that CPU with an inter-processor interrupt, which on a virtual machine is an exit to the
/// hypervisor. Under load the loop finishes answers one after another, each after tens of
/// microseconds of work: flushed at once, every answer wakes a client that has just gone back to
/// sleep. Flushed together, the answers of one turn of the loop leave within microseconds of each
/// other and wake a client once. The flush is queued behind the work that was waiting when the
/// first flush of the turn was asked for, so an answer waits at most for that work; alone on the
/// loop (one request at a time) it leaves at once.
final class LoopFlushBatch {
    private let eventLoop: any EventLoop
    private var waiting: [any BatchedFlushing] = []
    /// Answers being made on the loop's connections (see ``answerStarted()``).
    private var answersInFlight = 0

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        waiting.reserveCapacity(64)
    }

    /// Thread-safe: each thread sees only its own value.
    nonisolated(unsafe) private static let perThread = ThreadSpecificVariable<LoopFlushBatch>()

    /// The batch of the event loop the caller runs on.
    static func current(on eventLoop: any EventLoop) -> LoopFlushBatch {
        eventLoop.preconditionInEventLoop()
        // A thread runs one event loop for its life, but a test's loop may not own its thread.
        if let batch = perThread.currentValue, batch.eventLoop === eventLoop { return batch }
        let batch = LoopFlushBatch(eventLoop: eventLoop)
        perThread.currentValue = batch
        return batch
    }

    /// A connection started answering a request.
    func answerStarted() {
        answersInFlight += 1
    }

    /// A connection finished (or gave up) answering a request.
    func answerEnded() {
        answersInFlight -= 1
    }

    /// Whether another connection of the loop is answering too, besides the one asking. Alone
    /// on the loop, an answer has nothing to leave together with and is flushed at once: the
    /// batch would only make it wait while its task finishes (freeing the request's state).
    var hasOtherAnswers: Bool {
        answersInFlight > 1
    }

    /// Flushes `connection` once the work queued on the loop so far has run.
    func flushSoon(_ connection: any BatchedFlushing) {
        waiting.append(connection)
        guard waiting.count == 1 else { return }
        let batch = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute { batch.value.flushAll() }
    }

    private func flushAll() {
        // A flush may complete writes whose callbacks ask for more flushes: those join a new batch.
        var flushing: [any BatchedFlushing] = []
        swap(&flushing, &waiting)
        for connection in flushing { connection.flushBatched() }
        if waiting.isEmpty {
            flushing.removeAll(keepingCapacity: true)
            swap(&flushing, &waiting)
        }
    }
}
