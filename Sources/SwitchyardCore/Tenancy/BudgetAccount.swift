import Foundation

/// Spend against one budget in one period, with the reservations of requests in flight.
///
/// Requests reserve their worst case before they are sent and settle to their actual cost after,
/// so `spent + reserved` never exceeds the cap and concurrent requests cannot overspend.
public struct BudgetAccount: Sendable, Hashable {
    public private(set) var budget: Budget
    public let periodStart: Date
    public let periodEnd: Date
    public private(set) var spentUSD: Double = 0
    public private(set) var spentTokens: Int = 0
    public private(set) var reservedUSD: Double = 0
    public private(set) var reservedTokens: Int = 0
    /// Alert thresholds already announced this period.
    public private(set) var alerted: Set<Double> = []
    /// This instance's slice when several gateway instances share the budget (PostgreSQL
    /// storage); `nil` when this instance is the only one, and the whole cap is its own.
    public private(set) var lease: BudgetLease?

    public init(budget: Budget, containing date: Date, spentUSD: Double = 0, spentTokens: Int = 0) {
        self.budget = budget
        (periodStart, periodEnd) = budget.period.interval(containing: date)
        self.spentUSD = spentUSD
        self.spentTokens = spentTokens
    }

    /// What a reservation asks for.
    public struct Amount: Sendable, Hashable {
        public var usd: Double
        public var tokens: Int
        public init(usd: Double, tokens: Int) {
            self.usd = usd
            self.tokens = tokens
        }

        /// Nothing: no dollars, no tokens.
        public static let zero = Amount(usd: 0, tokens: 0)
    }

    /// The answer to a reservation.
    public enum Verdict: Sendable, Hashable {
        /// Reserved.
        case granted
        /// It fits the cap, but not beside the reservations in flight: try again when they settle.
        case wait
        /// The period's spend leaves no room: refuse until the period resets.
        case exhausted
    }

    /// Whether `amount` can be reserved now (without reserving it). With a ``lease``, what fits
    /// the cap must also fit this instance's slice, valid at `now`; otherwise it waits for a
    /// larger slice.
    public func verdict(for amount: Amount, now: Date = Date()) -> Verdict {
        if let cap = budget.usd {
            if spentUSD + amount.usd > cap { return .exhausted }
            if spentUSD + reservedUSD + amount.usd > cap { return .wait }
        }
        if let cap = budget.tokens {
            if spentTokens + amount.tokens > cap { return .exhausted }
            if spentTokens + reservedTokens + amount.tokens > cap { return .wait }
        }
        if let lease {
            guard now < lease.validUntil else { return .wait }
            if budget.usd != nil, spentUSD + reservedUSD + amount.usd > lease.ceiling.usd { return .wait }
            if budget.tokens != nil, spentTokens + reservedTokens + amount.tokens > lease.ceiling.tokens { return .wait }
        }
        return .granted
    }

    /// Takes a new cap within the same period, keeping the spend, reservations and slice.
    public mutating func changeBudget(to budget: Budget) {
        precondition(budget.period == self.budget.period, "a budget keeps its period")
        self.budget = budget
    }

    public mutating func reserve(_ amount: Amount) {
        reservedUSD += amount.usd
        reservedTokens += amount.tokens
    }

    /// Replaces a reservation by what the request really cost.
    public mutating func settle(_ reservation: Amount, actual: Amount) {
        release(reservation)
        spentUSD += actual.usd
        spentTokens += actual.tokens
        if lease != nil {
            lease?.unreported.usd += actual.usd
            lease?.unreported.tokens += actual.tokens
        }
    }

    /// Shares the budget with other instances from now on: with no slice of its own yet, every
    /// reservation waits for ``applyGrant(_:reported:)``.
    public mutating func startLeasing() {
        guard lease == nil else { return }
        lease = BudgetLease(ceiling: Amount(usd: spentUSD, tokens: spentTokens), unreported: .zero, validUntil: .distantPast)
    }

    /// What this instance asks the shared store for: the spend settled here since it last
    /// reported (`unreported`), and a slice that covers its reservations in flight plus `slice`.
    public func leaseRequest(slice: Amount) -> (unreported: Amount, want: Amount)? {
        guard let lease else { return nil }
        return (lease.unreported, Amount(usd: reservedUSD + slice.usd, tokens: reservedTokens + slice.tokens))
    }

    /// Takes the store's answer to a request that reported `reported`: the spend of every
    /// instance (`grant.spent`, which now includes `reported`) and this instance's slice of
    /// what is left (`grant.held`), valid until `grant.validUntil`. Spend settled here while the
    /// request was on its way stays unreported, on top.
    public mutating func applyGrant(_ grant: BudgetLeaseGrant, reported: Amount) {
        guard var lease else { return }
        lease.unreported.usd = max(0, lease.unreported.usd - reported.usd)
        lease.unreported.tokens = max(0, lease.unreported.tokens - reported.tokens)
        spentUSD = grant.spent.usd + lease.unreported.usd
        spentTokens = grant.spent.tokens + lease.unreported.tokens
        lease.ceiling = Amount(usd: grant.spent.usd + grant.held.usd, tokens: grant.spent.tokens + grant.held.tokens)
        lease.validUntil = grant.validUntil
        self.lease = lease
    }

    /// Gives a reservation back (the request failed before costing anything).
    public mutating func release(_ reservation: Amount) {
        reservedUSD = max(0, reservedUSD - reservation.usd)
        reservedTokens = max(0, reservedTokens - reservation.tokens)
    }

    /// Settled spend as a share of the cap (the larger of USD and tokens).
    public var utilization: Double {
        max(budget.usd.map { $0 > 0 ? spentUSD / $0 : 1 } ?? 0, budget.tokens.map { $0 > 0 ? Double(spentTokens) / Double($0) : 1 } ?? 0)
    }

    /// Spend plus reservations as a share of the cap: what routing sees.
    public var committedUtilization: Double {
        max(
            budget.usd.map { $0 > 0 ? (spentUSD + reservedUSD) / $0 : 1 } ?? 0,
            budget.tokens.map { $0 > 0 ? Double(spentTokens + reservedTokens) / Double($0) : 1 } ?? 0)
    }

    /// Thresholds newly crossed by settled spend, marked as announced.
    public mutating func crossedThresholds(_ thresholds: [Double]) -> [Double] {
        let now = utilization
        let crossed = thresholds.filter { now >= $0 && !alerted.contains($0) }
        alerted.formUnion(crossed)
        return crossed.sorted()
    }
}

/// An instance's slice of a budget shared by several gateway instances (see ``BudgetAccount``).
///
/// The shared store keeps, per budget and period, the spend every instance has reported and the
/// slice each instance holds; slices and spend together never exceed the cap. An instance
/// reserves only within its ``ceiling`` (the reported spend plus its slice), reports what it
/// settles, and asks for a new slice, every sync interval or when a reservation does not fit.
/// A slice not renewed expires, so an instance that dies holds nothing for long; this one stops
/// reserving once its own slice has expired unrenewed (the store unreachable), and a budget it
/// cannot vouch for then refuses rather than overspends.
public struct BudgetLease: Sendable, Hashable {
    /// The most spend plus reservations this instance may reach.
    public var ceiling: BudgetAccount.Amount
    /// Settled here, not yet reported to the store.
    public var unreported: BudgetAccount.Amount
    /// When the slice lapses unless renewed.
    public var validUntil: Date
}

/// The shared store's answer for one budget: the spend every instance has reported this period,
/// and the slice this instance now holds.
public struct BudgetLeaseGrant: Sendable, Hashable {
    public var spent: BudgetAccount.Amount
    public var held: BudgetAccount.Amount
    public var validUntil: Date

    public init(spent: BudgetAccount.Amount, held: BudgetAccount.Amount, validUntil: Date) {
        self.spent = spent
        self.held = held
        self.validUntil = validUntil
    }
}
