/// The policy with every tier name resolved to a rank and every deployment pre-sorted, built once
/// at ``RoutingEngine`` initialisation so a decision does no lookups by name.
struct CompiledPolicy: Sendable {
    struct Task: Sendable {
        var name: String
        /// Tier ranks in chain order.
        var chain: [Int]
        /// (rank, threshold) ascending by threshold.
        var thresholds: [(rank: Int, threshold: Double)]
    }

    struct TierLimits: Sendable {
        var floor: Int?
        var ceiling: Int?
        var escalation: Bool
    }

    struct Window: Sendable {
        var window: TimeWindow
        var prefer: Int?
        var floor: Int?
        var ceiling: Int?
        var path: String
    }

    struct Budget: Sendable {
        var rule: BudgetStressRule
        var ceiling: Int?
        var path: String
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
    let residency: [Sensitivity: ResidencyRule]
    let windows: [Window]
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
            return Task(name: task.name, chain: chain.isEmpty ? allRanks : chain, thresholds: thresholds)
        }
        taskIndex = Dictionary(tasks.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })

        var limits: [UserTier: TierLimits] = [:]
        for (tier, policy) in routing.policy.userTiers {
            limits[tier] = TierLimits(floor: policy.floor.flatMap { ranks[$0] }, ceiling: policy.ceiling.flatMap { ranks[$0] }, escalation: policy.escalation)
        }
        userTiers = limits
        residency = routing.policy.residency
        windows = routing.policy.timeWindows.enumerated().map { index, window in
            Window(
                window: window, prefer: window.prefer.flatMap { ranks[$0] }, floor: window.floor.flatMap { ranks[$0] },
                ceiling: window.ceiling.flatMap { ranks[$0] }, path: "policy.time_windows[\(index)] (\(window.name))")
        }
        budgets = routing.policy.budgetStress.enumerated().map { index, rule in
            Budget(rule: rule, ceiling: rule.ceiling.flatMap { ranks[$0] }, path: "policy.budget_stress[\(index)]")
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
