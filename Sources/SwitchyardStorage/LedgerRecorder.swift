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
///   flush wakes it; it then waits one `flushInterval` so entries accumulate, and writes them in
///   transactions of at most `batchSize`.
/// * Every flush runs wholly on a writer thread of the recorder's own (``WriterThreadExecutor``):
///   the copies, the observer, the store's work (``LedgerStore/appendOnCallingThread(_:)``, which
///   yields the core every few rows) and the release of the entries. Small flushes use a thread
///   at low CPU priority, so little of the work holds up request handling on the same core.
///   Larger ones (more than ``backgroundFlushLimit`` entries queued: a busy gateway), and any
///   flush after a low-priority one that took longer than a flush interval, use a thread at
///   normal priority, so a busy core cannot let the queue grow; they still yield between rows.
/// * A full queue drops the new entry and counts it (``dropped``); the request is not slowed.
/// * A failed write is retried (every second) without losing the batch.
/// * Graceful shutdown writes everything still queued. A kill -9 loses at most the entries
///   accepted during the last flush interval plus the batch being written.
public final class LedgerRecorder: Service, Sendable {
    private struct State {
        var queue: [LedgerEntry] = []
        /// The buffer the writer drained last time, emptied and handed back so the queue never
        /// has to allocate in steady state.
        var spare: [LedgerEntry] = []
        var dropped = 0
        var written = 0
        var failedWrites = 0
        /// The last low-priority flush took longer than a flush interval.
        var lowPriorityFlushFellBehind = false
        var lowPriorityFlushes = 0
        var normalPriorityFlushes = 0
    }

    /// The most entries a flush may hold and still be written in the background: a few
    /// milliseconds of work, queued by a gateway with idle CPU to spare.
    public static let backgroundFlushLimit = 256

    private let store: any LedgerStore
    /// Where small flushes run.
    private let lowPriorityThread = WriterThreadExecutor(niceValue: WriterThreadExecutor.lowPriority)
    /// Where large flushes, and those after a slow one, run.
    private let normalPriorityThread = WriterThreadExecutor(niceValue: 0)
    private let settings: LedgerSettings
    private let observer: (any LedgerObserver)?
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation

    public init(store: any LedgerStore, settings: LedgerSettings, observer: (any LedgerObserver)? = nil, logger: Logger) {
        self.store = store
        self.settings = settings
        self.observer = observer
        self.logger = logger
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    deinit {
        lowPriorityThread.shutdown()
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
    /// Flushes (of at least one entry) done at low CPU priority, and at normal priority.
    public var flushesByPriority: (low: Int, normal: Int) {
        state.withLock { ($0.lowPriorityFlushes, $0.normalPriorityFlushes) }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in wakeUps {
                // Let entries accumulate for one interval so they share a transaction.
                // Shutdown cuts the wait short; the drain below writes what is queued.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.flushInterval) }
                await flush(retryUntilShutdown: true)
            }
        } onGracefulShutdown: {
            self.wakeUp.finish()
        }
        await flush(retryUntilShutdown: false)
        logger.debug("ledger writer stopped", metadata: ["written": "\(written)", "dropped": "\(dropped)"])
    }

    /// Appends on `thread`, outside the caller's task: cancelling the service must not abandon
    /// entries the queue already accepted.
    private func append(_ batch: [LedgerEntry], on thread: WriterThreadExecutor) async throws(StoreError) {
        let store = store
        let result = await Task.detached(executorPreference: thread) { () async -> Result<Void, StoreError> in
            do throws(StoreError) {
                try await store.appendOnCallingThread(batch)
                return .success(())
            } catch {
                return .failure(error)
            }
        }.value
        try result.get()
    }

    /// Writes everything queued now, in batches: on the low-priority thread when the flush is
    /// small and the last one kept up, else on the normal-priority one.
    public func flush(retryUntilShutdown: Bool = false) async {
        let (queued, fellBehind) = state.withLock { ($0.queue.count, $0.lowPriorityFlushFellBehind) }
        guard queued > 0 else { return }
        if queued > min(settings.batchSize, Self.backgroundFlushLimit) || fellBehind {
            let thread = normalPriorityThread
            await withTaskExecutorPreference(thread) {
                await self.drainAndWrite(retryUntilShutdown: retryUntilShutdown, on: thread)
            }
            state.withLock {
                $0.lowPriorityFlushFellBehind = false
                $0.normalPriorityFlushes += 1
            }
            return
        }
        let started = ContinuousClock.now
        let thread = lowPriorityThread
        await withTaskExecutorPreference(thread) {
            await self.drainAndWrite(retryUntilShutdown: retryUntilShutdown, on: thread)
        }
        let slow = ContinuousClock.now - started > settings.flushInterval
        state.withLock {
            $0.lowPriorityFlushFellBehind = slow
            $0.lowPriorityFlushes += 1
        }
    }

    private func drainAndWrite(retryUntilShutdown: Bool, on thread: WriterThreadExecutor) async {
        var pending = state.withLock { state -> [LedgerEntry] in
            var drained: [LedgerEntry] = []
            swap(&drained, &state.spare)
            swap(&drained, &state.queue)
            return drained
        }
        var start = 0
        while start < pending.count {
            let batch = Array(pending[start..<min(pending.count, start + settings.batchSize)])
            observer?.observe(batch)
            await write(batch, retrying: retryUntilShutdown, on: thread)
            start += batch.count
        }
        pending.removeAll(keepingCapacity: true)
        state.withLock { state in
            if state.spare.capacity < pending.capacity { swap(&state.spare, &pending) }
        }
    }

    private func write(_ batch: [LedgerEntry], retrying: Bool, on thread: WriterThreadExecutor) async {
        while true {
            do {
                try await append(batch, on: thread)
                state.withLock { $0.written += batch.count }
                return
            } catch {
                state.withLock { $0.failedWrites += 1 }
                logger.error("ledger write failed", metadata: ["entries": "\(batch.count)", "error": "\(error)"])
                // Keep retrying while the gateway runs; on shutdown give up after one more try.
                guard retrying, !Task.isCancelled, !Task.isShuttingDownGracefully else {
                    if (try? await append(batch, on: normalPriorityThread)) != nil {
                        state.withLock { $0.written += batch.count }
                    } else {
                        logger.critical("ledger entries lost at shutdown", metadata: ["entries": "\(batch.count)"])
                    }
                    return
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
