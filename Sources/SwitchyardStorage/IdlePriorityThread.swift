import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// One thread that runs blocking work at idle CPU priority (Linux `SCHED_IDLE`): the kernel
/// gives it a core only when nothing else there wants to run, so a batch of ledger rows never
/// holds up an event loop that has a request to answer.
///
/// Idle priority can starve under sustained full load; callers that must not wait (a growing
/// backlog) run their work elsewhere. Where idle priority is unavailable the thread runs at
/// normal priority.
final class IdlePriorityThread: Sendable {
    private let pool: NIOThreadPool

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        // The first job on the pool's one thread; the thread keeps the policy for its life.
        pool.submit { _ in Self.lowerCurrentThread() }
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    /// Stops the thread once the work already given to it is done.
    func shutdown() {
        pool.shutdownGracefully { _ in }
    }

    /// Whether the thread runs at idle priority.
    var isIdlePriority: Bool {
        get async throws {
            try await run {
                #if os(Linux)
                return sched_getscheduler(0) == Self.schedIdle
                #else
                return false
                #endif
            }
        }
    }

    /// Linux's `SCHED_IDLE`, which Glibc's Swift module does not export.
    private static let schedIdle: Int32 = 5

    /// Moves the calling thread to `SCHED_IDLE` (any thread may lower its own priority).
    private static func lowerCurrentThread() {
        #if os(Linux)
        var parameters = sched_param(sched_priority: 0)
        _ = sched_setscheduler(0, schedIdle, &parameters)
        #endif
    }
}
