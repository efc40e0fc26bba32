import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A Swift task executor with one thread of its own at low CPU priority (nice 10): work in a
/// task that prefers it (the ledger writer's small flushes: copying, metrics, row encoding,
/// SQLite) gets the core after request handling, and about a tenth of it when the core is
/// saturated, so it is never starved either. The work should also offer the core between
/// steps (`sched_yield`): kernels with lazy preemption let a thread that makes no system calls
/// run until the next tick before a woken event loop, whatever its priority.
final class LowPriorityExecutor: TaskExecutor {
    /// The nice value of the executor's thread.
    static let niceValue: Int32 = 10

    private let pool: NIOThreadPool

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        // The first job on the pool's one thread; the thread keeps its nice value for its life.
        pool.submit { _ in Self.lowerCurrentThread() }
    }

    /// Runs `job` on the executor's thread, after the jobs already queued there.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A job must run even if the pool is shutting down, or its task would never resume.
        pool.submit { _ in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Stops the thread once the jobs already given to it have run.
    func shutdown() {
        pool.shutdownGracefully { _ in }
    }

    /// The nice value code that prefers this executor runs at.
    var currentNiceValue: Int32 {
        get async {
            await withTaskExecutorPreference(self) { Self.niceValueOfCurrentThread() }
        }
    }

    /// The calling thread's nice value (on Linux the nice value is per thread).
    static func niceValueOfCurrentThread() -> Int32 {
        #if os(Linux)
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #else
        return getpriority(PRIO_PROCESS, 0)
        #endif
    }

    /// Raises the calling thread's nice value (any thread may lower its own priority).
    private static func lowerCurrentThread() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceValue)
        #else
        _ = setpriority(PRIO_PROCESS, 0, niceValue)
        #endif
    }
}
