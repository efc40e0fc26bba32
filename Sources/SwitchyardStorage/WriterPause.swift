#if canImport(Glibc)
import Glibc
#endif

/// A wait that blocks the calling thread for a flush interval, or until ``interrupt()``.
///
/// The ledger recorder waits out its flush intervals on its own normal-priority writer thread
/// with this, not with `Task.sleep`: a sleeping task is woken by Swift's global executor, whose
/// timer and worker threads would then run on the gateway's core at every flush, each taking it
/// from the event loop for a moment. Blocking is fine on that thread, which does nothing else
/// between flushes. The wait is timed on the monotonic clock, so a step of the wall clock (a VM
/// resumed, the time set by hand) neither stretches nor cuts short an interval.
final class WriterPause: @unchecked Sendable {
    // `mutex` guards `interrupted`; both pthread objects live as long as the pause.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var interrupted = false

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Blocks for `duration`; returns `false` at once, or as soon as it happens, once
    /// ``interrupt()`` has been called.
    func wait(for duration: Duration) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = duration.components
        var deadline = timespec(tv_sec: now.tv_sec + Int(seconds), tv_nsec: now.tv_nsec + Int(attoseconds / 1_000_000_000))
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !interrupted {
            // Spurious wake-ups loop back; the deadline passing ends the wait.
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
        }
        return !interrupted
    }

    /// Ends the current wait and every later one at once (shutdown).
    func interrupt() {
        pthread_mutex_lock(mutex)
        interrupted = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
