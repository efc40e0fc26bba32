import Foundation
import Testing

@testable import SwitchyardConfig
@testable import SwitchyardCore
@testable import SwitchyardMock

/// Short-answer requests to models with a skill: canonical answers, right more often for easy
/// prompts and skilled models, less confident when wrong; no skill keeps the old free text.
@Suite("Simulated skill")
struct MockSkillTests {
    static func request(_ prompt: String, maxTokens: Int? = 5, json: Bool = false, seed: Int? = nil) -> JSONObject {
        var request: JSONObject = ["model": "m", "logprobs": true, "messages": [["role": "user", "content": .string(prompt)]]]
        if let maxTokens { request["max_tokens"] = .int(Int64(maxTokens)) }
        if json { request["response_format"] = ["type": "json_object"] }
        if let seed { request["seed"] = .int(Int64(seed)) }
        return request
    }

    static func answer(_ request: JSONObject, model: String, skill: Double?, meanLogprob: Double = -0.2) -> MockCompletion {
        MockCompletion(request: request, model: model, profile: MockModelProfile(meanLogprob: meanLogprob, skill: skill), seed: 42, fixedAnswer: nil, created: 0)
    }

    static let easy = "Classify the sentiment as positive or negative: I love it."
    /// 40 words, 10 of them with digits: difficulty 0.02 + 0.16 + 0.6 = 0.78.
    static let hard = (1...10).map { "box \($0) weighs kilos," }.joined(separator: " ")

    @Test("difficulty is 0.02 + 0.004 × words + 0.06 × words with digits, capped at 1")
    func difficulty() {
        #expect(abs(MockShortAnswer.difficulty(of: "a b c 1 2x") - 0.16) < 1e-12)
        #expect(abs(MockShortAnswer.difficulty(of: Self.hard) - 0.78) < 1e-12)
        #expect(MockShortAnswer.difficulty(of: Array(repeating: "9", count: 50).joined(separator: " ")) == 1)
        #expect(MockShortAnswer.probabilityCorrect(skill: 0.5, difficulty: 0.5) == 0.5)
        #expect(MockShortAnswer.probabilityCorrect(skill: 0.9, difficulty: 0.1) > 0.99)
    }

    @Test("without a skill, short requests still get free text (the old behaviour)")
    func noSkillUnchanged() {
        let plain = Self.answer(Self.request(Self.easy, maxTokens: 5), model: "m", skill: nil)
        let reference = MockCompletion(
            request: Self.request(Self.easy, maxTokens: 5), model: "m", profile: MockModelProfile(meanLogprob: -0.2), seed: 42, fixedAnswer: nil, created: 0)
        #expect(plain.content == reference.content)
        #expect(!MockShortAnswer.labels.contains(AnswerText.normalize(plain.content)))
    }

    @Test("open-ended requests get free text even with a skill")
    func openEndedIsFreeText() {
        let open = Self.answer(Self.request(Self.easy, maxTokens: nil), model: "m", skill: 0.9)
        #expect(open.tokens.count > 3)
    }

    @Test("skilled models agree on easy prompts up to surface form; styles differ per model")
    func easyAgreement() throws {
        var agreed = 0
        for seed in 0..<50 {
            let a = Self.answer(Self.request(Self.easy, seed: seed), model: "sim-premium", skill: 0.95).content
            let b = Self.answer(Self.request(Self.easy, seed: seed), model: "sim-light", skill: 0.6).content
            if AnswerText.normalize(a) == AnswerText.normalize(b) { agreed += 1 }
            #expect(MockShortAnswer.labels.contains(AnswerText.normalize(a)))
        }
        #expect(agreed >= 48)
    }

    @Test("a weak model gets hard prompts wrong often, a strong one rarely, and is less sure when wrong")
    func hardPrompts() {
        var lightRight = 0
        var premiumRight = 0
        var wrongLogprobs: [Double] = []
        for seed in 0..<100 {
            let request = Self.request(Self.hard, seed: seed)
            let light = MockShortAnswer(request: request, prompt: Self.hard, model: "sim-light", seed: 42, skill: 0.6)!
            let premium = MockShortAnswer(request: request, prompt: Self.hard, model: "sim-premium", seed: 42, skill: 0.95)!
            if light.correct { lightRight += 1 }
            if premium.correct { premiumRight += 1 }
            if !light.correct {
                let completion = MockCompletion(
                    request: request, model: "sim-light", profile: MockModelProfile(meanLogprob: -0.2, skill: 0.6), seed: 42, fixedAnswer: nil, created: 0)
                wrongLogprobs += completion.tokens.map(\.logprob)
            }
        }
        // p(light) = 1/(1+e^(−12·(0.6−0.78))) ≈ 0.10; p(premium) ≈ 0.89.
        #expect((2...25).contains(lightRight), "\(lightRight)")
        #expect(premiumRight >= 75, "\(premiumRight)")
        #expect(wrongLogprobs.reduce(0, +) / Double(wrongLogprobs.count) < -0.4)
    }

    @Test("JSON requests get JSON answers that differ in key order between models")
    func jsonAnswers() throws {
        let request = Self.request("Extract the name as JSON: Ann.", maxTokens: nil, json: true)
        let answers = (0..<10).map { Self.answer(request, model: "model-\($0)", skill: 1).content }
        for answer in answers {
            let value = try JSONParser.parse(answer)
            #expect(value["answer"]?.stringValue != nil && value["value"]?.intValue != nil, "\(answer)")
        }
        #expect(Set(answers).count == 2)
    }

    @Test("skill loads from YAML and must be in 0…1")
    func skillYAML() throws {
        let profile = try MockProfile.parse(yaml: "models:\n  a: { skill: 0.7 }\n", file: "p.yaml")
        #expect(profile.models["a"]?.skill == 0.7)
        #expect(profile.defaultModel.skill == nil)
        #expect(throws: ConfigurationError.self) { try MockProfile.parse(yaml: "models:\n  a: { skill: 1.5 }\n", file: "p.yaml") }
    }
}

/// The audit's normalisation, restated here so the mock tests need no other module.
enum AnswerText {
    static func normalize(_ text: String) -> String {
        var text = text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        while let last = text.last, ".!?".contains(last) { text.removeLast() }
        return text
    }
}
