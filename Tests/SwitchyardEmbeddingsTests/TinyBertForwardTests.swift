import Foundation
import SwitchyardCore
import SwitchyardEmbeddings
import Testing

/// The forward pass on a tiny random BERT (hidden 32, 2 heads, 2 layers) written to a temporary
/// model folder, against a plain scalar reference implementation in Double. Runs without the
/// real model, so the math is checked on every machine.
@Suite("Forward pass against a scalar reference on a tiny random BERT")
struct TinyBertForwardTests {
    static let hidden = 32, heads = 2, ffn = 48, layers = 2, vocab = 120, positions = 24

    /// name → (shape, values), deterministic pseudo-random.
    static func tensors() -> [(String, [Int], [Float])] {
        var state: UInt64 = 42
        func random(_ count: Int, scale: Float = 0.2) -> [Float] {
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return (Float(state >> 40) / Float(1 << 24) - 0.5) * 2 * scale
            }
        }
        func ones(_ count: Int) -> [Float] { random(count, scale: 0.1).map { 1 + $0 } }
        var list: [(String, [Int], [Float])] = [
            ("embeddings.word_embeddings.weight", [vocab, hidden], random(vocab * hidden, scale: 1)),
            ("embeddings.position_embeddings.weight", [positions, hidden], random(positions * hidden)),
            ("embeddings.token_type_embeddings.weight", [2, hidden], random(2 * hidden)),
            ("embeddings.LayerNorm.weight", [hidden], ones(hidden)),
            ("embeddings.LayerNorm.bias", [hidden], random(hidden)),
        ]
        for layer in 0..<layers {
            let p = "encoder.layer.\(layer)."
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                list.append((p + name + ".weight", [hidden, hidden], random(hidden * hidden, scale: 0.4)))
                list.append((p + name + ".bias", [hidden], random(hidden)))
            }
            list.append((p + "attention.output.LayerNorm.weight", [hidden], ones(hidden)))
            list.append((p + "attention.output.LayerNorm.bias", [hidden], random(hidden)))
            list.append((p + "intermediate.dense.weight", [ffn, hidden], random(ffn * hidden, scale: 0.4)))
            list.append((p + "intermediate.dense.bias", [ffn], random(ffn)))
            list.append((p + "output.dense.weight", [hidden, ffn], random(hidden * ffn, scale: 0.3)))
            list.append((p + "output.dense.bias", [hidden], random(hidden)))
            list.append((p + "output.LayerNorm.weight", [hidden], ones(hidden)))
            list.append((p + "output.LayerNorm.bias", [hidden], random(hidden)))
        }
        return list
    }

    static func writeModel(to folder: URL, tensors: [(String, [Int], [Float])]) throws {
        var header: [(String, JSONValue)] = []
        var data: [UInt8] = []
        for (name, shape, values) in tensors {
            let start = data.count
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 } }
            header.append((name, ["dtype": "F32", "shape": .array(shape.map { .int(Int64($0)) }), "data_offsets": [.int(Int64(start)), .int(Int64(data.count))]]))
        }
        let headerBytes = JSONWriter.bytes(.object(JSONObject(header)))
        var file = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(headerBytes.count) >> (8 * UInt64($0))) }
        file += headerBytes + data
        try Data(file).write(to: folder.appendingPathComponent("model.safetensors"))
        let config = #"{"hidden_size": \#(hidden), "num_attention_heads": \#(heads), "num_hidden_layers": \#(layers), "intermediate_size": \#(ffn), "vocab_size": \#(vocab), "max_position_embeddings": \#(positions), "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
        var tokens = ["[PAD]"] + (1..<100).map { "[unused\($0)]" } + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        tokens += ["hello", "world", "##s", "route", "me", ",", "!", "cheap", "model", "the", "a", "un", "##able", "to", "go", "fast"]
        precondition(tokens.count == vocab)
        try Data(tokens.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("vocab.txt"))
    }

    /// Straightforward BERT + mean pooling + L2 in Double.
    static func reference(_ ids: [Int32], tensors: [(String, [Int], [Float])]) -> [Double] {
        let t = Dictionary(uniqueKeysWithValues: tensors.map { ($0.0, $0.2.map(Double.init)) })
        let n = ids.count
        func layerNorm(_ x: [Double], _ g: [Double], _ b: [Double]) -> [Double] {
            let mean = x.reduce(0, +) / Double(x.count)
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)
            return x.indices.map { (x[$0] - mean) / (variance + 1e-12).squareRoot() * g[$0] + b[$0] }
        }
        func linear(_ x: [Double], _ name: String, out: Int) -> [Double] {
            let w = t[name + ".weight"]!, b = t[name + ".bias"]!
            return (0..<out).map { o in b[o] + x.indices.reduce(0) { $0 + w[o * x.count + $1] * x[$1] } }
        }
        var h: [[Double]] = (0..<n).map { p in
            let word = t["embeddings.word_embeddings.weight"]!, pos = t["embeddings.position_embeddings.weight"]!, type = t["embeddings.token_type_embeddings.weight"]!
            let row = (0..<hidden).map { word[Int(ids[p]) * hidden + $0] + pos[p * hidden + $0] + type[$0] }
            return layerNorm(row, t["embeddings.LayerNorm.weight"]!, t["embeddings.LayerNorm.bias"]!)
        }
        let size = hidden / heads
        for layer in 0..<layers {
            let p = "encoder.layer.\(layer)."
            let q = h.map { linear($0, p + "attention.self.query", out: hidden) }
            let k = h.map { linear($0, p + "attention.self.key", out: hidden) }
            let v = h.map { linear($0, p + "attention.self.value", out: hidden) }
            var context = [[Double]](repeating: [Double](repeating: 0, count: hidden), count: n)
            for head in 0..<heads {
                let r = (head * size)..<((head + 1) * size)
                for i in 0..<n {
                    let scores = (0..<n).map { j in r.reduce(0) { $0 + q[i][$1] * k[j][$1] } / Double(size).squareRoot() }
                    let m = scores.max()!
                    let e = scores.map { Foundation.exp($0 - m) }
                    let s = e.reduce(0, +)
                    for d in r { context[i][d] = (0..<n).reduce(0) { $0 + e[$1] / s * v[$1][d] } }
                }
            }
            let attention = (0..<n).map { i in
                let o = linear(context[i], p + "attention.output.dense", out: hidden)
                return layerNorm(o.indices.map { o[$0] + h[i][$0] }, t[p + "attention.output.LayerNorm.weight"]!, t[p + "attention.output.LayerNorm.bias"]!)
            }
            h = attention.map { a in
                let inner = linear(a, p + "intermediate.dense", out: ffn).map { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }
                let o = linear(inner, p + "output.dense", out: hidden)
                return layerNorm(o.indices.map { o[$0] + a[$0] }, t[p + "output.LayerNorm.weight"]!, t[p + "output.LayerNorm.bias"]!)
            }
        }
        let mean = (0..<hidden).map { d in h.reduce(0) { $0 + $1[d] } / Double(n) }
        let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return mean.map { $0 / norm }
    }

    @Test(arguments: [EmbeddingModelOptions.Backend.swiftSIMD, .openBLAS])
    func matchesTheScalarReference(_ backend: EmbeddingModelOptions.Backend) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-bert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tensors = Self.tensors()
        try Self.writeModel(to: folder, tensors: tensors)
        let embedder = try MiniLMEmbedder(directory: folder.path, options: EmbeddingModelOptions(maxTokens: 24, backend: backend), modelID: "test/tiny-bert")
        #expect(embedder.dimension == Self.hidden)
        let texts = ["Hello, worlds!", "route me to the cheap model", "unable to go fast", "", "héllo wörld"]
        #expect(embedder.tokenize("Hello, worlds!").count == 7)  // [CLS] hello , world ##s ! [SEP]
        let batch = embedder.embed(batch: texts)
        for (text, batched) in zip(texts, batch) {
            let expected = Self.reference(embedder.tokenize(text), tensors: tensors)
            let single = embedder.embed(text)
            #expect(TestResources.cosine(single, expected) > 0.99999, "\(text)")
            #expect(TestResources.cosine(batched, expected) > 0.99999, "\(text) in a batch")
            for d in 0..<Self.hidden { #expect(abs(Double(single[d]) - expected[d]) < 1e-4, "\(text) dim \(d)") }
        }
        let half = try MiniLMEmbedder(directory: folder.path, options: EmbeddingModelOptions(maxTokens: 24, weightPrecision: .float16))
        #expect(TestResources.cosine(half.embed(texts[1]), Self.reference(half.tokenize(texts[1]), tensors: tensors)) > 0.999)
    }

    @Test func wrongShapeNamesTheTensorAndFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-bert-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var tensors = Self.tensors()
        let index = tensors.firstIndex { $0.0 == "encoder.layer.1.intermediate.dense.weight" }!
        tensors[index] = (tensors[index].0, [Self.hidden, Self.ffn], tensors[index].2)  // transposed shape
        try Self.writeModel(to: folder, tensors: tensors)
        #expect(throws: EmbeddingError.wrongTensorShape(
            path: folder.appendingPathComponent("model.safetensors").path, name: "encoder.layer.1.intermediate.dense.weight",
            found: [Self.hidden, Self.ffn], expected: [Self.ffn, Self.hidden])) {
            try MiniLMEmbedder(directory: folder.path)
        }
    }
}
