import Foundation
import SwitchyardCore

/// JSON forms of tenancy values, shared by the store's columns and the admin API.
public enum TenancyCoding {
    public static func json(_ budget: Budget) -> JSONValue {
        var object = JSONObject([("period", .string(budget.period.rawValue))])
        object["usd"] = budget.usd.map(JSONValue.double) ?? .null
        object["tokens"] = budget.tokens.map { .int(Int64($0)) } ?? .null
        return .object(object)
    }

    public static func json(_ limits: RateLimits) -> JSONValue {
        .object(JSONObject([
            ("rpm", limits.requestsPerMinute.map { .int(Int64($0)) } ?? .null),
            ("tpm", limits.tokensPerMinute.map { .int(Int64($0)) } ?? .null),
        ]))
    }

    public static func json(_ tenant: Tenant) -> JSONValue {
        .object(JSONObject([
            ("id", .string(tenant.id)), ("name", .string(tenant.name)), ("user_tier", .string(tenant.userTier.rawValue)),
            ("allowed_regions", tenant.allowedRegions.map { .array($0.sorted().map(JSONValue.string)) } ?? .null),
            ("budgets", .array(tenant.budgets.map(json))), ("limits", json(tenant.limits)),
            ("metadata", .object(JSONObject(tenant.metadata.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))),
        ]))
    }

    /// A key without its hash (what the admin API shows).
    public static func json(_ key: VirtualKey) -> JSONValue {
        .object(JSONObject([
            ("id", .string(key.id)), ("tenant", .string(key.tenant)), ("name", .string(key.name)), ("prefix", .string(key.prefix)),
            ("created_at", .string(iso(key.created))), ("expires_at", key.expires.map { .string(iso($0)) } ?? .null),
            ("revoked_at", key.revoked.map { .string(iso($0)) } ?? .null),
            ("allowed_models", key.allowedModels.map { .array($0.sorted().map(JSONValue.string)) } ?? .null),
            ("allowed_tiers", key.allowedTiers.map { .array($0.sorted().map(JSONValue.string)) } ?? .null),
            ("budgets", .array(key.budgets.map(json))), ("limits", json(key.limits)),
        ]))
    }

    public static func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    public static func date(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }

    /// Reads budgets; `nil` with a message when the value is malformed.
    public static func budgets(_ value: JSONValue?) -> Result<[Budget], TenancyInputError> {
        guard let value, value != .null else { return .success([]) }
        guard let items = value.arrayValue else { return .failure(TenancyInputError("budgets must be a list of {period, usd, tokens}")) }
        var budgets: [Budget] = []
        for item in items {
            guard let period = item["period"]?.stringValue.flatMap(Budget.Period.init(rawValue:)) else {
                return .failure(TenancyInputError("budgets[].period must be daily or monthly"))
            }
            let usd = item["usd"]?.doubleValue
            let tokens = item["tokens"]?.intValue
            if usd == nil, tokens == nil { return .failure(TenancyInputError("a budget needs usd, tokens or both")) }
            if let usd, usd < 0 { return .failure(TenancyInputError("budgets[].usd must not be negative")) }
            if let tokens, tokens < 0 { return .failure(TenancyInputError("budgets[].tokens must not be negative")) }
            budgets.append(Budget(period: period, usd: usd, tokens: tokens))
        }
        return .success(budgets)
    }

    public static func limits(_ value: JSONValue?) -> Result<RateLimits, TenancyInputError> {
        guard let value, value != .null else { return .success(RateLimits()) }
        guard value.objectValue != nil else { return .failure(TenancyInputError("limits must be {rpm, tpm}")) }
        let rpm = value["rpm"]?.intValue
        let tpm = value["tpm"]?.intValue
        if let rpm, rpm <= 0 { return .failure(TenancyInputError("limits.rpm must be positive")) }
        if let tpm, tpm <= 0 { return .failure(TenancyInputError("limits.tpm must be positive")) }
        return .success(RateLimits(requestsPerMinute: rpm, tokensPerMinute: tpm))
    }

    static func stringSet(_ value: JSONValue?) -> Set<String>? {
        value?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
    }

    static func tenant(fromColumn text: String) -> Tenant? {
        guard let value = try? JSONParser.parse(text), let id = value["id"]?.stringValue else { return nil }
        return Tenant(
            id: id, name: value["name"]?.stringValue, userTier: value["user_tier"]?.stringValue.flatMap(UserTier.init(rawValue:)) ?? .pro,
            allowedRegions: stringSet(value["allowed_regions"]), budgets: (try? budgets(value["budgets"]).get()) ?? [],
            limits: (try? limits(value["limits"]).get()) ?? RateLimits(),
            metadata: value["metadata"]?.objectValue.map { object in
                Dictionary(object.entries.map { ($0.key, $0.value.stringValue ?? "") }, uniquingKeysWith: { first, _ in first })
            } ?? [:])
    }
}

/// A malformed tenancy value (budgets, limits) from the admin API.
public struct TenancyInputError: Error, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
