import Testing

@testable import SwitchyardCore

@Suite("Conversations' tokens for the session alert")
struct SessionTokenTallyTests {
    let chat = SessionKey(tenant: "acme", session: "s-1")

    @Test("a session crosses the limit once, on its running total")
    func crossesOnce() {
        var tally = SessionTokenTally(limit: 100, shared: false)
        #expect(tally.add(60, to: chat) == nil)
        #expect(tally.add(40, to: chat) == nil, "100 is not over 100")
        #expect(tally.add(1, to: chat) == 101)
        #expect(tally.add(500, to: chat) == nil, "announced already")
        #expect(tally.tokens(of: chat) == 601)
        #expect(tally.takeUnreported().isEmpty, "nothing to report without a shared store")
    }

    @Test("two tenants' sessions of one name are counted apart")
    func tenantsApart() {
        var tally = SessionTokenTally(limit: 100, shared: false)
        let other = SessionKey(tenant: "globex", session: "s-1")
        #expect(tally.add(80, to: chat) == nil)
        #expect(tally.add(80, to: other) == nil)
        #expect(tally.tokens(of: chat) == 80 && tally.tokens(of: other) == 80)
    }

    @Test("with a shared store, what was counted is reported once, and a failed report goes with the next")
    func reportsOnce() {
        var tally = SessionTokenTally(limit: 1000, shared: true)
        _ = tally.add(30, to: chat)
        _ = tally.add(20, to: chat)
        let first = tally.takeUnreported()
        #expect(first == [chat: 50])
        #expect(tally.takeUnreported().isEmpty)
        _ = tally.add(5, to: chat)
        tally.restore(first)
        #expect(tally.takeUnreported() == [chat: 55])
    }

    @Test("a total learned from the other instances crosses the limit, counting what was added here since")
    func learnsTotals() {
        var tally = SessionTokenTally(limit: 100, shared: true)
        _ = tally.add(40, to: chat)
        _ = tally.takeUnreported()
        // Counted here while the report was on its way.
        #expect(tally.add(10, to: chat) == nil)
        // The store's total: this instance's 40 and another's 55.
        let crossings = tally.learn(totals: [chat: 95])
        #expect(crossings.map(\.key) == [chat])
        #expect(crossings.first?.total == 105)
        #expect(tally.tokens(of: chat) == 105)
        #expect(tally.learn(totals: [chat: 300]).isEmpty, "announced already")
        // A later count here starts from the learned total.
        #expect(tally.tokens(of: chat) == 310)
    }

    @Test("a total below what was counted here changes nothing")
    func keepsTheLarger() {
        var tally = SessionTokenTally(limit: 100, shared: true)
        _ = tally.add(90, to: chat)
        _ = tally.takeUnreported()
        #expect(tally.learn(totals: [chat: 50]).isEmpty)
        #expect(tally.tokens(of: chat) == 90)
    }

    @Test("counts start from the ledger's totals; a session already over the limit is not announced again")
    func preloaded() {
        var tally = SessionTokenTally(limit: 100, shared: false)
        let over = SessionKey(tenant: "acme", session: "s-2")
        tally.preload([chat: 80, over: 150])
        #expect(tally.add(30, to: chat) == 110, "crossed on its total over the restart")
        #expect(tally.add(30, to: over) == nil, "announced before the restart")
        #expect(tally.tokens(of: over) == 180)
    }

    @Test("past the most sessions, the preload keeps the ones with the most tokens")
    func preloadBounded() {
        var tally = SessionTokenTally(limit: 100, shared: false, maxSessions: 2)
        let keys = (0..<3).map { SessionKey(tenant: nil, session: "s\($0)") }
        tally.preload([keys[0]: 10, keys[1]: 30, keys[2]: 20])
        #expect(tally.tokens(of: keys[0]) == 0)
        #expect(tally.tokens(of: keys[1]) == 30 && tally.tokens(of: keys[2]) == 20)
    }

    @Test("memory is bounded: past the most sessions the counts start again")
    func bounded() {
        var tally = SessionTokenTally(limit: 100, shared: false, maxSessions: 3)
        for index in 0..<3 { _ = tally.add(50, to: SessionKey(tenant: nil, session: "s\(index)")) }
        _ = tally.add(50, to: SessionKey(tenant: nil, session: "s3"))
        #expect(tally.tokens(of: SessionKey(tenant: nil, session: "s0")) == 0)
        #expect(tally.tokens(of: SessionKey(tenant: nil, session: "s3")) == 50)
    }

    @Test("at most the most sessions wait to be reported; a new one's tokens past that are counted here and said to be left out")
    func reportBounded() {
        var tally = SessionTokenTally(limit: 100, shared: true, maxSessions: 3)
        let keys = (0..<5).map { SessionKey(tenant: nil, session: "s\($0)") }
        for key in keys.prefix(3) { _ = tally.add(50, to: key) }
        // The store is unreachable: the report comes back, and a fourth session arrived meanwhile,
        // so one of the three does not fit beside it.
        let failed = tally.takeUnreported()
        #expect(tally.add(70, to: keys[3]) == nil)
        tally.restore(failed)
        #expect(tally.add(60, to: keys[3]) == 130, "a waiting session keeps adding up")
        #expect(tally.add(10, to: keys[4]) == nil)
        #expect(tally.tokens(of: keys[4]) == 10, "counted here all the same")
        let report = tally.takeUnreported()
        #expect(report.count == 3)
        #expect(report[keys[3]] == 130)
        #expect(report.values.reduce(0, +) == 130 + 2 * 50)
        #expect(tally.takeTokensLeftOut() == 50 + 10)
        #expect(tally.takeTokensLeftOut() == 0)
    }
}
