import Foundation
import SwitchyardEvaluation
import Testing

/// Measures Switchyard's heuristic router on the real datasets and prints the numbers for the
/// issue's note. Only sanity is asserted: the heuristic is tuned elsewhere.
@Suite struct HeuristicDatasetTests {
    static func line(_ report: PairReport) -> String {
        let router = report.router, random = report.random, oracle = report.oracle
        return "\(report.label) (n=\(report.rows)): heuristic APGR \(SharedData.number(router.apgr)) CPT50 \(SharedData.percent(router.cpt50)) CPT80 \(SharedData.percent(router.cpt80))"
            + " | random APGR \(SharedData.number(random.apgr)) | oracle APGR \(SharedData.number(oracle.apgr)) CPT50 \(SharedData.percent(oracle.cpt50))"
    }

    static func checkSane(_ report: PairReport) throws {
        let apgr = try #require(report.router.apgr)
        #expect(apgr > -1 && apgr < 2, "heuristic APGR \(apgr)")
        #expect(abs(try #require(report.random.apgr) - 0.5) < 0.1)
        #expect(try #require(report.oracle.apgr) >= apgr)
        for point in report.router.points { #expect(point.quality >= 0 && point.quality <= 1) }
    }

    @Test func heuristicOnGSM8K() throws {
        guard let (dataset, prices) = try SharedData.load("routellm_gsm8k") else { return }
        let evaluator = PairEvaluator(
            strongModel: "gpt-4-1106-preview", weakModel: "mistralai/Mixtral-8x7B-Instruct-v0.1", costModel: PromptCostModel(prices: prices))
        let split = try DatasetSplit(dataset.uncontaminated.records, plan: .all)
        let report = try evaluator.evaluate(factory: HeuristicScorer.factory(), split: split, plan: .all, label: "gsm8k")
        print(Self.line(report))
        try Self.checkSane(report)
    }

    @Test func heuristicOnEachRouterBenchTask() throws {
        guard let (dataset, prices) = try SharedData.load("routerbench_subset") else { return }
        let evaluator = PairEvaluator(
            strongModel: "gpt-4-1106-preview", weakModel: "mistralai/mixtral-8x7b-chat", costModel: PromptCostModel(prices: prices))
        for task in [nil] + dataset.categories.map(Optional.some) {
            let rows = task.map { dataset.category($0).records } ?? dataset.records
            let split = try DatasetSplit(rows, plan: .datasetField)
            let report = try evaluator.evaluate(factory: HeuristicScorer.factory(), split: split, plan: .datasetField, label: task ?? "routerbench (all tasks)")
            print(Self.line(report))
            try Self.checkSane(report)
            #expect(report.costSource == PromptCostModel.Source.recorded.rawValue)
        }
    }

    @Test func routerBenchAIQ() throws {
        guard let (dataset, prices) = try SharedData.load("routerbench_subset") else { return }
        let evaluator = ManyModelEvaluator(models: dataset.models, costModel: PromptCostModel(prices: prices))
        for task in [nil] + dataset.categories.map(Optional.some) {
            let rows = task.map { dataset.category($0).records } ?? dataset.records
            let report = try evaluator.evaluate(
                factory: HeuristicScorer.factory(), split: try DatasetSplit(rows, plan: .datasetField), plan: .datasetField,
                label: task ?? "routerbench (all tasks)")
            print(
                "\(report.label) AIQ (n=\(report.rows), \(report.models.count) models, ladder \(report.ladder.count)): heuristic \(SharedData.number(report.router.aiq))"
                    + " | zero \(SharedData.number(report.zeroRouter.aiq)) | random \(SharedData.number(report.random.aiq)) | oracle \(SharedData.number(report.oracle.aiq))")
            let qualities = report.models.map(\.quality)
            #expect(report.router.aiq >= qualities.min()! && report.router.aiq <= 1)
            #expect(report.oracle.aiq >= report.router.aiq - 1e-9)
            // Random mixing between adjacent hull models is the zero router's straight segments.
            #expect(abs(report.random.aiq - report.zeroRouter.aiq) < 0.02)
        }
    }
}
