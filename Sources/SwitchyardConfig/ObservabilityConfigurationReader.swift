import SwitchyardCore

/// Reads `storage`, `ledger`, `telemetry` and `embeddings`.
struct ObservabilityConfigurationReader {
    let document: MappingReader

    func readStorage() -> StorageSettings {
        guard let section = document.mapping("storage") else { return .default }
        defer { section.rejectUnknownKeys() }
        switch (section.has("sqlite"), section.has("postgres")) {
        case (true, true):
            _ = section.string("sqlite")
            _ = section.string("postgres")
            section.report("postgres", "give either sqlite or postgres, not both")
            return .default
        case (false, true):
            return readPostgres(section)
        case (false, false):
            // Both count as known, so a misspelt one is suggested.
            for key in ["sqlite", "postgres", "max_connections", "password", "refresh_interval"] { _ = section.string(key) }
            section.reportMissing("sqlite", hint: "or postgres")
            return .default
        case (true, false):
            for key in ["max_connections", "password", "refresh_interval"] where section.has(key) {
                _ = section.string(key)
                section.report(key, "applies to postgres only")
            }
            guard let path = section.string("sqlite", required: true) else { return .default }
            return .sqlite(path: path)
        }
    }

    /// `storage.postgres` (a connection URL), `storage.password`, `storage.max_connections` and
    /// `storage.refresh_interval`.
    private func readPostgres(_ section: MappingReader) -> StorageSettings {
        let connections = section.int("max_connections", range: 1...1_000) ?? StorageSettings.defaultPostgresConnections
        let refresh = section.duration("refresh_interval") ?? .seconds(5)
        let password = section.string("password")
        guard let url = section.string("postgres", required: true) else { return .default }
        do {
            var location = try PostgresLocation(url: url)
            if let password { location.password = password }
            return .postgres(location, maxConnections: connections, refreshInterval: refresh)
        } catch {
            section.report("postgres", "the connection URL \(error.message)")
            return .default
        }
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
