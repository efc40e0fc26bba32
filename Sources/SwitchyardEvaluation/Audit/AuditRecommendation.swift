/// Thresholds of the downgrade rule.
public struct AuditCriteria: Sendable, Hashable, Codable {
    /// Least share of compared samples on which the two models must agree.
    public var minAgreement: Double
    /// Most the candidate may be less confident than the current model: mean token logprob of
    /// the current model minus the candidate's, in nats per token.
    public var maxConfidenceGap: Double
    /// Most the candidate's failure rate may exceed the current model's.
    public var maxExtraFailureRate: Double
    /// Fewest compared samples a downgrade needs.
    public var minComparedSamples: Int

    public init(minAgreement: Double = 0.9, maxConfidenceGap: Double = 0.5, maxExtraFailureRate: Double = 0.05, minComparedSamples: Int = 5) {
        self.minAgreement = minAgreement
        self.maxConfidenceGap = maxConfidenceGap
        self.maxExtraFailureRate = maxExtraFailureRate
        self.minComparedSamples = minComparedSamples
    }

    /// The rule in words, as printed under the table.
    public var rule: String {
        "downgrade when agreement ≥ \(AuditFormat.percent(minAgreement)), confidence gap ≤ \(AuditFormat.fixed(maxConfidenceGap, 2)) nats/token "
            + "(when logprobs are available), the candidate is cheaper per request, at least \(minComparedSamples) samples were compared "
            + "and the candidate fails at most \(AuditFormat.percent(maxExtraFailureRate)) more often; otherwise keep"
    }

    /// The verdict for one type's statistics, with its reason. The checks run in the order of
    /// ``rule``; the first that fails gives the reason to keep.
    public func recommend(_ stats: AuditTypeReport) -> AuditRecommendation {
        func keep(_ reason: String) -> AuditRecommendation { AuditRecommendation(decision: .keep, reason: reason) }
        guard stats.comparedSamples >= minComparedSamples else {
            return keep("only \(stats.comparedSamples) of \(stats.samples) samples got answers from both models (need \(minComparedSamples))")
        }
        let extraFailures = stats.candidate.failureRate - stats.current.failureRate
        if extraFailures > maxExtraFailureRate {
            return keep("candidate failed \(stats.candidate.failures) of \(stats.candidate.requests) requests (current \(stats.current.failures))")
        }
        let agreement = stats.agreement ?? 0
        if agreement < minAgreement {
            return keep("agreement \(AuditFormat.percent(agreement)) < \(AuditFormat.percent(minAgreement))")
        }
        if let gap = stats.confidenceGap, gap > maxConfidenceGap {
            return keep("candidate less confident: gap \(AuditFormat.fixed(gap, 2)) > \(AuditFormat.fixed(maxConfidenceGap, 2)) nats/token")
        }
        guard let current = stats.current.costPer1kUSD, let candidate = stats.candidate.costPer1kUSD else {
            return keep("cost unknown (the gateway sent no x-switchyard-cost-usd)")
        }
        guard candidate < current else {
            return keep("candidate not cheaper ($\(AuditFormat.money(candidate)) vs $\(AuditFormat.money(current)) per 1k requests)")
        }
        let confidence = stats.confidenceGap.map { "gap \(AuditFormat.fixed($0, 2)) ≤ \(AuditFormat.fixed(maxConfidenceGap, 2))" } ?? "confidence n/a"
        return AuditRecommendation(
            decision: .downgrade,
            reason: "agreement \(AuditFormat.percent(agreement)) ≥ \(AuditFormat.percent(minAgreement)), \(confidence), "
                + "\(AuditFormat.percent(1 - candidate / current)) cheaper")
    }
}

/// The verdict for one query type.
public struct AuditRecommendation: Sendable, Hashable, Codable {
    public enum Decision: String, Sendable, Hashable, Codable {
        /// The candidate can take this type.
        case downgrade
        /// Stay on the current model.
        case keep
    }

    public var decision: Decision
    /// Which check decided, with its numbers.
    public var reason: String

    public init(decision: Decision, reason: String) {
        self.decision = decision
        self.reason = reason
    }
}
