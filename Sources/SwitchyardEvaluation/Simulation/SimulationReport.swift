/// Monthly volumes and costs of one task.
public struct TaskCost: Sendable, Hashable, Codable {
    public var task: String
    public var requests: Double
    public var inputTokens: Double
    public var outputTokens: Double
    /// Everything on the premium tier.
    public var baselineUSD: Double
    /// First attempts on their tiers, without escalations.
    public var firstAttemptUSD: Double
    /// Extra cost if every request below the top tier escalated once (multiply by the rate).
    public var fullEscalationUSD: Double

    /// Routed cost at an escalation rate.
    public func routedUSD(escalationRate: Double) -> Double { firstAttemptUSD + escalationRate * fullEscalationUSD }
}

/// One row of the escalation-rate sensitivity table.
public struct SensitivityRow: Sendable, Hashable, Codable {
    public var escalationRate: Double
    public var routedUSD: Double
    public var savingsUSD: Double
    public var savingsFraction: Double
}

/// When routing pays for the broker.
public struct BreakEven: Sendable, Hashable, Codable {
    public var broker: BrokerCost
    /// Model-cost savings per request at the mix's escalation rate.
    public var savingsPerRequestUSD: Double
    /// Savings this month after the broker's cost.
    public var netSavingsUSD: Double
    /// Requests per month (same mix) at which savings equal the broker's cost; `nil` if never.
    public var breakEvenRequestsPerMonth: Double?
}

/// Monthly cost of a traffic mix: all-premium baseline against routed, with sensitivity and break-even.
public struct SimulationReport: Sendable, Hashable, Codable {
    public var tiers: [TierPrice]
    public var tasks: [TaskCost]
    public var requests: Double
    public var escalationRate: Double
    public var baselineUSD: Double
    public var routedUSD: Double
    public var savingsUSD: Double
    /// Savings ÷ baseline (0 when the baseline is free).
    public var savingsFraction: Double
    public var sensitivity: [SensitivityRow]
    public var breakEven: BreakEven?
}
