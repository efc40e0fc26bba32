import SwitchyardCore

/// Reads `storage`, `ledger` and `telemetry`.
struct ObservabilityConfigurationReader {
    let document: MappingReader

    func readStorage() -> StorageSettings {
        guard let section = document.mapping("storage") else { return .default }
        defer { section.rejectUnknownKeys() }
        guard let path = section.string("sqlite", required: true) else { return .default }
        if path.isEmpty {
            section.report("sqlite", "must be a file path (or :memory:)")
            return .default
        }
        return .sqlite(path: path)
    }

    func readLedger() -> LedgerSettings {
        var settings = LedgerSettings()
        guard let section = document.mapping("ledger") else { return settings }
        defer { section.rejectUnknownKeys() }
        if let capacity = section.int("queue_capacity", range: 1...10_000_000) { settings.queueCapacity = capacity }
        if let interval = section.duration("flush_interval") {
            if interval > .seconds(10) {
                section.report("flush_interval", "must be at most 10s (a crash loses up to one interval of entries)")
            } else {
                settings.flushInterval = interval
            }
        }
        if let size = section.int("batch_size", range: 1...100_000) { settings.batchSize = size }
        if let content = section.bool("log_content") { settings.logContent = content }
        return settings
    }

    func readTelemetry() -> TelemetrySettings {
        var settings = TelemetrySettings()
        guard let section = document.mapping("telemetry") else { return settings }
        defer { section.rejectUnknownKeys() }
        if let enabled = section.bool("metrics") { settings.metricsEnabled = enabled }
        if let tenant = section.bool("tenant_label") { settings.tenantLabel = tenant }
        if let limit = section.int("max_tenant_labels", range: 1...100_000) { settings.maxTenantLabels = limit }
        return settings
    }
}
