/// Everything `switchyard eval` reports for one model pair on one set of rows: the router, the
/// random router (mean over seeds) and the oracle, side by side.
public struct PairReport: Sendable, Codable {
    /// What was evaluated, e.g. `routing.jsonl [mbpp]`.
    public var label: String
    public var strongModel: String
    public var weakModel: String
    /// Rows evaluated, and rows dropped because a model had no outcome.
    public var rows: Int
    public var droppedRows: Int
    public var trainingRows: Int
    public var split: String
    public var strongQuality: Double
    public var weakQuality: Double
    public var strongMeanCostUSD: Double?
    public var weakMeanCostUSD: Double?
    public var costSource: String?
    public var router: RouterSummary
    public var random: RouterSummary
    public var oracle: RouterSummary
}

/// Evaluates scorers on a model pair: builds the curve of each and its metrics.
public struct PairEvaluator: Sendable {
    public var strongModel: String
    public var weakModel: String
    public var costModel: PromptCostModel
    public var fractions: [Double]
    /// Seeds of the random router; its curve is the mean over them.
    public var randomSeeds: [UInt64]

    /// `randomSeeds` are the seeds the random router's curve is averaged over.
    public init(
        strongModel: String, weakModel: String, costModel: PromptCostModel = PromptCostModel(prices: nil),
        fractions: [Double] = QualityCurve.standardFractions, randomSeeds: [UInt64] = Array(0..<20)
    ) {
        self.strongModel = strongModel
        self.weakModel = weakModel
        self.costModel = costModel
        self.fractions = fractions
        self.randomSeeds = randomSeeds
    }

    /// Called with (rows scored, rows in all) while a scorer runs.
    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    /// Builds the scorer from `factory` (training on `split.train`) and evaluates it on `split.test`.
    public func evaluate(
        factory: ScorerFactory, split: DatasetSplit, plan: SplitPlan, label: String, seed: UInt64 = 0, progress: Progress? = nil
    ) throws(EvaluationError) -> PairReport {
        let training = ScorerTraining(
            records: split.train.filter { $0.hasOutcomes(for: [strongModel, weakModel]) }, strongModel: strongModel, weakModel: weakModel,
            seed: seed)
        if factory.learns, plan == .all {
            throw .invalidParameter("router '\(factory.name)' learns from data: give --train-fraction or use a dataset with a split field")
        }
        let scorer = try factory.make(training)
        return try evaluate(
            scorer: scorer, records: split.test, label: label, split: plan.label, trainingRows: plan == .all ? 0 : training.records.count,
            progress: progress)
    }

    /// Evaluates `scorer` on `records` (rows lacking either model's outcome are dropped).
    public func evaluate(
        scorer: any PromptScorer, records: [RoutingRecord], label: String, split: String = SplitPlan.all.label, trainingRows: Int = 0,
        progress: Progress? = nil
    ) throws(EvaluationError) -> PairReport {
        let usable = records.filter { $0.hasOutcomes(for: [strongModel, weakModel]) }
        guard !usable.isEmpty else {
            throw .noRecords("\(label): no row has outcomes for both '\(strongModel)' and '\(weakModel)'")
        }
        let strongCosts = costModel.costs(of: usable, model: strongModel)
        let weakCosts = costModel.costs(of: usable, model: weakModel)
        let outcomes = PairOutcomes(
            weak: usable.map { $0.outcomes[weakModel]! }, strong: usable.map { $0.outcomes[strongModel]! },
            weakCost: strongCosts == nil ? nil : weakCosts?.usd, strongCost: weakCosts == nil ? nil : strongCosts?.usd)
        let weak = outcomes.weakQuality
        let strong = outcomes.strongQuality

        let scores = Self.score(usable, with: scorer, progress: progress)
        let routerCurve = QualityCurve.points(scores: scores, outcomes: outcomes, fractions: fractions)

        let randomCurves = randomSeeds.map { seed in
            QualityCurve.points(scores: RandomScorer(seed: seed).scores(usable), outcomes: outcomes, fractions: fractions)
        }
        var random = RouterSummary(router: "random", curve: QualityCurve.mean(randomCurves), weak: weak, strong: strong)
        let randomAPGRs = randomCurves.compactMap { RoutingMetrics.apgr($0, weak: weak, strong: strong) }
        random.seeds = randomSeeds.count
        random.apgrStandardDeviation = standardDeviation(randomAPGRs)

        let oracleScores = OracleScorer(strongModel: strongModel, weakModel: weakModel).scores(usable)
        let oracleCurve = QualityCurve.points(scores: oracleScores, outcomes: outcomes, fractions: fractions)
        let source = [strongCosts?.source, weakCosts?.source].compactMap { $0 }.max()

        return PairReport(
            label: label, strongModel: strongModel, weakModel: weakModel, rows: usable.count, droppedRows: records.count - usable.count,
            trainingRows: trainingRows, split: split, strongQuality: strong, weakQuality: weak,
            strongMeanCostUSD: outcomes.strongCost.map(average), weakMeanCostUSD: outcomes.weakCost.map(average),
            costSource: outcomes.strongCost == nil ? nil : source?.rawValue,
            router: RouterSummary(router: scorer.name, curve: routerCurve, weak: weak, strong: strong),
            random: random,
            oracle: RouterSummary(router: "oracle", curve: oracleCurve, weak: weak, strong: strong))
    }

    /// Scores in chunks so a long run can report progress.
    static func score(_ records: [RoutingRecord], with scorer: any PromptScorer, progress: Progress?) -> [Double] {
        let chunk = 64
        var scores: [Double] = []
        scores.reserveCapacity(records.count)
        var start = 0
        while start < records.count {
            let end = min(start + chunk, records.count)
            scores += scorer.scores(Array(records[start..<end]))
            progress?(end, records.count)
            start = end
        }
        return scores
    }
}

func standardDeviation(_ values: [Double]) -> Double? {
    guard values.count > 1 else { return nil }
    let center = average(values)
    return (values.map { ($0 - center) * ($0 - center) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
}
