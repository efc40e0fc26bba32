import Foundation
import SwitchyardConfig
import SwitchyardCore
import Testing

/// The `gates` section and `tasks[].gates`: values, defaults and located errors.
@Suite struct GateConfigTests {
    static let base = RoutingConfigTests.base

    func load(_ yaml: String) throws(ConfigurationError) -> GatewayConfiguration {
        try ConfigLoader(environment: [:]).parse(yaml: Self.base + yaml, file: "switchyard.yaml")
    }

    @Test func defaultsWithoutAGatesSection() throws {
        let configuration = try load("")
        let gates = configuration.routing.gates
        #expect(gates == GateSettings())
        #expect(gates.maxEscalations == 1 && gates.jsonRepair && gates.escalationAlertRate == 0.25)
        #expect(configuration.routing.task(named: "chat")?.gates.kinds == [.truncation, .empty, .refusal, .json])
        #expect(configuration.routing.task(named: "code")?.gates.kinds.contains(.code) == true)
        #expect(configuration.routing.task(named: "classify")?.gates.kinds.contains(.label) == true)
        #expect(configuration.routing.task(named: "reason")?.gates.kinds.contains(.number) == false, "number is opt-in")
    }

    @Test func everyKeyIsRead() throws {
        let configuration = try load("""
            gates:
              max_escalations: 2
              json_repair: false
              escalation_alert_rate: 0.1
              uncertain_band: { lower: -1.2, upper: -0.5 }
              confidence:
                mean_logprob: -0.8
                low_logprob: -3
                models:
                  small: { mean_logprob: -1.5, max_low_share: 0.4 }
              refusal:
                phrases: ["i won't"]
                hedges: ["perhaps"]
                window: 120
                hedges_fail: false
              number:
                markers: ["####"]
                require_marker: true
                integer: true
                consistency: true
                hedges: [approximately]
            tasks:
              - name: reason
                gates: [truncation, empty, number, confidence]
              - name: classify
                gates:
                  use: [label, confidence]
                  labels: [spam, ham]
                  answer_regex: "^(spam|ham)$"
                  confidence: { mean_logprob: -0.3, models: { medium: { min_logprob: -4 } } }
                  number: { integer: false }
              - name: extract
                gates: { use: [json], require_json: true }
              - name: chat
            """)
        let gates = configuration.routing.gates
        #expect(gates.maxEscalations == 2)
        #expect(!gates.jsonRepair)
        #expect(gates.escalationAlertRate == 0.1)
        #expect(gates.uncertainBand == UncertainBand(lower: -1.2, upper: -0.5))
        #expect(gates.confidence == ConfidenceThresholds(meanLogprob: -0.8, minLogprob: -9.2, lowLogprob: -3, maxLowShare: 0.25))
        #expect(gates.confidenceByModel["small"] == ConfidenceThresholds(meanLogprob: -1.5, maxLowShare: 0.4))
        #expect(gates.refusal == RefusalSettings(phrases: ["i won't"], hedges: ["perhaps"], window: 120, hedgeFails: false))
        #expect(gates.number == NumberGateSettings(markers: ["####"], requireMarker: true, integer: true, consistency: true, hedges: ["approximately"]))
        let routing = configuration.routing
        #expect(routing.task(named: "reason")?.gates.kinds == [.truncation, .empty, .number, .confidence])
        let classify = try #require(routing.task(named: "classify")?.gates)
        #expect(classify.kinds == [.label, .confidence])
        #expect(classify.labels == ["spam", "ham"])
        #expect(classify.answerRegex == "^(spam|ham)$")
        #expect(classify.confidence == ConfidenceThresholds(meanLogprob: -0.3))
        #expect(classify.confidenceByModel["medium"] == ConfidenceThresholds(minLogprob: -4))
        #expect(classify.number?.integer == false && classify.number?.requireMarker == true, "task number options start from the global ones")
        #expect(routing.task(named: "extract")?.gates == TaskGates(kinds: [.json], requireJSON: true))
        #expect(routing.task(named: "chat")?.gates.kinds == GateKind.baseline)

        // The evaluator honours what was read.
        let evaluator = GateEvaluator(configuration: configuration)
        let request = try ChatCompletionRequest(json: ["model": "auto", "messages": [["role": "user", "content": "x"]]])
        let medium = try #require(configuration.model(named: "medium"))
        var withLogprobs = medium
        withLogprobs.capabilities.insert(.logprobs)
        #expect(evaluator.gates(forTask: "classify", request: request, model: withLogprobs) == [.label, .regex, .confidence])
        #expect(evaluator.gates(forTask: "extract", request: request, model: medium) == [.json], "require_json runs json without response_format")
        let report = evaluator.evaluate(GateInput(content: "eggs", tokenLogprobs: [-0.1], task: "classify", request: request), model: withLogprobs)
        #expect(report.failures.map(\.gate) == ["label", "regex"])
    }

    struct Mistake: Sendable, CustomTestStringConvertible {
        var yaml: String
        var path: String
        var message: String
        var testDescription: String { path }
    }

    @Test(arguments: [
        Mistake(yaml: "tasks:\n  - name: chat\n    gates: [truncation, refusl]\n", path: "tasks[0].gates[1]", message: "did you mean 'refusal'"),
        Mistake(yaml: "tasks:\n  - name: chat\n    gates: [json, json]\n", path: "tasks[0].gates[1]", message: "listed twice"),
        Mistake(yaml: "tasks:\n  - name: chat\n    gates: { use: [json], colour: red }\n", path: "tasks[0].gates.colour", message: "unknown key"),
        Mistake(yaml: "tasks:\n  - name: chat\n    gates: { answer_regex: \"([a-z\" }\n", path: "tasks[0].gates.answer_regex", message: "invalid regular expression"),
        Mistake(yaml: "tasks:\n  - name: chat\n    gates: { labels: [] }\n", path: "tasks[0].gates.labels", message: "at least one label"),
        Mistake(yaml: "tasks:\n  - name: chat\n    gates: { confidence: { models: { tiny: { mean_logprob: -1 } } } }\n", path: "tasks[0].gates.confidence.models.tiny", message: "unknown model 'tiny'"),
        Mistake(yaml: "gates:\n  confidence: { mean_logprob: 0.5 }\n", path: "gates.confidence.mean_logprob", message: "≤ 0"),
        Mistake(yaml: "gates:\n  confidence: { max_low_share: 1.5 }\n", path: "gates.confidence.max_low_share", message: "between 0 and 1"),
        Mistake(yaml: "gates:\n  confidence:\n    models:\n      smal: { mean_logprob: -1 }\n", path: "gates.confidence.models.smal", message: "did you mean 'small'"),
        Mistake(yaml: "gates:\n  max_escalations: 50\n", path: "gates.max_escalations", message: "between 0 and 10"),
        Mistake(yaml: "gates:\n  escalation_alert_rate: 2\n", path: "gates.escalation_alert_rate", message: "between 0 and 1"),
        Mistake(yaml: "gates:\n  uncertain_band: { lower: -0.5, upper: -1 }\n", path: "gates.uncertain_band.upper", message: "greater than lower"),
        Mistake(yaml: "gates:\n  json_repiar: true\n", path: "gates.json_repiar", message: "did you mean 'json_repair'"),
        Mistake(yaml: "gates:\n  refusal: { phrases: [\"\"] }\n", path: "gates.refusal.phrases", message: "must not be empty"),
        Mistake(yaml: "gates:\n  number: { require_marker: true, markers: [] }\n", path: "gates.number.markers", message: "at least one marker"),
    ])
    func mistakesAreReportedWithLocationAndPath(_ test: Mistake) {
        let error = #expect(throws: ConfigurationError.self) { try load(test.yaml) }
        let issue = error?.issues.first { $0.path == test.path }
        #expect(issue != nil, "expected an issue at \(test.path); got \(error?.issues.map(\.description) ?? [])")
        #expect(issue?.message.contains(test.message) == true, "\(issue?.message ?? "")")
        #expect(issue?.line != nil)
    }

    @Test func uncertainBandCanBeTurnedOff() throws {
        #expect(try load("gates:\n  uncertain_band: off\n").routing.gates.uncertainBand == nil)
    }

    @Test func workedExampleShowsTheGates() throws {
        let path = RoutingConfigTests.repository.appendingPathComponent("examples/routing-policy.yaml").path
        let configuration = try ConfigLoader(environment: [:]).load(path: path)
        let gates = configuration.routing.gates
        #expect(gates.maxEscalations == 1)
        #expect(gates.confidenceByModel["gpt-4.1-nano"] != nil)
        #expect(configuration.routing.task(named: "classify")?.gates.kinds.contains(.confidence) == true)
        #expect(configuration.routing.task(named: "reason")?.gates.kinds.contains(.number) == true)
        #expect(configuration.routing.task(named: "extract")?.gates.requireJSON == true)
    }
}
