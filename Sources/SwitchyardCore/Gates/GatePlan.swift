/// The gates for one request on one deployment, compiled once (schema, patterns, thresholds) and
/// evaluated on every answer that request gets from that deployment.
public struct GatePlan: Sendable {
    /// The gates that run, in evaluation order (empty = stream straight through).
    public var kinds: [GateKind]
    /// Confidence thresholds resolved for the task, model and request.
    public var confidence: ConfidenceThresholds
    /// Allowed labels of the `label` gate.
    public var labels: [String]?
    let json: JSONOutputRequirement
    let regex: GateRegex?
    let number: NumberGate
    let refusal: RefusalGate
    let uncertainBand: UncertainBand?
    let jsonRepair: Bool

    /// Whether any gate runs.
    public var isEmpty: Bool { kinds.isEmpty }

    /// Runs every gate of the plan on `input` (its task and request are not re-read). All gates
    /// run, even after a failure, so the decision record lists every score.
    public func evaluate(_ input: GateInput) -> GateReport {
        var results: [GateResult] = []
        results.reserveCapacity(kinds.count)
        var uncertain = false
        for kind in kinds {
            switch kind {
            case .empty: results.append(EmptyGate.evaluate(content: input.content, hasToolCalls: input.hasToolCalls))
            case .truncation: results.append(TruncationGate.evaluate(finishReason: input.finishReason))
            case .refusal:
                let (result, flag) = refusal.evaluate(content: input.content)
                results.append(result)
                uncertain = uncertain || flag
            case .json: results.append(JSONGate.evaluate(content: input.content, requirement: json))
            case .label: results.append(LabelGate.evaluate(content: input.content, labels: labels ?? []))
            case .number: results.append(number.evaluate(content: input.content))
            case .code: results.append(CodeGate.evaluate(content: input.content))
            case .regex:
                if let regex { results.append(RegexGate.evaluate(content: input.content, regex: regex)) }
            case .confidence:
                let (result, mean) = ConfidenceGate.evaluate(logprobs: input.tokenLogprobs, thresholds: confidence)
                results.append(result)
                if result.passed, let mean, let band = uncertainBand, band.contains(mean) { uncertain = true }
            }
        }
        let report = GateReport(results: results, uncertain: false)
        return GateReport(results: results, uncertain: report.passed && uncertain)
    }

    /// The message to send back to the same model for a one-shot JSON repair, when `report`
    /// failed only because of the `json` gate and repair is enabled; `nil` otherwise.
    public func repairInstruction(for report: GateReport) -> String? {
        guard jsonRepair, let failure = report.firstFailure, failure.kind == .json, report.failures.count == 1 else { return nil }
        return JSONGate.repairInstruction(for: failure)
    }
}
