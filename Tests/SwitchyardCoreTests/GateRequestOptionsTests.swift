import SwitchyardCore
import Testing

/// Per-request gate metadata: accepted forms and 400s that name the field.
@Suite struct GateRequestOptionsTests {
    struct Bad: Sendable, CustomTestStringConvertible {
        var body: JSONObject
        var param: String
        var testDescription: String { param }
    }

    @Test(arguments: [
        Bad(body: ["metadata": ["switchyard": ["gates": ["jsn"]]]], param: "metadata.switchyard.gates[0]"),
        Bad(body: ["metadata": ["switchyard": ["gates": 3]]], param: "metadata.switchyard.gates"),
        Bad(body: ["metadata": ["switchyard": ["gates": ["confidence": ["mean_logprob": 0.5]]]]], param: "metadata.switchyard.gates.confidence.mean_logprob"),
        Bad(body: ["metadata": ["switchyard": ["gates": ["confidence": ["max_low_share": 2]]]]], param: "metadata.switchyard.gates.confidence.max_low_share"),
        Bad(body: ["metadata": ["switchyard": ["gates": ["confidence": ["mean": -1]]]]], param: "metadata.switchyard.gates.confidence.mean"),
        Bad(body: ["metadata": ["switchyard": ["gates": ["number": ["integer": "yes"]]]]], param: "metadata.switchyard.gates.number.integer"),
        Bad(body: ["metadata": ["switchyard": ["gates": ["refusal": 1]]]], param: "metadata.switchyard.gates.refusal"),
        Bad(body: ["metadata": ["switchyard": ["gates": ["label"]]]], param: "metadata.switchyard.gates"),
        Bad(body: ["metadata": ["switchyard": ["labels": []]]], param: "metadata.switchyard.labels"),
        Bad(body: ["metadata": ["switchyard": ["labels": ["a", 1]]]], param: "metadata.switchyard.labels"),
        Bad(body: ["metadata": ["switchyard": ["answer_regex": "([a-z"]]], param: "metadata.switchyard.answer_regex"),
        Bad(body: ["metadata": ["switchyard.gates": "json,nope"]], param: "metadata.switchyard.gates"),
        Bad(body: ["response_format": ["type": "json_schema", "json_schema": ["name": "x", "schema": ["type": "objekt"]]]], param: "response_format.json_schema.schema.type"),
        Bad(body: ["response_format": "json"], param: "response_format"),
    ])
    func badValuesAre400sNamingTheField(_ test: Bad) throws {
        let evaluator = GateEvaluator(configuration: GateFixtures.configuration())
        let request = try GateFixtures.request(test.body)
        let error = #expect(throws: GatewayError.self) { try evaluator.validate(request: request) }
        #expect(error?.status == 400)
        #expect(error?.param == test.param, "\(error?.message ?? "")")
        #expect(error?.message.contains(test.param) == true)
    }

    @Test func stringOnlyMetadataIsAccepted() throws {
        let request = try GateFixtures.request([
            "metadata": ["switchyard.gates": "json, number", "switchyard.labels": "spam,ham", "switchyard.answer_regex": "^\\d+$"]
        ])
        let options = try GateRequestOptions(request: request)
        #expect(options.only == [.json, .number])
        #expect(options.labels == ["spam", "ham"])
        #expect(options.answerRegex == "^\\d+$")
        let json = try GateRequestOptions(request: try GateFixtures.request(["metadata": ["switchyard.gates": #"{"refusal": false}"#]]))
        #expect(json.disabled == [.refusal])
        #expect(GateRequestOptions.metadataKeys == ["gates", "labels", "answer_regex"])
    }
}
