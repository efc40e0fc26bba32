/// Which rows a router is trained on and which it is evaluated on.
public enum SplitPlan: Sendable, Hashable {
    /// Evaluate on every row; train on every row too (only for routers that do not learn).
    case all
    /// Use the dataset's `split` field: `train` rows to train, `test` rows to evaluate.
    case datasetField
    /// A seeded shuffle: the first `trainFraction` of rows train, the rest are evaluated.
    case fraction(trainFraction: Double, seed: UInt64)
    /// Halves by the FNV-1a hash of the id: even hashes train, odd ones are evaluated — the split
    /// `switchyard train` uses for a dataset without a split field, so a router it trained is
    /// evaluated only on rows it never saw.
    case idHash

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
        case .idHash: return "id hash halves (even: train, odd: test)"
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
        case .idHash:
            self.init(train: records.filter { Self.stableHash($0.id) % 2 == 0 }, test: records.filter { Self.stableHash($0.id) % 2 == 1 })
        }
    }

    /// FNV-1a over the UTF-8 bytes of `text` (stable across runs and platforms).
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
