/// One try of one deployment while executing a chain, as kept in the decision record.
public struct AttemptRecord: Sendable, Hashable {
    /// Public model name of the deployment tried.
    public var deployment: String
    public var provider: String
    /// HTTP-like outcome: 200 on success, the mapped status on failure, nil if never sent.
    public var status: Int?
    /// `ProviderError.errorClass` on failure; `skipped_*` when the deployment was not tried.
    public var errorClass: String?
    /// Time the attempt took.
    public var latency: Duration
    /// Wait before the next attempt on the same deployment (nil when falling back or done).
    public var retryDelay: Duration?

    public init(deployment: String, provider: String, status: Int?, errorClass: String?, latency: Duration, retryDelay: Duration? = nil) {
        self.deployment = deployment
        self.provider = provider
        self.status = status
        self.errorClass = errorClass
        self.latency = latency
        self.retryDelay = retryDelay
    }

    /// Whether the deployment was passed over without a request (breaker open, limit reached).
    public var wasSkipped: Bool { errorClass?.hasPrefix("skipped") == true }

    /// Writes the attempt's members into `writer` (the shape the decision record and the
    /// ledger's `attempts` column hold).
    public func write(into writer: inout JSONObjectWriter) {
        writer.string("deployment", deployment)
        writer.string("provider", provider)
        writer.int("status", status)
        writer.string("error_class", errorClass)
        writer.double("latency_ms", (latency.milliseconds * 1000).rounded() / 1000)
        if let retryDelay { writer.double("retry_delay_ms", (retryDelay.milliseconds * 1000).rounded() / 1000) }
    }

    /// `attempts` as a JSON array: the ledger's `attempts` column, and the `attempts` member the
    /// whole decision record gets back from it (``DecisionRecordText``), which must match it.
    public static func jsonText(_ attempts: [AttemptRecord]) -> String {
        JSONObjectWriter.arrayText(attempts) { $1.write(into: &$0) }
    }
}

extension AttemptRecord {
    /// Reads the shape ``write(into:)`` writes; `nil` when required fields are missing.
    public init?(json: JSONValue) {
        guard let deployment = json["deployment"]?.stringValue, let provider = json["provider"]?.stringValue else { return nil }
        self.init(
            deployment: deployment, provider: provider, status: json["status"]?.intValue, errorClass: json["error_class"]?.stringValue,
            latency: .milliseconds(fractional: json["latency_ms"]?.doubleValue ?? 0),
            retryDelay: json["retry_delay_ms"]?.doubleValue.map { .milliseconds(fractional: $0) })
    }
}
