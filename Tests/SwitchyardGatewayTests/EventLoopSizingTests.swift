import Testing

@testable import SwitchyardGateway

@Suite("Event-loop sizing")
struct EventLoopSizingTests {
    @Test("the allowed CPUs are counted from a /proc status text", arguments: [
        ("Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\n", 2),
        ("Cpus_allowed_list:\t1\n", 1),
        ("Name:\tswitchyard\nCpus_allowed_list:\t0-3,8,10-11\nMems_allowed_list:\t0\n", 7),
    ])
    func counts(status: String, expected: Int) {
        #expect(EventLoopSizing.allowedCPUs(procStatus: status) == expected)
    }

    @Test("a status text without a readable list gives no count", arguments: [
        "Name:\tswitchyard\n", "Cpus_allowed_list:\t\n", "Cpus_allowed_list:\t3-1\n", "Cpus_allowed_list:\t0-x\n", "Cpus_allowed_list:\t1-2-3\n",
    ])
    func unreadable(status: String) {
        #expect(EventLoopSizing.allowedCPUs(procStatus: status) == nil)
    }

    @Test("this process's own list is readable on Linux")
    func ownProcess() throws {
        #if os(Linux)
        let count = try #require(EventLoopSizing.allowedCPUs())
        #expect(count >= 1)
        #endif
    }
}
