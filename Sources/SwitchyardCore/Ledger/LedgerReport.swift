import Foundation

/// What `switchyard report` groups by.
public enum LedgerReportDimension: String, Sendable, CaseIterable {
    case task, tier, model, tenant, region, day

    /// The group an entry belongs to; `-` when the entry has no value.
    func key(of entry: LedgerEntry, calendar: Calendar) -> String {
        switch self {
        case .task: entry.task ?? "-"
        case .tier: entry.tier ?? "-"
        case .model: entry.model ?? "-"
        case .tenant: entry.tenant ?? "-"
        case .region: entry.region ?? "-"
        case .day:
            {
                let parts = calendar.dateComponents([.year, .month, .day], from: entry.time)
                return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            }()
        }
    }
}

/// Spend, savings and service quality over a set of ledger entries, in total and per group.
public struct LedgerReport: Sendable {
    /// One line of the report.
    public struct Row: Sendable, Hashable {
        /// The group (`total` for the sum of all).
        public var key: String
        public var requests: Int
        /// Requests answered with 200.
        public var succeeded: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var costUSD: Double
        public var baselineCostUSD: Double
        /// Requests whose answer passed through at least one quality-gate escalation.
        public var escalated: Int
        /// Requests that moved to another deployment because one failed.
        public var fellBack: Int
        /// Requests flagged for human review.
        public var reviewed: Int
        /// Baseline cost saved on accepted answers (see ``effectiveness``).
        public var acceptedSavingsUSD: Double
        public var latencyP50: Duration
        public var latencyP95: Duration

        public var savingsUSD: Double { baselineCostUSD - costUSD }
        /// Savings as a share of the baseline, in percent (0 without a baseline).
        public var savingsPercent: Double { baselineCostUSD > 0 ? savingsUSD / baselineCostUSD * 100 : 0 }
        /// Blended cost per request.
        public var costPerRequest: Double { requests > 0 ? costUSD / Double(requests) : 0 }
        /// Blended cost per 1,000 requests.
        public var costPerThousand: Double { costPerRequest * 1000 }
        public var escalationRate: Double { requests > 0 ? Double(escalated) / Double(requests) : 0 }
        public var fallbackRate: Double { requests > 0 ? Double(fellBack) / Double(requests) : 0 }
        /// Routing effectiveness: the share of the baseline cost saved on answers that were
        /// accepted (a 200 not flagged for review). Failed and review-flagged requests count
        /// their baseline but no savings, so cheap-but-wrong routing lowers the score. 1 would
        /// mean every answer was free and good; 0 means no saving over all-premium.
        public var effectiveness: Double { baselineCostUSD > 0 ? acceptedSavingsUSD / baselineCostUSD : 0 }
    }

    public var dimension: LedgerReportDimension?
    /// One row per group, most expensive first.
    public var rows: [Row]
    public var total: Row
    /// The gateway's own shadow evaluation calls (endpoint `shadow`), which are not requests:
    /// kept out of the rows and the total, and shown apart; `nil` when there were none.
    public var shadow: Row?

    /// The ledger endpoint of shadow evaluation calls.
    public static let shadowEndpoint = "shadow"

    /// Aggregates `entries`, grouped by `dimension` (or only the total). Days are UTC.
    public init(entries allEntries: [LedgerEntry], by dimension: LedgerReportDimension?) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        self.dimension = dimension
        let entries = allEntries.filter { $0.endpoint != Self.shadowEndpoint }
        let shadowCalls = allEntries.filter { $0.endpoint == Self.shadowEndpoint }
        shadow = shadowCalls.isEmpty ? nil : Self.row(key: "shadow calls", shadowCalls[...])
        total = Self.row(key: "total", entries[...])
        guard let dimension else {
            rows = []
            return
        }
        var groups: [String: [LedgerEntry]] = [:]
        for entry in entries { groups[dimension.key(of: entry, calendar: calendar), default: []].append(entry) }
        let rows = groups.map { Self.row(key: $0.key, $0.value[...]) }
        self.rows = dimension == .day
            ? rows.sorted { $0.key < $1.key }
            : rows.sorted { ($0.costUSD, $1.key) > ($1.costUSD, $0.key) }
    }

    static func row(key: String, _ entries: ArraySlice<LedgerEntry>) -> Row {
        var row = Row(
            key: key, requests: entries.count, succeeded: 0, inputTokens: 0, outputTokens: 0, costUSD: 0, baselineCostUSD: 0, escalated: 0,
            fellBack: 0, reviewed: 0, acceptedSavingsUSD: 0, latencyP50: .zero, latencyP95: .zero)
        var latencies: [Duration] = []
        latencies.reserveCapacity(entries.count)
        for entry in entries {
            if entry.succeeded { row.succeeded += 1 }
            row.inputTokens += entry.inputTokens
            row.outputTokens += entry.outputTokens
            row.costUSD += entry.costUSD
            row.baselineCostUSD += entry.baselineCostUSD
            if entry.escalated { row.escalated += 1 }
            if entry.fallbacks > 0 { row.fellBack += 1 }
            if entry.reviewID != nil { row.reviewed += 1 }
            if entry.succeeded, entry.reviewID == nil { row.acceptedSavingsUSD += entry.savingsUSD }
            latencies.append(entry.latency)
        }
        latencies.sort()
        row.latencyP50 = percentile(latencies, 0.50)
        row.latencyP95 = percentile(latencies, 0.95)
        return row
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }
}
