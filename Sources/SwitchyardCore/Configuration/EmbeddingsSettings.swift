/// The local embedding model and the semantic classifiers built on it (`embeddings`).
public struct EmbeddingsSettings: Sendable, Hashable {
    /// Folder holding `model.safetensors`, `vocab.txt` and `config.json` of all-MiniLM-L6-v2
    /// (`scripts/fetch-model.sh` puts it at the default). Missing: the gateway runs without the
    /// semantic classifier and `/v1/embeddings`, and says so once at start.
    public var modelPath: String
    /// Labelled exemplars (JSONL) for the task classifier (kNN over their embeddings); optional.
    public var exemplars: String?
    /// A router trained by `switchyard train` (JSON); its P(weak is good enough) becomes the
    /// complexity signal; optional.
    public var router: String?
    /// Neighbours consulted by the exemplar classifier.
    public var neighbors: Int
    /// Least cosine similarity for an exemplar classifier answer.
    public var threshold: Double
    /// Prompt embeddings remembered (LRU).
    public var cacheSize: Int
    /// Store the weights as fp16 (half the memory traffic; cosine to fp32 ≈ 0.9999996).
    public var halfPrecision: Bool

    public init(
        modelPath: String = "models/all-MiniLM-L6-v2", exemplars: String? = nil, router: String? = nil, neighbors: Int = 5, threshold: Double = 0.3,
        cacheSize: Int = 1024, halfPrecision: Bool = false
    ) {
        self.modelPath = modelPath
        self.exemplars = exemplars
        self.router = router
        self.neighbors = neighbors
        self.threshold = threshold
        self.cacheSize = cacheSize
        self.halfPrecision = halfPrecision
    }
}
