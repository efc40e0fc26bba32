/// A conversation whose tokens are counted for the `session_tokens` alert: the tenant's own
/// `session` id, so that two tenants' sessions of one name stay apart.
public struct SessionKey: Hashable, Sendable {
    /// The tenant the session's requests came from; `nil` for requests without one.
    public var tenant: String?
    public var session: String

    public init(tenant: String?, session: String) {
        self.tenant = tenant
        self.session = session
    }
}

/// Tokens each conversation has used, and which of them crossed the alert's limit.
///
/// One instance counts every token itself. Instances that share a store also report what they
/// counted (``takeUnreported()``) and learn each session's total over all of them
/// (``learn(totals:)``), so a conversation spread over instances crosses the limit once, on its
/// total. Memory is bounded: past ``maxSessions`` sessions the counts start again, and at most
/// ``maxSessions`` sessions wait to be reported (while the store is unreachable, a session new to
/// the report past that is counted here only; ``takeTokensLeftOut()`` says how much).
public struct SessionTokenTally: Sendable {
    /// Tokens above which a session raises its alert.
    public let limit: Int
    /// Sessions counted before the counts start again.
    public let maxSessions: Int
    /// Whether tokens are reported to a shared store.
    public let shared: Bool
    private var counts: [SessionKey: Int] = [:]
    private var alerted: Set<SessionKey> = []
    private var unreported: [SessionKey: Int] = [:]
    private var tokensLeftOut = 0

    public init(limit: Int, shared: Bool, maxSessions: Int = 100_000) {
        self.limit = limit
        self.shared = shared
        self.maxSessions = maxSessions
    }

    /// Counts `tokens` for `key`. Returns the session's total when this count took it over the
    /// limit for the first time (the alert to raise), else `nil`.
    public mutating func add(_ tokens: Int, to key: SessionKey) -> Int? {
        guard tokens > 0 else { return nil }
        if counts.count >= maxSessions, counts[key] == nil { forgetAll() }
        let total = counts[key, default: 0] + tokens
        counts[key] = total
        if shared { report(tokens, of: key) }
        return crossed(key, total: total) ? total : nil
    }

    /// The tokens counted since the last report, per session; they count as reported from now.
    public mutating func takeUnreported() -> [SessionKey: Int] {
        defer { unreported = [:] }
        return unreported
    }

    /// Puts back a report the store did not take, to go with the next one.
    public mutating func restore(_ report: [SessionKey: Int]) {
        for (key, tokens) in report { self.report(tokens, of: key) }
    }

    /// The tokens counted here but left out of the reports since the last call, because
    /// ``maxSessions`` other sessions were waiting to be reported.
    public mutating func takeTokensLeftOut() -> Int {
        defer { tokensLeftOut = 0 }
        return tokensLeftOut
    }

    /// Takes in each reported session's total over all instances (counting what this one has
    /// counted since), and returns the sessions whose total is now over the limit for the first
    /// time here, with that total.
    public mutating func learn(totals: [SessionKey: Int]) -> [(key: SessionKey, total: Int)] {
        var crossings: [(key: SessionKey, total: Int)] = []
        for (key, reported) in totals {
            let total = reported + unreported[key, default: 0]
            guard total > counts[key, default: 0] else { continue }
            if counts.count >= maxSessions, counts[key] == nil { continue }
            counts[key] = total
            if crossed(key, total: total) { crossings.append((key, total)) }
        }
        return crossings
    }

    /// Starts from the totals the ledger holds (when the gateway starts): each session counts
    /// from its total, and one already over the limit was announced before and is not again.
    /// Past ``maxSessions`` sessions, the ones with the most tokens are kept.
    public mutating func preload(_ totals: [SessionKey: Int]) {
        let kept = totals.count > maxSessions ? Array(totals.sorted { $0.value > $1.value }.prefix(maxSessions)) : Array(totals)
        for (key, total) in kept where total > 0 {
            if counts.count >= maxSessions, counts[key] == nil { break }
            counts[key] = max(counts[key, default: 0], total)
            if total > limit, alerted.count < maxSessions { alerted.insert(key) }
        }
    }

    /// The tokens counted for `key` (its total over all instances as last learned, plus what
    /// this one counted since).
    public func tokens(of key: SessionKey) -> Int {
        counts[key, default: 0]
    }

    private mutating func report(_ tokens: Int, of key: SessionKey) {
        if unreported[key] == nil, unreported.count >= maxSessions {
            tokensLeftOut += tokens
            return
        }
        unreported[key, default: 0] += tokens
    }

    private mutating func crossed(_ key: SessionKey, total: Int) -> Bool {
        guard total > limit else { return false }
        if alerted.count >= maxSessions { alerted.removeAll(keepingCapacity: true) }
        return alerted.insert(key).inserted
    }

    private mutating func forgetAll() {
        counts.removeAll(keepingCapacity: true)
        alerted.removeAll(keepingCapacity: true)
    }
}
