import SwitchyardCore

/// Reads `storage`, `ledger`, `telemetry` and `embeddings`.
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

    func readEmbeddings() -> EmbeddingsSettings {
        var settings = EmbeddingsSettings()
        guard let section = document.mapping("embeddings") else { return settings }
        defer { section.rejectUnknownKeys() }
        if let path = section.string("model_path") { settings.modelPath = path }
        settings.exemplars = section.string("exemplars")
        settings.router = section.string("router")
        if let k = section.int("neighbors", range: 1...100) { settings.neighbors = k }
        if let threshold = section.double("threshold", minimum: -1) { settings.threshold = threshold }
        if let size = section.int("cache_size", range: 0...1_000_000) { settings.cacheSize = size }
        if let half = section.bool("half_precision") { settings.halfPrecision = half }
        return settings
    }
}
