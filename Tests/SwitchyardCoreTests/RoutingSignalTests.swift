import Foundation
import SwitchyardCore
import Testing

/// A semantic classifier that always gives the same answer.
struct FixedSemantic: SemanticClassifier {
    var answer: SemanticSignals
    func classify(_ prompt: SemanticPrompt) -> SemanticSignals { answer }
}

@Suite struct RoutingSignalTests {
    let engine = RoutingFixtures.engine

    struct TaskCase: Sendable, CustomTestStringConvertible {
        var label: String
        var body: JSONValue
        var headers: [String: String] = [:]
        var semantic: SemanticSignals? = nil
        var task: String
        var source: SignalSource
        var testDescription: String { label }
    }

    static func body(_ text: String, metadata: JSONValue? = nil) -> JSONValue {
        var object: JSONObject = ["model": "auto", "messages": [["role": "user", "content": .string(text)]]]
        if let metadata { object["metadata"] = metadata }
        return .object(object)
    }

    static let taskCases: [TaskCase] = [
        TaskCase(label: "body metadata", body: body("Write a poem", metadata: ["switchyard": ["task": "code"]]), task: "code", source: .metadataBody),
        TaskCase(label: "flat string metadata", body: body("Write a poem", metadata: ["switchyard.task": "reason"]), task: "reason", source: .metadataBody),
        TaskCase(label: "header", body: body("Write a poem"), headers: ["x-switchyard-task": "extract"], task: "extract", source: .metadataHeader),
        TaskCase(
            label: "body beats header", body: body("Write a poem", metadata: ["switchyard": ["task": "classify"]]),
            headers: ["x-switchyard-task": "extract"], task: "classify", source: .metadataBody),
        TaskCase(
            label: "header beats rules", body: body("Please refactor this function"), headers: ["x-switchyard-task": "summarize"], task: "summarize",
            source: .metadataHeader),
        TaskCase(label: "keyword rule", body: body("Please REFACTOR the payment module"), task: "code", source: .rule),
        TaskCase(label: "prefix keyword", body: body("I am refactoring the payment module"), task: "code", source: .rule),
        TaskCase(label: "multi-word keyword", body: body("Here is a stack trace from production"), task: "code", source: .rule),
        TaskCase(label: "phrase inside a word", body: body("```python\nprint(1)\n```"), task: "code", source: .rule),
        TaskCase(
            label: "regex rule", body: body("Traceback (most recent call last):\n  File \"x\", line 3"), task: "code", source: .rule),
        TaskCase(label: "summarize rule", body: body("Summarize the meeting notes below in five bullets"), task: "summarize", source: .rule),
        TaskCase(label: "rules beat semantic", body: body("Summarize these notes"), semantic: SemanticSignals(task: "code"), task: "summarize", source: .rule),
        TaskCase(label: "semantic when no rule matches", body: body("Lorem ipsum dolor"), semantic: SemanticSignals(task: "generate", taskConfidence: 0.8), task: "generate", source: .semantic),
        TaskCase(label: "semantic outside the taxonomy is ignored", body: body("Lorem ipsum dolor"), semantic: SemanticSignals(task: "dance"), task: "chat", source: .default),
        TaskCase(label: "default", body: body("Lorem ipsum dolor"), task: "chat", source: .default),
        TaskCase(label: "keyword needs word boundary", body: body("A codex for the debutante"), task: "chat", source: .default),
    ]

    @Test(arguments: taskCases)
    func taskSignalSourcesAndPrecedence(_ test: TaskCase) throws {
        let engine = test.semantic.map { RoutingEngine(configuration: RoutingFixtures.configuration(), semantic: FixedSemantic(answer: $0)) } ?? engine
        let request = try RoutingRequest(chat: ChatCompletionRequest(json: test.body), headers: test.headers)
        let signals = try engine.classify(request)
        #expect(signals.task.value == test.task)
        #expect(signals.task.source == test.source)
    }

    struct SensitivityCase: Sendable {
        var text: String
        var hints: RoutingHints
        var expected: Sensitivity
        var source: SignalSource
    }

    static let sensitivityCases: [SensitivityCase] = [
        SensitivityCase(text: "Translate: hello", hints: RoutingHints(), expected: .public, source: .default),
        SensitivityCase(text: "This memo is confidential, summarize it", hints: RoutingHints(), expected: .internal, source: .rule),
        SensitivityCase(text: "Patient data: diagnosis of type 2 diabetes. Confidential.", hints: RoutingHints(), expected: .restricted, source: .rule),
        SensitivityCase(
            text: "Translate: hello", hints: RoutingHints(sensitivity: Hint(value: .restricted, source: .metadataHeader, param: "x-switchyard-sensitivity")),
            expected: .restricted, source: .metadataHeader),
        SensitivityCase(
            text: "My passport number is X123", hints: RoutingHints(sensitivity: Hint(value: .internal, source: .metadataBody, param: "metadata.switchyard.sensitivity")),
            expected: .internal, source: .metadataBody),
    ]

    @Test(arguments: sensitivityCases)
    func sensitivitySignal(_ test: SensitivityCase) throws {
        let signals = try engine.classify(RoutingFixtures.request(test.text, hints: test.hints))
        #expect(signals.sensitivity.value == test.expected)
        #expect(signals.sensitivity.source == test.source)
    }

    @Test func complexityFromMetadataBeatsHeuristicAndHeaderParses() throws {
        let body = Self.body("hi", metadata: ["switchyard": ["complexity": 0.9]])
        let fromBody = try engine.classify(RoutingRequest(chat: ChatCompletionRequest(json: body), headers: ["x-switchyard-complexity": "0.1"]))
        #expect(fromBody.complexity.value == 0.9)
        #expect(fromBody.complexity.source == .metadataBody)
        #expect(fromBody.complexity.heuristic < 0.2)
        let fromHeader = try engine.classify(RoutingRequest(chat: ChatCompletionRequest(json: Self.body("hi")), headers: ["x-switchyard-complexity": "0.75"]))
        #expect(fromHeader.complexity.value == 0.75)
        #expect(fromHeader.complexity.source == .metadataHeader)
    }

    @Test func semanticComplexityIsBlendedWithTheHeuristic() throws {
        let engine = RoutingEngine(configuration: RoutingFixtures.configuration(), semantic: FixedSemantic(answer: SemanticSignals(complexity: 1)))
        let signals = try engine.classify(RoutingFixtures.request("hi there"))
        #expect(signals.complexity.source == .heuristicSemantic)
        #expect(signals.complexity.semantic == 1)
        #expect(abs(signals.complexity.value - (0.5 * signals.complexity.heuristic + 0.5)) < 1e-9)
    }

    struct ComplexityCase: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var history: Int = 0
        var maxTokens: Int? = nil
        var feature: ComplexityFeature
        var testDescription: String { label }
    }

    /// Each feature, when present, raises complexity above the same prompt without it.
    static let featureCases: [ComplexityCase] = [
        ComplexityCase(label: "reasoning", text: "Analyze and compare both options, explain why one wins, step by step.", feature: .reasoning),
        ComplexityCase(label: "constraints", text: "You must answer in French. Do not use lists. At most 50 words. Always cite.", feature: .constraints),
        ComplexityCase(label: "output length", text: "Write about the sea.", maxTokens: 4000, feature: .outputLength),
        ComplexityCase(label: "code", text: "```swift\nfunc f() { print(1); }\n```", feature: .code),
        ComplexityCase(label: "math", text: "Calculate the probability: 3 dice, 2 coins, 15 cards, 7 draws; what percent?", feature: .math),
        ComplexityCase(label: "depth", text: "And then?", history: 6, feature: .depth),
    ]

    @Test(arguments: featureCases)
    func heuristicFeatures(_ test: ComplexityCase) throws {
        var history: [ChatMessage] = []
        for index in 0..<test.history {
            history.append(ChatMessage(role: "user", text: "Turn \(index)"))
            history.append(ChatMessage(role: "assistant", text: "Reply \(index)"))
        }
        let signals = try engine.classify(RoutingFixtures.request(test.text, history: history, maxTokens: test.maxTokens))
        let feature = try #require(signals.complexity.features.first { $0.feature == test.feature })
        #expect(feature.value > 0.3, "\(test.feature) should be recognised")
        let baseline = try engine.classify(RoutingFixtures.request("Tell me about the sea."))
        #expect(signals.complexity.value > baseline.complexity.value)
    }

    @Test func lengthAloneNeverDecides() throws {
        let architecture = try engine.route(
            RoutingFixtures.request("Design a multi-region architecture for our ledger; compare the consistency trade-offs."),
            context: RoutingFixtures.context())
        let extraction = try engine.route(RoutingFixtures.request(RoutingFixtures.longExtraction), context: RoutingFixtures.context())
        #expect(architecture.signals.promptTokens < 40)
        #expect(extraction.signals.promptTokens > 900)
        #expect(architecture.signals.complexity.value > extraction.signals.complexity.value + 0.2)
        #expect(extraction.signals.task.value == "extract")
        #expect(extraction.chosen.tier == "light")
        #expect(architecture.chosen.tier == "premium")
        let lengthFeature = try #require(extraction.signals.complexity.features.first { $0.feature == .promptTokens })
        #expect(lengthFeature.contribution <= 0.1)
    }

    @Test func brevityLowersComplexity() throws {
        let open = try engine.classify(RoutingFixtures.request("Compare Rust and Go for a CLI tool."))
        let brief = try engine.classify(RoutingFixtures.request("Compare Rust and Go for a CLI tool. One word, no explanation."))
        #expect(brief.complexity.value < open.complexity.value)
    }

    struct BadHint: Sendable {
        var metadata: JSONValue?
        var headers: [String: String]
        var param: String
    }

    static let badHints: [BadHint] = [
        BadHint(metadata: ["switchyard": ["complexity": 1.5]], headers: [:], param: "metadata.switchyard.complexity"),
        BadHint(metadata: nil, headers: ["x-switchyard-complexity": "hard"], param: "x-switchyard-complexity"),
        BadHint(metadata: ["switchyard": ["sensitivity": "secret"]], headers: [:], param: "metadata.switchyard.sensitivity"),
        BadHint(metadata: nil, headers: ["x-switchyard-sensitivity": "top"], param: "x-switchyard-sensitivity"),
        BadHint(metadata: ["switchyard": "code"], headers: [:], param: "metadata.switchyard"),
        BadHint(metadata: ["switchyard": ["tsak": "code"]], headers: [:], param: "metadata.switchyard.tsak"),
        BadHint(metadata: nil, headers: ["x-switchyard-session": "  "], param: "x-switchyard-session"),
    ]

    @Test(arguments: badHints)
    func malformedHintsAre400NamingTheField(_ test: BadHint) throws {
        let chat = try ChatCompletionRequest(json: Self.body("hi", metadata: test.metadata))
        let error = #expect(throws: GatewayError.self) { try RoutingRequest(chat: chat, headers: test.headers) }
        #expect(error?.status == 400)
        #expect(error?.param == test.param)
    }

    @Test func unknownTaskHintIs400() throws {
        let request = try RoutingRequest(chat: ChatCompletionRequest(json: Self.body("hi")), headers: ["x-switchyard-task": "juggle"])
        let error = #expect(throws: GatewayError.self) { try engine.route(request, context: RoutingFixtures.context()) }
        #expect(error?.status == 400)
        #expect(error?.param == "x-switchyard-task")
    }

    @Test func sessionAndRegionHintsAreRead() throws {
        let body = Self.body("hi", metadata: ["switchyard": ["session": "conv-9"]])
        let request = try RoutingRequest(chat: ChatCompletionRequest(json: body), headers: ["x-switchyard-region": "EU", "x-switchyard-session": "other"])
        #expect(request.hints.session == "conv-9")
        #expect(request.hints.region == "eu")
    }

    /// Long texts are scanned in four lanes; a keyword must be found wherever it sits, including
    /// across the lane boundaries (at 1/4, 1/2 and 3/4 of the text).
    @Test(arguments: [0, 5, 740, 745, 749, 750, 751, 1490, 1495, 1499, 1500, 2240, 2245, 2249, 2250, 2989])
    func keywordsAreFoundAcrossScanLaneBoundaries(_ offset: Int) throws {
        var bytes = Array(String(repeating: "x ", count: 1_500).utf8)
        let keyword = Array(" stack trace ".utf8)
        let start = min(offset, bytes.count - keyword.count)
        bytes.replaceSubrange(start..<(start + keyword.count), with: keyword)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.utf8.count == 3_000)
        let signals = try engine.classify(RoutingFixtures.request(text))
        #expect(signals.task.value == "code")
        #expect(signals.task.source == .rule)
    }
}
