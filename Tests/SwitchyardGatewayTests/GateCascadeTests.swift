import Foundation
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
import SwitchyardMock
import SwitchyardStorage

/// The cascade inside the gateway: gates judge the cheap tier's answer, a weak one escalates.
@Suite("Quality gates and escalation over loopback")
struct GateCascadeTests {
    /// The simulator's light model answers badly (per the tests below), the mid model well.
    static let profile = MockProfile(
        defaultModel: MockModelProfile(timeToFirstToken: .zero, tokensPerSecond: 0),
        models: [
            "sim-light": MockModelProfile(timeToFirstToken: .zero, tokensPerSecond: 0, meanLogprob: -3.0),
            "sim-mid": MockModelProfile(timeToFirstToken: .zero, tokensPerSecond: 0, meanLogprob: -0.05),
            "sim-premium": MockModelProfile(timeToFirstToken: .zero, tokensPerSecond: 0, meanLogprob: -0.05),
        ])

    static func answers(_ light: String, _ mid: String) -> (String, String) {
        let map: JSONValue = ["sim-light": .string(light), "sim-mid": .string(mid), "sim-premium": .string(mid)]
        return ("x-mock-answers", JSONWriter.string(map))
    }

    static func request(_ extra: String = "", stream: Bool = false) -> String {
        #"{"model":"cheap","stream":\#(stream),"messages":[{"role":"user","content":"Handle this customer message."}]\#(extra)}"#
    }

    /// (name, extra request fields, light answer, mid answer, gate that must fail on light)
    static let failingGates: [(String, String, String, String, String)] = [
        ("invalid JSON", #","response_format":{"type":"json_object"}"#, "not json at all", #"{"ok": true}"#, "json"),
        (
            "schema violation",
            #","response_format":{"type":"json_schema","json_schema":{"name":"order","schema":{"type":"object","required":["qty"],"properties":{"qty":{"type":"integer","minimum":1}}}}}"#,
            #"{"qty": 0}"#, #"{"qty": 2}"#, "json"
        ),
        ("low logprobs", #","metadata":{"switchyard":{"gates":["confidence"]}}"#, "", "", "confidence"),
        ("truncation", #","max_tokens":5"#, "one two three four five six seven eight nine ten", "Short answer here.", "truncation"),
        ("refusal", "", "I'm sorry, but I can't help with that request.", "Here is the summary you asked for.", "refusal"),
        ("missing number", #","metadata":{"switchyard":{"gates":["number"]}}"#, "I am not sure about the total.", "The total is 42.", "number"),
        ("wrong label", #","metadata":{"switchyard":{"labels":["refund","shipping"]}}"#, "maybe billing", "refund", "label"),
    ]

    @Test("an answer that fails a gate escalates to the next tier", arguments: failingGates)
    func failingGateEscalates(_ testCase: (String, String, String, String, String)) async throws {
        let (name, extra, light, mid, gate) = testCase
        try await LiveGateway.run(profile: Self.profile, yaml: LiveGateway.gatedYAML) { live in
            let headers = light.isEmpty ? [] : [Self.answers(light, mid)]
            let response = try await live.post(Self.request(extra), headers: headers)
            #expect(response.status == 200, "\(name): \(response.body)")
            #expect(response.headers["x-switchyard-model"] == "middle", "\(name)")
            #expect(response.headers["x-switchyard-escalated"] == "true", "\(name)")
            #expect(response.headers["x-switchyard-fallbacks"] == "0", "\(name): an escalation is not a fallback")
            #expect(response.headers["x-switchyard-escalation-reason"]?.hasPrefix(gate) == true, "\(name): \(response.headers)")
            let id = try #require(response.headers["x-switchyard-decision-id"])
            let record = try await live.get("/v1/decisions/\(id)").json
            let reports = record["gates"]?.arrayValue ?? []
            #expect(reports.first?["report"]?["failed"]?.arrayValue?.contains(.string(gate)) == true, "\(name): \(record)")
            #expect(reports.last?["report"]?["passed"] == true, "\(name)")
            #expect(reports.allSatisfy { ($0["report"]?["results"]?.arrayValue ?? []).allSatisfy { $0["score"]?.doubleValue != nil } })
        }
    }

    @Test("an escalation by a gate keeps the session at the higher tier")
    func gateEscalationIsSticky() async throws {
        try await LiveGateway.run(profile: Self.profile, yaml: LiveGateway.gatedYAML) { live in
            let session = ("x-switchyard-session", "conversation-\(UUID().uuidString)")
            let labelled = #"{"model":"auto","messages":[{"role":"user","content":"Classify this ticket."}],"metadata":{"switchyard":{"labels":["refund","shipping"]}}}"#
            let escalated = try await live.post(labelled, headers: [session, Self.answers("maybe billing", "refund")])
            #expect(escalated.headers["x-switchyard-escalated"] == "true")
            #expect(escalated.headers["x-switchyard-tier"] == "mid")
            let followUp = try await live.post(#"{"model":"auto","messages":[{"role":"user","content":"Thanks, and the next one?"}]}"#, headers: [session])
            #expect(followUp.headers["x-switchyard-tier"] == "mid", "\(followUp.headers)")
        }
    }

    @Test("a passing answer is served by the cheap tier without escalation")
    func passingAnswer() async throws {
        try await LiveGateway.run(profile: Self.profile, yaml: LiveGateway.gatedYAML) { live in
            let response = try await live.post(
                Self.request(#","metadata":{"switchyard":{"labels":["refund","shipping"]}}"#), headers: [Self.answers("refund", "refund")])
            #expect(response.headers["x-switchyard-model"] == "cheap")
            #expect(response.headers["x-switchyard-escalated"] == "false")
            #expect(live.upstreamCount("sim-mid") == 0)
        }
    }

    @Test("logprobs the gateway asked for are stripped when the client did not ask")
    func logprobsStripped() async throws {
        try await LiveGateway.run(profile: Self.profile, yaml: LiveGateway.gatedYAML) { live in
            let response = try await live.post(Self.request(#","metadata":{"switchyard":{"gates":["confidence"]}}"#))
            #expect(live.mock.requestLog.requests.first?.body["logprobs"] == true)
            #expect(response.json["choices"]?.arrayValue?.first?["logprobs"] == .null)
            let asked = try await live.post(Self.request(#","logprobs":true,"metadata":{"switchyard":{"gates":["confidence"]}}"#))
            #expect(asked.json["choices"]?.arrayValue?.first?["logprobs"]?["content"]?.arrayValue?.isEmpty == false)
        }
    }

    @Test("invalid JSON is repaired once by the same model before escalating")
    func jsonRepair() async throws {
        try await LiveGateway.run(profile: Self.profile, yaml: LiveGateway.gatedYAML) { live in
            let answers: JSONValue = ["sim-light": ["not json", #"{"ok": true}"#]]
            let response = try await live.post(
                Self.request(#","response_format":{"type":"json_object"}"#), headers: [("x-mock-answers", JSONWriter.string(answers))])
            #expect(response.status == 200)
            #expect(response.headers["x-switchyard-model"] == "cheap")
            #expect(response.headers["x-switchyard-escalated"] == "false")
            #expect(live.upstreamCount("sim-light") == 2)
            let repair = try #require(live.mock.requestLog.requests.last?.body["messages"]?.arrayValue)
            #expect(repair.count == 3)  // question, failed answer, repair instruction
            #expect(repair.last?["role"] == "user")
        }
    }

    @Test("a gated stream is buffered, validated, then streamed")
    func bufferedStream() async throws {
        try await LiveGateway.run(profile: Self.profile, yaml: LiveGateway.gatedYAML) { live in
            let response = try await live.post(
                Self.request(#","stream_options":{"include_usage":true},"metadata":{"switchyard":{"labels":["refund","shipping"]}}"#, stream: true),
                headers: [Self.answers("maybe billing", "shipping")])
            #expect(response.status == 200)
            #expect(response.headers["x-switchyard-buffered"] == "true")
            #expect(response.headers["x-switchyard-model"] == "middle")
            let events = response.events
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().compactMap { try? JSONParser.parse($0) }
            let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == "shipping")
            #expect(TokenUsage(openAIUsage: chunks.last?["usage"]) != nil)
        }
    }

    @Test("a stream without gates beyond the baseline is not buffered")
    func plainStreamNotBuffered() async throws {
        try await LiveGateway.run(profile: Self.profile, yaml: LiveGateway.gatedYAML) { live in
            let response = try await live.post(Self.request(stream: true))
            #expect(response.status == 200)
            #expect(response.headers["x-switchyard-buffered"] == nil)
            #expect(response.events.last == "[DONE]")
        }
    }

    @Test("flagged answers and their verdicts survive a restart")
    func reviewQueueSurvivesRestart() async throws {
        try await withTemporarySQLite { path in
            let yaml: @Sendable (Int) -> String = { LiveGateway.gatedYAML(mockPort: $0) + "\nstorage: { sqlite: \"\(path)\" }" }
            let admin = [("authorization", "Bearer test-admin-key-0123456789")]
            let labelled = Self.request(#","metadata":{"switchyard":{"labels":["refund","shipping"]}}"#)

            let ids = try await LiveGateway.run(profile: Self.profile, yaml: yaml) { live in
                var ids: [String] = []
                for _ in 0..<2 {
                    let response = try await live.post(labelled, headers: [Self.answers("billing", "billing")])
                    ids.append(try #require(response.headers["x-switchyard-review"]))
                }
                let resolved = try await live.post(#"{"verdict":"incorrect","note":"not a label"}"#, path: "/admin/review/\(ids[0])/resolve", headers: admin)
                #expect(resolved.status == 200)
                // The queue's writer runs off the request path: wait until the file has both, one resolved.
                let store = try SQLiteStore(path: path, readOnly: true)
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline {
                    let stored = try await store.reviewItems(limit: 10)
                    if stored.count == 2, stored.contains(where: { $0.resolution != nil }) { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return ids
            }

            try await LiveGateway.run(profile: Self.profile, yaml: yaml) { live in
                let open = try await live.getWithHeaders("/admin/review", headers: admin).json["data"]?.arrayValue ?? []
                #expect(open.map { $0["id"] } == [.string(ids[1])])
                let all = try await live.getWithHeaders("/admin/review?all=true", headers: admin).json["data"]?.arrayValue ?? []
                #expect(all.count == 2)
                let first = try #require(all.first { $0["id"] == .string(ids[0]) })
                #expect(first["status"] == "resolved")
                #expect(first["resolution"]?["verdict"] == "incorrect" && first["resolution"]?["note"] == "not a label")
                #expect(first["gates"]?.arrayValue?.isEmpty == false)
                // And it can still be resolved again after the restart.
                let again = try await live.post(#"{"verdict":"correct"}"#, path: "/admin/review/\(ids[1])/resolve", headers: admin)
                #expect(again.status == 200)
            }
        }
    }

    @Test("a failure at the highest allowed tier is returned and queued for review; the admin API resolves it")
    func reviewQueue() async throws {
        try await LiveGateway.run(profile: Self.profile, yaml: LiveGateway.gatedYAML) { live in
            let response = try await live.post(
                Self.request(#","metadata":{"switchyard":{"labels":["refund","shipping"]}}"#), headers: [Self.answers("billing", "billing")])
            #expect(response.status == 200)
            let reviewID = try #require(response.headers["x-switchyard-review"])
            let admin = [("authorization", "Bearer test-admin-key-0123456789")]

            #expect(try await live.get("/admin/review").status == 401)
            var listRequest = try await live.getWithHeaders("/admin/review", headers: admin)
            #expect(listRequest.status == 200)
            #expect(listRequest.json["data"]?.arrayValue?.first?["id"] == .string(reviewID))
            #expect(listRequest.json["data"]?.arrayValue?.first?["reason"]?.stringValue?.contains("label") == true)

            let resolved = try await live.post(#"{"verdict":"incorrect","note":"billing is not a label"}"#, path: "/admin/review/\(reviewID)/resolve", headers: admin)
            #expect(resolved.status == 200)
            #expect(resolved.json["status"] == "resolved")
            listRequest = try await live.getWithHeaders("/admin/review", headers: admin)
            #expect(listRequest.json["data"]?.arrayValue?.isEmpty == true)
            #expect(try await live.post(#"{}"#, path: "/admin/review/\(reviewID)/resolve", headers: admin).status == 400)
            #expect(try await live.post(#"{"verdict":"x"}"#, path: "/admin/review/nope/resolve", headers: admin).status == 404)

            let stats = try await live.getWithHeaders("/admin/stats", headers: admin)
            #expect(stats.json["tasks"]?.objectValue?.values.first?["escalated"] == 1)
        }
    }

    @Test("bad gate metadata is a 400 naming the field")
    func badGateMetadata() async throws {
        try await LiveGateway.run(profile: Self.profile, yaml: LiveGateway.gatedYAML) { live in
            let response = try await live.post(Self.request(#","metadata":{"switchyard":{"gates":["telepathy"]}}"#))
            #expect(response.status == 400)
            #expect(response.json["error"]?["param"]?.stringValue?.hasPrefix("metadata.switchyard.gates") == true)
            #expect(live.mock.requestLog.requests.isEmpty)
        }
    }
}
