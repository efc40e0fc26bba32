import Foundation
import Testing

import SwitchyardCore
import SwitchyardGateway
import SwitchyardMock
import SwitchyardStorage

/// Shadow evaluation end to end: answers served from the light tier are asked again of the
/// premium model off the request path; the simulator's light and premium models write different
/// free text, so they disagree, and once enough have, routing skips light for that task.
@Suite("Shadow evaluation over loopback")
struct ShadowEvaluationOverHTTPTests {
    static let admin = [("authorization", "Bearer test-admin-key-0123456789")]
    static let extract = [("x-switchyard-task", "extract"), ("x-switchyard-complexity", "0.1")]

    /// `/admin/stats` once the first tier row has judged at least `count` answers (the shadow
    /// calls run off the request path), or as it is at `deadline`.
    static func stats(onceJudged count: Int, on live: LiveGateway, until deadline: ContinuousClock.Instant) async throws -> JSONValue {
        while true {
            let stats = try await live.getWithHeaders("/admin/stats", headers: admin).json
            if stats["shadow"]?["tiers"]?.arrayValue?.first?["judged"]?.intValue ?? 0 >= count || ContinuousClock.now >= deadline { return stats }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func yaml(mockPort: Int) -> String {
        LiveGateway.standardYAML(mockPort: mockPort).replacingOccurrences(
            of: "server: { host: 127.0.0.1, port: 0, max_body_bytes: 64KiB }",
            with: "server: { host: 127.0.0.1, port: 0, max_body_bytes: 64KiB, admin_key: test-admin-key-0123456789 }")
            + "\npolicy:\n  shadow: { rate: 1.0, model: best, min_samples: 4, min_agreement: 0.5, window: 10 }\n"
    }

    @Test func disagreeingAnswersTakeTheirTierOutOfRoutingForTheirTask() async throws {
        try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }) { live in
            for _ in 0..<4 {
                let response = try await live.post(chatBody(model: "auto"), headers: Self.extract)
                #expect(response.status == 200)
                #expect(response.headers["x-switchyard-tier"] == "light")
            }
            // The shadow calls run off the request path; wait for their verdicts.
            let deadline = ContinuousClock.now + .seconds(20)
            let stats = try await Self.stats(onceJudged: 4, on: live, until: deadline)
            let row = try #require(stats["shadow"]?["tiers"]?.arrayValue?.first { $0["task"]?.stringValue == "extract" })
            #expect(row["tier"]?.stringValue == "light")
            #expect(row["judged"]?.intValue == 4)
            #expect(row["agreement"]?.doubleValue == 0)
            #expect(row["skipped"]?.boolValue == true)
            #expect(live.upstreamCount("sim-premium") == 4, "one shadow call per light answer")
            // Metrics count the verdicts apart from requests (the ledger writer feeds them: wait).
            var metrics = ""
            let verdicts = #"switchyard_shadow_verdicts_total{task="extract",model="cheap",verdict="disagrees"} 4"#
            while ContinuousClock.now < deadline {
                metrics = try await live.get("/metrics").body
                if metrics.contains(verdicts) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(metrics.contains(verdicts), "\(metrics)")
            #expect(metrics.contains("switchyard_shadow_cost_usd_total"))
            #expect(!metrics.split(separator: "\n").contains { $0.hasPrefix("switchyard_requests_total") && $0.contains(#"model="best""#) })

            // The next extract request starts above light, and its record says why.
            let moved = try await live.post(chatBody(model: "auto"), headers: Self.extract)
            #expect(moved.headers["x-switchyard-tier"] == "mid")
            let id = try #require(moved.headers["x-switchyard-decision-id"])
            let record = try await live.get("/v1/decisions/\(id)").json
            let clause = try #require(record["clauses"]?.arrayValue?.first { $0["clause"]?.stringValue == "policy.shadow" })
            #expect(clause["reason"]?.stringValue == "light agreed with best on 0 of 4 shadowed extract answers (0% < 50%)")
            // Another task keeps its light tier.
            let summarize = try await live.post(
                chatBody(model: "auto"), headers: [("x-switchyard-task", "summarize"), ("x-switchyard-complexity", "0.1")])
            #expect(summarize.headers["x-switchyard-tier"] == "light")
        }
    }

    /// A sampled streamed answer is shadowed too: its text is read as it is relayed, and the
    /// reference model is asked once the stream has ended, with a plain (not streamed) request.
    @Test func streamedAnswersAreShadowedWithPlainCalls() async throws {
        try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }) { live in
            for _ in 0..<4 {
                let response = try await live.post(chatBody(model: "auto", stream: true), headers: Self.extract)
                #expect(response.status == 200)
                #expect(response.headers["x-switchyard-tier"] == "light")
                #expect(response.headers["x-switchyard-buffered"] == nil, "relayed, not answered through the gates")
                #expect(response.body.hasSuffix("data: [DONE]\n\n"))
            }
            let stats = try await Self.stats(onceJudged: 4, on: live, until: ContinuousClock.now + .seconds(30))
            let row = try #require(stats["shadow"]?["tiers"]?.arrayValue?.first { $0["task"]?.stringValue == "extract" })
            #expect(row["judged"]?.intValue == 4)
            #expect(row["agreement"]?.doubleValue == 0)
            let shadowCalls = live.mock.requestLog.requests.filter { $0.body["model"]?.stringValue == "sim-premium" }
            #expect(shadowCalls.count == 4)
            #expect(shadowCalls.allSatisfy { $0.body["stream"] != true && $0.body["stream_options"] == nil })
        }
    }

    /// The shadow calls are booked (the gateway's own spend) without a tenant, so that no
    /// tenant's budget pays for them.
    @Test func shadowCallsAreBookedWithoutATenant() async throws {
        try await withTemporarySQLite { path in
            try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }, configure: { $0.storage = .sqlite(path: path) }) { live in
                for _ in 0..<3 { _ = try await live.post(chatBody(model: "auto"), headers: Self.extract) }
                // Judged means answered and booked (the verdict and the entry are written together).
                _ = try await Self.stats(onceJudged: 3, on: live, until: ContinuousClock.now + .seconds(20))
                try await Task.sleep(for: .milliseconds(100))
            }
            let entries = try await SQLiteStore(path: path, readOnly: true).ledgerEntries(since: nil, until: nil, full: false)
            let shadow = entries.filter { $0.endpoint == "shadow" }
            #expect(shadow.count == 3)
            #expect(shadow.allSatisfy { $0.tenant == nil && $0.keyID == nil && $0.model == "best" && $0.costUSD > 0 && $0.task == "extract" })
            let served = Set(entries.filter { $0.endpoint == "chat.completions" }.map(\.decisionID))
            #expect(Set(shadow.map { String($0.decisionID.dropFirst("shadow-".count)) }) == served)
        }
    }

    /// `tasks` limits shadowing to the tasks named; pinned premium answers are never shadowed.
    @Test func onlyTheNamedTasksBelowTheReferenceTierAreShadowed() async throws {
        let yaml: @Sendable (Int) -> String = {
            Self.yaml(mockPort: $0).replacingOccurrences(of: "window: 10 }", with: "window: 10, tasks: [classify] }")
        }
        try await LiveGateway.run(yaml: yaml) { live in
            for _ in 0..<3 { _ = try await live.post(chatBody(model: "auto"), headers: Self.extract) }
            _ = try await live.post(chatBody(model: "best"), headers: [("x-switchyard-task", "classify")])
            let classify = try await live.post(chatBody(model: "auto"), headers: [("x-switchyard-task", "classify"), ("x-switchyard-complexity", "0.1")])
            #expect(classify.headers["x-switchyard-tier"] == "light")
            let deadline = ContinuousClock.now + .seconds(20)
            while live.upstreamCount("sim-premium") < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: .milliseconds(200))
            // One premium call for the pinned request, one shadow call for the classify answer.
            #expect(live.upstreamCount("sim-premium") == 2)
        }
    }

    /// Verdicts are rebuilt from the ledger at start: a restarted gateway routes as the one
    /// before it had learned to.
    @Test func verdictsSurviveARestart() async throws {
        try await withTemporarySQLite { path in
            let onFile: @Sendable (inout GatewayConfiguration) -> Void = { $0.storage = .sqlite(path: path) }
            try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }, configure: onFile) { live in
                for _ in 0..<4 { _ = try await live.post(chatBody(model: "auto"), headers: Self.extract) }
                _ = try await Self.stats(onceJudged: 4, on: live, until: ContinuousClock.now + .seconds(20))
                try await Task.sleep(for: .milliseconds(100))
            }
            try await LiveGateway.run(yaml: { Self.yaml(mockPort: $0) }, configure: onFile) { live in
                let first = try await live.post(chatBody(model: "auto"), headers: Self.extract)
                #expect(first.headers["x-switchyard-tier"] == "mid")
                let stats = try await live.getWithHeaders("/admin/stats", headers: Self.admin).json
                #expect(stats["shadow"]?["tiers"]?.arrayValue?.first?["window"]?.intValue == 4)
            }
        }
    }
}
