import Foundation
import Testing

@testable import SwitchyardGateway

@Suite("Idle policy")
struct IdlePolicyTests {
    /// A directory laid out as sysfs, with the two files the policy reads (`nil` leaves one out).
    private func sysfs(driver: String?, guestPollNanoseconds: String?) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sysfs-\(UUID().uuidString)").path
        let files = [
            ("devices/system/cpu/cpuidle/current_driver", driver),
            ("module/haltpoll/parameters/guest_halt_poll_ns", guestPollNanoseconds),
        ]
        for case let (path, content?) in files {
            let url = URL(fileURLWithPath: root).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((content + "\n").utf8).write(to: url)
        }
        return root
    }

    @Test("a haltpoll guest with a poll time of 0 halts at once, and serve says so without a latency limit")
    func haltsAtOnce() throws {
        let root = try sysfs(driver: "haltpoll", guestPollNanoseconds: "0")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let policy = IdlePolicy.read(sysfs: root)
        #expect(policy == IdlePolicy(cpuidleDriver: "haltpoll", haltpollGuestPollNanoseconds: 0))
        #expect(policy.haltsAtOnce)
        let notice = try #require(policy.lowLoadLatencyNotice(holdsCPULatencyLimit: false))
        #expect(notice.contains("server.cpu_latency_limit_us"))
        #expect(notice.contains("haltpoll.guest_halt_poll_ns"))
        #expect(policy.lowLoadLatencyNotice(holdsCPULatencyLimit: true) == nil)
    }

    @Test("a guest poll time, another driver or no cpuidle at all needs no notice")
    func noNotice() throws {
        for (driver, poll) in [("haltpoll", "200000"), ("intel_idle", nil), ("acpi_idle", "0"), (nil, nil)] as [(String?, String?)] {
            let root = try sysfs(driver: driver, guestPollNanoseconds: poll)
            defer { try? FileManager.default.removeItem(atPath: root) }
            let policy = IdlePolicy.read(sysfs: root)
            #expect(policy.cpuidleDriver == driver)
            #expect(policy.haltpollGuestPollNanoseconds == poll.flatMap { Int($0) })
            #expect(!policy.haltsAtOnce)
            #expect(policy.lowLoadLatencyNotice(holdsCPULatencyLimit: false) == nil)
        }
    }

    @Test("a value that is not a number reads as unknown")
    func unreadable() throws {
        let root = try sysfs(driver: "haltpoll", guestPollNanoseconds: "many")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let policy = IdlePolicy.read(sysfs: root)
        #expect(policy.haltpollGuestPollNanoseconds == nil)
        #expect(!policy.haltsAtOnce)
    }
}
