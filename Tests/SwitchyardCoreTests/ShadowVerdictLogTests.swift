import Testing
import SwitchyardCore

@Suite struct ShadowVerdictLogTests {
    let start = ContinuousClock.now

    func record(_ row: Int64, _ decisionID: String? = nil) -> ShadowVerdictRecord {
        ShadowVerdictRecord(row: row, decisionID: decisionID ?? "shadow-\(row)", task: "summarize", model: "cheap", verdict: "agrees")
    }

    @Test func rowsReadAgainAreCountedOnce() {
        var log = ShadowVerdictLog()
        #expect(log.absorb([record(1), record(2)], at: start).map(\.row) == [1, 2])
        // Nothing settled yet: the next read starts where the first did, and finds one more.
        #expect(log.settledRow == 0)
        #expect(log.absorb([record(1), record(2), record(3)], at: start + .seconds(5)).map(\.row) == [3])
        #expect(log.unsettledRows == 3)
    }

    /// Another instance's transaction can commit a row numbered below rows already read.
    @Test func aRowThatBecomesVisibleLateIsCounted() {
        var log = ShadowVerdictLog()
        _ = log.absorb([record(1), record(3)], at: start)
        #expect(log.absorb([record(1), record(2), record(3)], at: start + .seconds(5)).map(\.row) == [2])
    }

    @Test func readsSettleAfterTheSettleTime() {
        var log = ShadowVerdictLog()
        _ = log.absorb([record(1), record(2)], at: start)
        _ = log.absorb([record(1), record(2), record(3)], at: start + .seconds(30))
        #expect(log.settledRow == 0)
        // The first read is a settle time old: rows up to 2 are settled and forgotten.
        #expect(log.absorb([record(3), record(4)], at: start + ShadowVerdictLog.settleTime).map(\.row) == [4])
        #expect(log.settledRow == 2)
        #expect(log.unsettledRows == 2)
        // Rows at or below the settled one are never counted again, even if a store returns them.
        #expect(log.absorb([record(2), record(5)], at: start + ShadowVerdictLog.settleTime + .seconds(1)).map(\.row) == [5])
        // Then the second read settles, and later ones.
        _ = log.absorb([], at: start + ShadowVerdictLog.settleTime + .seconds(40))
        #expect(log.settledRow == 3)
        _ = log.absorb([], at: start + ShadowVerdictLog.settleTime * 3)
        #expect(log.settledRow == 5)
        #expect(log.unsettledRows == 0)
    }

    @Test func ownVerdictsAreNotCountedTwice() {
        var log = ShadowVerdictLog()
        log.noteOwn(decisionID: "shadow-mine", at: start)
        #expect(log.absorb([record(1), record(2, "shadow-mine"), record(3)], at: start + .seconds(1)).map(\.row) == [1, 3])
        // Read back once, it is no longer waited for; an equal id in a later row counts.
        #expect(log.absorb([record(4, "shadow-mine")], at: start + .seconds(2)).map(\.row) == [4])
    }

    @Test func ownVerdictsNotReadBackAreForgotten() {
        var log = ShadowVerdictLog()
        log.noteOwn(decisionID: "shadow-lost", at: start)
        log.noteOwn(decisionID: "shadow-late", at: start + .seconds(1))
        let later = start + ShadowVerdictLog.ownVerdictWait + .milliseconds(500)
        #expect(log.absorb([record(1, "shadow-lost"), record(2, "shadow-late")], at: later).map(\.row) == [1])
    }
}
