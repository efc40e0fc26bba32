import Foundation

/// A wait that blocks the calling thread for a flush interval, or until ``interrupt()``.
///
/// The ledger recorder waits out its flush intervals on its own normal-priority writer thread
/// with this, not with `Task.sleep`: a sleeping task is woken by Swift's global executor, whose
/// timer and worker threads would then run on the gateway's core at every flush, each taking it
/// from the event loop for a moment. Blocking is fine on that thread, which does nothing else
/// between flushes.
final class WriterPause: @unchecked Sendable {
    // `condition` guards `interrupted`.
    private let condition = NSCondition()
    private var interrupted = false

    /// Blocks for `duration`; returns `false` at once, or as soon as it happens, once
    /// ``interrupt()`` has been called.
    func wait(for duration: Duration) -> Bool {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while !interrupted {
            if !condition.wait(until: deadline) { break }
        }
        return !interrupted
    }

    /// Ends the current wait and every later one at once (shutdown).
    func interrupt() {
        condition.lock()
        interrupted = true
        condition.broadcast()
        condition.unlock()
    }
}
