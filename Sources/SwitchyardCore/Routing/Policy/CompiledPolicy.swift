/// The policy with every tier name resolved to a rank and every deployment pre-sorted, built once
/// at ``RoutingEngine`` initialisation so a decision does no lookups by name.
struct CompiledPolicy: Sendable {
    struct Task: Sendable {
        var name: String
        /// Tier ranks in chain order.
        var chain: [Int]
        /// (rank, threshold) ascending by threshold.
        var thresholds: [(rank: Int, threshold: Double)]
        /// The clause each entry of `thresholds` adds when it sets the start tier.
        var thresholdClauses: [ClauseTemplate] = []
        /// The clause added when the complexity is below every threshold.
        var belowThresholds = ClauseTemplate(clause: "", effect: "", reasonTail: nil)
    }

    /// A policy clause whose text is fixed by the configuration except for a number at the start
    /// of its reason (the complexity or budget utilisation), built once so a decision does not
    /// assemble the same strings again.
    struct ClauseTemplate: Sendable {
        var clause: String
        var effect: String
        /// The reason after the request's number; `nil` when it holds a configured number that
        /// cannot be formatted ahead (see ``tail(formatting:_:)``).
        var reasonTail: String?

        /// The clause with the reason `head` + the tail (`tail()` if it was not built ahead).
        func clause(reasonHead head: String, tail: () -> String) -> PolicyClause {
            PolicyClause(clause: clause, effect: effect, reason: head + (reasonTail ?? tail()))
        }

        /// `text()`, unless it formats `value` and that may trap: `format`/`percent` trap on
        /// numbers no configuration should hold (NaN, ±∞, beyond `Int`). Those tails are built
        /// per decision instead, so such a configuration fails exactly where it always did.
        static func tail(formatting value: Double, _ text: () -> String) -> String? {
            value.isFinite && abs(value) < 1e15 ? text() : nil
        }
    }

    struct TierLimits: Sendable {
        var floor: Int?
        var ceiling: Int?
        var escalation: Bool
    }

    /// The clauses a user tier's limits add, built once.
    struct UserTierClauses: Sendable {
        var floorPath = ""
        var ceiling = PolicyClause(clause: "", effect: "", reason: "")
        var escalation = PolicyClause(clause: "", effect: "", reason: "")
    }

    struct Window: Sendable {
        var window: TimeWindow
        var prefer: Int?
        var floor: Int?
        var ceiling: Int?
        var path: String
        /// Bit `UserTier.slot` set for the user tiers it applies to (all when the window names none).
        var userTierMask: UInt8 = 0
        /// Bit `Weekday.index` set for the days it opens on.
        var dayMask: UInt8 = 0
        /// What it does while open (fixed by the configuration): the clause it adds.
        var clause = PolicyClause(clause: "", effect: "", reason: "")
    }

    struct Budget: Sendable {
        var rule: BudgetStressRule
        var ceiling: Int?
        var path: String
        /// The clause it adds; the reason starts with the utilisation.
        var clause = ClauseTemplate(clause: "", effect: "", reasonTail: nil)
    }

    struct Deployment: Sendable {
        var model: ModelDeployment
        var rank: Int
        var region: String?
        var isLocal: Bool
        /// Blended price per 1M tokens, (3 × input + output) / 4.
        var blendedPrice: Double
    }

    let tiers: [String]
    let tierRank: [String: Int]
    let tasks: [Task]
    let taskIndex: [String: Int]
    let userTiers: [UserTier: TierLimits]
    /// `userTiers` by ``UserTier/slot``, so a decision does not hash the user tier.
    let userTierLimits: [TierLimits?]
    /// The clauses of `userTierLimits`, by ``UserTier/slot``.
    let userTierClauses: [UserTierClauses]
    let residency: [Sensitivity: ResidencyRule]
    /// `residency` by ``Sensitivity/rank``, so a decision does not hash the sensitivity.
    let residencyByRank: [ResidencyRule?]
    let windows: [Window]
    /// What deciding whether `windows[i]` applies needs, kept apart from the (large) `Window`s so
    /// that checking a closed window copies nothing.
    let windowGates: [WindowGate]
    let budgets: [Budget]
    /// All deployments, grouped by tier rank, cheapest first within a tier.
    let deploymentsByTier: [[Deployment]]
    let deploymentIndex: [String: Deployment]
    /// Cheapest deployment of the most capable tier that has any.
    let baseline: Deployment?
    let expectedOutputTokens: Int
    let modelNames: [String]

    init(configuration: GatewayConfiguration) {
        let routing = configuration.routing
        tiers = configuration.tiers
        var ranks: [String: Int] = [:]
        for (rank, tier) in tiers.enumerated() where ranks[tier] == nil { ranks[tier] = rank }
        tierRank = ranks
        let allRanks = Array(tiers.indices)

        tasks = routing.tasks.map { task in
            let chain = task.chain.compactMap { ranks[$0] }
            let thresholds = task.thresholds.compactMap { tier, value in ranks[tier].map { (rank: $0, threshold: value) } }
                .sorted { ($0.threshold, $0.rank) < ($1.threshold, $1.rank) }
            var compiled = Task(name: task.name, chain: chain.isEmpty ? allRanks : chain, thresholds: thresholds)
            compiled.precomputeClauses(tiers: configuration.tiers)
            return compiled
        }
        taskIndex = Dictionary(tasks.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })

        var limits: [UserTier: TierLimits] = [:]
        for (tier, policy) in routing.policy.userTiers {
            limits[tier] = TierLimits(floor: policy.floor.flatMap { ranks[$0] }, ceiling: policy.ceiling.flatMap { ranks[$0] }, escalation: policy.escalation)
        }
        userTiers = limits
        userTierLimits = UserTier.allCases.map { limits[$0] }
        userTierClauses = UserTier.allCases.map { UserTierClauses(userTier: $0, limits: limits[$0], tiers: configuration.tiers) }
        residency = routing.policy.residency
        residencyByRank = (0..<Sensitivity.allCases.count).map { rank in Sensitivity.allCases.first { $0.rank == rank }.flatMap { routing.policy.residency[$0] } }
        windows = routing.policy.timeWindows.enumerated().map { index, window in
            var compiled = Window(
                window: window, prefer: window.prefer.flatMap { ranks[$0] }, floor: window.floor.flatMap { ranks[$0] },
                ceiling: window.ceiling.flatMap { ranks[$0] }, path: "policy.time_windows[\(index)] (\(window.name))")
            compiled.precompute(tiers: configuration.tiers)
            return compiled
        }
        windowGates = windows.map { WindowGate($0) }
        budgets = routing.policy.budgetStress.enumerated().map { index, rule in
            var compiled = Budget(rule: rule, ceiling: rule.ceiling.flatMap { ranks[$0] }, path: "policy.budget_stress[\(index)]")
            compiled.precomputeClause(tiers: configuration.tiers)
            return compiled
        }.sorted { $0.rule.above < $1.rule.above }

        let providerRegions = Dictionary(configuration.providers.map { ($0.name, $0.region) }, uniquingKeysWith: { first, _ in first })
        var byTier = [[Deployment]](repeating: [], count: tiers.count)
        var index: [String: Deployment] = [:]
        for model in configuration.models {
            guard let rank = ranks[model.tier] else { continue }
            let region = model.region ?? providerRegions[model.provider] ?? nil
            let deployment = Deployment(
                model: model, rank: rank, region: region, isLocal: model.tier == "local" || region == "local",
                blendedPrice: (3 * model.price.inputPerMillion + model.price.outputPerMillion) / 4)
            byTier[rank].append(deployment)
            if index[model.name] == nil { index[model.name] = deployment }
        }
        deploymentsByTier = byTier.map { tier in
            tier.enumerated().sorted { ($0.element.blendedPrice, $0.offset) < ($1.element.blendedPrice, $1.offset) }.map(\.element)
        }
        deploymentIndex = index
        baseline = deploymentsByTier.last { !$0.isEmpty }?.first
        expectedOutputTokens = routing.policy.expectedOutputTokens
        modelNames = configuration.models.map(\.name)
    }
}
