import Foundation

/// How the machine's idle CPUs wait, as far as it sets the latency a proxied request adds at low
/// load; read from Linux's sysfs.
///
/// A proxied request wakes an idle CPU up to four times (gateway, upstream, gateway, client). On a
/// KVM guest whose idle CPUs use the `haltpoll` driver with a guest poll time of 0, each of those
/// wake-ups is an exit to the hypervisor, and together they are most of the latency the gateway
/// adds when it is not busy. `server.cpu_latency_limit_us` (see ``CPULatencyRequest``) or a guest
/// poll time (`haltpoll.guest_halt_poll_ns`) keeps woken CPUs polling instead.
public struct IdlePolicy: Sendable, Equatable {
    /// The cpuidle driver (`devices/system/cpu/cpuidle/current_driver`), e.g. `haltpoll`,
    /// `intel_idle` or `acpi_idle`; `nil` where there is none or it cannot be read.
    public var cpuidleDriver: String?
    /// haltpoll's guest poll time in nanoseconds (`module/haltpoll/parameters/guest_halt_poll_ns`);
    /// `nil` where the module is not loaded.
    public var haltpollGuestPollNanoseconds: Int?

    public init(cpuidleDriver: String?, haltpollGuestPollNanoseconds: Int?) {
        self.cpuidleDriver = cpuidleDriver
        self.haltpollGuestPollNanoseconds = haltpollGuestPollNanoseconds
    }

    /// The machine's policy, read under `sysfs` (tests pass a directory of their own).
    public static func read(sysfs: String = "/sys") -> IdlePolicy {
        IdlePolicy(
            cpuidleDriver: firstLine(of: sysfs + "/devices/system/cpu/cpuidle/current_driver"),
            haltpollGuestPollNanoseconds: firstLine(of: sysfs + "/module/haltpoll/parameters/guest_halt_poll_ns").flatMap { Int($0) })
    }

    /// Idle CPUs halt at once: a guest with the `haltpoll` driver and a guest poll time of 0,
    /// where every wake-up of an idle CPU is an exit to the hypervisor.
    public var haltsAtOnce: Bool {
        cpuidleDriver == "haltpoll" && haltpollGuestPollNanoseconds == 0
    }

    /// What `serve` tells an operator at start when ``haltsAtOnce`` and no CPU latency limit is
    /// held; `nil` otherwise.
    public func lowLoadLatencyNotice(holdsCPULatencyLimit: Bool) -> String? {
        guard haltsAtOnce, !holdsCPULatencyLimit else { return nil }
        return "idle CPUs halt at once here (cpuidle driver haltpoll, guest poll time 0): at low load each wake-up of an idle CPU "
            + "is an exit to the hypervisor, most of the latency a proxied request then adds; server.cpu_latency_limit_us: 0 "
            + "or a guest poll time (haltpoll.guest_halt_poll_ns) keeps woken CPUs polling (see docs/configuration.md)"
    }

    private static func firstLine(of path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let line = text.prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)
        return line.isEmpty ? nil : line
    }
}
