import SwitchyardCore

/// A ``SemanticClassifier`` backed by a trained ``RouterModel``: it predicts
/// P(the weak model's answer is good enough) from the prompt's embedding and heuristic features
/// and reports **complexity = 1 − P**. It says nothing about the task.
public final class LearnedRouterClassifier: SemanticClassifier, Sendable {
    public let model: RouterModel
    public let embedder: any TextEmbedder
    let features: RouterFeatures

    /// Pairs `model` with the embedder it was trained with.
    ///
    /// - Throws: ``EmbeddingError/invalidFile(path:reason:)`` when the embedder's model id differs
    ///   from the router's `embedding_model` or a feature is unknown.
    public init(model: RouterModel, embedder: any TextEmbedder, heuristics: HeuristicFeatures = HeuristicFeatures(), path: String = "router.json")
        throws(EmbeddingError)
    {
        guard model.embeddingModel == embedder.modelID else {
            throw .invalidFile(path: path, reason: "trained on embeddings of '\(model.embeddingModel)', but the embedder is '\(embedder.modelID)'")
        }
        self.model = model
        self.embedder = embedder
        self.features = try RouterFeatures(names: model.featureNames, embeddingDimension: embedder.dimension, heuristics: heuristics, path: path)
    }

    /// Pairs `model` with a MiniLM embedder set to the router's token limit and truncation side
    /// (the weights are shared with `embedder`, nothing is reloaded), remembering the last
    /// `cacheCapacity` prompt embeddings.
    public convenience init(model: RouterModel, miniLM embedder: MiniLMEmbedder, cacheCapacity: Int = 1024, heuristics: HeuristicFeatures = HeuristicFeatures(), path: String = "router.json")
        throws(EmbeddingError)
    {
        let truncated = embedder.truncating(to: model.maxTokens, keeping: model.truncation)
        try self.init(model: model, embedder: CachedEmbedder(truncated, cache: EmbeddingCache(capacity: cacheCapacity)), heuristics: heuristics, path: path)
    }

    /// P(weak model good enough) for `prompt`.
    public func probabilityWeakIsGood(_ prompt: SemanticPrompt) -> Double {
        let embedding = embedder.embed(prompt.text)
        let messages = prompt.messages.isEmpty ? [ChatMessage(role: "user", text: prompt.text)] : prompt.messages
        return probabilityWeakIsGood(embedding: embedding, heuristicValues: features.heuristics.values(for: messages))
    }

    /// P(weak model good enough) from precomputed inputs.
    public func probabilityWeakIsGood(embedding: [Float], heuristicValues: [Double]) -> Double {
        model.regression.probability(features.assemble(embedding: embedding, heuristicValues: heuristicValues))
    }

    public func classify(_ prompt: SemanticPrompt) -> SemanticSignals {
        let probability = probabilityWeakIsGood(prompt)
        guard probability.isFinite else { return SemanticSignals() }
        return SemanticSignals(complexity: min(1, max(0, 1 - probability)))
    }
}
