/// The rows of one `routing.jsonl` file.
public struct RoutingDataset: Sendable {
    /// Where the rows came from, for messages.
    public var source: String
    public var records: [RoutingRecord]

    public init(source: String, records: [RoutingRecord]) {
        self.source = source
        self.records = records
    }

    /// Every model that has an outcome on at least one row, sorted by name.
    public var models: [String] {
        Array(Set(records.flatMap(\.outcomes.keys))).sorted()
    }

    /// Every category, sorted.
    public var categories: [String] {
        Array(Set(records.map(\.category))).sorted()
    }

    /// Whether any row carries a `split` field.
    public var hasSplitField: Bool { records.contains { $0.split != nil } }

    /// The rows RouteLLM evaluates on: those not flagged `contaminated: true`.
    public var uncontaminated: RoutingDataset {
        RoutingDataset(source: source, records: records.filter { $0.contaminated != true })
    }

    /// The rows of one category.
    public func category(_ name: String) -> RoutingDataset {
        RoutingDataset(source: "\(source) [\(name)]", records: records.filter { $0.category == name })
    }

    /// Checks that `model` has outcomes in the data.
    public func require(model: String) throws(EvaluationError) {
        guard records.contains(where: { $0.outcomes[model] != nil }) else { throw .unknownModel(model, available: models) }
    }
}
