import Foundation
import Synchronization
import SwitchyardCore

/// Conversations' tokens counted with other gateway instances: what the lease sync reports of
/// this instance's count, and the totals it brings back (see ``SessionTokenTally``), so that a
/// session spread over instances raises its `session_tokens` alert on its total, once.
extension BudgetBook {
    /// The tokens counted per session since the last report; they count as reported from now
    /// (``restoreSessionTokens(_:)`` puts back a report the store did not take).
    func takeSessionTokens() -> [SessionKey: Int] {
        state.withLock { $0.sessions.takeUnreported() }
    }

    /// The tokens counted here but left out of the reports since the last call: while the store
    /// is unreachable, at most the tally's `maxSessions` sessions wait to be reported.
    func takeSessionTokensLeftOut() -> Int {
        state.withLock { $0.sessions.takeTokensLeftOut() }
    }

    /// Puts back a report the store did not take, to go with the next one.
    func restoreSessionTokens(_ report: [SessionKey: Int]) {
        state.withLock { $0.sessions.restore(report) }
    }

    /// Takes in the sessions' totals over all instances and raises the alert of each that is now
    /// over the limit (claimed in the store, so one instance announces it).
    func learnSessionTotals(_ totals: [SessionKey: Int]) {
        let crossings = state.withLock { $0.sessions.learn(totals: totals) }
        for crossing in crossings { alerts.raise(sessionAlert(crossing.key, total: crossing.total, keyID: nil)) }
    }

    /// The `session_tokens` alert of `key` at `total` tokens. With a shared store it is claimed
    /// like a budget's threshold, the session standing for the budget and the epoch for its period
    /// (tenant ids have no `/`, so the scope names one session).
    func sessionAlert(_ key: SessionKey, total: Int, keyID: String?) -> BudgetAlert {
        BudgetAlert(
            kind: "session_tokens", scope: "session '\(key.session)'", tenant: key.tenant, keyID: keyID,
            threshold: Double(settings.sessionTokenAlert), utilization: Double(total), spentUSD: nil, capUSD: nil, resetsAt: nil,
            claim: shared ? ("session:\(key.tenant ?? "")/\(key.session)", Date(timeIntervalSince1970: 0)) : nil)
    }
}
