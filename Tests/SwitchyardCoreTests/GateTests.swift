import SwitchyardCore
import Testing

/// Answers engineered to fail each gate, and one that passes them all.
@Suite struct GateTests {
    static let personSchema: JSONValue = GateFixtures.parse(
        #"{"type":"object","properties":{"name":{"type":"string","minLength":1},"age":{"type":"integer","minimum":0},"email":{"type":"string","format":"email"},"role":{"enum":["admin","user"]}},"required":["name","age","role"],"additionalProperties":false}"#)

    /// A config where `classify` also checks confidence, and `reason` checks numbers.
    static func evaluator() -> GateEvaluator {
        var routing = RoutingConfiguration.defaults(tiers: ["light", "premium"])
        for index in routing.tasks.indices {
            switch routing.tasks[index].name {
            case "reason": routing.tasks[index].gates.kinds += [.number, .confidence]
            case "classify": routing.tasks[index].gates.kinds += [.confidence]
            default: break
            }
        }
        routing.gates.confidenceByModel["large"] = ConfidenceThresholds(meanLogprob: -0.2)
        return GateEvaluator(configuration: GateFixtures.configuration(routing))
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var task: String
        var content: String
        var finishReason: String? = "stop"
        var logprobs: [Double]? = nil
        var extra: JSONObject = JSONObject()
        /// The gate expected to fail, or `nil` for a passing answer.
        var failing: GateKind?
        var reasonContains: String = ""
        var testDescription: String { name }
    }

    static let jsonSchemaFormat: JSONObject = [
        "response_format": ["type": "json_schema", "json_schema": ["name": "person", "schema": personSchema, "strict": true]]
    ]
    static let labels: JSONObject = ["metadata": ["switchyard": ["labels": ["positive", "negative", "neutral"]]]]
    static let confident = [Double](repeating: -0.05, count: 20)

    static let scenarios: [Scenario] = [
        Scenario(name: "invalid JSON", task: "extract", content: #"{"name": "Ada", "age": 36,"#, extra: ["response_format": ["type": "json_object"]], failing: .json, reasonContains: "not valid JSON"),
        Scenario(name: "JSON in a Markdown fence", task: "extract", content: "```json\n{\"a\": 1}\n```", extra: ["response_format": ["type": "json_object"]], failing: .json, reasonContains: "code fence"),
        Scenario(name: "schema violation", task: "extract", content: #"{"name": "Ada", "age": "36", "role": "owner"}"#, extra: jsonSchemaFormat, failing: .json, reasonContains: "$.age: expected integer, got string"),
        Scenario(name: "schema: extra property", task: "extract", content: #"{"name": "Ada", "age": 36, "role": "user", "x": 1}"#, extra: jsonSchemaFormat, failing: .json, reasonContains: "property 'x' is not allowed"),
        Scenario(name: "schema: bad email format", task: "extract", content: #"{"name": "Ada", "age": 36, "role": "user", "email": "ada@"}"#, extra: jsonSchemaFormat, failing: .json, reasonContains: "not a valid email"),
        Scenario(name: "low mean logprob", task: "classify", content: "positive", logprobs: [-2.5, -1.9, -3.0], extra: labels, failing: .confidence, reasonContains: "mean token logprob"),
        Scenario(name: "one very unlikely token", task: "classify", content: "positive", logprobs: [-0.01, -0.02, -12.0, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01, -0.01], extra: labels, failing: .confidence, reasonContains: "lowest token logprob"),
        Scenario(name: "many low-confidence tokens", task: "classify", content: "positive", logprobs: [-0.1, -2.5, -0.1, -2.6, -0.1, -2.7, -0.1, -0.1], extra: labels, failing: .confidence, reasonContains: "% of tokens below"),
        Scenario(name: "truncated", task: "chat", content: "The three reasons are: first, the", finishReason: "length", failing: .truncation, reasonContains: "cut off"),
        Scenario(name: "empty answer", task: "chat", content: "  \n ", failing: .empty, reasonContains: "whitespace"),
        Scenario(name: "refusal", task: "chat", content: "I’m sorry, but I can’t help with that request.", failing: .refusal, reasonContains: "refuses"),
        Scenario(name: "refusal: I'm not able to", task: "chat", content: "I'm not able to browse the internet.", failing: .refusal, reasonContains: "i'm not able to"),
        Scenario(name: "hedge", task: "chat", content: "As an AI, I think the capital of Australia is Canberra.", failing: .refusal, reasonContains: "hedges"),
        Scenario(name: "missing number", task: "reason", content: "We add the apples and subtract the eaten ones, so she has a few left.", logprobs: confident, failing: .number, reasonContains: "no number"),
        Scenario(name: "number not at the end", task: "reason", content: "She had 5 apples and ate 2.\nSo she has some apples left over.", logprobs: confident, failing: .number, reasonContains: "does not end with a final number"),
        Scenario(name: "wrong label", task: "classify", content: "mixed", logprobs: confident, extra: labels, failing: .label, reasonContains: "not one of the allowed labels"),
        Scenario(name: "no code block", task: "code", content: "def add(a, b): return a + b", failing: .code, reasonContains: "no fenced code block"),
        Scenario(name: "unbalanced brackets", task: "code", content: "```swift\nfunc f() {\n    print(\"}\")\n```", failing: .code, reasonContains: "unclosed '{'"),
        Scenario(name: "unclosed fence", task: "code", content: "```python\nprint(1)\n", failing: .code, reasonContains: "not closed"),
        Scenario(name: "regex demanded by the request", task: "chat", content: "The order ships Tuesday.", extra: ["metadata": ["switchyard": ["answer_regex": "^ORDER-[0-9]{6}$"]]], failing: .regex, reasonContains: "does not match"),
        // Passing answers.
        Scenario(name: "valid JSON matching the schema", task: "extract", content: #"{"name": "Ada", "age": 36, "role": "admin", "email": "ada@example.com"}"#, extra: jsonSchemaFormat),
        Scenario(name: "confident label", task: "classify", content: " Positive.\n", logprobs: confident, extra: labels),
        Scenario(name: "final number after a marker", task: "reason", content: "16 - 3 - 4 = 9 eggs; 9 * $2 = $18.\n#### 18", logprobs: confident),
        Scenario(name: "final number on the last line", task: "reason", content: "She sells 9 eggs at $2 each.\nShe makes $1,234.50 a day.", logprobs: confident),
        Scenario(name: "balanced code with brackets in strings and comments", task: "code", content: "Here:\n```python\ndef f(x):\n    # a stray ) in a comment\n    return \"(\" + str(x) + ']'\n```\nDone.", finishReason: "stop"),
        Scenario(name: "plain chat", task: "chat", content: "Canberra is the capital of Australia; I can't recommend visiting in January.", finishReason: "stop"),
        Scenario(name: "regex match", task: "chat", content: "ORDER-123456", extra: ["metadata": ["switchyard": ["answer_regex": "^ORDER-[0-9]{6}$"]]]),
    ]

    @Test(arguments: scenarios)
    func engineeredAnswer(_ scenario: Scenario) throws {
        let evaluator = Self.evaluator()
        let request = try GateFixtures.request(scenario.extra)
        _ = try evaluator.validate(request: request)
        let input = GateInput(content: scenario.content, finishReason: scenario.finishReason, tokenLogprobs: scenario.logprobs, task: scenario.task, request: request)
        let report = evaluator.evaluate(input, model: GateFixtures.model("small"))
        if let failing = scenario.failing {
            #expect(!report.passed)
            #expect(report.firstFailure?.gate == failing.rawValue, "\(report.results.map { "\($0.gate): \($0.reason)" })")
            #expect(report.firstFailure?.reason.lowercased().contains(scenario.reasonContains.lowercased()) == true, "\(report.firstFailure?.reason ?? "")")
            #expect(report.firstFailure?.score ?? 1 < 1)
        } else {
            #expect(report.passed, "\(report.failures.map { "\($0.gate): \($0.reason)" })")
            #expect(!report.results.isEmpty)
        }
    }

    /// The usual finish reasons are answered from results built once; they must read exactly as
    /// any other finish reason's result does.
    @Test(arguments: ["stop", "tool_calls", "end_turn", "content_filter", "other_reason"])
    func aPassingFinishReasonIsNamedInTheResult(_ reason: String) throws {
        let result = try #require(Self.evaluator().evaluate(
            GateInput(content: "Fine.", finishReason: reason, task: "chat", request: try GateFixtures.request()), model: GateFixtures.model()
        ).results.first { $0.gate == "truncation" })
        #expect(result.passed && result.score == 1)
        #expect(result.reason == "finish_reason: \(reason)")
        #expect(result.details == ["finish_reason": .string(reason)])
    }

    @Test func everyGateThatAppliesIsScoredInTheReport() throws {
        let evaluator = Self.evaluator()
        let request = try GateFixtures.request(Self.labels)
        let report = evaluator.evaluate(
            GateInput(content: "mixed", finishReason: "length", tokenLogprobs: [-3, -3], task: "classify", request: request), model: GateFixtures.model())
        #expect(report.results.map(\.gate) == ["empty", "truncation", "refusal", "label", "confidence"])
        #expect(report.failures.map(\.gate) == ["truncation", "label", "confidence"])
        let json = report.json
        #expect(json["passed"] == false)
        #expect(json["failed"] == ["truncation", "label", "confidence"])
        let confidence = json["results"]?.arrayValue?.last
        #expect(confidence?["mean_logprob"] == -3.0)
        #expect(abs((confidence?["score"]?.doubleValue ?? 0) - 0.0498) < 0.001, "score = exp(mean logprob)")
    }

    @Test func gatesApplyOnlyWhenTheirInputExists() throws {
        let evaluator = Self.evaluator()
        let plain = try GateFixtures.request()
        #expect(evaluator.gates(forTask: "chat", request: plain, model: GateFixtures.model()) == [.empty, .truncation, .refusal], "json only when asked for")
        #expect(evaluator.gates(forTask: "classify", request: plain, model: GateFixtures.model()) == [.empty, .truncation, .refusal, .confidence], "no labels → no label gate")
        #expect(evaluator.gates(forTask: "classify", request: try GateFixtures.request(Self.labels), model: GateFixtures.model(logprobs: false)) == [.empty, .truncation, .refusal, .label], "no logprobs capability → no confidence gate")
        #expect(evaluator.gates(forTask: "code", request: plain, model: GateFixtures.model()) == [.empty, .truncation, .refusal, .code])
        #expect(evaluator.gates(forTask: "extract", request: try GateFixtures.request(Self.jsonSchemaFormat), model: GateFixtures.model()) == [.empty, .truncation, .refusal, .json])
        #expect(evaluator.gates(forTask: "no-such-task", request: plain, model: GateFixtures.model()) == [.empty, .truncation, .refusal])
        let none = try GateFixtures.request(switchyard: ["gates": []])
        #expect(evaluator.gates(forTask: "code", request: none, model: GateFixtures.model()).isEmpty, "an empty list turns gates off: stream straight through")
        let only = try GateFixtures.request(switchyard: ["gates": ["json", "number"]])
        #expect(evaluator.gates(forTask: "chat", request: only, model: GateFixtures.model()) == [.json, .number], "named json runs without response_format")
        let adjust = try GateFixtures.request(switchyard: ["gates": ["refusal": false, "number": ["integer": true]]])
        #expect(evaluator.gates(forTask: "chat", request: adjust, model: GateFixtures.model()) == [.empty, .truncation, .number])
    }

    @Test func logprobsAreWantedOnlyWhereTheConfidenceGateCanRun() throws {
        let evaluator = Self.evaluator()
        #expect(evaluator.wantsLogprobs(task: "classify", model: GateFixtures.model()))
        #expect(!evaluator.wantsLogprobs(task: "classify", model: GateFixtures.model(logprobs: false)))
        #expect(!evaluator.wantsLogprobs(task: "chat", model: GateFixtures.model()))
        let options = try evaluator.validate(request: try GateFixtures.request(switchyard: ["gates": ["confidence": true]]))
        #expect(evaluator.wantsLogprobs(task: "chat", options: options, model: GateFixtures.model()))
    }

    @Test func thresholdsResolvePerModelTaskAndRequest() throws {
        let evaluator = Self.evaluator()
        let answer = [Double](repeating: -0.5, count: 10)
        let request = try GateFixtures.request(Self.labels)
        let input = GateInput(content: "positive", tokenLogprobs: answer, task: "classify", request: request)
        #expect(evaluator.evaluate(input, model: GateFixtures.model("small")).passed, "global mean threshold −1.0")
        #expect(evaluator.evaluate(input, model: GateFixtures.model("large")).firstFailure?.gate == "confidence", "large demands mean ≥ −0.2")
        let strict = try GateFixtures.request(switchyard: ["labels": ["positive"], "gates": ["confidence": ["mean_logprob": -0.4]]])
        let strictInput = GateInput(content: "positive", tokenLogprobs: answer, task: "classify", request: strict)
        #expect(evaluator.evaluate(strictInput, model: GateFixtures.model("small")).firstFailure?.gate == "confidence", "request threshold wins")
    }

    @Test func uncertainBandFlagsPassedAnswersForReview() throws {
        let evaluator = Self.evaluator()
        let request = try GateFixtures.request(Self.labels)
        let shaky = GateInput(content: "positive", tokenLogprobs: [-0.8, -0.7, -0.9], task: "classify", request: request)
        let report = evaluator.evaluate(shaky, model: GateFixtures.model())
        #expect(report.passed && report.uncertain, "mean −0.8 is inside the default band [−1.0, −0.6)")
        let sure = GateInput(content: "positive", tokenLogprobs: [-0.1], task: "classify", request: request)
        #expect(!evaluator.evaluate(sure, model: GateFixtures.model()).uncertain)
        let missing = evaluator.evaluate(GateInput(content: "positive", tokenLogprobs: nil, task: "classify", request: request), model: GateFixtures.model())
        #expect(missing.passed && missing.results.last?.skipped == true, "no logprobs returned: recorded as skipped")
    }

    @Test func nextStepRepairsJSONOnceThenEscalatesThenFlags() throws {
        let evaluator = Self.evaluator()
        let request = try GateFixtures.request(Self.jsonSchemaFormat)
        let options = try evaluator.validate(request: request)
        let plan = evaluator.plan(forTask: "extract", options: options, model: GateFixtures.model())
        let bad = plan.evaluate(GateInput(content: #"{"name":"Ada"}"#, task: "extract", request: request))
        let first = evaluator.nextStep(after: bad, plan: plan, repairsUsed: 0, escalationsUsed: 0, escalationAllowed: true, hasHigherTier: true)
        guard case .repair(let instruction) = first else { Issue.record("expected a repair, got \(first)"); return }
        #expect(instruction.contains("missing required property 'age'"))
        guard case .escalate(let failure) = evaluator.nextStep(after: bad, plan: plan, repairsUsed: 1, escalationsUsed: 0, escalationAllowed: true, hasHigherTier: true) else {
            Issue.record("expected an escalation"); return
        }
        #expect(failure.gate == "json")
        #expect(evaluator.nextStep(after: bad, plan: plan, repairsUsed: 1, escalationsUsed: 1, escalationAllowed: true, hasHigherTier: true) == .reviewFailure(failure), "max_escalations defaults to 1")
        #expect(evaluator.nextStep(after: bad, plan: plan, repairsUsed: 1, escalationsUsed: 0, escalationAllowed: false, hasHigherTier: true) == .reviewFailure(failure), "policy forbids escalation")
        #expect(evaluator.nextStep(after: bad, plan: plan, repairsUsed: 1, escalationsUsed: 0, escalationAllowed: true, hasHigherTier: false) == .reviewFailure(failure), "top tier")
        let good = plan.evaluate(GateInput(content: #"{"name":"Ada","age":36,"role":"user"}"#, task: "extract", request: request))
        #expect(evaluator.nextStep(after: good, plan: plan, repairsUsed: 0, escalationsUsed: 0, escalationAllowed: true, hasHigherTier: true) == .accept)

        var routing = RoutingConfiguration.defaults(tiers: ["light", "premium"])
        routing.gates.jsonRepair = false
        let noRepair = GateEvaluator(configuration: GateFixtures.configuration(routing))
        let noRepairPlan = noRepair.plan(forTask: "extract", options: options, model: GateFixtures.model())
        #expect(noRepair.nextStep(after: bad, plan: noRepairPlan, repairsUsed: 0, escalationsUsed: 0, escalationAllowed: true, hasHigherTier: true) == .escalate(failure))
    }

    struct NumberCase: Sendable, CustomTestStringConvertible {
        var text: String
        var settings: NumberGateSettings = NumberGateSettings()
        var final: String?
        var passes: Bool
        var testDescription: String { text }
    }

    @Test(arguments: [
        NumberCase(text: "So x = 12.\nThe answer is 42.", final: "42", passes: true),
        NumberCase(text: "#### 1,250", final: "1250", passes: true),
        NumberCase(text: "Total: -3", final: "-3", passes: true),
        NumberCase(text: "5/2 = 2.5 bolts\n#### 2.5", settings: NumberGateSettings(integer: true), final: "2.5", passes: false),
        NumberCase(text: "It is 3 + 4 = 7.", settings: NumberGateSettings(requireMarker: true), final: "7", passes: false),
        NumberCase(text: "3 + 4 = 7\n#### 8", settings: NumberGateSettings(consistency: true), final: "8", passes: false),
        NumberCase(text: "3 + 4 = 7\n#### 7", settings: NumberGateSettings(consistency: true), final: "7", passes: true),
        NumberCase(text: "It is approximately 7.\n#### 7", settings: NumberGateSettings(hedges: ["approximately"]), final: nil, passes: false),
        NumberCase(text: "The value is \\boxed{3/4}", final: "3/4", passes: true),
        NumberCase(text: "H2O has 3 atoms", final: "3", passes: true),
    ])
    func numberGate(_ test: NumberCase) throws {
        var routing = RoutingConfiguration.defaults(tiers: ["light", "premium"])
        routing.gates.number = test.settings
        let evaluator = GateEvaluator(configuration: GateFixtures.configuration(routing))
        let request = try GateFixtures.request(switchyard: ["gates": ["number"]])
        let result = evaluator.evaluate(GateInput(content: test.text, task: "reason", request: request), model: GateFixtures.model()).results.first
        #expect(result?.gate == "number")
        #expect(result?.passed == test.passes, "\(result?.reason ?? "")")
        if let final = test.final { #expect(result?.details["final_number"] == .string(final)) }
    }
}

extension GateTests {
    @Test func infiniteLogprobsFailWithoutBreakingTheRecord() throws {
        let evaluator = Self.evaluator()
        let request = try GateFixtures.request(Self.labels)
        let report = evaluator.evaluate(GateInput(content: "positive", tokenLogprobs: [-0.1, -.infinity], task: "classify", request: request), model: GateFixtures.model())
        #expect(report.firstFailure?.gate == "confidence")
        let text = JSONWriter.string(report.json)
        #expect(try JSONParser.parse(text) == report.json, "the record stays valid JSON: \(text)")
    }
}
