/// The routing brain: classifies a request into signals and turns signals plus circumstances
/// into an ordered chain of deployments with a decision record.
///
/// Pure and synchronous: no I/O, no clock (time comes in ``RoutingContext/now``), no randomness.
/// Everything the configuration says is compiled once here, so a decision for a 1,000-token
/// prompt takes microseconds.
public struct RoutingEngine: Sendable {
    public let configuration: GatewayConfiguration
    let classifier: SignalClassifier
    let policy: CompiledPolicy
    /// Built once: a builder made per decision copied the whole compiled policy, a retain and a
    /// release of each of its tables for every request.
    let chainBuilder: ChainBuilder
    /// Whether routing may consult a semantic classifier: an embedding model's forward pass,
    /// milliseconds of CPU rather than microseconds.
    public let consultsSemanticClassifier: Bool

    /// Compiles `configuration`'s routing section; `semantic` is consulted after metadata and rules.
    public init(configuration: GatewayConfiguration, semantic: (any SemanticClassifier)? = nil) {
        self.configuration = configuration
        self.consultsSemanticClassifier = semantic != nil
        self.classifier = SignalClassifier(configuration: configuration.routing, semantic: semantic)
        self.policy = CompiledPolicy(configuration: configuration)
        self.chainBuilder = ChainBuilder(policy: policy)
    }

    /// The deployment whose prices define the baseline cost (the cheapest of the most capable
    /// tier that has any), as decision records and the ledger use it.
    public var baselineDeployment: ModelDeployment? { policy.baseline?.model }

    /// Interprets the `model` field: `auto`, `tier:NAME` or a configured model name (else 404).
    public func mode(forModel model: String) throws(GatewayError) -> RoutingMode {
        if model == "auto" { return .auto }
        if model.hasPrefix("tier:") {
            let tier = String(model.dropFirst(5))
            guard policy.tierRank[tier] != nil else { throw modelNotFound(model) }
            return .tier(tier)
        }
        guard policy.deploymentIndex[model] != nil else { throw modelNotFound(model) }
        return .model(model)
    }

    private func modelNotFound(_ model: String) -> GatewayError {
        .modelNotFound(model, available: ["auto"] + policy.tiers.map { "tier:\($0)" } + policy.modelNames)
    }

    /// Classifies only: the signals and matched rules, without a policy decision.
    public func classify(_ request: RoutingRequest) throws(GatewayError) -> RoutingSignals {
        try classifier.classify(request).0
    }

    /// Routes `request`.
    ///
    /// - Throws: 404 `model_not_found` for an unknown model or tier; 400 for a task hint outside
    ///   the taxonomy; 403 `tier_not_allowed` when a pinned tier or model is above the policy's
    ///   ceiling; 503 `no_eligible_deployment` when residency, region, maintenance windows and
    ///   unavailable deployments leave nothing (the message names every exclusion).
    public func route(_ request: RoutingRequest, context: RoutingContext) throws(GatewayError) -> RoutingDecision {
        let mode = try mode(forModel: request.model)
        // The classifier's task index is `policy.taskIndex[signals.task.value]` (both are built from the same task list).
        let (signals, matches, taskIndex) = try classifier.classifyIndexed(request)
        guard !policy.tiers.isEmpty, policy.tasks.indices.contains(taskIndex) else {
            throw .internalError("The routing configuration has no task '\(signals.task.value)'.")
        }
        let task = policy.tasks[taskIndex]

        var pinned: Int?
        var pinLabel = ""
        var pinnedDeployment: CompiledPolicy.Deployment?
        switch mode {
        case .auto: break
        case .tier(let tier):
            pinned = policy.tierRank[tier]
            pinLabel = "tier:\(tier)"
        case .model(let name):
            pinnedDeployment = policy.deploymentIndex[name]
            pinned = pinnedDeployment?.rank
            pinLabel = "model '\(name)'"
        }

        var plan = try policy.plan(task: task, signals: signals, context: context, pinned: pinned, pinLabel: pinLabel)
        let candidates: [CompiledPolicy.Deployment]
        var ranks: [Int] = []
        switch mode {
        case .auto:
            ranks = policy.chainTiers(task: task, plan: &plan)
            candidates = ranks.count == 1 ? policy.deploymentsByTier[ranks[0]] : ranks.flatMap { policy.deploymentsByTier[$0] }
        case .tier:
            candidates = policy.deploymentsByTier[plan.start]
        case .model:
            // The pinned model first, then its configured fallbacks up to the ceiling; the
            // chain builder applies residency, windows and availability to all of them alike.
            candidates = pinnedDeployment.map { pinned in
                [pinned] + pinned.model.fallbacks.compactMap { policy.deploymentIndex[$0] }.filter { $0.rank <= plan.ceiling }
            } ?? []
        }
        /// What was asked for, for the 503 (only built when nothing is eligible).
        func description() -> String {
            switch mode {
            case .auto:
                let range = ranks.count == 1 ? policy.tiers[ranks[0]] : "\(policy.tiers[ranks[0]])…\(policy.tiers[ranks[ranks.count - 1]])"
                return "task '\(task.name)' (tiers \(range))"
            case .tier(let tier): return "tier:\(tier)"
            case .model(let name): return "model '\(name)'"
            }
        }
        var built = chainBuilder.build(candidates: candidates, pinnedModel: pinnedDeployment != nil, signals: signals, request: request, context: context, plan: plan)
        if built.chain.isEmpty, mode == .auto, configuration.routing.policy.degrade {
            // Nothing in start…ceiling may serve it: use the closest lower tiers of the task's chain
            // (never below a floor) rather than fail. Hard limits (residency, regions) still apply.
            let lower = task.chain.filter { $0 < plan.start && $0 >= (plan.floor ?? 0) }.sorted(by: >)
            let retry = chainBuilder.build(
                candidates: lower.flatMap { policy.deploymentsByTier[$0] }, pinnedModel: false, signals: signals, request: request, context: context,
                plan: plan)
            if let first = retry.chain.first {
                plan.clauses.append(PolicyClause(
                    clause: "policy.degrade", effect: "start=\(first.model.tier)",
                    reason: "no deployment from \(policy.tiers[plan.start]) up is eligible; using the closest lower tier"))
                built = ChainBuilder.Result(
                    chain: retry.chain, excluded: built.excluded + retry.excluded, clauses: built.clauses, residencyNote: built.residencyNote)
            } else {
                built.excluded += retry.excluded
            }
        }
        guard !built.chain.isEmpty else { throw built.noEligibleDeployment(description()) }

        let outputTokens = min(request.maxOutputTokens ?? policy.expectedOutputTokens, policy.expectedOutputTokens)
        func cost(_ deployment: CompiledPolicy.Deployment) -> Double {
            let price = deployment.model.price
            return (Double(signals.promptTokens) * price.inputPerMillion + Double(outputTokens) * price.outputPerMillion) / 1_000_000
        }
        let entries = built.chain.map {
            ChainEntry(model: $0.model.name, tier: $0.model.tier, provider: $0.model.provider, region: $0.region, estimatedCostUSD: cost($0))
        }
        let record = DecisionRecord(
            id: context.decisionID, requestedModel: request.model, mode: mode, tenant: context.tenant, userTier: context.userTier,
            signals: signals, rulesMatched: matches, clauses: built.clauses.isEmpty ? plan.clauses : plan.clauses + built.clauses,
            startTier: built.chain[0].model.tier, ceilingTier: policy.tiers[plan.ceiling], escalationAllowed: plan.escalation,
            chain: entries, excluded: built.excluded, chosen: built.chain[0].model.name, expectedOutputTokens: outputTokens,
            estimatedCostUSD: entries[0].estimatedCostUSD, baselineCostUSD: policy.baseline.map(cost))
        return RoutingDecision(
            chain: built.chain.map(\.model), record: record, signals: signals, mode: mode, escalationAllowed: plan.escalation,
            escalated: plan.escalated, session: request.hints.session)
    }
}
