/// A dense layer's weight, transposed at load time to `[in, out]` row-major so that every
/// layer is one `Y += X · W` with `Y` prefilled with the bias.
struct DenseWeight: Sendable {
    let inputs: Int
    let outputs: Int
    /// fp32 weights (empty when stored as fp16).
    let float32: [Float]
    /// fp16 weights (empty when stored as fp32).
    let float16: [Float16]
    let bias: [Float]

    /// Transposes PyTorch `[out, in]` matrices and concatenates them along the output axis.
    init(pytorch matrices: [[Float]], biases: [[Float]], inputs: Int, outputs: [Int], precision: EmbeddingModelOptions.WeightPrecision) {
        let total = outputs.reduce(0, +)
        var transposed = [Float](repeating: 0, count: inputs * total)
        var base = 0
        for (matrix, width) in zip(matrices, outputs) {
            for out in 0..<width {
                for input in 0..<inputs { transposed[input * total + base + out] = matrix[out * inputs + input] }
            }
            base += width
        }
        self.inputs = inputs
        self.outputs = total
        self.bias = biases.flatMap { $0 }
        switch precision {
        case .float32:
            float32 = transposed
            float16 = []
        case .float16:
            float32 = []
            float16 = transposed.map { Float16($0) }
        }
    }
}

/// One encoder layer.
struct EncoderLayer: Sendable {
    /// Q | K | V fused: `[hidden, 3 × hidden]`.
    let queryKeyValue: DenseWeight
    let attentionOutput: DenseWeight
    let attentionNormGamma: [Float]
    let attentionNormBeta: [Float]
    let intermediate: DenseWeight
    let output: DenseWeight
    let outputNormGamma: [Float]
    let outputNormBeta: [Float]
}

/// Every weight the forward pass uses, loaded from a BERT safetensors file (the unused
/// `pooler.*` and `embeddings.position_ids` are skipped).
struct MiniLMWeights: Sendable {
    let configuration: BertConfiguration
    let wordEmbeddings: [Float]
    let positionEmbeddings: [Float]
    /// Row 0 of the token-type embeddings (single-segment input).
    let tokenTypeEmbedding: [Float]
    let embeddingNormGamma: [Float]
    let embeddingNormBeta: [Float]
    let layers: [EncoderLayer]

    init(file: SafeTensorsFile, configuration c: BertConfiguration, precision: EmbeddingModelOptions.WeightPrecision) throws(EmbeddingError) {
        let h = c.hiddenSize
        /// Names may carry a `bert.` prefix (BertForX checkpoints); sentence-transformers' have none.
        let prefix = file.tensors["embeddings.word_embeddings.weight"] == nil && file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func tensor(_ name: String, _ shape: [Int]) throws(EmbeddingError) -> [Float] {
            try file.floats(prefix + name, shape: shape)
        }
        configuration = c
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.maxPositions, h])
        tokenTypeEmbedding = Array(try tensor("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])[0..<h])
        embeddingNormGamma = try tensor("embeddings.LayerNorm.weight", [h])
        embeddingNormBeta = try tensor("embeddings.LayerNorm.bias", [h])
        var layers: [EncoderLayer] = []
        for index in 0..<c.layers {
            let p = "encoder.layer.\(index)."
            func dense(_ names: [String], inputs: Int, outputs: Int) throws(EmbeddingError) -> DenseWeight {
                var matrices: [[Float]] = []
                var biases: [[Float]] = []
                for name in names {
                    matrices.append(try tensor(p + name + ".weight", [outputs, inputs]))
                    biases.append(try tensor(p + name + ".bias", [outputs]))
                }
                return DenseWeight(
                    pytorch: matrices, biases: biases, inputs: inputs, outputs: Array(repeating: outputs, count: names.count), precision: precision)
            }
            layers.append(EncoderLayer(
                queryKeyValue: try dense(["attention.self.query", "attention.self.key", "attention.self.value"], inputs: h, outputs: h),
                attentionOutput: try dense(["attention.output.dense"], inputs: h, outputs: h),
                attentionNormGamma: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBeta: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                intermediate: try dense(["intermediate.dense"], inputs: h, outputs: c.intermediateSize),
                output: try dense(["output.dense"], inputs: c.intermediateSize, outputs: h),
                outputNormGamma: try tensor(p + "output.LayerNorm.weight", [h]),
                outputNormBeta: try tensor(p + "output.LayerNorm.bias", [h])))
        }
        self.layers = layers
    }
}
