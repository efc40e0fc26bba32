/// A router's (cost, quality) points over several models, their hull and AIQ.
public struct ManyModelCurve: Sendable, Codable {
    public var router: String
    public var points: [CostQualityPoint]
    public var hull: [CostQualityPoint]
    public var aiq: Double
}

/// The RouterBench-style report of `switchyard eval --models all`.
public struct ManyModelReport: Sendable, Codable {
    public var label: String
    public var rows: Int
    public var droppedRows: Int
    public var split: String
    /// Every model's own (mean cost, quality), by model name.
    public var models: [CostQualityPoint]
    /// The models on the single-model hull, cheapest first: the rungs the router moves between.
    public var ladder: [String]
    /// Cheapest and priciest single model's mean cost: AIQ's integration range.
    public var cMin: Double
    public var cMax: Double
    public var costSource: String
    /// RouterBench's "zero router": the hull of the single models alone.
    public var zeroRouter: ManyModelCurve
    public var router: ManyModelCurve
    public var random: ManyModelCurve
    public var oracle: ManyModelCurve
}

/// Evaluates a scorer as a policy over many models.
///
/// The policy climbs the ladder of models on the single-model hull: between each adjacent pair
/// (cheaper, pricier) the top c of rows by score go to the pricier one, for c on the usual grid.
/// Moving this threshold traces the router's (cost, quality) curve from the cheapest model to the
/// best one; AIQ is the area under its non-decreasing hull over [c_min, c_max] ÷ (c_max − c_min).
///
/// The random and oracle curves climb the same ladder: random scores (mean over seeds) and, per
/// pair, the oracle's `outcome(pricier) − outcome(cheaper)`. The zero router is the hull of the
/// single models alone (RouterBench's baseline). Rows lacking an outcome or a cost for any of the
/// models are left out.
public struct ManyModelEvaluator: Sendable {
    public var models: [String]
    public var costModel: PromptCostModel
    public var fractions: [Double]
    public var randomSeeds: [UInt64]

    /// `models`: the models to choose among; `randomSeeds`: seeds the random router is averaged over.
    public init(
        models: [String], costModel: PromptCostModel, fractions: [Double] = QualityCurve.standardFractions,
        randomSeeds: [UInt64] = Array(0..<20)
    ) {
        self.models = models
        self.costModel = costModel
        self.fractions = fractions
        self.randomSeeds = randomSeeds
    }

    /// Called with (pairs done, pairs in all).
    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    /// Builds one scorer per adjacent ladder pair from `factory` (trained on `split.train`) and
    /// evaluates on `split.test`.
    public func evaluate(
        factory: ScorerFactory, split: DatasetSplit, plan: SplitPlan, label: String, seed: UInt64 = 0, progress: Progress? = nil
    ) throws(EvaluationError) -> ManyModelReport {
        guard models.count >= 2 else { throw .invalidParameter("--models needs at least two models, got \(models.count)") }
        if factory.learns, plan == .all {
            throw .invalidParameter("router '\(factory.name)' learns from data: give --train-fraction or use a dataset with a split field")
        }
        let usable = split.test.filter { record in
            record.hasOutcomes(for: models) && models.allSatisfy { costModel.cost(of: record, model: $0) != nil }
        }
        guard !usable.isEmpty else { throw .noRecords("\(label): no row has outcomes and costs for all of \(models.joined(separator: ", "))") }

        var costs: [String: [Double]] = [:]
        var source = PromptCostModel.Source.recorded
        for model in models {
            let priced = costModel.costs(of: usable, model: model)!
            costs[model] = priced.usd
            source = max(source, priced.source)
        }
        let singles = models.map { model in
            CostQualityPoint(costUSD: average(costs[model]!), quality: average(usable.map { $0.outcomes[model]! }), label: model)
        }
        let zeroHull = ParetoHull.nonDecreasingHull(singles)
        let ladder = zeroHull.compactMap(\.label)
        let cMin = singles.map(\.costUSD).min()!
        let cMax = singles.map(\.costUSD).max()!
        func curve(_ name: String, _ points: [CostQualityPoint]) -> ManyModelCurve {
            let hull = ParetoHull.nonDecreasingHull(points)
            return ManyModelCurve(router: name, points: points, hull: hull, aiq: ParetoHull.aiq(hull: hull, cMin: cMin, cMax: cMax))
        }

        var routerPoints: [CostQualityPoint] = []
        var randomPoints: [CostQualityPoint] = []
        var oraclePoints: [CostQualityPoint] = []
        var routerName = factory.name
        let pairs = Array(zip(ladder, ladder.dropFirst()))
        for (index, (cheap, pricey)) in pairs.enumerated() {
            let outcomes = PairOutcomes(
                weak: usable.map { $0.outcomes[cheap]! }, strong: usable.map { $0.outcomes[pricey]! }, weakCost: costs[cheap],
                strongCost: costs[pricey])
            let training = ScorerTraining(
                records: split.train.filter { $0.hasOutcomes(for: [cheap, pricey]) }, strongModel: pricey, weakModel: cheap, seed: seed)
            let scorer = try factory.make(training)
            routerName = scorer.name
            let skipFirst = index > 0  // c = 0 repeats the previous pair's c = 1
            func points(_ curve: [CurvePoint]) -> [CostQualityPoint] {
                curve.dropFirst(skipFirst ? 1 : 0).map {
                    CostQualityPoint(costUSD: $0.meanCostUSD ?? 0, quality: $0.quality, label: "\(cheap)→\(pricey) c=\(format($0.strongFraction))")
                }
            }
            routerPoints += points(QualityCurve.points(scores: scorer.scores(usable), outcomes: outcomes, fractions: fractions))
            let randomCurves = randomSeeds.map { QualityCurve.points(scores: RandomScorer(seed: $0).scores(usable), outcomes: outcomes, fractions: fractions) }
            randomPoints += points(QualityCurve.mean(randomCurves))
            let oracle = OracleScorer(strongModel: pricey, weakModel: cheap)
            oraclePoints += points(QualityCurve.points(scores: oracle.scores(usable), outcomes: outcomes, fractions: fractions))
            progress?(index + 1, pairs.count)
        }
        if pairs.isEmpty {
            routerPoints = zeroHull
            randomPoints = zeroHull
            oraclePoints = zeroHull
        }
        return ManyModelReport(
            label: label, rows: usable.count, droppedRows: split.test.count - usable.count, split: plan.label, models: singles, ladder: ladder,
            cMin: cMin, cMax: cMax, costSource: source.rawValue,
            zeroRouter: ManyModelCurve(router: "zero", points: singles, hull: zeroHull, aiq: ParetoHull.aiq(hull: zeroHull, cMin: cMin, cMax: cMax)),
            router: curve(routerName, routerPoints), random: curve("random", randomPoints), oracle: curve("oracle", oraclePoints))
    }
}

func format(_ fraction: Double) -> String {
    String(Double((fraction * 100).rounded()) / 100)
}
