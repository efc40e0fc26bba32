/// Compiles the gate configuration once and, per request, decides which gates apply and runs them.
///
/// Usage on the hot path: ``validate(request:)`` before dispatch (400 on bad gate metadata), then
/// ``plan(forTask:options:model:)`` once per deployment tried, ``GatePlan/evaluate(_:)`` on its
/// answer, and ``nextStep(after:plan:repairsUsed:escalationsUsed:escalationAllowed:hasHigherTier:)``
/// to decide between accepting, repairing, escalating and flagging for review.
public struct GateEvaluator: Sendable {
    /// Gate settings of one task, compiled. A class: each plan looks one up, and a lookup then
    /// costs one reference instead of a copy of every member.
    final class CompiledTask: Sendable {
        let kinds: [GateKind]
        let confidence: ConfidenceThresholds
        let confidenceByModel: [String: ConfidenceThresholds]
        let labels: [String]?
        let regex: GateRegex?
        let number: NumberGate
        let numberSettings: NumberGateSettings
        let requireJSON: Bool

        init(
            kinds: [GateKind], confidence: ConfidenceThresholds, confidenceByModel: [String: ConfidenceThresholds], labels: [String]?,
            regex: GateRegex?, number: NumberGate, numberSettings: NumberGateSettings, requireJSON: Bool
        ) {
            self.kinds = kinds
            self.confidence = confidence
            self.confidenceByModel = confidenceByModel
            self.labels = labels
            self.regex = regex
            self.number = number
            self.numberSettings = numberSettings
            self.requireJSON = requireJSON
        }
    }

    public let settings: GateSettings
    let tasks: [String: CompiledTask]
    let fallbackTask: CompiledTask
    let refusal: RefusalGate

    /// Compiles the gates of `configuration.routing` (task patterns are checked when the
    /// configuration is read; one that does not compile here disables that task's `regex` gate).
    public init(configuration: GatewayConfiguration) {
        self.init(routing: configuration.routing)
    }

    /// Compiles the gates of a routing configuration.
    public init(routing: RoutingConfiguration) {
        let settings = routing.gates
        self.settings = settings
        refusal = RefusalGate(settings.refusal)
        let base = ConfidenceThresholds.defaults.merged(with: settings.confidence)
        func compile(_ gates: TaskGates) -> CompiledTask {
            var byModel: [String: ConfidenceThresholds] = [:]
            for model in Set(settings.confidenceByModel.keys).union(gates.confidenceByModel.keys) {
                byModel[model] = base.merged(with: settings.confidenceByModel[model]).merged(with: gates.confidence).merged(with: gates.confidenceByModel[model])
            }
            let numberSettings = gates.number ?? settings.number
            // Labels or a pattern configured on the task turn their gate on.
            var kinds = Set(gates.kinds)
            if gates.labels != nil { kinds.insert(.label) }
            if gates.answerRegex != nil { kinds.insert(.regex) }
            return CompiledTask(
                kinds: kinds.sorted(), confidence: base.merged(with: gates.confidence), confidenceByModel: byModel,
                labels: gates.labels, regex: gates.answerRegex.flatMap { try? GateRegex($0) }, number: NumberGate(numberSettings),
                numberSettings: numberSettings, requireJSON: gates.requireJSON)
        }
        var tasks: [String: CompiledTask] = [:]
        for task in routing.tasks { tasks[task.name] = compile(task.gates) }
        self.tasks = tasks
        fallbackTask = compile(TaskGates())
    }

    /// Reads and checks the request's gate metadata and `response_format` schema: call before
    /// dispatch; a bad value is a 400 naming the field.
    public func validate(request: ChatCompletionRequest) throws(GatewayError) -> GateRequestOptions {
        try GateRequestOptions(request: request)
    }

    /// The gates that apply to `task` and `request` on `model` (empty = none: stream straight through).
    /// A request with invalid gate metadata gets the task's gates (call ``validate(request:)`` first).
    public func gates(forTask task: String, request: ChatCompletionRequest, model: ModelDeployment) -> [GateKind] {
        plan(forTask: task, options: (try? GateRequestOptions(request: request)) ?? GateRequestOptions(), model: model).kinds
    }

    /// Every gate kind, in the order gates run.
    private static let runOrder = GateKind.allCases.sorted()

    /// The compiled gate plan for one request on one deployment.
    public func plan(forTask task: String, options: GateRequestOptions, model: ModelDeployment) -> GatePlan {
        let compiled = tasks[task] ?? fallbackTask
        let labels = options.labels ?? compiled.labels
        let regex = options.compiledRegex ?? compiled.regex
        let kinds = kinds(of: compiled, options: options, model: model)
        var numberSettings = compiled.numberSettings
        if let flag = options.requireMarker { numberSettings.requireMarker = flag }
        if let flag = options.integer { numberSettings.integer = flag }
        if let flag = options.consistency { numberSettings.consistency = flag }
        let number = numberSettings == compiled.numberSettings ? compiled.number : NumberGate(numberSettings)
        let confidence = (compiled.confidenceByModel[model.name] ?? compiled.confidence).merged(with: options.confidence)
        return GatePlan(
            kinds: kinds, confidence: confidence, labels: labels, json: options.json, regex: regex, number: number, refusal: refusal,
            uncertainBand: settings.uncertainBand, jsonRepair: settings.jsonRepair)
    }

    /// Runs the gates for `input` on `model` (builds the plan; prefer a cached ``GatePlan`` when
    /// one request is evaluated more than once).
    public func evaluate(_ input: GateInput, model: ModelDeployment) -> GateReport {
        let options = (try? GateRequestOptions(request: input.request)) ?? GateRequestOptions()
        return plan(forTask: input.task, options: options, model: model).evaluate(input)
    }

    /// Whether to request logprobs from `model` for `task`: the model has the `logprobs`
    /// capability and the task runs the confidence gate.
    public func wantsLogprobs(task: String, model: ModelDeployment) -> Bool {
        model.capabilities.contains(.logprobs) && (tasks[task] ?? fallbackTask).kinds.contains(.confidence)
    }

    /// Whether to request logprobs for this request on `model`, honouring the request's gate options.
    public func wantsLogprobs(task: String, options: GateRequestOptions, model: ModelDeployment) -> Bool {
        // One kind's test, no list: this runs before every call of a gated request.
        runs(.confidence, compiled: tasks[task] ?? fallbackTask, options: options, model: model)
    }

    /// The gate kinds that run for a task's compiled gates with a request's options on `model`,
    /// in run order.
    private func kinds(of compiled: CompiledTask, options: GateRequestOptions, model: ModelDeployment) -> [GateKind] {
        // In run order, without building a set per request (this runs on every answer).
        Self.runOrder.filter { runs($0, compiled: compiled, options: options, model: model) }
    }

    /// Whether gate `kind` runs for a task's compiled gates with a request's options on `model`.
    private func runs(_ kind: GateKind, compiled: CompiledTask, options: GateRequestOptions, model: ModelDeployment) -> Bool {
        let requested = options.only ?? compiled.kinds
        guard requested.contains(kind) || options.enabled.contains(kind) || (kind == .label && options.labels != nil)
            || (kind == .regex && options.compiledRegex != nil), !options.disabled.contains(kind)
        else { return false }
        switch kind {
        case .label: return (options.labels ?? compiled.labels) != nil
        case .regex: return (options.compiledRegex ?? compiled.regex) != nil
        case .confidence: return model.capabilities.contains(.logprobs)
        case .json: return options.json.isRequested || compiled.requireJSON || options.names(.json)
        default: return true
        }
    }

    /// What to do with an answer after its gates ran.
    public func nextStep(
        after report: GateReport, plan: GatePlan, repairsUsed: Int, escalationsUsed: Int, escalationAllowed: Bool, hasHigherTier: Bool
    ) -> GateStep {
        guard let failure = report.firstFailure else { return report.uncertain ? .acceptForReview : .accept }
        if repairsUsed == 0, let instruction = plan.repairInstruction(for: report) { return .repair(instruction: instruction) }
        if escalationAllowed && hasHigherTier && escalationsUsed < settings.maxEscalations { return .escalate(failure) }
        return .reviewFailure(failure)
    }
}

/// The decision after an answer's gates: what the executor does next.
public enum GateStep: Sendable, Hashable {
    /// Every gate passed: return the answer.
    case accept
    /// Every gate passed but the answer is uncertain: return it and queue it for review.
    case acceptForReview
    /// The JSON gate failed: ask the same model once more with this user message appended.
    case repair(instruction: String)
    /// A gate failed: try the next tier of the chain.
    case escalate(GateResult)
    /// A gate failed and escalation is exhausted, forbidden or impossible: return the answer,
    /// flagged for human review.
    case reviewFailure(GateResult)
}
