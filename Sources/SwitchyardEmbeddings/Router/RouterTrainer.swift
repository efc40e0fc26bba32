import SwitchyardCore

/// Trains a ``RouterModel`` on routing outcomes: label = the weak model's answer is good enough.
public struct RouterTrainer: Sendable {
    /// What "good enough" means for one row.
    public enum Target: String, Sendable, Hashable {
        /// The weak model's score is at least 0.5 (it answered correctly).
        case weakCorrect = "weak_correct"
        /// The weak model scores at least as well as the strong one (RouteLLM's definition: when
        /// both fail, calling the strong model gains nothing).
        case weakAtLeastStrong = "weak_at_least_strong"
    }

    public var strongModel: String
    public var weakModel: String
    public var target: Target
    public var options: LogisticRegression.Options
    public var heuristics: HeuristicFeatures

    public init(
        strongModel: String, weakModel: String, target: Target = .weakCorrect, options: LogisticRegression.Options = LogisticRegression.Options(),
        heuristics: HeuristicFeatures = HeuristicFeatures()
    ) {
        self.strongModel = strongModel
        self.weakModel = weakModel
        self.target = target
        self.options = options
        self.heuristics = heuristics
    }

    /// Rows usable for this pair: both outcomes present, not contaminated.
    public func usable(_ rows: [RoutingDataset.Row]) -> [RoutingDataset.Row] {
        rows.filter { !$0.contaminated && $0.outcomes[weakModel] != nil && $0.outcomes[strongModel] != nil }
    }

    /// The label of a usable row: is the weak model good enough?
    public func weakIsGood(_ row: RoutingDataset.Row) -> Bool {
        let weak = row.outcomes[weakModel] ?? 0
        switch target {
        case .weakCorrect: return weak >= 0.5
        case .weakAtLeastStrong: return weak >= (row.outcomes[strongModel] ?? 0)
        }
    }

    /// Features of each row (embedding ++ heuristics), computed with `embedder`.
    public func features(_ rows: [RoutingDataset.Row], embedder: any TextEmbedder) -> [[Double]] {
        rows.map { row in
            embedder.embed(row.prompt).map(Double.init) + heuristics.values(for: row.prompt)
        }
    }

    /// Fits the router on `rows` (their features precomputed by ``features(_:embedder:)``, or
    /// computed here when nil).
    public func train(
        rows: [RoutingDataset.Row], features: [[Double]]? = nil, embedder: any TextEmbedder, maxTokens: Int, truncation: EmbeddingModelOptions.Truncation = .head
    ) -> RouterModel {
        let samples = features ?? self.features(rows, embedder: embedder)
        let labels = rows.map(weakIsGood)
        let regression = LogisticRegression.train(samples: samples, labels: labels, options: options)
        let training: JSONObject = [
            "rows": .int(Int64(rows.count)),
            "weak_good_rows": .int(Int64(labels.filter { $0 }.count)),
            "target": .string(target.rawValue),
            "l2": .double(options.l2),
            "iterations": .int(Int64(options.iterations)),
            "learning_rate": .double(options.learningRate),
        ]
        return RouterModel(
            embeddingModel: embedder.modelID, maxTokens: maxTokens, truncation: truncation, strongModel: strongModel, weakModel: weakModel,
            featureNames: RouterModel.featureNames(embeddingDimension: embedder.dimension), regression: regression, training: training)
    }

    /// ROC AUC of `scores` for `positives` by the rank-sum formula (ties count half); 0.5 when one
    /// class is empty.
    public static func auc(scores: [Double], positives: [Bool]) -> Double {
        precondition(scores.count == positives.count, "one label per score")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var index = 0
        while index < order.count {
            var end = index
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[index]] { end += 1 }
            let averageRank = Double(index + end + 2) / 2
            for k in index...end where positives[order[k]] { rankSum += averageRank }
            index = end + 1
        }
        let p = Double(positives.filter { $0 }.count)
        let q = Double(positives.count) - p
        guard p > 0, q > 0 else { return 0.5 }
        return (rankSum - p * (p + 1) / 2) / (p * q)
    }
}
