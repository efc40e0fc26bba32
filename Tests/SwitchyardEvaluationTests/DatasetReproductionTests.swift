import Foundation
import SwitchyardEvaluation
import Testing

/// The metric code reproduces RouteLLM's published reference points on its own GSM8K data.
@Suite struct DatasetReproductionTests {
    static let strong = "gpt-4-1106-preview"
    static let weak = "mistralai/Mixtral-8x7B-Instruct-v0.1"

    @Test func gsm8kRandomAndOracleMatchRouteLLM() throws {
        guard let (dataset, prices) = try SharedData.load("routellm_gsm8k") else { return }
        let clean = dataset.uncontaminated
        #expect(clean.records.count == 1307)
        let evaluator = PairEvaluator(
            strongModel: Self.strong, weakModel: Self.weak, costModel: PromptCostModel(prices: prices), randomSeeds: Array(0..<100))
        let report = try evaluator.evaluate(scorer: RandomScorer(seed: 1000), records: clean.records, label: "gsm8k")
        let random = try #require(report.random.apgr)
        let oracle = try #require(report.oracle.apgr)
        print("GSM8K (1307 uncontaminated): strong \(SharedData.number(report.strongQuality)), weak \(SharedData.number(report.weakQuality))")
        print("  random APGR \(SharedData.number(random)) (100 seeds, sd \(SharedData.number(report.random.apgrStandardDeviation))), oracle APGR \(SharedData.number(oracle))")
        #expect(abs(report.strongQuality - 0.8577) < 0.0001)
        #expect(abs(report.weakQuality - 0.6373) < 0.0001)
        #expect(abs(random - 0.50) < 0.01, "random router APGR \(random)")
        #expect(abs(oracle - 1.115) < 0.01, "oracle APGR \(oracle)")
        // The oracle reaches half the gap at about half of it in strong calls (0.5 × 0.2204 / …).
        #expect(try #require(report.oracle.cpt50) < 0.2)
        // Costs come from list prices and estimated tokens: routing everything strong costs more.
        #expect(try #require(report.strongMeanCostUSD) > (try #require(report.weakMeanCostUSD)))
    }
}
