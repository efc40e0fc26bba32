import Dispatch
import Synchronization
import SwitchyardEmbeddings
import SwitchyardEvaluation

/// `switchyard eval --router semantic`: a similarity-weighted nearest-neighbour router.
///
/// Training embeds every training prompt with the local MiniLM model and remembers how much the
/// strong model beat the weak one on it (`outcome[strong] − outcome[weak]`, in [−1, 1]). A prompt's
/// score is the similarity-weighted mean of that gap over its `k` most similar training prompts:
/// prompts like those the weak model already answered well score low and stay on the weak model.
/// No training beyond embedding, so it needs a train split (`--train-fraction`, `--split-by-id-hash`
/// or the dataset's `split` field).
struct SemanticScorer: PromptScorer {
    let embeddings: PromptEmbeddings
    /// Unit embeddings of the training prompts, one per row.
    let training: [[Float]]
    /// Strong minus weak outcome per training prompt.
    let gaps: [Double]
    let neighbours: Int

    var name: String { "semantic" }

    func score(_ record: RoutingRecord) -> Double {
        score(unitEmbedding: embeddings.unitVectors([record.prompt])[0])
    }

    /// Embeds the prompts on all cores (each text once per run), then scores them.
    func scores(_ records: [RoutingRecord]) -> [Double] {
        embeddings.unitVectors(records.map(\.prompt)).map(score(unitEmbedding:))
    }

    /// The similarity-weighted mean gap of the `neighbours` nearest training prompts (negative
    /// similarities count as zero weight).
    func score(unitEmbedding query: [Float]) -> Double {
        var nearest: [(similarity: Float, gap: Double)] = []
        nearest.reserveCapacity(neighbours + 1)
        for (row, vector) in training.enumerated() {
            let similarity = VectorSimilarity.dot(vector, query)
            if nearest.count < neighbours || similarity > nearest[nearest.count - 1].similarity {
                let position = nearest.firstIndex { $0.similarity < similarity } ?? nearest.count
                nearest.insert((similarity, gaps[row]), at: position)
                if nearest.count > neighbours { nearest.removeLast() }
            }
        }
        var weighted = 0.0
        var total = 0.0
        for (similarity, gap) in nearest where similarity > 0 {
            weighted += Double(similarity) * gap
            total += Double(similarity)
        }
        return total > 0 ? weighted / total : 0
    }

    /// The factory for `--router semantic`. One model load and one embedding per distinct prompt
    /// serve every scorer it makes (a many-model run makes one per pair of models).
    static func factory(modelPath: String, neighbours: Int = 20) -> ScorerFactory {
        let embeddings = PromptEmbeddings(modelPath: modelPath)
        return ScorerFactory(
            name: "semantic", summary: "k nearest training prompts by MiniLM embedding, weighted by similarity (needs a train split)", learns: true
        ) { training throws(EvaluationError) in
            let rows = training.records.filter { $0.outcomes[training.strongModel] != nil && $0.outcomes[training.weakModel] != nil }
            guard !rows.isEmpty else {
                throw .invalidParameter("--router semantic learns from a train split: give --train-fraction or --split-by-id-hash, or use a dataset with a split field")
            }
            try embeddings.load()
            return SemanticScorer(
                embeddings: embeddings, training: embeddings.unitVectors(rows.map(\.prompt)),
                gaps: rows.map { $0.outcomes[training.strongModel]! - $0.outcomes[training.weakModel]! }, neighbours: max(1, neighbours))
        }
    }
}

/// Unit MiniLM embeddings of prompts, each computed once per run.
///
/// A prompt is embedded by its last ``tailCharacters`` characters: few-shot prompts repeat the same
/// long preamble and put the question last, and the model reads at most 128 tokens, so the head
/// would make every prompt of a benchmark look alike.
final class PromptEmbeddings: Sendable {
    /// About 128 tokens of English.
    static let tailCharacters = 600

    let modelPath: String
    private let embedder = Mutex<MiniLMEmbedder?>(nil)
    private let vectors = Mutex<[String: [Float]]>([:])

    init(modelPath: String) {
        self.modelPath = modelPath
    }

    /// Loads the model on first use.
    func load() throws(EvaluationError) {
        if embedder.withLock({ $0 != nil }) { return }
        do throws(EmbeddingError) {
            let loaded = try MiniLMEmbedder(directory: modelPath, options: EmbeddingModelOptions(maxTokens: 128))
            embedder.withLock { $0 = $0 ?? loaded }
        } catch {
            throw EvaluationError.invalidParameter("\(error)")
        }
    }

    /// The unit embedding of each text, in order; texts not seen before are embedded on all cores.
    func unitVectors(_ texts: [String]) -> [[Float]] {
        guard let model = embedder.withLock({ $0 }) else { preconditionFailure("PromptEmbeddings.load() was not called") }
        let missing = Array(Set(vectors.withLock { known in texts.filter { known[$0] == nil } }))
        if !missing.isEmpty {
            let computed = Mutex([[Float]](repeating: [], count: missing.count))
            DispatchQueue.concurrentPerform(iterations: missing.count) { index in
                let text = missing[index]
                let vector = VectorSimilarity.normalized(model.embed(text.count > Self.tailCharacters ? String(text.suffix(Self.tailCharacters)) : text))
                computed.withLock { $0[index] = vector }
            }
            let results = computed.withLock { $0 }
            vectors.withLock { known in for (text, vector) in zip(missing, results) { known[text] = vector } }
        }
        return vectors.withLock { known in texts.map { known[$0]! } }
    }
}
