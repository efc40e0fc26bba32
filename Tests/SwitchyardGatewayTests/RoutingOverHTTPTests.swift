import Foundation
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
import SwitchyardMock

/// `model: auto`, tier pins, decision headers, the dry run and decision lookup, over loopback.
@Suite("Routing over loopback")
struct RoutingOverHTTPTests {
    func body(_ prompt: String, model: String = "auto", metadata: String = "") -> String {
        let escaped = String(decoding: JSONWriter.bytes(.string(prompt)), as: UTF8.self)
        return #"{"model":"\#(model)","messages":[{"role":"user","content":\#(escaped)}]\#(metadata)}"#
    }

    @Test("an easy request with model auto goes to the light tier, with decision headers")
    func easyGoesLight() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(body("Summarize this email in one sentence: the review moved to Thursday."))
            #expect(response.status == 200)
            #expect(response.headers["x-switchyard-tier"] == "light")
            #expect(response.headers["x-switchyard-task"] == "summarize")
            #expect(response.headers["x-switchyard-model"] == "cheap")
            #expect(response.headers["x-switchyard-decision-id"]?.isEmpty == false)
            #expect(response.headers["x-switchyard-escalated"] == "false")
            #expect(live.mock.requestLog.requests.last?.body["model"] == "sim-light")
        }
    }

    @Test("a hard reasoning request with model auto starts above the light tier")
    func hardGoesUp() async throws {
        try await LiveGateway.run { live in
            let prompt = """
                Analyze step by step and prove why the proposed consensus protocol cannot guarantee both safety and liveness \
                under partial synchrony; compare it with Raft, explain why each assumption matters, and derive the bound on faulty nodes.
                """
            let response = try await live.post(body(prompt))
            #expect(response.status == 200)
            #expect(response.headers["x-switchyard-tier"] != "light", "\(response.headers)")
        }
    }

    @Test("client metadata pins the task and complexity")
    func metadataHints() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(
                body("hello", metadata: #","metadata":{"switchyard":{"task":"reason","complexity":0.95}}"#))
            #expect(response.headers["x-switchyard-task"] == "reason")
            #expect(response.headers["x-switchyard-tier"] == "premium")
        }
    }

    @Test("tier:NAME pins a tier; bad hints are 400s")
    func tierPinAndBadHints() async throws {
        try await LiveGateway.run { live in
            let pinned = try await live.post(body("hello", model: "tier:mid"))
            #expect(pinned.headers["x-switchyard-model"] == "middle")
            let badHint = try await live.post(body("hello"), headers: [("x-switchyard-complexity", "very")])
            #expect(badHint.status == 400)
            #expect(badHint.json["error"]?["param"] == "x-switchyard-complexity")
            let unknownTier = try await live.post(body("hello", model: "tier:gold"))
            #expect(unknownTier.status == 404)
        }
    }

    @Test("POST /v1/route explains the decision without calling any model")
    func dryRun() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(body("Refactor this function and write a unit test for it."), path: "/v1/route")
            #expect(response.status == 200)
            let record = response.json
            #expect(record["signals"]?["task"]?["value"] == "code")
            #expect(record["chain"]?.arrayValue?.isEmpty == false)
            #expect(record["chosen"]?.stringValue != nil)
            #expect(record["baseline_cost_usd"]?.doubleValue != nil)
            #expect(live.mock.requestLog.requests.isEmpty)
            let free = try await live.post(body("hello", model: "tier:premium"), path: "/v1/route", headers: [("x-switchyard-user-tier", "free")])
            #expect(free.status == 403, "\(free.body)")
        }
    }

    @Test("GET /v1/decisions/{id} returns the record with its attempts")
    func decisionLookup() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(body("Summarize: all good."))
            let id = try #require(response.headers["x-switchyard-decision-id"])
            let record = try await live.get("/v1/decisions/\(id)")
            #expect(record.status == 200)
            #expect(record.json["served"] == "cheap")
            // The last attempt is the one that answered (a loaded machine may time out an earlier one).
            #expect(record.json["attempts"]?.arrayValue?.last?["status"] == 200)
            #expect(try await live.get("/v1/decisions/nope").status == 404)
        }
    }

    @Test("a disputed answer escalates, and the session stays escalated")
    func sessionDisputeAndStickiness() async throws {
        try await LiveGateway.run { live in
            let session = [("x-switchyard-session", "conversation-\(UUID().uuidString)")]
            let question = #"{"role":"user","content":"What is the refund window?"}"#
            let first = try await live.post(#"{"model":"auto","messages":[\#(question)]}"#, headers: session)
            #expect(first.headers["x-switchyard-tier"] == "light")
            // Clients send the history: the question, the answer, then the dispute.
            let history = #"\#(question),{"role":"assistant","content":"It is 14 days."}"#
            let dispute = try await live.post(
                #"{"model":"auto","messages":[\#(history),{"role":"user","content":"That's wrong, the policy says 30 days."}]}"#, headers: session)
            #expect(dispute.headers["x-switchyard-escalated"] == "true")
            #expect(dispute.headers["x-switchyard-tier"] == "mid")
            let followUp = try await live.post(#"{"model":"auto","messages":[{"role":"user","content":"Thanks. And for gift cards?"}]}"#, headers: session)
            #expect(followUp.headers["x-switchyard-tier"] == "mid", "sticky session dropped back to \(followUp.headers["x-switchyard-tier"] ?? "?")")
            let otherConversation = try await live.post(body("Thanks. And for gift cards?"))
            #expect(otherConversation.headers["x-switchyard-tier"] == "light")
        }
    }
}
