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
/// No training beyond embedding, so it needs a train split (`--train-fraction` or the dataset's
/// `split` field).
struct SemanticScorer: PromptScorer {
    let embedder: MiniLMEmbedder
    /// Unit embeddings of the training prompts, row-major `gaps.count × dimension`.
    let matrix: [Float]
    let dimension: Int
    /// Strong minus weak outcome per training prompt.
    let gaps: [Double]
    let neighbours: Int

    var name: String { "semantic" }

    func score(_ record: RoutingRecord) -> Double {
        score(unitEmbedding: Self.unit(embedder.embed(record.prompt)))
    }

    /// Scores on all cores (the embedding dominates).
    func scores(_ records: [RoutingRecord]) -> [Double] {
        let results = Mutex([Double](repeating: 0, count: records.count))
        DispatchQueue.concurrentPerform(iterations: records.count) { index in
            let value = score(records[index])
            results.withLock { $0[index] = value }
        }
        return results.withLock { $0 }
    }

    /// The similarity-weighted mean gap of the `neighbours` nearest training prompts (negative
    /// similarities count as zero weight).
    func score(unitEmbedding query: [Float]) -> Double {
        var nearest: [(similarity: Float, gap: Double)] = []
        nearest.reserveCapacity(neighbours + 1)
        matrix.withUnsafeBufferPointer { rows in
            for row in gaps.indices {
                var similarity: Float = 0
                let base = row * dimension
                for column in 0..<dimension { similarity += rows[base + column] * query[column] }
                if nearest.count < neighbours || similarity > nearest[nearest.count - 1].similarity {
                    let position = nearest.firstIndex { $0.similarity < similarity } ?? nearest.count
                    nearest.insert((similarity, gaps[row]), at: position)
                    if nearest.count > neighbours { nearest.removeLast() }
                }
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

    static func unit(_ vector: [Float]) -> [Float] {
        var norm: Float = 0
        for value in vector { norm += value * value }
        norm = norm.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    /// The factory for `--router semantic`: embeds the training split with the model at `modelPath`.
    static func factory(modelPath: String, neighbours: Int = 20) -> ScorerFactory {
        ScorerFactory(
            name: "semantic", summary: "k nearest training prompts by MiniLM embedding, weighted by similarity (needs a train split)", learns: true
        ) { training throws(EvaluationError) in
            let rows = training.records.filter { $0.outcomes[training.strongModel] != nil && $0.outcomes[training.weakModel] != nil }
            guard !rows.isEmpty else {
                throw .invalidParameter("--router semantic learns from a train split: give --train-fraction, or use a dataset with a split field")
            }
            let embedder: MiniLMEmbedder
            do throws(EmbeddingError) {
                embedder = try MiniLMEmbedder(directory: modelPath, options: EmbeddingModelOptions(maxTokens: 128))
            } catch {
                throw EvaluationError.invalidParameter("\(error)")
            }
            let dimension = embedder.dimension
            let vectors = Mutex([[Float]](repeating: [], count: rows.count))
            DispatchQueue.concurrentPerform(iterations: rows.count) { index in
                let vector = unit(embedder.embed(rows[index].prompt))
                vectors.withLock { $0[index] = vector }
            }
            let matrix = vectors.withLock { $0.flatMap { $0 } }
            let gaps = rows.map { $0.outcomes[training.strongModel]! - $0.outcomes[training.weakModel]! }
            return SemanticScorer(embedder: embedder, matrix: matrix, dimension: dimension, gaps: gaps, neighbours: max(1, neighbours))
        }
    }
}
