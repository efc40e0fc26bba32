import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardEmbeddings

/// `switchyard train`: fits the learned router on routing outcomes.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the learned router: P(the weak model's answer is good enough) from the prompt's embedding and heuristic features.",
        discussion: """
            Reads a routing dataset (the routing.jsonl format of ../shared/data), keeps rows with both models' outcomes, splits them by the dataset's split field (or half by a hash of the id), embeds the prompts with the local MiniLM model, fits L2-regularised logistic regression on the training rows and reports the ROC AUC on the held-back rows next to the heuristic classifier's on the same rows. Point `embeddings.router` at the output to route with it.

            Example:
              switchyard train --dataset ../shared/data/routerbench_subset/routing.jsonl --strong gpt-4-1106-preview --weak mistralai/mixtral-8x7b-chat --out router.json
            """
    )

    @Option(help: "Routing dataset (JSONL).") var dataset: String
    @Option(help: "The strong model, as named in the dataset's outcomes.") var strong: String
    @Option(help: "The weak model, as named in the dataset's outcomes.") var weak: String
    @Option(help: "Where to write the router (JSON).") var out: String
    @Option(help: "The MiniLM model folder (scripts/fetch-model.sh fetches it).") var modelPath: String = "models/all-MiniLM-L6-v2"
    @Option(help: "Tokens of each prompt the router sees (the head).") var maxTokens: Int = 128
    @Option(help: "L2 penalty λ on the weights.") var l2: Double = 30
    @Option(help: "Label: weak_correct (weak scores ≥ 0.5) or weak_at_least_strong.") var target: String = "weak_correct"

    func validate() throws {
        guard (8...512).contains(maxTokens) else { throw ValidationError("--max-tokens must be between 8 and 512.") }
        guard l2 >= 0 else { throw ValidationError("--l2 must not be negative.") }
        guard RouterTrainer.Target(rawValue: target) != nil else { throw ValidationError("--target must be weak_correct or weak_at_least_strong.") }
    }

    func run() async throws {
        let rows: [RoutingDataset.Row]
        let embedder: MiniLMEmbedder
        do throws(EmbeddingError) {
            rows = try RoutingDataset(path: dataset).rows
            embedder = try MiniLMEmbedder(directory: modelPath, options: EmbeddingModelOptions(maxTokens: maxTokens))
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let trainer = RouterTrainer(
            strongModel: strong, weakModel: weak, target: RouterTrainer.Target(rawValue: target) ?? .weakCorrect,
            options: LogisticRegression.Options(l2: l2, iterations: 2000))
        let usable = trainer.usable(rows)
        guard usable.count >= 20 else {
            printError("error: only \(usable.count) rows of \(dataset) have outcomes for both '\(strong)' and '\(weak)'.")
            throw ExitCode(1)
        }
        let (train, test) = RoutingDataset(rows: usable).trainTestSplit()
        printNow("\(usable.count) usable rows: \(train.count) to train, \(test.count) held back. Embedding with \(embedder.backendDescription)…")
        let features = Self.features(usable, trainer: trainer, embedder: embedder)
        let index = Dictionary(uniqueKeysWithValues: usable.enumerated().map { ($1.id, $0) })
        let trainFeatures = train.map { features[index[$0.id]!] }
        let model = trainer.train(rows: train, features: trainFeatures, embedder: embedder, maxTokens: maxTokens)
        let classifier: LearnedRouterClassifier
        do throws(EmbeddingError) {
            try model.save(to: out)
            classifier = try LearnedRouterClassifier(model: model, embedder: embedder, path: out)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }

        // Held-back AUC at predicting "the weak answer is not good enough".
        let positives = test.map { !trainer.weakIsGood($0) }
        let learned = test.map { row in
            let values = features[index[row.id]!]
            let dimension = embedder.dimension
            return 1 - classifier.probabilityWeakIsGood(embedding: values.prefix(dimension).map(Float.init), heuristicValues: Array(values.dropFirst(dimension)))
        }
        let engine = RoutingEngine(configuration: GatewayConfiguration(providers: [], models: [], tiers: ["light", "premium"]))
        let heuristic = test.map { row in
            (try? engine.classify(RoutingRequest(model: "auto", messages: [ChatMessage(role: "user", text: row.prompt)])))?.complexity.heuristic ?? 0
        }
        printNow("""
            wrote \(out)
            held-back AUC (predicting the weak answer falls short), \(test.count) rows:
              learned router  \(String(format: "%.3f", RouterTrainer.auc(scores: learned, positives: positives)))
              heuristic       \(String(format: "%.3f", RouterTrainer.auc(scores: heuristic, positives: positives)))
            """)
    }

    /// Embedding ++ heuristic features of every row, on all cores.
    static func features(_ rows: [RoutingDataset.Row], trainer: RouterTrainer, embedder: MiniLMEmbedder) -> [[Double]] {
        let results = Mutex([[Double]](repeating: [], count: rows.count))
        let chunk = 16
        let done = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: (rows.count + chunk - 1) / chunk) { part in
            let range = (part * chunk)..<min(rows.count, (part + 1) * chunk)
            let vectors = trainer.features(Array(rows[range]), embedder: embedder)
            results.withLock { all in for (offset, vector) in zip(range, vectors) { all[offset] = vector } }
            let finished = done.add(range.count, ordering: .relaxed).newValue
            if finished % 256 < range.count { printError("  embedded \(finished)/\(rows.count)") }
        }
        return results.withLock { $0 }
    }
}
