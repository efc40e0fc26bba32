import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A Swift task executor with one thread of its own, at a nice value chosen when it is made:
/// the ledger writer's flushes run on one, so writing blocks that thread and not an event loop or
/// a thread of Swift's shared pool.
///
/// The low-priority one (nice 10) gets the core after request handling, and about a tenth of it
/// when the core is saturated, so it is never starved either.
///
/// Work on a writer thread may offer the core between steps (`sched_yield`): kernels with lazy
/// preemption let a thread that makes no system calls run until the next tick (up to 4 ms)
/// before a woken event loop. On a saturated core, though, each yield can cost a whole time
/// slice (see `LedgerRecorder` for how the writer weighs the two).
final class WriterThreadExecutor: TaskExecutor {
    /// The nice value of the low-priority writer thread.
    static let lowPriority: Int32 = 10

    private let pool: NIOThreadPool

    /// Starts the thread at `niceValue` (0 leaves the process's own).
    init(niceValue: Int32) {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        // The first job on the pool's one thread; the thread keeps its nice value for its life.
        if niceValue != 0 { pool.submit { _ in Self.setNiceValueOfCurrentThread(niceValue) } }
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

    /// How long the calling thread has waited, runnable, for a core since it started (Linux's
    /// `/proc/thread-self/schedstat`); `nil` where the kernel does not say. Unlike the time a
    /// piece of work takes, it leaves out waiting for the disk.
    static func runQueueWaitOfCurrentThread() -> Duration? {
        #if os(Linux)
        let file = open("/proc/thread-self/schedstat", O_RDONLY)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var buffer = [UInt8](repeating: 0, count: 96)
        let count = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // "<ns on a core> <ns waiting for one> <time slices>"
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count >= 2, let nanoseconds = Int64(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return .nanoseconds(nanoseconds)
        #else
        return nil
        #endif
    }

    /// Sets the calling thread's nice value (any thread may lower its own priority).
    private static func setNiceValueOfCurrentThread(_ value: Int32) {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, value)
        #else
        _ = setpriority(PRIO_PROCESS, 0, value)
        #endif
    }
}
