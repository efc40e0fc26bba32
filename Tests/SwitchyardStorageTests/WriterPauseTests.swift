import Testing
@testable import SwitchyardStorage

@Suite struct WriterPauseTests {
    @Test func aWaitLastsItsDurationAndSaysItWasNotInterrupted() {
        let pause = WriterPause()
        let started = ContinuousClock.now
        #expect(pause.wait(for: .milliseconds(30)))
        #expect(ContinuousClock.now - started >= .milliseconds(30))
    }

    @Test func anInterruptEndsTheWaitUnderWayAndEveryLaterOne() async throws {
        let pause = WriterPause()
        let started = ContinuousClock.now
        // A long wait blocking a thread, as the recorder's writer thread waits (for about 50 ms
        // here, until the interrupt).
        let waiting = Task.detached { pause.wait(for: .seconds(600)) }
        try await Task.sleep(for: .milliseconds(50))
        pause.interrupt()
        #expect(await waiting.value == false)
        #expect(ContinuousClock.now - started < .seconds(300))
        #expect(!pause.wait(for: .seconds(600)))
    }
}
