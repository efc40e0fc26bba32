import Dispatch
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A Swift task executor with one thread of its own, at a CPU priority chosen when it is made:
/// the ledger writer's flushes run on one, so writing blocks that thread and not an event loop or
/// a thread of Swift's shared pool.
///
/// A ``Priority/background`` thread runs only on a core that nothing else of normal priority
/// wants, and gives the core up as soon as such a thread (an event loop) wakes up. On a saturated
/// core it gets almost nothing, so work there must notice when it is starved (see
/// ``runQueueWaitOfCurrentThread()``) and hand itself over (see `LedgerRecorder`).
///
/// Work on a writer thread may also offer the core between steps (`sched_yield`), for kernels
/// and platforms where the background policy is not available and a woken thread waits for the
/// writer's time slice to end.
///
/// A task must never leave a background thread for Swift's global executor: the global pool
/// starts its threads from the thread that enqueues work on it, a new thread inherits its
/// creator's policy, and that pool thread would run everything at `SCHED_IDLE` for good. Leave a
/// background thread for a normal-priority one (see `LedgerRecorder.flush`).
final class WriterThreadExecutor: TaskExecutor {
    /// How a writer thread competes with request handling for the core.
    enum Priority: Sendable, Equatable {
        /// Linux's `SCHED_IDLE` policy: the thread runs when nothing else of normal priority is
        /// runnable on its core, and a waking thread preempts it at once. Where that policy
        /// cannot be set, nice 19.
        case background
        /// The process's own priority.
        case normal
    }

    /// `SCHED_IDLE` of `<linux/sched.h>`, which Glibc's module does not export.
    private static let idlePolicy: Int32 = 5
    /// The nice value a background thread falls back to.
    private static let backgroundNiceValue: Int32 = 19

    private let pool: NIOThreadPool

    /// Starts the thread at `priority`.
    init(priority: Priority) {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        // The first job on the pool's one thread; the thread keeps its priority for its life. A
        // pool stopped before its thread took the job runs it, `.cancelled`, on a thread of
        // Dispatch's global pool, which Swift's global executor shares: that one must not move.
        if priority == .background {
            pool.submit { state in
                guard case .active = state else { return }
                Self.moveCurrentThreadToBackground()
            }
        }
    }

    /// Runs `job` on the executor's thread, after the jobs already queued there.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A job must run even if the pool is shutting down, or its task would never resume.
        execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs `work` on the executor's thread, after the work already queued there.
    func execute(_ work: @escaping @Sendable () -> Void) {
        pool.submit { _ in work() }
    }

    /// Stops the thread once the jobs already given to it have run.
    func shutdown() {
        pool.shutdownGracefully(queue: Self.shutdownQueue) { _ in }
    }

    /// Stops the thread and returns once it has ended, and the jobs it never took have run.
    func shutdownAndWait() async {
        await withCheckedContinuation { continuation in
            pool.shutdownGracefully(queue: Self.shutdownQueue) { _ in continuation.resume() }
        }
    }

    /// Where a stopping pool runs the work its thread never took (as `.cancelled`), then reports
    /// that it has stopped: serial, so the report comes last.
    private static let shutdownQueue = DispatchQueue(label: "switchyard.writer-thread.shutdown")

    /// The calling thread's priority: background under `SCHED_IDLE` or at a positive nice value.
    static func priorityOfCurrentThread() -> Priority {
        #if os(Linux)
        if sched_getscheduler(0) == idlePolicy { return .background }
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) > 0 ? .background : .normal
        #else
        return getpriority(PRIO_PROCESS, 0) > 0 ? .background : .normal
        #endif
    }

    /// How long the calling thread has waited, runnable, for a core since it started (Linux's
    /// `/proc/thread-self/schedstat`); `nil` where the kernel does not say. Unlike the time a
    /// piece of work takes, it leaves out waiting for the disk.
    ///
    /// Each thread opens the file once and keeps it open until it ends: a background flush asks
    /// every few rows, and opening a file under `/proc` cost about 8 µs each time, reading it
    /// again about 1 µs.
    static func runQueueWaitOfCurrentThread() -> Duration? {
        #if os(Linux)
        let file = schedstatOfCurrentThread()
        guard file >= 0 else { return nil }
        // "<ns on a core> <ns waiting for one> <time slices>"
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { buffer -> Duration? in
            let count = pread(file, buffer.baseAddress, buffer.count, 0)
            guard count > 0 else { return nil }
            let fields = buffer[..<count].split(separator: UInt8(ascii: " "), maxSplits: 2)
            guard fields.count >= 2, let nanoseconds = Int64(String(decoding: fields[1], as: UTF8.self)) else { return nil }
            return .nanoseconds(nanoseconds)
        }
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// The thread-specific slot holding the calling thread's open schedstat file, plus one (`nil`
    /// until the thread first asks); the file is closed when the thread ends.
    private static let schedstatSlot: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { value in
            guard let value else { return }
            close(Int32(truncatingIfNeeded: Int(bitPattern: value) - 1))
        }
        return key
    }()

    /// The calling thread's `/proc/thread-self/schedstat`, opened on its first call; -1 if it
    /// cannot be opened (then every call tries again).
    private static func schedstatOfCurrentThread() -> Int32 {
        if let value = pthread_getspecific(schedstatSlot) { return Int32(truncatingIfNeeded: Int(bitPattern: value) - 1) }
        let file = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return -1 }
        pthread_setspecific(schedstatSlot, UnsafeRawPointer(bitPattern: Int(file) + 1))
        return file
    }
    #endif

    /// Puts the calling thread under `SCHED_IDLE` (any thread may lower its own priority), or
    /// at nice 19 where that fails. On Linux both are per thread.
    private static func moveCurrentThreadToBackground() {
        #if os(Linux)
        var parameters = sched_param()
        parameters.sched_priority = 0
        if sched_setscheduler(0, idlePolicy, &parameters) == 0 { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, backgroundNiceValue)
        #else
        _ = setpriority(PRIO_PROCESS, 0, backgroundNiceValue)
        #endif
    }
}
