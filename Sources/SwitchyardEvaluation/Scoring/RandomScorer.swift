/// A random router: each row gets a uniform score fixed by the seed and the row's id, so the
/// same seed routes the same rows the same way whatever their order.
public struct RandomScorer: PromptScorer {
    public let name = "random"
    public var seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
    }

    public func score(_ record: RoutingRecord) -> Double {
        SeededGenerator.unitValue(seed: seed, key: record.id)
    }

    public static let factory = ScorerFactory(name: "random", summary: "uniform random scores (seeded)", learns: false) { training in
        RandomScorer(seed: training.seed)
    }
}
