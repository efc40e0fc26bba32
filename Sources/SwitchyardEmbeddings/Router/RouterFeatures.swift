/// Builds the feature vector a ``RouterModel`` expects, by feature name.
public struct RouterFeatures: Sendable {
    /// For each model feature: an embedding index (≥ 0) or `-(1 + heuristic index)`.
    let sources: [Int]
    public let names: [String]
    public let heuristics: HeuristicFeatures

    /// Checks that every name is `embedding.i` with `i < embeddingDimension` or a ``HeuristicFeatures`` name.
    public init(names: [String], embeddingDimension: Int, heuristics: HeuristicFeatures = HeuristicFeatures(), path: String = "router.json")
        throws(EmbeddingError)
    {
        var sources: [Int] = []
        for name in names {
            if name.hasPrefix("embedding."), let index = Int(name.dropFirst("embedding.".count)), index >= 0 {
                guard index < embeddingDimension else {
                    throw .invalidFile(path: path, reason: "feature '\(name)' needs an embedding of more than \(embeddingDimension) floats")
                }
                sources.append(index)
            } else if let index = HeuristicFeatures.names.firstIndex(of: name) {
                sources.append(-1 - index)
            } else {
                throw .invalidFile(path: path, reason: "unknown feature '\(name)'")
            }
        }
        self.sources = sources
        self.names = names
        self.heuristics = heuristics
    }

    /// The features of a prompt given its embedding and its heuristic values
    /// (``HeuristicFeatures/values(for:)-(String)``).
    public func assemble(embedding: [Float], heuristicValues: [Double]) -> [Double] {
        sources.map { $0 >= 0 ? Double(embedding[$0]) : heuristicValues[-1 - $0] }
    }
}
