import Foundation
import Testing

@testable import SwitchyardCore
@testable import SwitchyardGateway
import SwitchyardStorage

/// The ledger end to end: real requests over loopback, entries read back from the SQLite file.
@Suite("Ledger over loopback")
struct LedgerTests {
    /// Prices of the standard configuration, per 1M tokens.
    static let prices: [String: (input: Double, output: Double)] = ["cheap": (0.15, 0.60), "middle": (0.40, 1.60), "best": (2.50, 10.00)]

    /// Reads the gateway's ledger once `count` entries are there (the writer flushes every 100 ms).
    func ledger(of live: LiveGateway, expecting count: Int) async throws -> [String: LedgerEntry] {
        guard case .sqlite(let path) = live.configuration.storage else { throw StoreError(.unavailable, "not sqlite") }
        let store = try SQLiteStore(path: path, readOnly: true)
        // Generous: the whole suite shares two cores; the loop ends as soon as the entries are in.
        let deadline = ContinuousClock.now + .seconds(60)
        while try await store.ledgerCount() < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        // Give a wrong extra entry the chance to show up too.
        try await Task.sleep(for: .milliseconds(250))
        let entries = try await store.ledgerEntries(since: nil, until: nil, full: true)
        return Dictionary(entries.map { ($0.decisionID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("a burst of mixed requests leaves exactly one entry each, with hand-checked tokens and costs")
    func burstOfMixedRequests() async throws {
        // Requests run concurrently; a breaker opening mid-burst would turn fallbacks into skips.
        try await LiveGateway.run(yaml: LiveGateway.resilientYAML, configure: { $0.resilience.breaker.consecutiveFailures = 1_000 }) { live in
            let fault = ("x-mock-fault", "503;model=sim-light;id=\(UUID().uuidString)")
            let requests: [(body: String, headers: [(String, String)])] =
                Array(repeating: (chatBody(), []), count: 12)
                + Array(repeating: (chatBody(model: "best", extra: #","max_tokens":50"#), []), count: 6)
                + Array(repeating: (chatBody(model: "auto"), []), count: 6)
                + Array(repeating: (chatBody(stream: true), []), count: 6)
                + Array(repeating: (chatBody(stream: true, extra: #","stream_options":{"include_usage":true}"#), []), count: 4)
                + Array(repeating: (chatBody(), [fault]), count: 4)
                + Array(repeating: (#"{"model":"cheap","messages":"not a list"}"#, []), count: 4)
                + Array(repeating: (chatBody(model: "no-such-model"), []), count: 3)
            let responses = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for request in requests { group.addTask { try await live.post(request.body, headers: request.headers) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.count == requests.count)
            let ids = responses.compactMap { $0.headers["x-switchyard-decision-id"] }
            #expect(ids.count == requests.count, "every response, errors included, names its decision")
            #expect(Set(ids).count == ids.count)

            let ledger = try await ledger(of: live, expecting: requests.count)
            #expect(ledger.count == requests.count)
            #expect(Set(ledger.keys) == Set(ids))

            for response in responses {
                let id = try #require(response.headers["x-switchyard-decision-id"])
                let entry = try #require(ledger[id])
                #expect(entry.status == response.status)
                guard response.status == 200 else {
                    #expect(entry.errorCode == response.errorCode)
                    #expect(entry.costUSD == 0 && entry.inputTokens == 0)
                    continue
                }
                let model = try #require(response.headers["x-switchyard-model"])
                #expect(entry.model == model)
                #expect(entry.tier == response.headers["x-switchyard-tier"])
                #expect(entry.attempts.last?.status == 200)
                #expect(entry.latency >= entry.upstreamLatency)
                #expect(entry.decision?["served"]?.stringValue == model)
                let usage: TokenUsage
                if entry.stream {
                    #expect(entry.timeToFirstToken != nil)
                    // Usage was captured even when the client did not ask for it.
                    if let chunk = response.events.compactMap({ try? JSONParser.parse($0) }).last(where: { $0["usage"] != nil && $0["usage"] != .null }) {
                        usage = try #require(TokenUsage(openAIUsage: chunk["usage"]))
                    } else {
                        #expect(entry.inputTokens > 0 && entry.outputTokens > 0)
                        continue
                    }
                } else {
                    usage = try #require(TokenUsage(openAIUsage: response.json["usage"]))
                    #expect(entry.timeToFirstToken == nil)
                }
                #expect(entry.inputTokens == usage.promptTokens)
                #expect(entry.outputTokens == usage.completionTokens)
                let price = try #require(Self.prices[model])
                let cost = (Double(usage.promptTokens) * price.input + Double(usage.completionTokens) * price.output) / 1_000_000
                let baseline = (Double(usage.promptTokens) * 2.50 + Double(usage.completionTokens) * 10.00) / 1_000_000
                #expect(abs(entry.costUSD - cost) < 1e-12)
                #expect(abs(entry.baselineCostUSD - baseline) < 1e-12)
            }

            let fellBack = ledger.values.filter { $0.fallbacks > 0 }
            #expect(fellBack.count == 4)
            for entry in fellBack {
                #expect(entry.fallbackReason == "server_error")
                #expect(entry.model == "middle")
                #expect(entry.chainPosition == 1)
            }
            let auto = ledger.values.filter { $0.requestedModel == "auto" }
            #expect(auto.count == 6)
            #expect(auto.allSatisfy { $0.task == "summarize" && $0.taskSource != nil && $0.complexity != nil })
            #expect(ledger.values.allSatisfy { $0.prompt == nil && $0.answer == nil }, "no content without log_content")

            // The report's totals are the ledger's sums.
            let report = LedgerReport(entries: Array(ledger.values), by: .model)
            #expect(report.total.requests == requests.count)
            #expect(abs(report.total.costUSD - ledger.values.reduce(0) { $0 + $1.costUSD }) < 1e-12)
            #expect(report.total.inputTokens == ledger.values.reduce(0) { $0 + $1.inputTokens })
            #expect(report.rows.reduce(0) { $0 + $1.requests } == requests.count)
        }
    }

    @Test("log_content keeps the prompt and the answer")
    func contentOnlyWhenAsked() async throws {
        try await LiveGateway.run(configure: { $0.ledger.logContent = true }) { live in
            let response = try await live.post(chatBody())
            let id = try #require(response.headers["x-switchyard-decision-id"])
            let entry = try #require(try await ledger(of: live, expecting: 1)[id])
            #expect(entry.prompt == "Summarize the meeting notes.")
            #expect(entry.answer == response.json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue)
        }
    }

    @Test("decisions older than the in-memory log are served from the ledger")
    func decisionsOutliveMemory() async throws {
        try await LiveGateway.run { live in
            let response = try await live.post(chatBody())
            let id = try #require(response.headers["x-switchyard-decision-id"])
            _ = try await ledger(of: live, expecting: 1)
            guard case .sqlite(let path) = live.configuration.storage else { return }
            let stored = try #require(try await SQLiteStore(path: path, readOnly: true).ledgerEntry(decisionID: id))
            #expect(stored.decision?["served"] == "cheap")
            // The row stores the record once: its attempts and gate reports only in their own
            // columns, and put back whole, as the in-memory log shows it.
            let storedText = try #require(stored.decisionJSON)
            #expect(!storedText.contains(#""attempts":"#) && !storedText.contains(#""gates":"#))
            // Its member names are tokens: the same record in about half the bytes.
            #expect(!storedText.contains(#""served":"#) && !storedText.contains(#""chain":"#))
            #expect(Double(storedText.utf8.count) < 0.6 * Double(JSONMemberTokens.expand(storedText).utf8.count))
            #expect(stored.decision?["attempts"]?.arrayValue?.last?["status"] == 200)
            #expect(stored.decision?["gates"]?.arrayValue?.isEmpty == false)
            let fromMemory = try await live.get("/v1/decisions/\(id)").json
            #expect(stored.decision == fromMemory)
            let missing = try await live.get("/v1/decisions/no-such-id")
            #expect(missing.status == 404)
            #expect(missing.errorCode == "decision_not_found")
        }
    }

    @Test("/metrics counts what the ledger saw")
    func metricsFollowTheLedger() async throws {
        try await LiveGateway.run { live in
            for _ in 0..<5 { _ = try await live.post(chatBody()) }
            _ = try await live.post(chatBody(model: "best"))
            _ = try await ledger(of: live, expecting: 6)
            let metrics = try await live.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
            let lines = metrics.body.split(separator: "\n")
            func value(_ prefix: String) -> Double? {
                lines.first { $0.hasPrefix(prefix) }.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            }
            #expect(value(#"switchyard_requests_total{tier="light",task="summarize",model="cheap",tenant="none",outcome="success"}"#) == 5)
            #expect(value(#"switchyard_requests_total{tier="premium",task="summarize",model="best",tenant="none",outcome="success"}"#) == 1)
            #expect(value("switchyard_request_duration_seconds_count") == 6)
            #expect(value("switchyard_ledger_queue_depth") == 0)
            #expect(value(#"switchyard_circuit_breaker_state{model="cheap",provider="sim"}"#) == 0)
            // Sequential calls reuse one keep-alive connection, idle once they are answered.
            #expect(value(#"switchyard_upstream_connections{provider="sim",state="idle"}"#) == 1)
            #expect(value(#"switchyard_upstream_connections{provider="sim",state="busy"}"#) == 0)
            #expect(metrics.body.contains("switchyard_cost_usd_total{"))
            #expect(metrics.body.contains("switchyard_gateway_overhead_seconds_bucket"))
            // Six entries make one or two flushes: small ones, written in the background, or handed
            // over to normal priority on a loaded machine. The counts follow the writes, so they may
            // appear a moment after the rows do.
            func flushes() async throws -> Double {
                let lines = try await live.get("/metrics").body.split(separator: "\n")
                return ["low", "normal"].compactMap { priority in
                    lines.first { $0.hasPrefix(#"switchyard_ledger_flushes_total{priority="\#(priority)"}"#) }
                        .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
                }.reduce(0, +)
            }
            var flushed = try await flushes()
            let deadline = ContinuousClock.now + .seconds(30)
            while flushed < 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                // Read after every wait, one that overran the deadline too.
                flushed = try await flushes()
            }
            #expect(flushed >= 1)
            #expect(value(#"switchyard_ledger_flushes_total{priority="low"}"#) != nil)
            #expect(value("switchyard_ledger_flush_handovers_total") != nil)
            #expect(value(#"switchyard_ledger_flushes_total{priority="normal"}"#) != nil)
        }
    }

    @Test("telemetry.metrics off removes the route")
    func metricsCanBeOff() async throws {
        try await LiveGateway.run(configure: { $0.telemetry.metricsEnabled = false }) { live in
            let response = try await live.get("/metrics")
            #expect(response.status == 404)
        }
    }
}
