/// Scores prompts for routing: the higher the score, the more the prompt needs the strong model.
///
/// Only the order of scores matters to the metrics. Implementations are values that may be used
/// from several tasks; a scorer that learns is built by a ``ScorerFactory`` from the training rows.
public protocol PromptScorer: Sendable {
    /// Short name for tables and plots, e.g. `heuristic`.
    var name: String { get }

    /// The score of one row (a scorer may look at the prompt only; the oracle also reads outcomes).
    func score(_ record: RoutingRecord) -> Double

    /// Scores of many rows, in order. Override to batch (e.g. one embedding call per chunk).
    func scores(_ records: [RoutingRecord]) -> [Double]
}

extension PromptScorer {
    public func scores(_ records: [RoutingRecord]) -> [Double] {
        records.map(score)
    }
}

/// What a scorer may learn from: the training rows and the model pair it routes between.
public struct ScorerTraining: Sendable {
    /// Rows of the training split (empty when the plan evaluates on all rows and the router does not learn).
    public var records: [RoutingRecord]
    public var strongModel: String
    public var weakModel: String
    /// Seed for anything random in training or scoring.
    public var seed: UInt64

    public init(records: [RoutingRecord], strongModel: String, weakModel: String, seed: UInt64) {
        self.records = records
        self.strongModel = strongModel
        self.weakModel = weakModel
        self.seed = seed
    }
}

/// Builds a named scorer for a model pair, training it first if it learns.
public struct ScorerFactory: Sendable {
    /// The router name on the command line, e.g. `heuristic`.
    public var name: String
    /// One line for `--help`.
    public var summary: String
    /// Whether the scorer needs training rows (then a train/test split matters).
    public var learns: Bool
    public var make: @Sendable (ScorerTraining) throws(EvaluationError) -> any PromptScorer

    public init(
        name: String, summary: String, learns: Bool,
        make: @escaping @Sendable (ScorerTraining) throws(EvaluationError) -> any PromptScorer
    ) {
        self.name = name
        self.summary = summary
        self.learns = learns
        self.make = make
    }
}

/// The routers `switchyard eval` knows by name. Semantic and learned scorers are added with
/// ``register(_:)`` by the modules that implement them.
public struct ScorerRegistry: Sendable {
    public private(set) var factories: [ScorerFactory]

    public init(factories: [ScorerFactory] = []) {
        self.factories = factories
    }

    /// Heuristic (Switchyard's complexity score), random (seeded) and oracle.
    public static var standard: ScorerRegistry {
        ScorerRegistry(factories: [HeuristicScorer.factory(), RandomScorer.factory, OracleScorer.factory])
    }

    /// Adds `factory`, replacing one of the same name.
    public mutating func register(_ factory: ScorerFactory) {
        factories.removeAll { $0.name == factory.name }
        factories.append(factory)
    }

    /// Registered names, in registration order.
    public var names: [String] { factories.map(\.name) }

    /// The factory called `name`.
    public func factory(named name: String) throws(EvaluationError) -> ScorerFactory {
        guard let factory = factories.first(where: { $0.name == name }) else {
            throw .invalidParameter("unknown router '\(name)'; available: \(names.joined(separator: ", "))")
        }
        return factory
    }
}
