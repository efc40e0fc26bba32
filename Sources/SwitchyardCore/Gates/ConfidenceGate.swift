import Foundation

/// Summary statistics of an answer's token logprobs, computed in one pass.
public struct LogprobSummary: Sendable, Hashable {
    public var tokens: Int
    public var mean: Double
    public var minimum: Double
    /// Share of tokens whose logprob is below the low-confidence cutoff.
    public var lowShare: Double

    /// Summarizes `logprobs` (non-finite values, e.g. `-inf`, count as the cutoff's worst case: they
    /// are low and set the minimum to `-infinity`, but are left out of the mean).
    public init?(_ logprobs: [Double], lowCutoff: Double) {
        guard !logprobs.isEmpty else { return nil }
        var sum = 0.0
        var finite = 0
        var minimum = 0.0
        var low = 0
        for value in logprobs {
            if value < minimum { minimum = value }
            if value < lowCutoff { low += 1 }
            if value.isFinite {
                sum += value
                finite += 1
            }
        }
        tokens = logprobs.count
        mean = finite > 0 ? sum / Double(finite) : -.infinity
        self.minimum = minimum
        lowShare = Double(low) / Double(logprobs.count)
    }
}

/// `confidence`: mean and minimum token logprob and the share of low-confidence tokens against
/// thresholds resolved for the task, model and request.
enum ConfidenceGate {
    static func evaluate(logprobs: [Double]?, thresholds: ConfidenceThresholds) -> (result: GateResult, mean: Double?) {
        let cutoff = thresholds.lowLogprob ?? ConfidenceThresholds.defaults.lowLogprob!
        guard let logprobs, let summary = LogprobSummary(logprobs, lowCutoff: cutoff) else {
            return (GateResult(gate: .confidence, passed: true, score: 1, reason: "no logprobs returned; not checked", skipped: true), nil)
        }
        let details: JSONObject = [
            "tokens": .int(Int64(summary.tokens)), "mean_logprob": jsonNumber(summary.mean), "min_logprob": jsonNumber(summary.minimum),
            "low_share": .double(round4(summary.lowShare)),
        ]
        let score = summary.mean.isFinite ? exp(summary.mean) : 0
        var problems: [String] = []
        if let floor = thresholds.meanLogprob, summary.mean < floor {
            problems.append("mean token logprob \(round4(summary.mean)) < \(floor)")
        }
        if let floor = thresholds.minLogprob, summary.minimum < floor {
            problems.append("lowest token logprob \(round4(summary.minimum)) < \(floor)")
        }
        if let ceiling = thresholds.maxLowShare, summary.lowShare > ceiling {
            problems.append("\(round4(summary.lowShare * 100))% of tokens below \(cutoff) (allowed \(ceiling * 100)%)")
        }
        if problems.isEmpty {
            return (.pass(.confidence, "mean token logprob \(round4(summary.mean)) over \(summary.tokens) tokens", score: score, details: details), summary.mean)
        }
        return (.fail(.confidence, "low confidence: " + problems.joined(separator: "; "), score: score, details: details), summary.mean)
    }
}

/// A rounded number, or `null` for a non-finite one (JSON has no infinity).
func jsonNumber(_ value: Double) -> JSONValue {
    value.isFinite ? .double(round4(value)) : .null
}

func round4(_ value: Double) -> Double {
    value.isFinite ? (value * 10_000).rounded() / 10_000 : value
}
