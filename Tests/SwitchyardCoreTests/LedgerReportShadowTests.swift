import Foundation
import Testing

@testable import SwitchyardCore

@Suite("The ledger report keeps shadow evaluation calls apart from requests")
struct LedgerReportShadowTests {
    func entry(_ id: String, endpoint: String = "chat.completions", cost: Double, baseline: Double, model: String) -> LedgerEntry {
        LedgerEntry(
            decisionID: id, time: Date(timeIntervalSince1970: 1_796_601_600), endpoint: endpoint, task: "extract", model: model,
            inputTokens: 10, outputTokens: 5, costUSD: cost, baselineCostUSD: baseline, latency: .milliseconds(20))
    }

    @Test func shadowCallsAreNotRequests() {
        let entries = [
            entry("a", cost: 0.001, baseline: 0.01, model: "cheap"),
            entry("b", cost: 0.001, baseline: 0.01, model: "cheap"),
            entry("shadow-a", endpoint: "shadow", cost: 0.01, baseline: 0.01, model: "best"),
        ]
        let report = LedgerReport(entries: entries, by: .model)
        #expect(report.total.requests == 2)
        #expect(abs(report.total.costUSD - 0.002) < 1e-12)
        #expect(abs(report.total.effectiveness - 0.9) < 1e-9, "the shadow call's baseline does not dilute effectiveness")
        #expect(report.rows.map(\.key) == ["cheap"])
        #expect(report.shadow?.requests == 1)
        #expect(abs((report.shadow?.costUSD ?? 0) - 0.01) < 1e-12)

        let table = report.rendered(as: .table)
        let lines = table.split(separator: "\n")
        #expect(lines.last?.hasPrefix("shadow calls") == true, "\(table)")
        #expect(lines[lines.count - 2].hasPrefix("total"))
        #expect(lines[lines.count - 3].hasPrefix("-----"))
        #expect(report.rendered(as: .json).contains(#""shadow":{"group":"shadow calls","requests":1"#))
        #expect(LedgerReport(entries: Array(entries.prefix(2)), by: nil).shadow == nil)
    }
}
