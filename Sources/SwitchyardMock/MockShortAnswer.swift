import Foundation
import SwitchyardCore

/// The answer of a model with a ``MockModelProfile/skill`` to a short-answer request: a canonical
/// answer derived from the prompt alone (so every model knows the same "truth"), given correctly
/// with a probability that rises with the model's skill and falls with the prompt's difficulty.
///
/// The rules (documented in docs/mock-provider.md):
/// * A request is a *short-answer* request when it asks for JSON (`response_format.type` is
///   `json_object` or `json_schema`) or caps the answer at ``maximumTokens`` tokens or fewer
///   (`max_tokens` / `max_completion_tokens`). Other requests get free text as before.
/// * Difficulty, in 0…1, is `0.02 + 0.004 × words + 0.06 × words-with-a-digit` of the prompt
///   text (all messages), capped at 1: long inputs and inputs full of numbers are harder.
/// * The chance of the right answer is `1 / (1 + e^(−12 × (skill − difficulty)))` (a logistic
///   item-response curve): a model answers well below its skill almost always right.
/// * The draw is seeded by (profile seed, model, prompt, request `seed`), so the same request is
///   answered the same way and samples sent with different `seed` values vary.
/// * A wrong answer is another label (another label and value for JSON), reported with less
///   confidence: its token logprobs centre on `3 × mean_logprob` (at most −0.3).
struct MockShortAnswer: Sendable, Equatable {
    /// The answer text, formatted in the model's own style.
    let text: String
    /// Whether it is the canonical answer.
    let correct: Bool
    /// The prompt's difficulty in 0…1.
    let difficulty: Double

    /// Longest `max_tokens` that still makes a request a short-answer request.
    static let maximumTokens = 32
    /// The labels canonical answers are drawn from.
    static let labels = [
        "yes", "no", "positive", "negative", "neutral", "billing", "shipping", "refund", "urgent", "routine",
        "approve", "reject", "spam", "legitimate", "high", "low",
    ]
    /// Steepness of the item-response curve.
    static let discrimination = 12.0

    /// `nil` unless `request` is a short-answer request.
    init?(request: JSONObject, prompt: String, model: String, seed: UInt64, skill: Double) {
        let formatType = request["response_format"]?["type"]?.stringValue
        let wantsJSON = formatType == "json_object" || formatType == "json_schema"
        let maxTokens = request["max_completion_tokens"]?.intValue ?? request["max_tokens"]?.intValue
        guard wantsJSON || (maxTokens.map { $0 <= Self.maximumTokens } ?? false) else { return nil }

        difficulty = Self.difficulty(of: prompt)
        let truth = fnv1a(prompt, seed: seed ^ 0x7A11_5EED)
        let nonce = UInt64(bitPattern: Int64(request["seed"]?.intValue ?? 0))
        var generator = SplitMix64(seed: fnv1a(prompt, seed: fnv1a(model, seed: seed ^ 0x5EED_0000_0000_0000 ^ (nonce &* 0x9E37_79B9_7F4A_7C15))))
        correct = generator.unit() < Self.probabilityCorrect(skill: skill, difficulty: difficulty)

        let labelCount = UInt64(Self.labels.count)
        var labelIndex = Int(truth % labelCount)
        var value = Int((truth >> 16) % 1000)
        if !correct {
            labelIndex = (labelIndex + 1 + Int(generator.next() % (labelCount - 1))) % Int(labelCount)
            value += 1 + Int(generator.next() % 9)
        }
        // Models differ in surface form only: capitalisation and punctuation, JSON key order and spacing.
        let style = fnv1a(model) & 1
        let label = Self.labels[labelIndex]
        if wantsJSON {
            text = style == 0 ? "{\"answer\": \"\(label)\", \"value\": \(value)}" : "{\"value\":\(value),\"answer\":\"\(label)\"}"
        } else {
            text = style == 0 ? label.prefix(1).uppercased() + label.dropFirst() + "." : label
        }
    }

    /// `0.02 + 0.004 × words + 0.06 × words-with-a-digit`, at most 1.
    static func difficulty(of prompt: String) -> Double {
        let words = prompt.split(whereSeparator: { $0.isWhitespace })
        let numbers = words.filter { $0.contains(where: \.isNumber) }.count
        return min(1, 0.02 + 0.004 * Double(words.count) + 0.06 * Double(numbers))
    }

    /// The logistic chance that a model of `skill` answers a prompt of `difficulty` right.
    static func probabilityCorrect(skill: Double, difficulty: Double) -> Double {
        1 / (1 + exp(-discrimination * (skill - difficulty)))
    }

    /// The mean logprob to report: the profile's when right, lower when wrong.
    static func meanLogprob(profile: Double, correct: Bool) -> Double {
        correct ? profile : min(3 * profile, -0.3)
    }
}
