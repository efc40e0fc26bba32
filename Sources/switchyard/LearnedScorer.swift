import Dispatch
import Synchronization
import SwitchyardCore
import SwitchyardEmbeddings
import SwitchyardEvaluation

/// `switchyard eval --router learned --router-model router.json`: scores prompts with a router
/// trained by `switchyard train` (score = 1 − P(the weak answer is good enough)).
struct LearnedScorer: PromptScorer {
    let classifier: LearnedRouterClassifier
    var name: String { "learned" }

    func score(_ record: RoutingRecord) -> Double {
        1 - classifier.probabilityWeakIsGood(SemanticPrompt(text: record.prompt, messages: [ChatMessage(role: "user", text: record.prompt)], taxonomy: []))
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

    /// The factory for `--router learned`, reading `routerPath` and the model at `modelPath`.
    static func factory(routerPath: String, modelPath: String) -> ScorerFactory {
        ScorerFactory(name: "learned", summary: "a router trained by `switchyard train` (--router-model)", learns: false) { _ throws(EvaluationError) in
            do throws(EmbeddingError) {
                let model = try RouterModel(path: routerPath)
                let embedder = try MiniLMEmbedder(directory: modelPath)
                return LearnedScorer(classifier: try LearnedRouterClassifier(model: model, miniLM: embedder, path: routerPath))
            } catch {
                throw EvaluationError.invalidParameter("\(error)")
            }
        }
    }
}
