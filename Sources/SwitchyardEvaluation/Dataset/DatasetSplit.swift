/// Which rows a router is trained on and which it is evaluated on.
public enum SplitPlan: Sendable, Hashable {
    /// Evaluate on every row; train on every row too (only for routers that do not learn).
    case all
    /// Use the dataset's `split` field: `train` rows to train, `test` rows to evaluate.
    case datasetField
    /// A seeded shuffle: the first `trainFraction` of rows train, the rest are evaluated.
    case fraction(trainFraction: Double, seed: UInt64)

    /// The plan a command line implies: an explicit fraction wins, else the dataset's field, else all rows.
    public static func choose(trainFraction: Double?, seed: UInt64, dataset: RoutingDataset) -> SplitPlan {
        if let trainFraction { return .fraction(trainFraction: trainFraction, seed: seed) }
        return dataset.hasSplitField ? .datasetField : .all
    }

    /// A short description for reports, e.g. `dataset split field` or `train 50 % (seed 7)`.
    public var label: String {
        switch self {
        case .all: return "all rows"
        case .datasetField: return "dataset split field (train/test)"
        case .fraction(let fraction, let seed): return "seeded shuffle: train \(Int((fraction * 100).rounded())) % (seed \(seed))"
        }
    }
}

/// Rows split into a training part and an evaluation part.
public struct DatasetSplit: Sendable {
    public var train: [RoutingRecord]
    public var test: [RoutingRecord]

    public init(train: [RoutingRecord], test: [RoutingRecord]) {
        self.train = train
        self.test = test
    }

    /// Splits `records` by `plan`. Row order inside each part follows the input (or the shuffle).
    public init(_ records: [RoutingRecord], plan: SplitPlan) throws(EvaluationError) {
        switch plan {
        case .all:
            self.init(train: records, test: records)
        case .datasetField:
            let train = records.filter { $0.split == "train" }
            let test = records.filter { $0.split == "test" }
            guard !test.isEmpty else { throw .noRecords("no row has split \"test\"") }
            self.init(train: train, test: test)
        case .fraction(let fraction, let seed):
            guard fraction >= 0, fraction < 1 else {
                throw .invalidParameter("--train-fraction must be at least 0 and below 1, got \(fraction)")
            }
            var generator = SeededGenerator(seed: seed)
            let shuffled = records.shuffled(using: &generator)
            let cut = Int((Double(shuffled.count) * fraction).rounded())
            self.init(train: Array(shuffled[..<cut]), test: Array(shuffled[cut...]))
        }
    }
}
