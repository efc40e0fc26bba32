import SwitchyardCore

/// Limits that gateway instances sharing a store split between them by demand (see
/// ``RateShares``): tenants' and keys' rate limits (``BudgetBook``) and deployments' own RPM/TPM
/// limits (``DeploymentMonitor``). ``BudgetLeaseSync`` reports what each asked for and hands the
/// shares back; every subject is named with its kind (`tenant:<id>`, `key:<id>`,
/// `deployment:<name>`), so one report carries them all.
protocol SharedRateLimits: Sendable {
    /// Each limited subject's demand in requests per minute since the last call (smoothed), with
    /// the count started again.
    func rateDemand(elapsed: Duration) -> [String: Double]

    /// Resizes each subject's buckets to its share (creating no tokens); subjects that are not
    /// this one's are passed over.
    func applyRateShares(_ shares: RateShares)

    /// One row per limited subject for `/admin/stats`: `subject`, this instance's `share`, and
    /// the `demand_per_minute` it last reported.
    var rateShareRows: [JSONValue] { get }
}

extension SharedRateLimits {
    /// A subject's row in `/admin/stats`' `rate_limits`.
    static func rateShareRow(subject: String, share: Double, demand: Double) -> JSONValue {
        .object(JSONObject([("subject", .string(subject)), ("share", .double(share)), ("demand_per_minute", .double(demand))]))
    }
}

/// `/admin/stats`' `rate_limits` member (limits shared with other instances): the instances
/// alive, and every limited subject's row, sorted by subject.
func sharedRateLimitsJSON(instances: Int, _ limits: [any SharedRateLimits]) -> JSONValue {
    let rows = limits.flatMap(\.rateShareRows).sorted { ($0["subject"]?.stringValue ?? "") < ($1["subject"]?.stringValue ?? "") }
    return .object(JSONObject([("instances", .int(Int64(instances))), ("subjects", .array(rows))]))
}
