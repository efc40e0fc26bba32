import Foundation
import Logging
import SwitchyardCore
import SwitchyardEmbeddings

/// The local embedding model and the semantic classifiers configured on it, loaded at start.
struct SemanticModels: Sendable {
    /// The model for `/v1/embeddings` (up to 256 tokens), if it could be loaded.
    var embedder: MiniLMEmbedder?
    /// What routing consults after client metadata and rules.
    var classifier: (any SemanticClassifier)?

    /// The public model name `/v1/embeddings` serves.
    static let publicModelName = "local/all-MiniLM-L6-v2"

    /// Why `embeddings.half_precision: true` is a poor choice on this build, if it is: without the
    /// `AVX2` or `AVX512` trait fp16 weights are widened in software, far slower than fp32.
    static func halfPrecisionWarning(_ settings: EmbeddingsSettings) -> String? {
        guard settings.halfPrecision, !MiniLMEmbedder.widensHalfPrecisionInHardware else { return nil }
        return "embeddings.half_precision is on, but this build widens fp16 weights in software: about 3.5× slower than fp32 for short prompts, for half the memory"
    }

    /// Loads what `settings` names. A missing model is not an error: the gateway runs on rules and
    /// heuristics and says so once. A classifier file that is present but broken is an error.
    static func load(_ settings: EmbeddingsSettings, routing: RoutingConfiguration, tiers: [String], logger: Logger) throws(EmbeddingError) -> SemanticModels {
        guard FileManager.default.fileExists(atPath: settings.modelPath) else {
            logger.notice(
                "semantic classifier off: no embedding model",
                metadata: ["embeddings.model_path": "\(settings.modelPath)", "fix": "run scripts/fetch-model.sh"])
            if settings.exemplars != nil || settings.router != nil {
                logger.warning("embeddings.exemplars and embeddings.router need the model; they are ignored")
            }
            return SemanticModels()
        }
        if let warning = halfPrecisionWarning(settings) {
            logger.warning("\(warning)", metadata: ["fix": "build with --traits AVX2 (or AVX512), or set embeddings.half_precision: false"])
        }
        let embedder = try MiniLMEmbedder(
            directory: settings.modelPath, options: EmbeddingModelOptions(maxTokens: 256, weightPrecision: settings.halfPrecision ? .float16 : .float32))
        var task: (any SemanticClassifier)?
        var complexity: (any SemanticClassifier)?
        if let path = settings.exemplars {
            let routerEmbedder = CachedEmbedder(embedder.truncating(to: 128), cache: EmbeddingCache(capacity: settings.cacheSize))
            task = ExemplarClassifier(
                exemplars: try ExemplarSet(path: path, tiers: tiers), embedder: routerEmbedder,
                options: ExemplarClassifier.Options(mode: .nearestNeighbors(k: settings.neighbors), threshold: settings.threshold))
        }
        if let path = settings.router {
            complexity = try LearnedRouterClassifier(
                model: try RouterModel(path: path), miniLM: embedder, cacheCapacity: settings.cacheSize, heuristics: HeuristicFeatures(routing: routing),
                path: path)
        }
        logger.info(
            "embedding model loaded",
            metadata: [
                "backend": "\(embedder.backendDescription)", "exemplars": "\(settings.exemplars ?? "-")", "router": "\(settings.router ?? "-")",
            ])
        let classifier: (any SemanticClassifier)? =
            switch (task, complexity) {
            case (nil, nil): nil
            case (let one?, nil), (nil, let one?): one
            case (let task?, let complexity?): CombinedSemanticClassifier(task: task, complexity: complexity)
            }
        return SemanticModels(embedder: embedder, classifier: classifier)
    }
}

/// The task from one classifier (exemplars) and the complexity from another (the learned router).
struct CombinedSemanticClassifier: SemanticClassifier {
    let task: any SemanticClassifier
    let complexity: any SemanticClassifier

    func classify(_ prompt: SemanticPrompt) -> SemanticSignals {
        var signals = task.classify(prompt)
        signals.complexity = complexity.classify(prompt).complexity
        return signals
    }
}
