import Foundation
import SwitchyardCore

/// The shape of a BERT encoder, read from the model folder's `config.json`.
///
/// Only the fields the forward pass needs are read; anything missing keeps the
/// all-MiniLM-L6-v2 value. `hidden_act` must be `gelu` (the erf form) and the position
/// embeddings absolute, which is all this implementation supports.
public struct BertConfiguration: Sendable, Hashable {
    public var hiddenSize = 384
    public var attentionHeads = 12
    public var layers = 6
    public var intermediateSize = 1536
    public var vocabularySize = 30522
    public var maxPositions = 512
    public var typeVocabularySize = 2
    public var layerNormEpsilon: Float = 1e-12

    /// The all-MiniLM-L6-v2 shape.
    public init() {}

    /// Reads `config.json` at `path`.
    public init(path: String) throws(EmbeddingError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
        let json: JSONValue
        do { json = try JSONParser.parse(data) } catch { throw .invalidFile(path: path, reason: "not valid JSON (\(error))") }
        guard json.objectValue != nil else { throw .invalidFile(path: path, reason: "expected a JSON object") }
        func int(_ key: String, _ fallback: Int) -> Int { json[key]?.intValue ?? fallback }
        hiddenSize = int("hidden_size", hiddenSize)
        attentionHeads = int("num_attention_heads", attentionHeads)
        layers = int("num_hidden_layers", layers)
        intermediateSize = int("intermediate_size", intermediateSize)
        vocabularySize = int("vocab_size", vocabularySize)
        maxPositions = int("max_position_embeddings", maxPositions)
        typeVocabularySize = int("type_vocab_size", typeVocabularySize)
        if let epsilon = json["layer_norm_eps"]?.doubleValue { layerNormEpsilon = Float(epsilon) }
        if let activation = json["hidden_act"]?.stringValue, activation != "gelu" {
            throw .invalidFile(path: path, reason: "hidden_act '\(activation)' is not supported (only 'gelu')")
        }
        if let positions = json["position_embedding_type"]?.stringValue, positions != "absolute" {
            throw .invalidFile(path: path, reason: "position_embedding_type '\(positions)' is not supported (only 'absolute')")
        }
        guard hiddenSize > 0, attentionHeads > 0, hiddenSize % attentionHeads == 0, hiddenSize % 16 == 0, intermediateSize % 16 == 0,
            layers > 0, vocabularySize > 0, maxPositions > 0, typeVocabularySize > 0
        else {
            throw .invalidFile(path: path, reason: "unsupported shape (hidden \(hiddenSize), heads \(attentionHeads), ffn \(intermediateSize)); sizes must be multiples of 16")
        }
    }

    /// Width of one attention head.
    public var headSize: Int { hiddenSize / attentionHeads }
}
