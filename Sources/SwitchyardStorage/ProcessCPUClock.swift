#if canImport(Glibc)
import Glibc
#endif

/// How much of the CPUs it may use the process used over a stretch of wall time: the CPU time
/// of all its threads (`CLOCK_PROCESS_CPUTIME_ID`) against the time its CPUs offered. The gateway
/// passes the CPUs of its affinity mask (`EventLoopSizing.allowedCPUs()`), so a gateway pinned
/// with `taskset` to one core counts one.
///
/// The ledger recorder reads it as each flush begins: cores that were idle for a good part of
/// the time since the last one have room for a background (`SCHED_IDLE`) flush, however many
/// entries it found.
public struct ProcessCPUClock: Sendable {
    /// A reading: the process's CPU time and the wall time at which it was taken.
    public struct Reading: Sendable {
        let cpuTime: Duration
        let wallTime: ContinuousClock.Instant
    }

    private let cpuTime: @Sendable () -> Duration?
    /// The CPUs the process may run on.
    public let cpus: Int

    /// - Parameters:
    ///   - cpuTime: The process's CPU time so far (by default the kernel's); `nil` where unknown.
    ///   - cpus: The CPUs it may run on (by default the machine's online CPUs).
    public init(cpuTime: (@Sendable () -> Duration?)? = nil, cpus: Int? = nil) {
        self.cpuTime = cpuTime ?? Self.processCPUTime
        self.cpus = max(1, cpus ?? sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// A reading now; `nil` where the CPU time is unknown.
    public func read() -> Reading? {
        cpuTime().map { Reading(cpuTime: $0, wallTime: .now) }
    }

    /// The share (0 to 1, or more when the readings disagree) of its CPUs' time the process used
    /// from `start` to `end`; `nil` when either reading is unknown or no time passed between.
    public func busyShare(from start: Reading?, to end: Reading?) -> Double? {
        guard let start, let end else { return nil }
        let offered = (end.wallTime - start.wallTime) * cpus
        guard offered > .zero else { return nil }
        return (end.cpuTime - start.cpuTime) / offered
    }

    private static func processCPUTime() -> Duration? {
        var time = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time) == 0 else { return nil }
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}
