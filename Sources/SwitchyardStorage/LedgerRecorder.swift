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
/// * Small flushes run wholly on a thread at idle CPU priority (``IdlePriorityExecutor``): the
///   copies, the observer, the store's work (``LedgerStore/appendOnCallingThread(_:)``) and the
///   release of the entries, so none of it holds up request handling on the same core. Larger
///   ones (more than ``backgroundFlushLimit`` entries queued: a busy gateway), and any flush after
///   an idle-priority one that took longer than a flush interval, run at normal priority, so a
///   busy core can neither starve the ledger nor let its queue grow.
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
        /// The last idle-priority flush took longer than a flush interval.
        var idleFlushFellBehind = false
    }

    /// The most entries a flush may hold and still be written in the background: a few
    /// milliseconds of work, queued by a gateway with idle CPU to spare.
    public static let backgroundFlushLimit = 256

    private let store: any LedgerStore
    /// Where small flushes run.
    private let idleExecutor = IdlePriorityExecutor()
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
        idleExecutor.shutdown()
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

    /// Appends outside the caller's task: cancelling the service must not abandon entries the
    /// queue already accepted.
    private func append(_ batch: [LedgerEntry], atIdlePriority: Bool) async throws(StoreError) {
        let store = store
        let result = await Task.detached(executorPreference: atIdlePriority ? idleExecutor : nil) { () async -> Result<Void, StoreError> in
            do throws(StoreError) {
                if atIdlePriority {
                    try await store.appendOnCallingThread(batch)
                } else {
                    try await store.append(batch)
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }.value
        try result.get()
    }

    /// Writes everything queued now, in batches: at idle priority when the flush is small and the
    /// last one kept up, else at normal priority.
    public func flush(retryUntilShutdown: Bool = false) async {
        let (queued, fellBehind) = state.withLock { ($0.queue.count, $0.idleFlushFellBehind) }
        if queued > min(settings.batchSize, Self.backgroundFlushLimit) || fellBehind {
            await drainAndWrite(retryUntilShutdown: retryUntilShutdown, atIdlePriority: false)
            state.withLock { $0.idleFlushFellBehind = false }
            return
        }
        let started = ContinuousClock.now
        await withTaskExecutorPreference(idleExecutor) {
            await self.drainAndWrite(retryUntilShutdown: retryUntilShutdown, atIdlePriority: true)
        }
        let slow = ContinuousClock.now - started > settings.flushInterval
        state.withLock { $0.idleFlushFellBehind = slow }
    }

    private func drainAndWrite(retryUntilShutdown: Bool, atIdlePriority: Bool) async {
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
            await write(batch, retrying: retryUntilShutdown, atIdlePriority: atIdlePriority)
            start += batch.count
        }
        pending.removeAll(keepingCapacity: true)
        state.withLock { state in
            if state.spare.capacity < pending.capacity { swap(&state.spare, &pending) }
        }
    }

    private func write(_ batch: [LedgerEntry], retrying: Bool, atIdlePriority: Bool) async {
        while true {
            do {
                try await append(batch, atIdlePriority: atIdlePriority)
                state.withLock { $0.written += batch.count }
                return
            } catch {
                state.withLock { $0.failedWrites += 1 }
                logger.error("ledger write failed", metadata: ["entries": "\(batch.count)", "error": "\(error)"])
                // Keep retrying while the gateway runs; on shutdown give up after one more try.
                guard retrying, !Task.isCancelled, !Task.isShuttingDownGracefully else {
                    if (try? await append(batch, atIdlePriority: false)) != nil {
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
