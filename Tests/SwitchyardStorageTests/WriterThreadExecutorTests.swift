import Foundation
import Testing
@testable import SwitchyardStorage

#if canImport(Glibc)
import Glibc
#endif

/// The ledger writer's threads: their priority, and that no other thread ever takes it on.
@Suite struct WriterThreadExecutorTests {
    @Test func aWriterThreadRunsItsJobsAtItsPriority() async throws {
        let background = WriterThreadExecutor(priority: .background)
        let normal = WriterThreadExecutor(priority: .normal)
        defer {
            background.shutdown()
            normal.shutdown()
        }
        // The background thread is left for the normal one, as the ledger writer does: left for
        // the global executor, it could start a pool thread that inherits its policy, and this
        // test's last line (or another test's thread) would then run at SCHED_IDLE.
        let (onBackground, onNormal) = await withTaskExecutorPreference(normal) {
            (await withTaskExecutorPreference(background) { Self.currentThread() }, Self.currentThread())
        }
        #expect(onBackground.priority == .background)
        #expect(onNormal.priority == .normal)
        #if os(Linux)
        // Linux's idle policy (SCHED_IDLE = 5), not merely a nice value.
        #expect(onBackground.policy == 5)
        #expect(onNormal.policy == SCHED_OTHER)
        #endif
        // Code outside its preference is not affected.
        #expect(WriterThreadExecutor.priorityOfCurrentThread() == .normal)
    }

    /// The calling thread's priority, and its scheduling policy where Linux tells it.
    static func currentThread() -> (priority: WriterThreadExecutor.Priority, policy: Int32?) {
        #if os(Linux)
        (WriterThreadExecutor.priorityOfCurrentThread(), sched_getscheduler(0))
        #else
        (WriterThreadExecutor.priorityOfCurrentThread(), nil)
        #endif
    }

    #if os(Linux)
    @Test func aThreadsWaitForACoreLeavesOutTimeSpentBlocked() async throws {
        let thread = WriterThreadExecutor(priority: .normal)
        defer { thread.shutdown() }
        let (before, after) = await withTaskExecutorPreference(thread) { () -> (Duration?, Duration?) in
            let before = WriterThreadExecutor.runQueueWaitOfCurrentThread()
            usleep(200_000)
            return (before, WriterThreadExecutor.runQueueWaitOfCurrentThread())
        }
        let waited = try #require(after) - (try #require(before))
        #expect(waited >= .zero && waited < .milliseconds(200), "\(waited)")
    }
    #endif

    #if os(Linux)
    @Test func aThreadKeepsOneSchedstatFileOpenWhileItLivesAndClosesItWhenItEnds() async throws {
        let thread = WriterThreadExecutor(priority: .normal)
        let (tid, readings, open) = await withTaskExecutorPreference(thread) { () -> (String, [Duration?], Int) in
            // "<pid>/task/<tid>"
            let tid = ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? "").split(separator: "/").last.map(String.init) ?? "?"
            let readings = (0..<50).map { _ in WriterThreadExecutor.runQueueWaitOfCurrentThread() }
            return (tid, readings, Self.openSchedstatFiles(of: tid))
        }
        #expect(readings.allSatisfy { $0 != nil })
        #expect(open == 1, "50 readings left \(open) files open")
        await thread.shutdownAndWait()
        // The pool's thread ends after the shutdown's report; give it a moment.
        var left = Self.openSchedstatFiles(of: tid)
        for _ in 0..<100 where left > 0 {
            try await Task.sleep(for: .milliseconds(10))
            left = Self.openSchedstatFiles(of: tid)
        }
        #expect(left == 0, "\(left) files still open after the thread ended")
    }

    /// Open files of this process that are thread `tid`'s schedstat.
    static func openSchedstatFiles(of tid: String) -> Int {
        let suffix = "/task/\(tid)/schedstat"
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"))?.hasSuffix(suffix) ?? false
        }.count
    }

    @Test func aBackgroundThreadStoppedBeforeItStartedLeavesOtherThreadsAtTheirPriority() async throws {
        // A stopping pool runs the work its thread never took on a thread of Dispatch's global
        // pool, which Swift's global executor shares: were the move to the background among that
        // work, that shared thread would run at SCHED_IDLE for good.
        for _ in 0..<300 {
            await WriterThreadExecutor(priority: .background).shutdownAndWait()
        }
        let idle = try Self.idleThreadsOtherThanWriters()
        #expect(idle == [], "\(idle)")
    }

    /// Threads of this process under `SCHED_IDLE` but for writer threads (which NIO names
    /// `TP-#…`), as "tid name".
    static func idleThreadsOtherThanWriters() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { tid -> String? in
            // "tid (name) state …": the policy is the 39th field after the name.
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                let nameEnd = stat.lastIndex(of: ")"), let nameStart = stat.firstIndex(of: "(")
            else { return nil }
            let name = String(stat[stat.index(after: nameStart)..<nameEnd])
            let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
            guard fields.count > 38, fields[38] == "5", !name.hasPrefix("TP-#") else { return nil }
            return "\(tid) \(name)"
        }
    }
    #endif
}
