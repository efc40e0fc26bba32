import NIOCore
import NIOEmbedded
import Testing

@testable import SwitchyardGateway

@Suite("Flushes batched per event loop")
struct LoopFlushBatchTests {
    /// Records its flushes in a shared log, and may ask for another flush while being flushed.
    final class Connection: BatchedFlushing {
        let name: String
        let log: Log
        var asksAgainWhenFlushed: LoopFlushBatch?

        init(_ name: String, log: Log) {
            self.name = name
            self.log = log
        }

        func flushBatched() {
            log.entries.append("flush \(name)")
            if let batch = asksAgainWhenFlushed {
                asksAgainWhenFlushed = nil
                batch.flushSoon(self)
            }
        }
    }

    final class Log {
        var entries: [String] = []
    }

    @Test("flushes wait for the work queued before the first of them, then are made together, in order")
    func batchesAfterQueuedWork() throws {
        let loop = EmbeddedEventLoop()
        let log = Log()
        let batch = LoopFlushBatch.current(on: loop)
        loop.execute { log.entries.append("work queued before") }
        batch.flushSoon(Connection("a", log: log))
        loop.execute { log.entries.append("work queued after") }
        batch.flushSoon(Connection("b", log: log))
        #expect(log.entries.isEmpty)
        loop.run()
        #expect(log.entries == ["work queued before", "flush a", "flush b", "work queued after"])
    }

    @Test("a flush asked for while the batch is being made is made in the next batch, not lost")
    func flushAskedDuringFlushIsMade() throws {
        let loop = EmbeddedEventLoop()
        let log = Log()
        let batch = LoopFlushBatch.current(on: loop)
        let again = Connection("again", log: log)
        again.asksAgainWhenFlushed = batch
        batch.flushSoon(again)
        batch.flushSoon(Connection("other", log: log))
        loop.run()
        #expect(log.entries == ["flush again", "flush other", "flush again"])
        // The batch is usable again after that.
        batch.flushSoon(Connection("later", log: log))
        loop.run()
        #expect(log.entries.last == "flush later")
    }

    @Test("an answer alone on the loop is not batched; one among others is")
    func answersInFlight() throws {
        let loop = EmbeddedEventLoop()
        let batch = LoopFlushBatch.current(on: loop)
        batch.answerStarted()
        #expect(!batch.hasOtherAnswers)
        batch.answerStarted()
        #expect(batch.hasOtherAnswers)
        batch.answerEnded()
        #expect(!batch.hasOtherAnswers)
        batch.answerEnded()
    }

    @Test("each event loop has its own batch")
    func batchPerLoop() throws {
        let first = EmbeddedEventLoop()
        let second = EmbeddedEventLoop()
        let batch = LoopFlushBatch.current(on: first)
        #expect(LoopFlushBatch.current(on: first) === batch)
        #expect(LoopFlushBatch.current(on: second) !== batch)
    }
}
