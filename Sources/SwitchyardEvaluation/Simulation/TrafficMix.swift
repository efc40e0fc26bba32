/// A month of traffic for one task type.
public struct TaskTraffic: Sendable, Hashable, Codable {
    /// How the task's monthly volume is given.
    public enum Volume: Sendable, Hashable, Codable {
        /// Requests per month.
        case requests(Double)
        /// Input tokens per month.
        case inputTokens(Double)
    }

    public var name: String
    public var volume: Volume
    /// Mean input (prompt) tokens per request.
    public var inputTokensPerRequest: Double
    /// Output tokens per input token; `nil` uses the mix's default.
    public var outputInputRatio: Double?
    /// Share of requests whose first attempt goes to each tier (shares sum to 1).
    public var tierShares: [String: Double]

    public init(name: String, volume: Volume, inputTokensPerRequest: Double, outputInputRatio: Double? = nil, tierShares: [String: Double]) {
        self.name = name
        self.volume = volume
        self.inputTokensPerRequest = inputTokensPerRequest
        self.outputInputRatio = outputInputRatio
        self.tierShares = tierShares
    }

    /// Requests per month.
    public var requests: Double {
        switch volume {
        case .requests(let count): return count
        case .inputTokens(let tokens): return inputTokensPerRequest > 0 ? tokens / inputTokensPerRequest : 0
        }
    }
}

/// What running the router costs beyond the model calls (hosting, licence, a broker's fee).
public struct BrokerCost: Sendable, Hashable, Codable {
    public var monthlyFixedUSD: Double
    public var perRequestUSD: Double

    public init(monthlyFixedUSD: Double = 0, perRequestUSD: Double = 0) {
        self.monthlyFixedUSD = monthlyFixedUSD
        self.perRequestUSD = perRequestUSD
    }
}

/// The traffic a simulation prices: tasks, how often routed requests escalate, and the broker's cost.
public struct TrafficMix: Sendable, Hashable, Codable {
    public var tasks: [TaskTraffic]
    /// Share of requests that start below the top tier and fail a gate, so are sent again one tier up.
    public var escalationRate: Double
    /// Output tokens per input token for tasks that do not say.
    public var outputInputRatio: Double
    public var broker: BrokerCost?
    /// Escalation rates of the sensitivity table.
    public var sensitivityRates: [Double]

    public static let defaultSensitivityRates: [Double] = [0.10, 0.15, 0.20, 0.25, 0.30, 0.35]

    public init(
        tasks: [TaskTraffic], escalationRate: Double, outputInputRatio: Double = 1, broker: BrokerCost? = nil,
        sensitivityRates: [Double] = TrafficMix.defaultSensitivityRates
    ) {
        self.tasks = tasks
        self.escalationRate = escalationRate
        self.outputInputRatio = outputInputRatio
        self.broker = broker
        self.sensitivityRates = sensitivityRates
    }
}
