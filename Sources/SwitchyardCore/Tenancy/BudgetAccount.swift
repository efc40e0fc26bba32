import Foundation

/// Spend against one budget in one period, with the reservations of requests in flight.
///
/// Requests reserve their worst case before they are sent and settle to their actual cost after,
/// so `spent + reserved` never exceeds the cap and concurrent requests cannot overspend.
public struct BudgetAccount: Sendable, Hashable {
    public let budget: Budget
    public let periodStart: Date
    public let periodEnd: Date
    public private(set) var spentUSD: Double = 0
    public private(set) var spentTokens: Int = 0
    public private(set) var reservedUSD: Double = 0
    public private(set) var reservedTokens: Int = 0
    /// Alert thresholds already announced this period.
    public private(set) var alerted: Set<Double> = []

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

    /// Whether `amount` can be reserved now (without reserving it).
    public func verdict(for amount: Amount) -> Verdict {
        if let cap = budget.usd {
            if spentUSD + amount.usd > cap { return .exhausted }
            if spentUSD + reservedUSD + amount.usd > cap { return .wait }
        }
        if let cap = budget.tokens {
            if spentTokens + amount.tokens > cap { return .exhausted }
            if spentTokens + reservedTokens + amount.tokens > cap { return .wait }
        }
        return .granted
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
