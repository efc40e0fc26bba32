import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import SwitchyardCore
@testable import SwitchyardStorage

/// Runs jobs on a normal-priority writer thread and counts those enqueued by a thread under
/// `SCHED_IDLE`: a thread the global executor started from such a thread would inherit it.
final class EnqueuerRecordingExecutor: TaskExecutor {
    let thread = WriterThreadExecutor(priority: .normal)
    let enqueued = Mutex(0)
    let enqueuedFromIdleThreads = Mutex(0)

    func enqueue(_ job: consuming ExecutorJob) {
        enqueued.withLock { $0 += 1 }
        if WriterThreadExecutor.priorityOfCurrentThread() == .background { enqueuedFromIdleThreads.withLock { $0 += 1 } }
        let job = UnownedJob(job)
        thread.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Counts the entries it is shown.
final class CountingObserver: LedgerObserver {
    let seen = Mutex(0)
    func observe(_ batch: [LedgerEntry]) { seen.withLock { $0 += batch.count } }
}

/// An in-memory store that notes which path each batch took — the writer thread at low or at
/// normal priority, or an append handed to the store's own threads — and can make writes on a
/// writer thread slow (as on a core that is never idle).
final class LaneRecordingStore: LedgerStore {
    enum Lane: Equatable {
        /// On the writer's low-priority thread.
        case background
        /// On the writer's normal-priority thread.
        case normal
        /// Through ``append(_:)``, not on a writer thread.
        case handedOff
    }
    let base: SQLiteStore
    let lanes = Mutex<[Lane]>([])
    /// Whether each batch written on a writer thread was asked to share the core as its lane
    /// should: in the background, and never at normal priority.
    let sharingMatchesLanes = Mutex(true)
    let backgroundDelay: Duration

    init(backgroundDelay: Duration = .zero) throws {
        base = try SQLiteStore(path: ":memory:")
        self.backgroundDelay = backgroundDelay
    }

    func append(_ entries: [LedgerEntry]) async throws(StoreError) {
        lanes.withLock { $0.append(.handedOff) }
        try await base.append(entries)
    }

    func appendOnCallingThread(_ entries: [LedgerEntry], sharingTheCore sharing: CoreSharing?) async throws(StoreError) {
        let low = WriterThreadExecutor.priorityOfCurrentThread() == .background
        lanes.withLock { $0.append(low ? .background : .normal) }
        if low != (sharing != nil) { sharingMatchesLanes.withLock { $0 = false } }
        // Blocking, as a write waiting for the disk blocks its thread.
        if low, backgroundDelay > .zero { usleep(UInt32(backgroundDelay / .microseconds(1))) }
        try await base.appendOnCallingThread(entries, sharingTheCore: sharing)
    }

    func ledgerEntries(since: Date?, until: Date?, full: Bool) async throws(StoreError) -> [LedgerEntry] {
        try await base.ledgerEntries(since: since, until: until, full: full)
    }
    func ledgerEntry(decisionID: String) async throws(StoreError) -> LedgerEntry? { try await base.ledgerEntry(decisionID: decisionID) }
    func ledgerCount() async throws(StoreError) -> Int { try await base.ledgerCount() }
    func shadowVerdicts(after row: Int64, limit: Int) async throws(StoreError) -> [ShadowVerdictRecord] {
        try await base.shadowVerdicts(after: row, limit: limit)
    }
    func spend(since: Date) async throws(StoreError) -> [SpendTotal] { try await base.spend(since: since) }
    func sessionTokens(since: Date) async throws(StoreError) -> [SessionKey: Int] { try await base.sessionTokens(since: since) }
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
            // A long interval: nothing would be written before shutdown without the drain, and
            // shutdown must cut the writer's wait short rather than wait it out.
            let recorder = LedgerRecorder(store: store, settings: LedgerSettings(flushInterval: .seconds(600)), logger: logger)
            let group = ServiceGroup(services: [recorder], logger: logger)
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for index in 0..<50 { recorder.record(sampleEntry(index)) }
                // Let the writer wake up and start waiting out its interval.
                try await Task.sleep(for: .milliseconds(50))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(ContinuousClock.now - started < .seconds(300))
            #expect(try await store.ledgerCount() == 50)
            #expect(recorder.depth == 0)
        }
    }

    @Test func theWriterKeepsFlushingWhileEntriesArriveAndSleepsOnceTheyStop() async throws {
        let store = try LaneRecordingStore()
        // The writer reads the CPU clock as it wakes and as each timed flush begins, so the
        // readings show whether it is still going round.
        let readings = Mutex(0)
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .milliseconds(20)), logger: logger, coreWaitOfCurrentThread: { .zero },
            cpuClock: ProcessCPUClock(cpuTime: { readings.withLock { $0 += 1 }; return .zero }, cpus: 1))
        let group = ServiceGroup(services: [recorder], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // A trickle over several intervals: each entry is written within a few intervals.
            for index in 0..<20 {
                recorder.record(sampleEntry(index))
                try await Task.sleep(for: .milliseconds(5))
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while recorder.written < 20, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(recorder.written == 20)
            // Quiet: after a flush that finds nothing (and one more interval for the wake-up
            // left buffered meanwhile) the writer parks instead of going round every interval,
            // and the next entry wakes it again. Fifty intervals to get there: a machine busy
            // with the whole suite can hold the writer's last flushes up for a few of them.
            try await Task.sleep(for: .seconds(1))
            let readingsOnceQuiet = readings.withLock { $0 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(readings.withLock { $0 } == readingsOnceQuiet)
            recorder.record(sampleEntry(20))
            while recorder.written < 21, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(recorder.written == 21)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await store.ledgerCount() == 21)
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

    @Test func batchesGoToTheBackgroundPathWhileTheWriterKeepsUp() async throws {
        let store = try LaneRecordingStore()
        // No wait for the core and a long interval: however loaded the machine, no background
        // write counts as starved or slow.
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .seconds(10), batchSize: 10), logger: logger, coreWaitOfCurrentThread: { .zero })
        for round in 0..<3 {
            for index in 0..<5 { recorder.record(sampleEntry(round * 5 + index)) }
            await recorder.flush()
        }
        #expect(store.lanes.withLock { $0 } == [.background, .background, .background])
        #expect(try await store.ledgerCount() == 15)
    }

    @Test func aBacklogOfMoreThanABatchIsWrittenAtNormalPriority() async throws {
        let store = try LaneRecordingStore()
        // No wait for the core and a long interval: however loaded the machine, no background
        // write counts as starved or slow.
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .seconds(10), batchSize: 10), logger: logger, coreWaitOfCurrentThread: { .zero })
        for index in 0..<25 { recorder.record(sampleEntry(index)) }
        await recorder.flush()
        // Caught up: the next flush is back in the background.
        recorder.record(sampleEntry(25))
        await recorder.flush()
        #expect(store.lanes.withLock { $0 } == [.normal, .normal, .normal, .background])
        #expect(store.sharingMatchesLanes.withLock { $0 })
        #expect(try await store.ledgerCount() == 26)
        // Flushes, not batches, are counted; an empty flush is not one.
        await recorder.flush()
        #expect(recorder.flushesByPriority == (low: 1, normal: 1))
    }

    @Test func aFlushLargerThanTheBackgroundLimitIsWrittenAtNormalPriority() async throws {
        let store = try LaneRecordingStore()
        // No wait for the core: the background flush is never handed over, however loaded the machine.
        let recorder = LedgerRecorder(store: store, settings: LedgerSettings(flushInterval: .seconds(10)), logger: logger, coreWaitOfCurrentThread: { .zero })
        let limit = LedgerRecorder.backgroundFlushLimit
        for index in 0...limit { recorder.record(sampleEntry(index)) }
        await recorder.flush()
        for index in 0..<limit { recorder.record(sampleEntry(limit + 1 + index)) }
        await recorder.flush()
        #expect(store.lanes.withLock { $0 } == [.normal, .background])
        #expect(try await store.ledgerCount() == 2 * limit + 1)
    }

    @Test func aBackgroundFlushThatKeptUpLetsTheNextOneHoldTwiceItsEntries() async throws {
        let store = try LaneRecordingStore()
        // No wait for the core and a long interval: every background flush keeps up. Batches
        // larger than any flush here, so only the background limit decides the lane.
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .seconds(10), batchSize: 5000), logger: logger,
            coreWaitOfCurrentThread: { .zero })
        let limit = LedgerRecorder.backgroundFlushLimit
        let recorded = Mutex(0)
        func record(_ count: Int) {
            for _ in 0..<count { recorder.record(sampleEntry(recorded.withLock { $0 += 1; return $0 })) }
        }
        record(limit)  // within the first limit
        await recorder.flush()
        record(2 * limit)  // over the first limit, within twice the last background flush
        await recorder.flush()
        record(4 * limit + 1)  // over twice the last background flush
        await recorder.flush()
        record(4 * limit)  // a flush at normal priority leaves the limit where it was
        await recorder.flush()
        #expect(store.lanes.withLock { $0 } == [.background, .background, .normal, .background])
        #expect(recorder.flushesByPriority == (low: 3, normal: 1))
        #expect(try await store.ledgerCount() == 11 * limit + 1)
    }

    @Test(arguments: [false, true])
    func aTimedFlushOfAnySizeGoesToTheBackgroundWhenTheCoresWereIdleWhileItsEntriesAccumulated(coresBusy: Bool) async throws {
        let store = try LaneRecordingStore()
        // The process's CPU time: the same at every reading (idle cores), or a CPU-hour more.
        let readings = Mutex(0)
        let clock = ProcessCPUClock(cpuTime: { coresBusy ? .seconds(3600 * readings.withLock { $0 += 1; return $0 }) : .zero }, cpus: 1)
        // No wait for the core: no background write counts as starved, however loaded the machine.
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .milliseconds(20), batchSize: 10), logger: logger,
            coreWaitOfCurrentThread: { .zero }, cpuClock: clock)
        let group = ServiceGroup(services: [recorder], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // More than a batch and more than the background limit, queued within one interval.
            let count = LedgerRecorder.backgroundFlushLimit + 1
            for index in 0..<count { recorder.record(sampleEntry(index)) }
            let deadline = ContinuousClock.now + .seconds(60)
            while recorder.written < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(recorder.written == count)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let lanes = store.lanes.withLock { $0 }
        #expect(!lanes.isEmpty)
        #expect(lanes.allSatisfy { $0 == (coresBusy ? .normal : .background) }, "lanes: \(lanes)")
        #expect(store.sharingMatchesLanes.withLock { $0 })
    }

    @Test func aBackgroundFlushThatFellBehindBringsTheLimitBack() async throws {
        let store = try LaneRecordingStore()
        // The writer never waits for the core, except while `starving`: then each reading is
        // 50 ms more than the last, five flush intervals for every flush.
        let starving = Mutex(false)
        let readings = Mutex(0)
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .milliseconds(10), batchSize: 5000), logger: logger,
            coreWaitOfCurrentThread: { starving.withLock { $0 } ? .milliseconds(readings.withLock { $0 += 50; return $0 }) : .zero })
        let limit = LedgerRecorder.backgroundFlushLimit
        let recorded = Mutex(0)
        func record(_ count: Int) {
            for _ in 0..<count { recorder.record(sampleEntry(recorded.withLock { $0 += 1; return $0 })) }
        }
        record(limit)  // kept up: the next may hold twice as many
        await recorder.flush()
        starving.withLock { $0 = true }
        record(1)  // fell behind (one row: written whole, never stopped)
        await recorder.flush()
        starving.withLock { $0 = false }
        record(limit + 1)  // after one that fell behind
        await recorder.flush()
        record(limit + 1)  // over the first limit again: twice the earlier flush no longer counts
        await recorder.flush()
        #expect(store.lanes.withLock { $0 } == [.background, .background, .normal, .normal])
        #expect(try await store.ledgerCount() == 3 * limit + 3)
    }

    @Test func aBackgroundFlushThatWaitedForTheCoreLongerThanTheFlushIntervalSendsTheNextOneToNormalPriority() async throws {
        let store = try LaneRecordingStore()
        // Each reading of the writer thread's wait for a core is 50 ms more than the last: every
        // low-priority flush waited 50 ms, five flush intervals.
        let readings = Mutex(0)
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .milliseconds(10)), logger: logger,
            coreWaitOfCurrentThread: { .milliseconds(readings.withLock { $0 += 50; return $0 }) })
        for round in 0..<3 {
            recorder.record(sampleEntry(round))
            await recorder.flush()
        }
        #expect(store.lanes.withLock { $0 } == [.background, .normal, .background])
        #expect(try await store.ledgerCount() == 3)
    }

    @Test func aBackgroundFlushReturnsThroughTheNormalPriorityThreadNeverFromTheIdleOne() async throws {
        let store = try LaneRecordingStore()
        // A fixed core wait keeps every flush in the background however busy the machine is.
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .milliseconds(10)), logger: logger, coreWaitOfCurrentThread: { .zero })
        let caller = EnqueuerRecordingExecutor()
        await withTaskExecutorPreference(caller) {
            for round in 0..<3 {
                recorder.record(sampleEntry(round))
                await recorder.flush()
            }
        }
        #expect(store.lanes.withLock { $0 } == [.background, .background, .background])
        #expect(caller.enqueuedFromIdleThreads.withLock { $0 } == 0)
        #expect(caller.enqueued.withLock { $0 } > 0)
    }

    @Test func aBackgroundFlushSlowedByWaitingForTheDiskStaysInTheBackground() async throws {
        // Each write takes 100 ms without using or waiting for a core (as a checkpoint waits for
        // the disk): measured by the kernel's count, the writer kept up. The count is a fixed
        // reading here: on a machine busy with other tests, the idle-priority thread really
        // waits for a core, and that would rightly send a flush to normal priority.
        let store = try LaneRecordingStore(backgroundDelay: .milliseconds(100))
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .milliseconds(30)), logger: logger, coreWaitOfCurrentThread: { .zero })
        for round in 0..<3 {
            recorder.record(sampleEntry(round))
            await recorder.flush()
        }
        #expect(store.lanes.withLock { $0 } == [.background, .background, .background])
        #expect(recorder.flushesByPriority == (low: 3, normal: 0))
    }

    @Test func aBackgroundFlushYieldsTheCoreUntilItHasWaitedAFlushIntervalForItThenStops() {
        let waited = Mutex(Duration.zero)
        let recorder = LedgerRecorder(
            store: try! SQLiteStore(path: ":memory:"), settings: LedgerSettings(flushInterval: .milliseconds(100)), logger: logger,
            coreWaitOfCurrentThread: { waited.withLock { $0 } })
        let sharing = recorder.yieldingUntilStarved(since: .zero)
        #expect(sharing.rows == LedgerRecorder.rowsBetweenYields)
        #expect(sharing.offer())
        waited.withLock { $0 = .milliseconds(100) }
        #expect(sharing.offer())
        // Past the interval: the flush stops.
        waited.withLock { $0 = .milliseconds(101) }
        #expect(!sharing.offer())
    }

    @Test func theObserverSeesABatchBeforeItIsStored() async throws {
        /// Notes how many entries the recorder had written whenever it is shown a batch.
        final class WrittenAtObservation: LedgerObserver {
            let recorder = Mutex<LedgerRecorder?>(nil)
            let seen = Mutex<[Int]>([])
            func observe(_ batch: [LedgerEntry]) {
                let written = recorder.withLock { $0?.written ?? -1 }
                seen.withLock { $0.append(written) }
            }
        }
        let observer = WrittenAtObservation()
        let recorder = LedgerRecorder(
            store: try SQLiteStore(path: ":memory:"), settings: LedgerSettings(flushInterval: .seconds(10), batchSize: 4), observer: observer,
            logger: logger)
        observer.recorder.withLock { $0 = recorder }
        for index in 0..<10 { recorder.record(sampleEntry(index)) }
        await recorder.flush()
        #expect(observer.seen.withLock { $0 } == [0, 4, 8])
        #expect(recorder.written == 10)
    }

    @Test func aStarvedBackgroundFlushIsHandedOverToNormalPriorityWithNothingLostOrCountedTwice() async throws {
        let store = try LaneRecordingStore()
        let observer = CountingObserver()
        // The first reading (as a flush starts) says 0; every later one says the writer has waited
        // 120 ms for a core: past the 100 ms interval at the first offer of the core.
        let readings = Mutex(0)
        let recorder = LedgerRecorder(
            store: store, settings: LedgerSettings(flushInterval: .milliseconds(100)), observer: observer, logger: logger,
            coreWaitOfCurrentThread: { readings.withLock { $0 += 1; return $0 == 1 ? .zero : .milliseconds(120) } })
        let rows = 3 * LedgerRecorder.rowsBetweenYields
        for index in 0..<rows { recorder.record(sampleEntry(index)) }
        await recorder.flush()
        #expect(store.lanes.withLock { $0 } == [.background, .normal])
        #expect(try await store.ledgerCount() == rows)
        #expect(observer.seen.withLock { $0 } == rows)
        #expect(recorder.written == rows)
        #expect(recorder.handedOverFlushes == 1)
        #expect(recorder.flushesByPriority == (low: 0, normal: 1))
        // The flush after a handover starts at normal priority; the one after that is back in the
        // background (readings no longer rise, so it is not starved).
        for round in 0..<2 {
            recorder.record(sampleEntry(rows + round))
            await recorder.flush()
        }
        #expect(store.lanes.withLock { $0 } == [.background, .normal, .normal, .background])
        #expect(recorder.flushesByPriority == (low: 1, normal: 2))
        #expect(try await store.ledgerCount() == rows + 2)
    }
}
