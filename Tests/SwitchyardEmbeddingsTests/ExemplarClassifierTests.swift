import Foundation
import SwitchyardCore
import SwitchyardEmbeddings
import Testing

@Suite("Exemplar classifier (kNN and centroids) with an injected embedding")
struct ExemplarClassifierTests {
    static let set = ExemplarSet(exemplars: [
        Exemplar(text: "fix this bug in my python function", task: "code", complexity: 0.6),
        Exemplar(text: "why does my code not compile", task: "code", complexity: 0.5),
        Exemplar(text: "hard distributed code bug", task: "code", complexity: 0.9),
        Exemplar(text: "summarize this article", task: "summarize", complexity: 0.2),
        Exemplar(text: "tl;dr please, shorten it", task: "summarize", complexity: 0.1),
        Exemplar(text: "hello there", task: "chat", complexity: 0.0),
        Exemplar(text: "hi, thanks!", task: "chat"),
        Exemplar(text: "prove this theorem", task: "reason", complexity: 0.95),
    ])

    static func prompt(_ text: String, taxonomy: [String] = DefaultRouting.taskNames) -> SemanticPrompt {
        SemanticPrompt(text: text, messages: [ChatMessage(role: "user", text: text)], taxonomy: taxonomy)
    }

    @Test func nearestNeighboursPickTheTaskAndComplexity() {
        let classifier = ExemplarClassifier(exemplars: Self.set, embedder: KeywordEmbedder(), options: .init(mode: .nearestNeighbors(k: 3), threshold: 0.5))
        let code = classifier.classify(Self.prompt("there is a bug in this python function"))
        #expect(code.task == "code")
        #expect((code.taskConfidence ?? 0) > 0.6)
        #expect(code.complexity.map { $0 > 0.4 && $0 < 0.9 } == true)

        let chat = classifier.classify(Self.prompt("hey, thanks"))
        #expect(chat.task == "chat")
        #expect((chat.complexity ?? 1) < 0.3)
    }

    @Test func belowThresholdSaysNothing() {
        let classifier = ExemplarClassifier(exemplars: Self.set, embedder: KeywordEmbedder(), options: .init(threshold: 0.5))
        #expect(classifier.classify(Self.prompt("banana zebra weather")) == SemanticSignals())
    }

    @Test func taxonomyRestrictsTheAnswer() {
        let classifier = ExemplarClassifier(exemplars: Self.set, embedder: KeywordEmbedder(), options: .init(mode: .nearestNeighbors(k: 3), threshold: 0.1))
        let answer = classifier.classify(Self.prompt("summarize this bug report", taxonomy: ["code", "chat"]))
        #expect(answer.task == "code")
        let none = classifier.classify(Self.prompt("summarize it", taxonomy: ["generate"]))
        #expect(none.task == nil)
    }

    @Test func centroidModeAgreesOnClearCases() {
        let classifier = ExemplarClassifier(exemplars: Self.set, embedder: KeywordEmbedder(), options: .init(mode: .centroids, threshold: 0.5))
        let answer = classifier.classify(Self.prompt("please write a summary, tl;dr"))
        #expect(answer.task == "summarize")
        #expect((answer.taskConfidence ?? 0) > 0.5)
        #expect(classifier.classify(Self.prompt("prove why the theorem holds")).task == "reason")
        #expect(classifier.classify(Self.prompt("zebra")).task == nil)
    }

    @Test func noComplexityWhenExemplarsCarryNone() {
        let set = ExemplarSet(exemplars: [Exemplar(text: "hello", task: "chat"), Exemplar(text: "fix bug", task: "code")])
        let classifier = ExemplarClassifier(exemplars: set, embedder: KeywordEmbedder(), options: .init(threshold: 0.3))
        let answer = classifier.classify(Self.prompt("hello hi"))
        #expect(answer.task == "chat")
        #expect(answer.complexity == nil)
    }

    @Test func readsJSONLWithCommentsAndTiers() throws {
        let text = """
            # exemplars for tests
            {"text": "fix the bug", "task": "code", "complexity": 0.7}

            {"text": "hi", "task": "chat", "tier": "light"}
            {"text": "prove it", "task": "reason", "tier": "premium"}
            """
        let set = try ExemplarSet(bytes: Array(text.utf8), path: "x.jsonl", tiers: ["light", "mid", "premium"])
        #expect(set.exemplars.count == 3)
        #expect(set.exemplars[0].complexity == 0.7)
        #expect(set.exemplars[1].complexity == 0)
        #expect(set.exemplars[2].complexity == 1)
        #expect(set.exemplars[2].tier == "premium")
    }

    @Test func readsTheJSONLayout() throws {
        let text = #"{"tiers": ["cheap", "mid", "top"], "exemplars": [{"text": "a", "task": "chat", "tier": "mid"}, {"text": "b", "task": "code"}]}"#
        let set = try ExemplarSet(bytes: Array(text.utf8), path: "x.json")
        #expect(set.tiers == ["cheap", "mid", "top"])
        #expect(set.exemplars.map(\.complexity) == [0.5, nil])
    }

    @Test(arguments: [
        (#"{"task": "code"}"#, "line 1: 'text'"),
        (#"{"text": "x"}"#, "line 1: 'task'"),
        (#"{"text": "x", "task": "code", "complexity": 2}"#, "'complexity' must be a number in [0, 1]"),
        (#"{"text": "x", "task": "code", "tier": "gold"}"#, "tier 'gold' is not one of"),
        ("{not json", "line 1: not valid JSON"),
        ("", "no exemplars"),
    ])
    func rejectsBadFilesNamingTheProblem(_ text: String, _ expected: String) {
        #expect {
            try ExemplarSet(bytes: Array(text.utf8), path: "bad.jsonl", tiers: ["light", "premium"])
        } throws: { error in
            let message = String(describing: error)
            return message.hasPrefix("bad.jsonl: ") && message.contains(expected)
        }
    }

    @Test func missingFileIsTyped() {
        #expect(throws: EmbeddingError.missingFile(path: "/nonexistent/exemplars.jsonl")) {
            try ExemplarSet(path: "/nonexistent/exemplars.jsonl")
        }
    }
}
