import Synchronization
import Testing
@testable import SwitchyardStorage

@Suite struct ProcessCPUClockTests {
    @Test func theShareIsTheCPUTimeUsedOverTheTimeItsCPUsOffered() async throws {
        let used = Mutex(Duration.zero)
        let clock = ProcessCPUClock(cpuTime: { used.withLock { $0 } }, cpus: 2)
        let start = clock.read()
        try await Task.sleep(for: .milliseconds(50))
        // Far more than two CPUs could have run in the elapsed time, even if a busy test run
        // holds this task up for seconds: a share above 1.
        used.withLock { $0 = .seconds(100_000) }
        let busy = try #require(clock.busyShare(from: start, to: clock.read()))
        #expect(busy > 1)
        // Nothing used since the next reading: a share of 0.
        let later = clock.read()
        try await Task.sleep(for: .milliseconds(20))
        #expect(clock.busyShare(from: later, to: clock.read()) == 0)
    }

    @Test func anUnknownCPUTimeGivesNoShare() {
        let clock = ProcessCPUClock(cpuTime: { nil }, cpus: 1)
        #expect(clock.read() == nil)
        #expect(clock.busyShare(from: nil, to: clock.read()) == nil)
    }

    @Test func theKernelsCountsAreRead() {
        let clock = ProcessCPUClock()
        #expect(clock.cpus >= 1)
        // A thread spinning for 30 ms of wall time uses CPU time the kernel counts.
        let start = clock.read()
        #expect(start != nil)
        let until = ContinuousClock.now + .milliseconds(30)
        var spins = 0
        while ContinuousClock.now < until { spins += 1 }
        #expect(spins > 0)
        let share = clock.busyShare(from: start, to: clock.read())
        #expect((share ?? 0) > 0)
    }
}
