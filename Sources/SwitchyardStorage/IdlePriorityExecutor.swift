import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A Swift task executor with one thread of its own at idle CPU priority (Linux `SCHED_IDLE`):
/// the kernel gives it a core only when nothing else there wants to run, and preempts it the
/// moment something does. Work in a task that prefers this executor (the ledger writer's
/// batches: copying, metrics, row encoding, SQLite) never holds up an event loop that has a
/// request to answer.
///
/// Idle priority can starve under sustained full load; callers that must not wait (a growing
/// backlog) do their work elsewhere. Where idle priority is unavailable the thread runs at
/// normal priority.
final class IdlePriorityExecutor: TaskExecutor {
    private let pool: NIOThreadPool

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        // The first job on the pool's one thread; the thread keeps the policy for its life.
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

    /// Whether code that prefers this executor runs at idle priority.
    var isIdlePriority: Bool {
        get async {
            await withTaskExecutorPreference(self) {
                #if os(Linux)
                return sched_getscheduler(0) == Self.schedIdle
                #else
                return false
                #endif
            }
        }
    }

    /// Linux's `SCHED_IDLE`, which Glibc's Swift module does not export.
    static let schedIdle: Int32 = 5

    /// Moves the calling thread to `SCHED_IDLE` (any thread may lower its own priority).
    private static func lowerCurrentThread() {
        #if os(Linux)
        var parameters = sched_param(sched_priority: 0)
        _ = sched_setscheduler(0, schedIdle, &parameters)
        #endif
    }
}
