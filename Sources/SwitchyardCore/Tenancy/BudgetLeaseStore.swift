import Foundation

/// Where gateway instances that share budgets keep the spend they report and the slices they
/// hold (see ``BudgetLease``). Implemented by `SwitchyardStorage.PostgresStore`; one instance on
/// SQLite has no one to share with and needs none.
public protocol BudgetLeaseStore: Sendable {
    /// For each request, atomically: adds the reported spend to the budget's period, and sets
    /// `instance`'s slice to as much of the wanted slice as the cap leaves beside the spend and
    /// the other instances' unexpired slices, valid for `ttl`. A period seen for the first time
    /// starts from the spend the ledger already holds for it.
    func syncBudgets(_ requests: [BudgetLeaseRequest], instance: String, ttl: Duration) async throws(StoreError) -> [BudgetLeaseGrant]

    /// Reports the last spend and gives `instance`'s slices back (a graceful stop).
    func releaseBudgets(_ requests: [BudgetLeaseRequest], instance: String) async throws(StoreError)

    /// Claims the announcement of `threshold` crossed by the budget `scope` in the period
    /// starting at `periodStart`: `true` for the first instance to ask, `false` for the others,
    /// so that one alert goes out however many instances see the crossing.
    func claimAlert(scope: String, periodStart: Date, threshold: Double) async throws(StoreError) -> Bool

    /// Reports `instance`'s demand on each rate-limited subject it serves (requests asked for,
    /// admitted or not, per minute), and that it is alive; both count for `ttl`. Returns its
    /// share of each subject reported (``RateShares/share(mine:total:reporters:)``) and how many
    /// instances are alive.
    func syncRateDemand(_ demand: [String: Double], instance: String, ttl: Duration) async throws(StoreError) -> RateShares

    /// Withdraws `instance`'s demand (a graceful stop): the others' shares grow at their next sync.
    func releaseRateDemand(instance: String) async throws(StoreError)

    /// Adds each session's tokens to its total over all instances, and returns those totals
    /// (see ``SessionTokenTally``). A session no instance has added to for a day is forgotten.
    func addSessionTokens(_ tokens: [SessionKey: Int]) async throws(StoreError) -> [SessionKey: Int]
}

/// One budget's report and wish in a ``BudgetLeaseStore/syncBudgets(_:instance:ttl:)`` call.
public struct BudgetLeaseRequest: Sendable, Hashable {
    /// Whose budget: a tenant's or a key's.
    public enum Owner: String, Sendable, Hashable {
        case tenant, key
    }

    public var owner: Owner
    public var ownerID: String
    public var period: Budget.Period
    public var periodStart: Date
    public var periodEnd: Date
    /// The caps (`nil`: that dimension is not capped).
    public var capUSD: Double?
    public var capTokens: Int?
    /// Spend settled by this instance since its last report.
    public var reported: BudgetAccount.Amount
    /// The slice it would like to hold from now on.
    public var want: BudgetAccount.Amount

    public init(
        owner: Owner, ownerID: String, period: Budget.Period, periodStart: Date, periodEnd: Date, capUSD: Double?, capTokens: Int?,
        reported: BudgetAccount.Amount, want: BudgetAccount.Amount
    ) {
        self.owner = owner
        self.ownerID = ownerID
        self.period = period
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.capUSD = capUSD
        self.capTokens = capTokens
        self.reported = reported
        self.want = want
    }

    /// The budget's key in the store: owner, id and period (`tenant:acme:daily`).
    public var scope: String { Self.scope(owner: owner, ownerID: ownerID, period: period) }

    /// The key of the budget of `owner` `ownerID` for `period`.
    public static func scope(owner: Owner, ownerID: String, period: Budget.Period) -> String {
        "\(owner.rawValue):\(ownerID):\(period.rawValue)"
    }
}
