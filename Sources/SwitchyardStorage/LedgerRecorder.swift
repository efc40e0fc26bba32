#if canImport(Glibc)
import Glibc
#endif
import Logging
import ServiceLifecycle
import Synchronization
import SwitchyardCore

/// Sees every batch of ledger entries on its way to the store (metrics, for instance). Called
/// on the writer's task, never on the request path.
public protocol LedgerObserver: Sendable {
    func observe(_ batch: [LedgerEntry])
}

/// Takes ledger entries off the request path: ``record(_:)`` only appends to a bounded
/// in-memory queue; a background service writes the queue to the store in batches.
///
/// * The writer sleeps while the queue is empty (no idle wake-ups). The first entry after a
///   flush that found none wakes it; it then waits one `flushInterval` so entries accumulate,
///   writes them in transactions of at most `batchSize`, and goes on flushing once an interval
///   for as long as each flush finds entries. It waits on its own normal-priority thread
///   (``WriterPause``), so under a steady load no thread of Swift's global executor runs for it.
/// * Every flush runs wholly on a writer thread of the recorder's own (``WriterThreadExecutor``):
///   the copies, the observer, the store's work
///   (``LedgerStore/appendOnCallingThread(_:sharingTheCore:)``) and the release of the entries.
///   Small flushes use a background thread (Linux's `SCHED_IDLE`), which runs only while the
///   event loops have nothing to do and gives the core up as soon as one wakes, so writing the
///   ledger barely holds up request handling on the same core. It also yields the core every few
///   rows. A background flush that has waited longer than a flush interval for the core (a
///   saturated core, where such a thread gets almost nothing) stops, rolls back, and hands its
///   entries to a thread at normal priority.
///   Larger flushes at a busy gateway, and any flush after a background one that waited that
///   long, use that normal-priority thread from the start, so a busy core cannot let the queue
///   grow. Larger means more than ``backgroundFlushLimit`` entries queued, or, once a background
///   flush has kept up, more than twice the entries it found: a steady load whose flushes hover
///   around the limit stays in the background instead of sending every other flush to normal
///   priority, where it holds up the event loop on the same core for milliseconds. Busy means
///   that the process used more than 75 % of its CPUs' time (``ProcessCPUClock``) since the
///   last flush began: where the cores were idle more than that, the next flush, of any size,
///   is written in the background, in the idle time. Without this, one client at a time with a
///   flush interval of 200 ms (about a thousand entries a flush) sent every flush to normal
///   priority, and its p99 from about 1 ms to 3 ms.
/// * A full queue drops the new entry and counts it (``dropped``); the request is not slowed.
/// * A failed write is retried (every second) without losing the batch.
/// * Graceful shutdown writes everything still queued. A kill -9 loses at most the entries
///   accepted during the last flush interval plus the batch being written.
public final class LedgerRecorder: Service, Sendable {
    /// ``run()`` has returned, after its last flush.
    private let stopped = CompletionSignal()

    private struct State {
        var queue: [LedgerEntry] = []
        /// The buffer the writer drained last time, emptied and handed back so the queue never
        /// has to allocate in steady state.
        var spare: [LedgerEntry] = []
        var dropped = 0
        var written = 0
        var failedWrites = 0
        /// The last background flush was handed over, or waited longer than a flush interval for
        /// the core.
        var backgroundFlushFellBehind = false
        /// The most entries the next flush may find queued and still run in the background:
        /// ``LedgerRecorder/backgroundFlushLimit``, or twice the entries of the last background
        /// flush that kept up when that is more.
        var backgroundFlushLimit = LedgerRecorder.backgroundFlushLimit
        var lowPriorityFlushes = 0
        var normalPriorityFlushes = 0
        var handedOverFlushes = 0
    }

    /// The most entries a flush may hold and still be written in the background, until a
    /// background flush has kept up: about 10 ms of work, and more than a gateway answering one
    /// request at a time usually queues in a flush interval (2,000 to 5,000 a second here). A
    /// background flush that kept up raises the next one's limit to twice its own entries (see
    /// the type's description); one that fell behind brings it back to this. A core too busy to
    /// write that much in the background is caught by the wait for the core instead.
    public static let backgroundFlushLimit = 512

    /// The share of its CPUs' time the process may have used since the last flush began (the
    /// writer's work and the interval after it) for the next flush to go to the background
    /// whatever its size: the rest was idle, and a background flush runs in idle time. Measured
    /// on one core: one client at a time kept it 52-61 % busy, a saturating load (c=32) 92-96 %.
    public static let busyShareForBackgroundFlushOfAnySize = 0.75

    private let store: any LedgerStore
    /// Where small flushes run.
    private let backgroundThread = WriterThreadExecutor(priority: .background)
    /// Where large flushes, those after a starved one, and what a starved one hands over run.
    private let normalPriorityThread = WriterThreadExecutor(priority: .normal)
    private let settings: LedgerSettings
    private let observer: (any LedgerObserver)?
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    /// How long the calling thread has waited for a core so far (`nil` if unknown).
    private let coreWaitOfCurrentThread: @Sendable () -> Duration?
    /// How busy the process's CPUs were since the last flush began.
    private let cpuClock: ProcessCPUClock

    /// - Parameter coreWaitOfCurrentThread: How long the calling thread has waited, runnable, for
    ///   a core so far (by default the kernel's count). A background flush that has waited longer
    ///   than a flush interval hands its entries over to normal priority and sends the next flush
    ///   there too. When it says `nil`, the flush's duration stands in for the wait, and a
    ///   background flush is never handed over.
    /// - Parameter cpuClock: How busy the process's CPUs were since each flush began (see the
    ///   type's description); by default the kernel's count for this process, against the
    ///   machine's online CPUs (the gateway passes those of its affinity mask).
    public init(
        store: any LedgerStore, settings: LedgerSettings, observer: (any LedgerObserver)? = nil, logger: Logger,
        coreWaitOfCurrentThread: (@Sendable () -> Duration?)? = nil, cpuClock: ProcessCPUClock = ProcessCPUClock()
    ) {
        self.cpuClock = cpuClock
        self.store = store
        self.settings = settings
        self.observer = observer
        self.logger = logger
        self.coreWaitOfCurrentThread = coreWaitOfCurrentThread ?? WriterThreadExecutor.runQueueWaitOfCurrentThread
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    deinit {
        backgroundThread.shutdown()
        normalPriorityThread.shutdown()
    }

    /// Queues `entry` for writing. Returns `false` (and counts a drop) when the queue is full.
    @discardableResult
    public func record(_ entry: LedgerEntry) -> Bool {
        let (accepted, first) = state.withLock { state -> (Bool, Bool) in
            guard state.queue.count < settings.queueCapacity else {
                state.dropped += 1
                return (false, false)
            }
            state.queue.append(entry)
            return (true, state.queue.count == 1)
        }
        if first { wakeUp.yield() }
        return accepted
    }

    /// Entries waiting to be written.
    public var depth: Int { state.withLock { $0.queue.count } }
    /// Entries dropped because the queue was full.
    public var dropped: Int { state.withLock { $0.dropped } }
    /// Entries written to the store since start.
    public var written: Int { state.withLock { $0.written } }
    /// Batch writes that failed (and were retried).
    public var failedWrites: Int { state.withLock { $0.failedWrites } }
    /// Flushes (of at least one entry) finished at low CPU priority (in the background), and at
    /// normal priority (including those handed over).
    public var flushesByPriority: (low: Int, normal: Int) {
        state.withLock { ($0.lowPriorityFlushes, $0.normalPriorityFlushes) }
    }
    /// Background flushes that were starved of the core and handed over to normal priority.
    public var handedOverFlushes: Int { state.withLock { $0.handedOverFlushes } }

    public func run() async throws {
        let pause = WriterPause()
        // The whole loop runs on the normal-priority writer thread: the wake-up, the waits and
        // the flushes resume there, never on Swift's global executor, whose threads would take
        // the gateway's core from the event loop several times a flush.
        await withTaskExecutorPreference(normalPriorityThread) {
            await withTaskCancellationHandler {
                await withGracefulShutdownHandler {
                    await self.flushWhileEntriesArrive(pause: pause)
                } onGracefulShutdown: {
                    self.wakeUp.finish()
                    pause.interrupt()
                }
            } onCancel: {
                self.wakeUp.finish()
                pause.interrupt()
            }
            await self.flush(retryUntilShutdown: false)
        }
        logger.debug("ledger writer stopped", metadata: ["written": "\(written)", "dropped": "\(dropped)"])
        stopped.complete()
    }

    /// Returns once ``run()`` has returned, after its last flush: what must outlive the writer
    /// (the store's connections) waits for this before closing.
    public func waitUntilStopped() async {
        await stopped.wait()
    }

    /// Sleeps until the first entry after a flush that found none, then flushes once every
    /// interval for as long as each flush finds entries: under a steady load nothing wakes the
    /// writer but the end of its own interval. Returns at shutdown, leaving the queue to the
    /// caller's last flush.
    private func flushWhileEntriesArrive(pause: WriterPause) async {
        // Taken as the last flush began: how busy the cores were is measured over the writer's
        // own work as well as the interval's, or a saturated core, whose event loops leave
        // about a tenth of it to the writer, would look idle enough.
        var lastFlushStart: ProcessCPUClock.Reading?
        // The wake-up an entry sends while the writer is not parked here stays buffered, and
        // brings one more interval, and a flush, after the load stops.
        for await _ in wakeUps {
            let wakeUp = cpuClock.read()
            while true {
                // Let entries accumulate for one interval so they share a transaction. Shutdown
                // cuts the wait short; the caller's drain writes what is queued.
                guard pause.wait(for: settings.flushInterval) else { return }
                let flushStart = cpuClock.read()
                let busyShare = cpuClock.busyShare(from: lastFlushStart ?? wakeUp, to: flushStart)
                lastFlushStart = flushStart
                let coreWasIdle = busyShare.map { $0 <= Self.busyShareForBackgroundFlushOfAnySize } ?? false
                guard await flush(retryUntilShutdown: true, coreWasIdle: coreWasIdle) else { break }
            }
        }
    }

    /// Appends on `thread`, outside the caller's task: cancelling the service must not abandon
    /// entries the queue already accepted.
    private func append(_ batch: [LedgerEntry], on thread: WriterThreadExecutor, sharing: CoreSharing?) async throws(StoreError) {
        let store = store
        let result = await Task.detached(executorPreference: thread) { () async -> Result<Void, StoreError> in
            do throws(StoreError) {
                try await store.appendOnCallingThread(batch, sharingTheCore: sharing)
                return .success(())
            } catch {
                return .failure(error)
            }
        }.value
        try result.get()
    }

    /// Writes everything queued now, in batches: in the background when the flush is small and
    /// the last one kept up, else at normal priority.
    ///
    /// The flush is run from the normal-priority thread, so a background write returns there: the
    /// `SCHED_IDLE` thread never resumes a task on Swift's global executor. A thread that the
    /// global executor's pool started from it would inherit `SCHED_IDLE` for good (Linux threads
    /// inherit their creator's policy), and whatever later ran there would wait behind every
    /// other thread.
    public func flush(retryUntilShutdown: Bool = false) async {
        await flush(retryUntilShutdown: retryUntilShutdown, coreWasIdle: false)
    }

    /// - Parameter coreWasIdle: The process used at most ``busyShareForBackgroundFlushOfAnySize``
    ///   of its CPUs' time since the last flush began, so the flush goes to the background
    ///   whatever its size (unless the last background flush fell behind).
    /// Returns whether it found entries to write.
    @discardableResult
    func flush(retryUntilShutdown: Bool, coreWasIdle: Bool) async -> Bool {
        await withTaskExecutorPreference(normalPriorityThread) {
            await self.flushFromNormalPriority(retryUntilShutdown: retryUntilShutdown, coreWasIdle: coreWasIdle)
        }
    }

    private func flushFromNormalPriority(retryUntilShutdown: Bool, coreWasIdle: Bool) async -> Bool {
        let (queued, fellBehind, limit) = state.withLock { ($0.queue.count, $0.backgroundFlushFellBehind, $0.backgroundFlushLimit) }
        guard queued > 0 else { return false }
        if fellBehind || (queued > min(settings.batchSize, limit) && !coreWasIdle) {
            let thread = normalPriorityThread
            await withTaskExecutorPreference(thread) {
                var pending = self.drain()
                _ = await self.write(&pending, from: 0, retrying: retryUntilShutdown, on: thread, sharing: nil)
            }
            state.withLock {
                $0.backgroundFlushFellBehind = false
                $0.normalPriorityFlushes += 1
            }
            return true
        }
        // Starved, not slow: a checkpoint waiting for the disk does not count, or a flush at c=1
        // would send the next one to normal priority, where it holds up the event loop.
        let thread = backgroundThread
        let started = ContinuousClock.now
        let (handedOver, waitedForCore) = await withTaskExecutorPreference(thread) { () async -> (Bool, Duration?) in
            let before = self.coreWaitOfCurrentThread()
            let handedOver = await self.drainAndWriteInTheBackground(retryUntilShutdown: retryUntilShutdown, sharing: self.yieldingUntilStarved(since: before))
            guard let before, let after = self.coreWaitOfCurrentThread() else { return (handedOver, nil) }
            return (handedOver, after - before)
        }
        let slow = (waitedForCore ?? ContinuousClock.now - started) > settings.flushInterval
        state.withLock {
            $0.backgroundFlushFellBehind = handedOver || slow
            $0.backgroundFlushLimit = handedOver || slow ? Self.backgroundFlushLimit : max(Self.backgroundFlushLimit, 2 * queued)
            if handedOver {
                $0.handedOverFlushes += 1
                $0.normalPriorityFlushes += 1
            } else {
                $0.lowPriorityFlushes += 1
            }
        }
        return true
    }

    /// How a background flush shares the core: it yields every ``rowsBetweenYields`` rows, and
    /// stops once it has waited longer than a flush interval for the core since `start` — on a
    /// saturated core, where a background thread hardly runs and the queue grows meanwhile.
    func yieldingUntilStarved(since start: Duration?) -> CoreSharing {
        let coreWait = coreWaitOfCurrentThread
        // A whole interval: a shorter allowance hands over often at a moderate load (two
        // requests at a time on the gateway's core), and each normal-priority flush holds the
        // event loop up.
        let allowance = settings.flushInterval
        return CoreSharing(every: Self.rowsBetweenYields) {
            if let start, let now = coreWait(), now - start > allowance { return false }
            sched_yield()
            return true
        }
    }

    /// Rows a background flush writes between two offers of the core: about 0.2 ms of work.
    static let rowsBetweenYields = 8

    /// Takes everything queued, handing the queue the buffer drained last time.
    private func drain() -> [LedgerEntry] {
        state.withLock { state -> [LedgerEntry] in
            var drained: [LedgerEntry] = []
            swap(&drained, &state.spare)
            swap(&drained, &state.queue)
            return drained
        }
    }

    /// Writes a drain on the background thread, where this runs. Returns whether a write was
    /// starved: the rest of the drain, from the batch that stopped, was then written at normal
    /// priority, where the entries are also released.
    private func drainAndWriteInTheBackground(retryUntilShutdown: Bool, sharing: CoreSharing) async -> Bool {
        var pending = drain()
        guard let stoppedAt = await write(&pending, from: 0, retrying: retryUntilShutdown, on: backgroundThread, sharing: sharing) else { return false }
        let thread = normalPriorityThread
        // The stopped batch was observed already; the rest is cut into the same batches.
        let observed = min(pending.count, stoppedAt + settings.batchSize)
        await withTaskExecutorPreference(thread) {
            _ = await self.write(&pending, from: stoppedAt, observedBefore: observed, retrying: retryUntilShutdown, on: thread, sharing: nil)
        }
        return true
    }

    /// Writes `pending` from index `start` in batches on `thread`, showing each batch to the
    /// observer first (those before `observedBefore` it has seen), then empties it and keeps its
    /// buffer for the queue. Returns where it stopped if a write was interrupted (its
    /// ``CoreSharing`` said so), leaving `pending` as it is.
    private func write(
        _ pending: inout [LedgerEntry], from start: Int, observedBefore observed: Int = 0, retrying: Bool, on thread: WriterThreadExecutor,
        sharing: CoreSharing?
    ) async -> Int? {
        var start = start
        while start < pending.count {
            // One batch holds the whole drain: pass it as it is rather than copy every entry (a
            // retain and a release for each of its strings).
            let batch = start == 0 && pending.count <= settings.batchSize ? pending : Array(pending[start..<min(pending.count, start + settings.batchSize)])
            if start >= observed { observer?.observe(batch) }
            guard await write(batch, retrying: retrying, on: thread, sharing: sharing) else { return start }
            start += batch.count
        }
        pending.removeAll(keepingCapacity: true)
        state.withLock { state in
            if state.spare.capacity < pending.capacity { swap(&state.spare, &pending) }
        }
        return nil
    }

    /// Writes `batch`, retrying failures. Returns `false` if the write was interrupted by its
    /// `sharing` (nothing was stored, and it is not retried).
    private func write(_ batch: [LedgerEntry], retrying: Bool, on thread: WriterThreadExecutor, sharing: CoreSharing?) async -> Bool {
        while true {
            do {
                try await append(batch, on: thread, sharing: sharing)
                state.withLock { $0.written += batch.count }
                return true
            } catch where error.kind == .interrupted {
                return false
            } catch {
                state.withLock { $0.failedWrites += 1 }
                logger.error("ledger write failed", metadata: ["entries": "\(batch.count)", "error": "\(error)"])
                // Keep retrying while the gateway runs; on shutdown give up after one more try.
                guard retrying, !Task.isCancelled, !Task.isShuttingDownGracefully else {
                    if (try? await append(batch, on: normalPriorityThread, sharing: nil)) != nil {
                        state.withLock { $0.written += batch.count }
                    } else {
                        logger.critical("ledger entries lost at shutdown", metadata: ["entries": "\(batch.count)"])
                    }
                    return true
                }
                // Waited out at normal priority (see ``flush(retryUntilShutdown:)``).
                try? await withTaskExecutorPreference(normalPriorityThread) { try await Task.sleep(for: .seconds(1)) }
            }
        }
    }
}
