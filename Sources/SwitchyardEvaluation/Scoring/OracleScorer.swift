/// The oracle: knows the outcomes, so it sends the strong model first the rows where only the
/// strong model succeeds, then rows where both score alike, and last those where the weak model
/// is better. Its score is `outcome(strong) − outcome(weak)`; missing outcomes count as 0.
public struct OracleScorer: PromptScorer {
    public let name = "oracle"
    public var strongModel: String
    public var weakModel: String

    public init(strongModel: String, weakModel: String) {
        self.strongModel = strongModel
        self.weakModel = weakModel
    }

    public func score(_ record: RoutingRecord) -> Double {
        (record.outcomes[strongModel] ?? 0) - (record.outcomes[weakModel] ?? 0)
    }

    public static let factory = ScorerFactory(name: "oracle", summary: "knows the outcomes: an upper bound", learns: false) { training in
        OracleScorer(strongModel: training.strongModel, weakModel: training.weakModel)
    }
}
