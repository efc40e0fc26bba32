/// The BERT encoder of all-MiniLM-L6-v2 with mean pooling and L2 normalisation, in plain Swift.
///
/// Several sequences run as one packed batch **without padding**: their rows are concatenated
/// for the dense layers and attention runs per sequence, which is exactly what an attention
/// mask computes. Scratch memory is allocated per call and the weights are immutable, so one
/// instance serves any number of concurrent callers.
final class MiniLMModel: Sendable {
    let weights: MiniLMWeights
    let useBLAS: Bool

    init(weights: MiniLMWeights, backend: EmbeddingModelOptions.Backend, precision: EmbeddingModelOptions.WeightPrecision) {
        self.weights = weights
        switch backend {
        case .automatic, .openBLAS: useBLAS = BLASKernels.isAvailable && precision == .float32
        case .swiftSIMD: useBLAS = false
        }
        if useBLAS { BLASKernels.configureOnce }
    }

    var hiddenSize: Int { weights.configuration.hiddenSize }

    /// Unit-length embeddings of already tokenized sequences (each `[CLS] … [SEP]`, at most
    /// `maxPositions` ids, every id inside the vocabulary).
    func embed(_ sequences: [[Int32]]) -> [[Float]] {
        let c = weights.configuration
        let h = c.hiddenSize
        let rows = sequences.reduce(0) { $0 + $1.count }
        guard rows > 0 else { return sequences.map { _ in [Float](repeating: 0, count: h) } }
        let longest = sequences.map(\.count).max() ?? 0
        precondition(longest <= c.maxPositions, "a sequence has \(longest) tokens, the model has \(c.maxPositions) positions")

        let hidden = UnsafeMutablePointer<Float>.allocate(capacity: rows * h)
        let qkv = UnsafeMutablePointer<Float>.allocate(capacity: rows * 3 * h)
        let context = UnsafeMutablePointer<Float>.allocate(capacity: rows * h)
        let projected = UnsafeMutablePointer<Float>.allocate(capacity: rows * h)
        let intermediate = UnsafeMutablePointer<Float>.allocate(capacity: rows * c.intermediateSize)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: longest)
        defer {
            hidden.deallocate()
            qkv.deallocate()
            context.deallocate()
            projected.deallocate()
            intermediate.deallocate()
            scores.deallocate()
        }

        // Embeddings: word + position + token type 0, then LayerNorm.
        var row = 0
        weights.wordEmbeddings.withUnsafeBufferPointer { words in
            weights.positionEmbeddings.withUnsafeBufferPointer { positions in
                for sequence in sequences {
                    for (position, id) in sequence.enumerated() {
                        precondition(id >= 0 && Int(id) < c.vocabularySize, "token id \(id) is outside the vocabulary")
                        let target = hidden + row * h
                        for column in 0..<h {
                            target[column] = words[Int(id) * h + column] + positions[position * h + column] + weights.tokenTypeEmbedding[column]
                        }
                        row += 1
                    }
                }
            }
        }
        layerNorm(hidden, residual: nil, rows: rows, gamma: weights.embeddingNormGamma, beta: weights.embeddingNormBeta)

        for layer in weights.layers {
            dense(hidden, rows: rows, layer.queryKeyValue, into: qkv)
            var start = 0
            for sequence in sequences {
                DenseKernels.attention(
                    qkv: qkv + start * 3 * h, tokens: sequence.count, hidden: h, heads: c.attentionHeads, context: context + start * h, scores: scores)
                start += sequence.count
            }
            dense(context, rows: rows, layer.attentionOutput, into: projected)
            layerNorm(projected, residual: hidden, rows: rows, gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta)
            dense(projected, rows: rows, layer.intermediate, into: intermediate)
            VectorMath.gelu(intermediate, count: rows * c.intermediateSize)
            dense(intermediate, rows: rows, layer.output, into: hidden)
            layerNorm(hidden, residual: projected, rows: rows, gamma: layer.outputNormGamma, beta: layer.outputNormBeta)
        }

        var result: [[Float]] = []
        result.reserveCapacity(sequences.count)
        var start = 0
        for sequence in sequences {
            result.append(VectorMath.meanPoolNormalize(hidden + start * h, count: sequence.count, width: h))
            start += sequence.count
        }
        return result
    }

    /// `output = input · W + b` for `rows` rows.
    private func dense(_ input: UnsafePointer<Float>, rows: Int, _ weight: DenseWeight, into output: UnsafeMutablePointer<Float>) {
        let n = weight.outputs
        weight.bias.withUnsafeBufferPointer { bias in
            for row in 0..<rows { (output + row * n).update(from: bias.baseAddress!, count: n) }
        }
        if !weight.float32.isEmpty {
            weight.float32.withUnsafeBufferPointer { w in
                if useBLAS {
                    BLASKernels.multiplyAccumulate(x: input, rows: rows, inner: weight.inputs, weights: w.baseAddress!, columns: n, into: output)
                } else {
                    DenseKernels.multiplyAccumulate(x: input, rows: rows, inner: weight.inputs, weights: w.baseAddress!, columns: n, into: output)
                }
            }
        } else {
            weight.float16.withUnsafeBufferPointer { w in
                DenseKernels.multiplyAccumulate(x: input, rows: rows, inner: weight.inputs, weights: w.baseAddress!, columns: n, into: output)
            }
        }
    }

    private func layerNorm(_ rows: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows count: Int, gamma: [Float], beta: [Float]) {
        gamma.withUnsafeBufferPointer { g in
            beta.withUnsafeBufferPointer { b in
                VectorMath.addLayerNorm(
                    rows, residual: residual, count: count, width: hiddenSize, gamma: g.baseAddress!, beta: b.baseAddress!,
                    epsilon: weights.configuration.layerNormEpsilon)
            }
        }
    }
}
