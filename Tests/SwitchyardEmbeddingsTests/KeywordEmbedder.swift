import SwitchyardEmbeddings

/// A tiny hand-made embedding for tests: one axis per topic word, so similarities are easy to
/// reason about and no model is needed.
struct KeywordEmbedder: TextEmbedder {
    static let axes: [[String]] = [
        ["bug", "code", "function", "compile", "python"],  // 0 code
        ["summarize", "summary", "tl;dr", "shorten"],  // 1 summarize
        ["hello", "hi", "thanks", "hey"],  // 2 chat
        ["prove", "theorem", "derive", "why"],  // 3 reason
        ["poem", "story", "write"],  // 4 generate
        ["hard", "complex", "distributed"],  // 5 difficulty
        ["weather", "banana", "zebra"],  // 6 unrelated topic
    ]

    var modelID = "test/keywords"
    var dimension: Int { Self.axes.count + 1 }

    func embed(_ text: String) -> [Float] {
        let words = text.lowercased().split { !$0.isLetter && $0 != ";" && $0 != "." }.map(String.init)
        var vector = [Float](repeating: 0, count: dimension)
        for (axis, terms) in Self.axes.enumerated() {
            vector[axis] = Float(words.filter { terms.contains($0) }.count)
        }
        vector[Self.axes.count] = 0.05  // a small shared component so nothing is exactly zero
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return vector.map { $0 / norm }
    }
}
