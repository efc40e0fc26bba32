import Foundation
import SwitchyardCore

/// Reads `auth`, `budgets`, `tenants` and `keys`.
struct TenancyConfigurationReader {
    let document: MappingReader

    func read() -> TenancySettings {
        var settings = TenancySettings()
        if let auth = document.mapping("auth") {
            defer { auth.rejectUnknownKeys() }
            if let require = auth.bool("require_key") { settings.requireKey = require }
        }
        if let budgets = document.mapping("budgets") {
            defer { budgets.rejectUnknownKeys() }
            if let alerts = budgets.doubleList("alerts") {
                if alerts.contains(where: { $0 <= 0 || $0 >= 1 }) {
                    budgets.report("alerts", "alert thresholds are shares of a budget between 0 and 1, e.g. [0.5, 0.8]")
                } else {
                    settings.alertThresholds = alerts.sorted()
                }
            }
            if let exempt = budgets.bool("exempt_local") { settings.exemptLocal = exempt }
            if let tokens = budgets.int("session_token_alert", range: 1...1_000_000_000) { settings.sessionTokenAlert = tokens }
            if let wait = budgets.duration("reservation_wait", allowZero: true) { settings.reservationWait = wait }
            if let share = budgets.double("lease_share", minimum: 0) {
                if share <= 0 || share > 1 {
                    budgets.report("lease_share", "must be a share of a budget's cap above 0 and at most 1, e.g. 0.05")
                } else {
                    settings.leaseShare = share
                }
            }
            if let interval = budgets.duration("lease_sync_interval") { settings.leaseSyncInterval = interval }
            if let ttl = budgets.duration("lease_ttl") { settings.leaseTTL = ttl }
            if settings.leaseTTL < settings.leaseSyncInterval * 3 {
                budgets.report(
                    budgets.has("lease_ttl") ? "lease_ttl" : "lease_sync_interval", "lease_ttl must be at least three lease_sync_intervals")
            }
            if let hooks = budgets.mappings("webhooks") {
                settings.webhooks = hooks.compactMap { hook in
                    defer { hook.rejectUnknownKeys() }
                    guard let url = hook.string("url", required: true) else { return nil }
                    guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                        hook.report("url", "must be an http:// or https:// URL")
                        return nil
                    }
                    return AlertWebhook(url: url, secret: hook.string("secret"))
                }
            }
        }
        var tenantIDs: Set<String> = []
        if let tenants = document.mappings("tenants") {
            for entry in tenants {
                defer { entry.rejectUnknownKeys() }
                guard let id = entry.string("id", required: true) else { continue }
                guard Tenant.isValidID(id) else {
                    entry.report("id", "must be 1–64 letters, digits, '-', '_' or '.'")
                    continue
                }
                if !tenantIDs.insert(id).inserted { entry.report("id", "tenant '\(id)' is declared twice") }
                var tenant = Tenant(id: id, name: entry.string("name"))
                if let tier = entry.choice("user_tier", as: UserTier.self) { tenant.userTier = tier }
                if let regions = entry.stringList("regions") { tenant.allowedRegions = Set(regions.map { $0.lowercased() }) }
                tenant.budgets = readBudgets(entry)
                tenant.limits = readLimits(entry)
                tenant.metadata = entry.stringMap("metadata") ?? [:]
                settings.tenants.append(tenant)
            }
        }
        if let keys = document.mappings("keys") {
            var keyIDs: Set<String> = []
            for entry in keys {
                defer { entry.rejectUnknownKeys() }
                let id = entry.string("id", required: true)
                let tenant = entry.string("tenant", required: true)
                let secret = entry.string("key", required: true)
                if let tenant, !tenantIDs.contains(tenant) {
                    entry.report("tenant", "no tenant '\(tenant)' is declared under `tenants`")
                }
                if let secret, !secret.hasPrefix("sy-") || secret.count < 20 {
                    entry.report("key", "must start with 'sy-' and be at least 20 characters (generate one with `switchyard keys create`)")
                }
                if let id, !keyIDs.insert(id).inserted { entry.report("id", "key '\(id)' is declared twice") }
                guard let id, let tenant, let secret else { continue }
                settings.keys.append(DeclaredKey(
                    id: id, tenant: tenant, secret: secret, allowedModels: entry.stringList("models").map(Set.init),
                    allowedTiers: entry.stringList("tiers").map(Set.init), budgets: readBudgets(entry), limits: readLimits(entry)))
            }
        }
        return settings
    }

    private func readBudgets(_ entry: MappingReader) -> [Budget] {
        guard let budgets = entry.mappings("budgets") else { return [] }
        return budgets.compactMap { budget in
            defer { budget.rejectUnknownKeys() }
            let period = budget.choice("period", as: Budget.Period.self, required: true)
            let usd = budget.double("usd", minimum: 0)
            let tokens = budget.int("tokens", range: 0...Int.max)
            guard let period else { return nil }
            guard usd != nil || tokens != nil else {
                budget.reportMissing("usd", hint: "a budget needs usd, tokens or both")
                return nil
            }
            return Budget(period: period, usd: usd, tokens: tokens)
        }
    }

    private func readLimits(_ entry: MappingReader) -> RateLimits {
        guard let limits = entry.mapping("limits") else { return RateLimits() }
        defer { limits.rejectUnknownKeys() }
        return RateLimits(requestsPerMinute: limits.int("rpm", range: 1...10_000_000), tokensPerMinute: limits.int("tpm", range: 1...1_000_000_000))
    }
}
