/// Prices a ``TrafficMix`` against a ``TierPriceTable``.
///
/// Model: a request of task t has `i` input and `i × ratio` output tokens. Baseline: every request
/// on the premium (last) tier. Routed: each request's first attempt on its tier by the task's
/// shares; a share `escalationRate` of the requests that started below the top tier fail a gate
/// and are sent again, once, to the next tier up — paying for both attempts.
public struct CostSimulator: Sendable {
    public var prices: TierPriceTable

    public init(prices: TierPriceTable) {
        self.prices = prices
    }

    /// The monthly report for `mix`; throws when the mix names unknown tiers or its shares do not add up to 1.
    public func simulate(_ mix: TrafficMix) throws(EvaluationError) -> SimulationReport {
        try validate(mix)
        let tasks = mix.tasks.map { cost(of: $0, defaultRatio: mix.outputInputRatio) }
        let requests = tasks.map(\.requests).reduce(0, +)
        let baseline = tasks.map(\.baselineUSD).reduce(0, +)
        func routed(_ rate: Double) -> Double { tasks.map { $0.routedUSD(escalationRate: rate) }.reduce(0, +) }
        func row(_ rate: Double) -> SensitivityRow {
            let cost = routed(rate)
            return SensitivityRow(escalationRate: rate, routedUSD: cost, savingsUSD: baseline - cost, savingsFraction: baseline > 0 ? (baseline - cost) / baseline : 0)
        }
        let current = row(mix.escalationRate)
        let breakEven = mix.broker.map { broker -> BreakEven in
            let perRequest = requests > 0 ? current.savingsUSD / requests : 0
            let margin = perRequest - broker.perRequestUSD
            return BreakEven(
                broker: broker, savingsPerRequestUSD: perRequest,
                netSavingsUSD: current.savingsUSD - broker.perRequestUSD * requests - broker.monthlyFixedUSD,
                breakEvenRequestsPerMonth: margin > 0 ? broker.monthlyFixedUSD / margin : nil)
        }
        return SimulationReport(
            tiers: prices.tiers, tasks: tasks, requests: requests, escalationRate: mix.escalationRate, baselineUSD: baseline,
            routedUSD: current.routedUSD, savingsUSD: current.savingsUSD, savingsFraction: current.savingsFraction,
            sensitivity: mix.sensitivityRates.map(row), breakEven: breakEven)
    }

    func cost(of task: TaskTraffic, defaultRatio: Double) -> TaskCost {
        let requests = task.requests
        let input = task.inputTokensPerRequest
        let output = input * (task.outputInputRatio ?? defaultRatio)
        let top = prices.tiers.count - 1
        var first = 0.0
        var escalation = 0.0
        for (tier, share) in task.tierShares {
            guard let rank = prices.rank(of: tier) else { continue }  // validated before
            first += share * requests * prices.tiers[rank].cost(input: input, output: output)
            if rank < top { escalation += share * requests * prices.tiers[rank + 1].cost(input: input, output: output) }
        }
        return TaskCost(
            task: task.name, requests: requests, inputTokens: requests * input, outputTokens: requests * output,
            baselineUSD: requests * prices.premium.cost(input: input, output: output), firstAttemptUSD: first, fullEscalationUSD: escalation)
    }

    func validate(_ mix: TrafficMix) throws(EvaluationError) {
        guard !mix.tasks.isEmpty else { throw .invalidParameter("the traffic mix has no tasks") }
        guard (0...1).contains(mix.escalationRate) else { throw .invalidParameter("escalation_rate must be between 0 and 1, got \(mix.escalationRate)") }
        guard mix.outputInputRatio >= 0 else { throw .invalidParameter("output_input_ratio must not be negative") }
        for rate in mix.sensitivityRates where !(0...1).contains(rate) {
            throw .invalidParameter("sensitivity rates must be between 0 and 1, got \(rate)")
        }
        if let broker = mix.broker, broker.monthlyFixedUSD < 0 || broker.perRequestUSD < 0 {
            throw .invalidParameter("broker costs must not be negative")
        }
        for task in mix.tasks {
            let name = "task '\(task.name)'"
            switch task.volume {
            case .requests(let count) where count < 0: throw .invalidParameter("\(name): requests must not be negative")
            case .inputTokens(let tokens) where tokens < 0: throw .invalidParameter("\(name): tokens must not be negative")
            case .inputTokens where task.inputTokensPerRequest <= 0:
                throw .invalidParameter("\(name): a volume in tokens needs input_tokens_per_request above 0")
            default: break
            }
            guard task.inputTokensPerRequest >= 0 else { throw .invalidParameter("\(name): input_tokens_per_request must not be negative") }
            if let ratio = task.outputInputRatio, ratio < 0 { throw .invalidParameter("\(name): output_input_ratio must not be negative") }
            guard !task.tierShares.isEmpty else { throw .invalidParameter("\(name): no tier shares") }
            for (tier, share) in task.tierShares {
                guard prices.rank(of: tier) != nil else {
                    throw .invalidParameter("\(name): unknown tier '\(tier)'; the price table has \(prices.tiers.map(\.tier).joined(separator: ", "))")
                }
                guard share >= 0 else { throw .invalidParameter("\(name): the share of tier '\(tier)' must not be negative") }
            }
            let total = task.tierShares.values.reduce(0, +)
            guard abs(total - 1) < 1e-6 else { throw .invalidParameter("\(name): tier shares must add up to 1, got \(total)") }
        }
    }
}
