/// A shadow call's verdict as the ledger holds it: the few fields of a succeeded shadow entry
/// (endpoint `shadow`, status 200) that verdicts are counted from.
public struct ShadowVerdictRecord: Sendable, Hashable {
    /// The entry's row in the ledger. Rows are numbered in the order they were inserted, which on
    /// a database that several gateways write is not quite the order they become visible (see
    /// ``ShadowVerdictLog``).
    public var row: Int64
    /// The shadow entry's decision id (`shadow-` and the sampled answer's).
    public var decisionID: String
    public var task: String
    /// The model whose answer was checked.
    public var model: String
    /// The entry's last reason: `agrees` or `disagrees` for a verdict.
    public var verdict: String?

    public init(row: Int64, decisionID: String, task: String, model: String, verdict: String?) {
        self.row = row
        self.decisionID = decisionID
        self.task = task
        self.model = model
        self.verdict = verdict
    }
}

/// Which shadow verdicts in the ledger one gateway has counted, so that each refresh on a shared
/// database reads only the rows after ``settledRow`` instead of every verdict again.
///
/// Rows of other gateways' transactions can become visible after rows numbered above them, so
/// the rows read in the last ``settleTime`` are read again, and counted once: a row is taken as
/// settled (never read again) once a read at least that long ago already saw a row numbered above
/// it. A verdict this gateway judged itself is counted when judged (``noteOwn(decisionID:at:)``)
/// and passed over when its row is read back.
public struct ShadowVerdictLog: Sendable {
    /// How long after a read its rows are read again, for rows numbered below them that other
    /// transactions had not yet committed.
    public static let settleTime: Duration = .seconds(60)
    /// How long this gateway's own verdicts wait to be read back before they are forgotten (their
    /// write failed, or the store is never re-read).
    public static let ownVerdictWait: Duration = .seconds(600)

    /// Rows at or below it are counted, or passed over, for good: reads start after it.
    public private(set) var settledRow: Int64 = 0
    /// Rows above ``settledRow`` already counted.
    private var counted: Set<Int64> = []
    /// Reads not yet settled, oldest first: when, and the highest row seen by then.
    private var reads: [(at: ContinuousClock.Instant, highest: Int64)] = []
    private var highest: Int64 = 0
    /// This gateway's own verdicts not yet read back, oldest first, and their decision ids.
    private var ownOrder: [(decisionID: String, at: ContinuousClock.Instant)] = []
    private var ownPending: Set<String> = []

    public init() {}

    /// Notes a verdict this gateway counted when it judged it: its row is not counted again.
    public mutating func noteOwn(decisionID: String, at now: ContinuousClock.Instant) {
        forgetOwn(before: now - Self.ownVerdictWait)
        if ownPending.insert(decisionID).inserted { ownOrder.append((decisionID, now)) }
    }

    /// Takes one read's records (rows after ``settledRow``, in row order) and returns those to
    /// count: the ones not counted before and not this gateway's own. Then settles the rows that
    /// a read at least ``settleTime`` before `now` had seen.
    public mutating func absorb(_ records: [ShadowVerdictRecord], at now: ContinuousClock.Instant) -> [ShadowVerdictRecord] {
        forgetOwn(before: now - Self.ownVerdictWait)
        var fresh: [ShadowVerdictRecord] = []
        for record in records where record.row > settledRow && counted.insert(record.row).inserted {
            highest = max(highest, record.row)
            if ownPending.remove(record.decisionID) != nil { continue }
            fresh.append(record)
        }
        reads.append((now, highest))
        let settled = reads.lastIndex { now - $0.at >= Self.settleTime }
        if let settled {
            settledRow = max(settledRow, reads[settled].highest)
            reads.removeFirst(settled + 1)
            counted = counted.filter { $0 > settledRow }
        }
        return fresh
    }

    /// How many rows above ``settledRow`` are remembered as counted (for tests and stats).
    public var unsettledRows: Int { counted.count }

    private mutating func forgetOwn(before horizon: ContinuousClock.Instant) {
        let expired = ownOrder.prefix { $0.at < horizon }.count
        guard expired > 0 else { return }
        for own in ownOrder.prefix(expired) { ownPending.remove(own.decisionID) }
        ownOrder.removeFirst(expired)
    }
}
