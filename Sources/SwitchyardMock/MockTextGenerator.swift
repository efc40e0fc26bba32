/// SplitMix64: a tiny, fast, well-distributed deterministic generator.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}

/// FNV-1a over UTF-8, for seeding from text.
func fnv1a(_ text: String, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
    var hash = seed
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01B3
    }
    return hash
}

/// One generated token with its logprob.
struct MockToken: Sendable {
    var text: String
    var logprob: Double
}

/// Produces the deterministic answer of a simulated model: the same seed, model and prompt
/// always give the same words, lengths and logprobs.
struct MockTextGenerator {
    static let vocabulary: [String] = [
        "the", "answer", "is", "based", "on", "your", "request", "and", "we", "can", "see", "that", "this",
        "result", "follows", "from", "a", "careful", "reading", "of", "input", "which", "shows", "clear",
        "pattern", "in", "data", "so", "overall", "summary", "points", "to", "one", "main", "idea", "with",
        "some", "detail", "about", "each", "step", "first", "then", "next", "finally", "it", "should", "help",
        "you", "decide", "what", "to", "do", "here", "model", "output", "text", "short", "useful", "note",
        "because", "it", "matches", "expected",
    ]

    var generator: SplitMix64

    init(seed: UInt64, model: String, prompt: String) {
        generator = SplitMix64(seed: fnv1a(prompt, seed: fnv1a(model, seed: seed ^ 0xCBF2_9CE4_8422_2325)))
    }

    /// The number of tokens to answer with: around `typical` (±50 %), at least 1.
    mutating func answerLength(typical: Int) -> Int {
        let spread = max(1, typical / 2)
        return max(1, typical - spread + Int(generator.next() % UInt64(2 * spread + 1)))
    }

    /// `count` tokens of text; with `fixedAnswer`, its words instead.
    mutating func tokens(count: Int, meanLogprob: Double, fixedAnswer: String?) -> [MockToken] {
        let words: [String]
        if let fixedAnswer {
            words = Self.split(fixedAnswer)
        } else {
            words = (0..<count).map { index in
                let word = Self.vocabulary[Int(generator.next() % UInt64(Self.vocabulary.count))]
                return index == 0 ? word.prefix(1).uppercased() + word.dropFirst() : " " + word
            }
        }
        return words.enumerated().map { index, word in
            // Logprobs scatter around the mean; the final token of a sentence is near-certain.
            let noise = (generator.unit() - 0.5) * abs(meanLogprob)
            let logprob = min(0, meanLogprob + noise)
            let text = fixedAnswer == nil && index == words.count - 1 ? word + "." : word
            return MockToken(text: text, logprob: logprob)
        }
    }

    /// Splits a fixed answer into tokens that concatenate back to it exactly.
    static func split(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for character in text {
            if character == " " || character == "\n", !current.isEmpty, current.last != " ", current.last != "\n" {
                tokens.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}

/// A rough token count for a prompt, about four characters per token like GPT tokenizers.
func estimatedTokens(_ text: String) -> Int {
    (text.utf8.count + 3) / 4
}
