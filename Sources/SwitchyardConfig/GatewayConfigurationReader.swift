import Foundation
import SwitchyardCore
import Yams

/// Reads the sections of the configuration document and checks how they refer to each other.
struct GatewayConfigurationReader {
    let document: MappingReader
    let reader: YAMLReader

    func read() -> GatewayConfiguration? {
        let server = readServer()
        let tiers = readTiers()
        let providers = readProviders()
        let models = readModels(tiers: tiers, providers: providers)
        let resilience = ResilienceConfigurationReader(document: document).read()
        let observability = ObservabilityConfigurationReader(document: document)
        let storage = observability.readStorage()
        let ledger = observability.readLedger()
        let telemetry = observability.readTelemetry()
        let tenancy = TenancyConfigurationReader(document: document).read()
        let embeddings = observability.readEmbeddings()
        guard let tiers, let providers, let models else {
            // Routing sections are checked against tiers, providers and models; skip them quietly.
            for key in RoutingConfigurationReader.sections { _ = document.value(key) }
            return nil
        }
        let routing = RoutingConfigurationReader(
            document: document, reader: reader, tiers: tiers, providers: providers.map(\.name), models: models.map(\.name)
        ).read()
        return GatewayConfiguration(
            server: server, providers: providers, models: models, tiers: tiers, routing: routing, resilience: resilience,
            storage: storage, ledger: ledger, telemetry: telemetry, tenancy: tenancy, embeddings: embeddings)
    }

    private func readServer() -> ServerSettings {
        var settings = ServerSettings()
        guard let section = document.mapping("server") else { return settings }
        if let host = section.string("host") { settings.host = host }
        if let port = section.int("port", range: 0...65535) { settings.port = port }
        if let size = section.byteSize("max_body_bytes") { settings.maxBodyBytes = size }
        if let timeout = section.duration("request_timeout") { settings.requestTimeout = timeout }
        if let loops = section.int("event_loops", range: 1...1024) { settings.eventLoops = loops }
        if let limit = section.int("cpu_latency_limit_us", range: 0...ServerSettings.maximumCPULatencyLimitMicroseconds) {
            settings.cpuLatencyLimitMicroseconds = limit
        }
        if let key = section.string("admin_key"), !key.isEmpty {
            if key.count < 16 { section.report("admin_key", "must be at least 16 characters (use a random secret from the environment)") }
            settings.adminKey = key
        }
        section.rejectUnknownKeys()
        return settings
    }

    private func readTiers() -> [String]? {
        guard let tiers = document.stringList("tiers", required: true) else { return nil }
        guard !tiers.isEmpty else {
            document.report("tiers", "must list at least one tier, cheapest first")
            return nil
        }
        var seen: Set<String> = []
        for tier in tiers where !seen.insert(tier).inserted {
            document.report("tiers", "tier '\(tier)' is listed twice")
        }
        return tiers
    }

    private func readProviders() -> [ProviderSettings]? {
        guard let entries = document.sequence("providers", required: true) else { return nil }
        var providers: [ProviderSettings] = []
        var names: Set<String> = []
        for entry in entries {
            guard let section = reader.mapping(entry.node, path: entry.path) else { continue }
            defer { section.rejectUnknownKeys() }
            let name = section.string("name", required: true)
            let kind = section.choice("kind", as: ProviderKind.self) ?? .openai
            let baseURL = section.string("base_url", required: true)
            let apiKey = section.string("api_key")
            let region = section.string("region")
            let timeout = section.duration("timeout")
            let connectTimeout = section.duration("connect_timeout")
            let maxConnections = section.int("max_connections", range: 1...10_000)
            let forwardHeaders = section.stringList("forward_headers")
            let headers = section.stringMap("headers")
            let caFile = section.string("ca_file")
            if let baseURL, !Self.isHTTPURL(baseURL) {
                section.report("base_url", "must be an http:// or https:// URL, got \"\(baseURL)\"")
            }
            if let caFile {
                if let baseURL, UpstreamEndpoint(url: baseURL)?.usesTLS == false {
                    section.report("ca_file", "applies to https:// providers only; base_url is \"\(baseURL)\"")
                } else if let problem = Self.certificateFileProblem(caFile) {
                    section.report("ca_file", problem)
                }
            }
            guard let name, let baseURL else { continue }
            if !names.insert(name).inserted {
                section.report("name", "provider '\(name)' is defined twice")
            }
            var provider = ProviderSettings(name: name, kind: kind, baseURL: Self.trimmingTrailingSlash(baseURL))
            provider.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
            provider.region = region
            if let timeout { provider.timeout = timeout }
            if let connectTimeout { provider.connectTimeout = connectTimeout }
            if let maxConnections { provider.maxConnections = maxConnections }
            if let forwardHeaders { provider.forwardHeaders = forwardHeaders.map { $0.lowercased() } }
            if let headers { provider.headers = headers }
            provider.caFile = caFile
            providers.append(provider)
        }
        if entries.isEmpty { document.report("providers", "must define at least one provider") }
        return providers
    }

    private func readModels(tiers: [String]?, providers: [ProviderSettings]?) -> [ModelDeployment]? {
        guard let entries = document.sequence("models", required: true) else { return nil }
        let providerNames = providers.map { Set($0.map(\.name)) }
        var models: [ModelDeployment] = []
        var declared: [(entry: (node: Node, path: String), model: ModelDeployment)] = []
        var names: Set<String> = []
        for entry in entries {
            guard let section = reader.mapping(entry.node, path: entry.path) else { continue }
            defer { section.rejectUnknownKeys() }
            let name = section.string("name", required: true)
            let provider = section.string("provider", required: true)
            let upstream = section.string("upstream_model")
            let tier = section.string("tier", required: true)
            let price = readPrice(section)
            let contextWindow = section.int("context_window", range: 1...100_000_000)
            let maxOutput = section.int("max_output_tokens", range: 1...100_000_000)
            let capabilities = readCapabilities(section)
            let region = section.string("region")
            let limits = readLimits(section)
            let fallbacks = section.stringList("fallbacks")

            if let name {
                if name == "auto" || name.hasPrefix("tier:") {
                    section.report("name", "'auto' and names starting with 'tier:' are reserved for routing")
                }
                if !names.insert(name).inserted {
                    section.report("name", "model '\(name)' is defined twice")
                }
            }
            if let provider, let providerNames, !providerNames.contains(provider) {
                var message = "unknown provider '\(provider)'"
                if let suggestion = closestMatch(to: provider, in: providerNames) { message += " (did you mean '\(suggestion)'?)" }
                section.report("provider", message + "; providers: \(providerNames.sorted().joined(separator: ", "))")
            }
            if let tier, let tiers, !tiers.contains(tier) {
                section.report("tier", "unknown tier '\(tier)'; tiers: \(tiers.joined(separator: ", "))")
            }
            if let contextWindow, let maxOutput, maxOutput > contextWindow {
                section.report("max_output_tokens", "must not exceed context_window (\(contextWindow))")
            }
            guard let name, let provider, let tier, let price else { continue }
            var model = ModelDeployment(name: name, provider: provider, upstreamModel: upstream ?? name, tier: tier, price: price)
            if let contextWindow { model.contextWindow = contextWindow }
            if let maxOutput { model.maxOutputTokens = maxOutput }
            if let capabilities { model.capabilities = capabilities }
            model.region = region
            model.limits = limits
            model.fallbacks = fallbacks ?? []
            models.append(model)
            declared.append((entry, model))
        }
        if entries.isEmpty { document.report("models", "must define at least one model") }
        // Fallbacks may name models defined further down, so they are checked at the end.
        for (entry, model) in declared {
            for fallback in model.fallbacks where !names.contains(fallback) || fallback == model.name {
                reader.report(
                    fallback == model.name ? "a model cannot fall back to itself" : "unknown model '\(fallback)' in fallbacks",
                    at: entry.node, path: "\(entry.path).fallbacks")
            }
        }
        return models
    }

    private func readLimits(_ model: MappingReader) -> DeploymentLimits {
        guard let section = model.mapping("limits") else { return DeploymentLimits() }
        defer { section.rejectUnknownKeys() }
        return DeploymentLimits(
            requestsPerMinute: section.int("rpm", range: 1...100_000_000),
            tokensPerMinute: section.int("tpm", range: 1...10_000_000_000))
    }

    private func readPrice(_ model: MappingReader) -> ModelPrice? {
        guard let price = model.mapping("price", required: true) else { return nil }
        defer { price.rejectUnknownKeys() }
        let input = price.double("input", required: true, minimum: 0)
        let output = price.double("output", required: true, minimum: 0)
        let cached = price.double("cached_input", minimum: 0)
        guard let input, let output else { return nil }
        return ModelPrice(inputPerMillion: input, outputPerMillion: output, cachedInputPerMillion: cached)
    }

    private func readCapabilities(_ model: MappingReader) -> Set<ModelCapability>? {
        guard let entries = model.sequence("capabilities") else { return nil }
        var capabilities: Set<ModelCapability> = []
        for entry in entries {
            if let capability = reader.choice(entry.node, path: entry.path, as: ModelCapability.self) {
                capabilities.insert(capability)
            }
        }
        return capabilities
    }

    /// Why `path` cannot serve as a PEM file of certificate authorities, or `nil` when it can.
    static func certificateFileProblem(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return "cannot read \"\(path)\"" }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            return "\"\(path)\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        }
        return nil
    }

    static func isHTTPURL(_ text: String) -> Bool {
        UpstreamEndpoint(url: text) != nil
    }

    static func trimmingTrailingSlash(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
