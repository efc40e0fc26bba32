import Foundation
import SwitchyardCore

/// A ``SemanticClassifier`` that compares the prompt's embedding with labelled exemplars.
///
/// * **k nearest neighbours** (default): the `k` most similar exemplars whose task is in the
///   taxonomy vote for their task, each with its cosine similarity; confidence = the winning
///   task's share of the votes. Complexity = similarity-weighted mean over the `k` nearest
///   exemplars that carry one.
/// * **Centroids**: each task's exemplars are averaged into one unit vector; the most similar
///   centroid wins; confidence = softmax of the centroid similarities (temperature
///   `centroidTemperature`). Complexity as in kNN.
///
/// When the best similarity is below `threshold` the prompt is unlike every exemplar and the
/// classifier returns empty signals, leaving the decision to rules and heuristics. Exemplars are
/// embedded once, at construction; a classification is one embedding plus a scan of
/// `exemplars × dimension` multiply-adds.
public final class ExemplarClassifier: SemanticClassifier, Sendable {
    /// How the exemplars decide.
    public enum Mode: Sendable, Hashable {
        case nearestNeighbors(k: Int)
        case centroids
    }

    public struct Options: Sendable, Hashable {
        public var mode: Mode
        /// Lowest cosine similarity to the nearest exemplar (or centroid) at which the classifier answers.
        public var threshold: Double
        /// Neighbours averaged for the complexity (also in centroid mode).
        public var complexityNeighbors: Int
        /// Softmax temperature over centroid similarities.
        public var centroidTemperature: Double

        public init(mode: Mode = .nearestNeighbors(k: 5), threshold: Double = 0.3, complexityNeighbors: Int = 5, centroidTemperature: Double = 0.05) {
            self.mode = mode
            self.threshold = threshold
            self.complexityNeighbors = complexityNeighbors
            self.centroidTemperature = centroidTemperature
        }
    }

    public let embedder: any TextEmbedder
    public let options: Options
    public let exemplars: [Exemplar]
    /// Unit exemplar embeddings, row-major `exemplars.count × dimension`.
    let matrix: [Float]
    let dimension: Int
    /// Task names of the centroids and their unit vectors (`tasks.count × dimension`).
    let tasks: [String]
    let centroids: [Float]

    /// Embeds every exemplar with `embedder`.
    public init(exemplars set: ExemplarSet, embedder: any TextEmbedder, options: Options = Options()) {
        self.embedder = embedder
        self.options = options
        self.exemplars = set.exemplars
        let dimension = embedder.dimension
        self.dimension = dimension
        var matrix: [Float] = []
        matrix.reserveCapacity(set.exemplars.count * dimension)
        for vector in embedder.embed(batch: set.exemplars.map(\.text)) {
            precondition(vector.count == dimension, "the embedder returned \(vector.count) floats, expected \(dimension)")
            matrix += VectorSimilarity.normalized(vector)
        }
        self.matrix = matrix
        var tasks: [String] = []
        var sums: [String: [Float]] = [:]
        for (row, exemplar) in set.exemplars.enumerated() {
            if sums[exemplar.task] == nil {
                tasks.append(exemplar.task)
                sums[exemplar.task] = [Float](repeating: 0, count: dimension)
            }
            for column in 0..<dimension { sums[exemplar.task]![column] += matrix[row * dimension + column] }
        }
        self.tasks = tasks
        self.centroids = tasks.flatMap { VectorSimilarity.normalized(sums[$0]!) }
    }

    public func classify(_ prompt: SemanticPrompt) -> SemanticSignals {
        classify(embedding: embedder.embed(prompt.text), taxonomy: prompt.taxonomy)
    }

    /// Classifies an already computed embedding; an empty `taxonomy` allows every task.
    public func classify(embedding: [Float], taxonomy: [String]) -> SemanticSignals {
        guard embedding.count == dimension, !exemplars.isEmpty else { return SemanticSignals() }
        let query = VectorSimilarity.normalized(embedding)
        let allowed = Set(taxonomy)
        func permitted(_ task: String) -> Bool { allowed.isEmpty || allowed.contains(task) }

        var similarities = [Float](repeating: 0, count: exemplars.count)
        query.withUnsafeBufferPointer { q in
            matrix.withUnsafeBufferPointer { m in
                for row in 0..<exemplars.count {
                    similarities[row] = VectorSimilarity.dot(q, UnsafeBufferPointer(rebasing: m[(row * dimension)..<((row + 1) * dimension)]))
                }
            }
        }
        var signals = SemanticSignals()
        switch options.mode {
        case .nearestNeighbors(let k):
            let neighbours = nearest(similarities, count: max(1, k)) { permitted(exemplars[$0].task) }
            guard let best = neighbours.first, Double(similarities[best]) >= options.threshold else { return SemanticSignals() }
            var votes: [String: Double] = [:]
            var total = 0.0
            for row in neighbours {
                let weight = max(0, Double(similarities[row]))
                votes[exemplars[row].task, default: 0] += weight
                total += weight
            }
            // Highest vote; ties go to the task of the nearer exemplar.
            let order = neighbours.map { exemplars[$0].task }
            let winner = votes.max { a, b in a.value < b.value || (a.value == b.value && order.firstIndex(of: a.key)! > order.firstIndex(of: b.key)!) }!
            signals.task = winner.key
            signals.taskConfidence = total > 0 ? winner.value / total : 0
        case .centroids:
            var scores: [(task: String, similarity: Double)] = []
            query.withUnsafeBufferPointer { q in
                centroids.withUnsafeBufferPointer { c in
                    for (index, task) in tasks.enumerated() where permitted(task) {
                        let similarity = VectorSimilarity.dot(q, UnsafeBufferPointer(rebasing: c[(index * dimension)..<((index + 1) * dimension)]))
                        scores.append((task, Double(similarity)))
                    }
                }
            }
            guard let best = scores.max(by: { $0.similarity < $1.similarity }), best.similarity >= options.threshold else { return SemanticSignals() }
            let temperature = max(options.centroidTemperature, 1e-6)
            let denominator = scores.reduce(0.0) { $0 + exp(($1.similarity - best.similarity) / temperature) }
            signals.task = best.task
            signals.taskConfidence = 1 / denominator
        }
        signals.complexity = complexity(similarities)
        return signals
    }

    /// Similarity-weighted mean complexity of the nearest exemplars that carry one.
    func complexity(_ similarities: [Float]) -> Double? {
        let neighbours = nearest(similarities, count: max(1, options.complexityNeighbors)) { exemplars[$0].complexity != nil }
        var weighted = 0.0, total = 0.0
        for row in neighbours {
            let weight = max(0, Double(similarities[row]))
            weighted += weight * exemplars[row].complexity!
            total += weight
        }
        return total > 0 ? min(1, max(0, weighted / total)) : nil
    }

    /// Rows of the `count` highest similarities among rows passing `include`, best first.
    func nearest(_ similarities: [Float], count: Int, include: (Int) -> Bool) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(count + 1)
        for row in similarities.indices where include(row) {
            if best.count == count, similarities[row] <= similarities[best[count - 1]] { continue }
            var position = best.count
            while position > 0 && similarities[best[position - 1]] < similarities[row] { position -= 1 }
            best.insert(row, at: position)
            if best.count > count { best.removeLast() }
        }
        return best
    }
}
