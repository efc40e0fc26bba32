import SwitchyardCore
import SwitchyardEvaluation
import Testing

/// Monthly costs of a traffic mix, computed by hand.
@Suite struct CostSimulatorTests {
    // light: $1 in / $2 out; premium: $10 in / $30 out (per 1M tokens).
    static let prices = try! TierPriceTable(tiers: [
        TierPrice(tier: "light", inputPerMillion: 1, outputPerMillion: 2), TierPrice(tier: "premium", inputPerMillion: 10, outputPerMillion: 30),
    ])
    // 1,000 requests of 1,000 input and 500 output tokens: $0.002 on light, $0.025 on premium.
    static let task = TaskTraffic(
        name: "chat", volume: .requests(1000), inputTokensPerRequest: 1000, outputInputRatio: 0.5, tierShares: ["light": 0.8, "premium": 0.2])

    @Test func baselineRoutedAndSavings() throws {
        let report = try CostSimulator(prices: Self.prices).simulate(TrafficMix(tasks: [Self.task], escalationRate: 0.1))
        #expect(abs(report.baselineUSD - 25) < 1e-9)  // 1,000 × $0.025
        // First attempts 800 × 0.002 + 200 × 0.025 = 6.6; escalations 10 % × 800 × 0.025 = 2.
        #expect(abs(report.routedUSD - 8.6) < 1e-9)
        #expect(abs(report.savingsUSD - 16.4) < 1e-9)
        #expect(abs(report.savingsFraction - 0.656) < 1e-9)
        #expect(report.requests == 1000)
        #expect(abs(report.tasks[0].outputTokens - 500_000) < 1e-6)
    }

    @Test func sensitivityTableCoversTenToThirtyFivePercent() throws {
        let report = try CostSimulator(prices: Self.prices).simulate(TrafficMix(tasks: [Self.task], escalationRate: 0.1))
        #expect(report.sensitivity.map(\.escalationRate) == [0.10, 0.15, 0.20, 0.25, 0.30, 0.35])
        // Routed = 6.6 + rate × 20.
        for row in report.sensitivity {
            #expect(abs(row.routedUSD - (6.6 + row.escalationRate * 20)) < 1e-9)
            #expect(abs(row.savingsUSD - (25 - row.routedUSD)) < 1e-9)
        }
    }

    @Test func breakEvenVolume() throws {
        let mix = TrafficMix(tasks: [Self.task], escalationRate: 0.1, broker: BrokerCost(monthlyFixedUSD: 100, perRequestUSD: 0.001))
        let breakEven = try #require(try CostSimulator(prices: Self.prices).simulate(mix).breakEven)
        #expect(abs(breakEven.savingsPerRequestUSD - 0.0164) < 1e-12)
        // 100 / (0.0164 − 0.001) requests a month.
        #expect(abs(try #require(breakEven.breakEvenRequestsPerMonth) - 100 / 0.0154) < 1e-6)
        #expect(abs(breakEven.netSavingsUSD - (16.4 - 1 - 100)) < 1e-9)
    }

    @Test func brokerDearerThanTheSavingsNeverBreaksEven() throws {
        let mix = TrafficMix(tasks: [Self.task], escalationRate: 0.1, broker: BrokerCost(monthlyFixedUSD: 0, perRequestUSD: 0.02))
        #expect(try CostSimulator(prices: Self.prices).simulate(mix).breakEven?.breakEvenRequestsPerMonth == nil)
    }

    @Test func tokenVolumeConvertsToRequests() throws {
        var task = Self.task
        task.volume = .inputTokens(2_000_000)
        let report = try CostSimulator(prices: Self.prices).simulate(TrafficMix(tasks: [task], escalationRate: 0))
        #expect(report.requests == 2000)
        #expect(abs(report.baselineUSD - 50) < 1e-9)
    }

    @Test func mixDefaultRatioAppliesWhenTheTaskHasNone() throws {
        var task = Self.task
        task.outputInputRatio = nil
        let report = try CostSimulator(prices: Self.prices).simulate(TrafficMix(tasks: [task], escalationRate: 0, outputInputRatio: 2))
        #expect(abs(report.tasks[0].outputTokens - 2_000_000) < 1e-6)
    }

    @Test func invalidMixesAreRejected() {
        var badShares = Self.task
        badShares.tierShares = ["light": 0.5, "premium": 0.4]
        var unknownTier = Self.task
        unknownTier.tierShares = ["heavy": 1]
        let simulator = CostSimulator(prices: Self.prices)
        #expect(throws: EvaluationError.self) { try simulator.simulate(TrafficMix(tasks: [badShares], escalationRate: 0.1)) }
        #expect(throws: EvaluationError.self) { try simulator.simulate(TrafficMix(tasks: [unknownTier], escalationRate: 0.1)) }
        #expect(throws: EvaluationError.self) { try simulator.simulate(TrafficMix(tasks: [Self.task], escalationRate: 1.5)) }
        #expect(throws: EvaluationError.self) { try simulator.simulate(TrafficMix(tasks: [], escalationRate: 0.1)) }
    }

    @Test func tierPricesFromAGatewayConfiguration() throws {
        func model(_ name: String, _ tier: String, _ input: Double, _ output: Double) -> ModelDeployment {
            ModelDeployment(name: name, provider: "p", upstreamModel: name, tier: tier, price: ModelPrice(inputPerMillion: input, outputPerMillion: output))
        }
        let configuration = GatewayConfiguration(
            providers: [ProviderSettings(name: "p", baseURL: "http://localhost")],
            models: [model("big", "premium", 5, 15), model("small", "light", 0.2, 0.8), model("small-dear", "light", 0.5, 2)],
            tiers: ["light", "mid", "premium"])
        let table = try TierPriceTable(configuration: configuration)
        #expect(table.tiers == [
            TierPrice(tier: "light", inputPerMillion: 0.2, outputPerMillion: 0.8), TierPrice(tier: "premium", inputPerMillion: 5, outputPerMillion: 15),
        ])
    }
}
