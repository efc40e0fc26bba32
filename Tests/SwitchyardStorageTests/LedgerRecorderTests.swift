import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import SwitchyardCore
import SwitchyardStorage

/// Counts the entries it is shown.
final class CountingObserver: LedgerObserver {
    let seen = Mutex(0)
    func observe(_ batch: [LedgerEntry]) { seen.withLock { $0 += batch.count } }
}

@Suite struct LedgerRecorderTests {
    let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    @Test func entriesReachTheStoreInBatches() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            let observer = CountingObserver()
            let recorder = LedgerRecorder(
                store: store, settings: LedgerSettings(flushInterval: .milliseconds(20), batchSize: 100), observer: observer, logger: logger)
            let group = ServiceGroup(services: [recorder], logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for index in 0..<1_000 { #expect(recorder.record(sampleEntry(index))) }
                // Generous: the whole suite shares two cores; the loop ends as soon as all are written.
                let deadline = ContinuousClock.now + .seconds(60)
                while recorder.written < 1_000, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(recorder.written == 1_000)
                #expect(try await store.ledgerCount() == 1_000)
                #expect(observer.seen.withLock { $0 } == 1_000)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    @Test func gracefulShutdownWritesWhatIsQueued() async throws {
        try await withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path)
            // A long interval: nothing would be written before shutdown without the drain.
            let recorder = LedgerRecorder(store: store, settings: LedgerSettings(flushInterval: .seconds(10)), logger: logger)
            let group = ServiceGroup(services: [recorder], logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for index in 0..<50 { recorder.record(sampleEntry(index)) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await store.ledgerCount() == 50)
            #expect(recorder.depth == 0)
        }
    }

    @Test func aFullQueueDropsAndCountsInsteadOfBlocking() async throws {
        let store = try SQLiteStore(path: ":memory:")
        let recorder = LedgerRecorder(store: store, settings: LedgerSettings(queueCapacity: 10), logger: logger)
        let accepted = (0..<15).filter { recorder.record(sampleEntry($0)) }.count
        #expect(accepted == 10)
        #expect(recorder.dropped == 5)
        #expect(recorder.depth == 10)
        await recorder.flush()
        #expect(try await store.ledgerCount() == 10)
        #expect(recorder.depth == 0)
    }
}
