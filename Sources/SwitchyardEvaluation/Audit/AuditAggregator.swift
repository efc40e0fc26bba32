import SwitchyardCore

/// Turns the pair results of one query type into its report.
public struct AuditAggregator: Sendable {
    public var currentModel: String
    public var candidateModel: String
    public var criteria: AuditCriteria

    public init(currentModel: String, candidateModel: String, criteria: AuditCriteria) {
        self.currentModel = currentModel
        self.candidateModel = candidateModel
        self.criteria = criteria
    }

    /// The report of `type` from its pairs; `prompts` is the number of distinct prompts.
    public func report(type: String, prompts: Int, pairs: [AuditPairResult]) -> AuditTypeReport {
        var failures: [String: Int] = [:]
        var examples: [String: String] = [:]
        func stats(_ model: String, role: String, _ outcomes: [Result<AuditAnswer, AuditFailure>]) -> AuditModelStats {
            var stats = AuditModelStats(model: model, requests: outcomes.count)
            var answers: [AuditAnswer] = []
            for outcome in outcomes {
                switch outcome {
                case .success(let answer): answers.append(answer)
                case .failure(let failure):
                    stats.failures += 1
                    let key = "\(role): \(failure.category)"
                    failures[key, default: 0] += 1
                    if examples[key] == nil { examples[key] = failure.message }
                }
            }
            let latencies = answers.map(\.latencyMS)
            stats.latencyP50MS = AuditStatistics.percentile(latencies, 0.5)
            stats.latencyP95MS = AuditStatistics.percentile(latencies, 0.95)
            stats.meanLogprob = AuditStatistics.mean(answers.compactMap(\.meanLogprob))
            // Cost per 1k only when every answer was priced (a partial mean would mislead).
            let costs = answers.compactMap(\.costUSD)
            if !costs.isEmpty, costs.count == answers.count { stats.costPer1kUSD = AuditStatistics.mean(costs).map { $0 * 1000 } }
            return stats
        }
        let current = stats(currentModel, role: "current", pairs.map(\.current))
        let candidate = stats(candidateModel, role: "candidate", pairs.map(\.candidate))
        var metrics: [String: Int] = [:]
        var compared = 0
        var agreeing = 0
        for pair in pairs {
            if let failure = pair.comparisonFailure {
                let key = "compare: \(failure.category)"
                failures[key, default: 0] += 1
                if examples[key] == nil { examples[key] = failure.message }
            }
            guard let agrees = pair.agrees, let metric = pair.metric else { continue }
            compared += 1
            if agrees { agreeing += 1 }
            metrics[metric.rawValue, default: 0] += 1
        }
        var gap: Double?
        if let currentLogprob = current.meanLogprob, let candidateLogprob = candidate.meanLogprob { gap = currentLogprob - candidateLogprob }
        var report = AuditTypeReport(
            type: type, samples: pairs.count, prompts: prompts, comparedSamples: compared, agreeingSamples: agreeing, metrics: metrics,
            current: current, candidate: candidate, confidenceGap: gap, failures: failures, failureExamples: examples,
            agreement: compared == 0 ? nil : Double(agreeing) / Double(compared), savings: nil,
            recommendation: AuditRecommendation(decision: .keep, reason: ""))
        if let currentCost = current.costPer1kUSD, let candidateCost = candidate.costPer1kUSD, currentCost > 0 {
            report.savings = 1 - candidateCost / currentCost
        }
        report.recommendation = criteria.recommend(report)
        return report
    }
}
