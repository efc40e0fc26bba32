import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How much of the CPUs it may use the process used over a stretch of wall time: the CPU time
/// of all its threads (`CLOCK_PROCESS_CPUTIME_ID`) against the time its CPUs offered (the
/// affinity mask's size, so a gateway pinned with `taskset` to one core counts one).
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
    ///   - cpus: The CPUs it may run on (by default the size of its affinity mask).
    public init(cpuTime: (@Sendable () -> Duration?)? = nil, cpus: Int? = nil) {
        self.cpuTime = cpuTime ?? Self.processCPUTime
        self.cpus = max(1, cpus ?? Self.cpusInAffinityMask())
    }

    /// A reading now; `nil` where the CPU time is unknown.
    public func read() -> Reading? {
        cpuTime().map { Reading(cpuTime: $0, wallTime: .now) }
    }

    /// The share (0 to 1, or more when the readings disagree) of its CPUs' time the process used
    /// since `start`; `nil` when either reading is unknown or no time has passed.
    public func busyShare(since start: Reading?) -> Double? {
        guard let start, let now = read() else { return nil }
        let offered = (now.wallTime - start.wallTime) * cpus
        guard offered > .zero else { return nil }
        return (now.cpuTime - start.cpuTime) / offered
    }

    private static func processCPUTime() -> Duration? {
        var time = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time) == 0 else { return nil }
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    /// The CPUs in the process's affinity mask (`Cpus_allowed` in `/proc/self/status`); the
    /// online CPUs where it cannot be read.
    private static func cpusInAffinityMask() -> Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") })
        {
            let mask = line.dropFirst("Cpus_allowed:".count).filter(\.isHexDigit)
            let count = mask.reduce(0) { $0 + ($1.hexDigitValue ?? 0).nonzeroBitCount }
            if count > 0 { return count }
        }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
