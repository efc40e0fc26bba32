import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardStorage

/// Who is calling: the tenant and key a request was authenticated as (both `nil` for anonymous
/// requests when keys are optional).
struct CallerIdentity: Sendable {
    var tenant: Tenant?
    var key: VirtualKey?

    static let anonymous = CallerIdentity(tenant: nil, key: nil)
}

/// Tenants and virtual keys: an in-memory view for the request path (one lock, no I/O), written
/// through to the store, with every change appended to the audit log.
///
/// Tenants and keys declared in the configuration live in memory only and cannot be changed
/// through the admin API.
final class TenantDirectory: Sendable {
    private struct State {
        var tenants: [String: Tenant] = [:]
        var keysByHash: [String: VirtualKey] = [:]
        var keysByID: [String: VirtualKey] = [:]
        var declaredTenants: Set<String> = []
        var declaredKeys: Set<String> = []
    }

    private let state = Mutex(State())
    let store: any TenantStore
    let requireKey: Bool

    init(store: any TenantStore, settings: TenancySettings) {
        self.store = store
        requireKey = settings.requireKey
        state.withLock { state in
            for tenant in settings.tenants {
                state.tenants[tenant.id] = tenant
                state.declaredTenants.insert(tenant.id)
            }
            for declared in settings.keys {
                let key = VirtualKey(
                    id: declared.id, tenant: declared.tenant, name: declared.id, secretHash: KeySecrets.hash(declared.secret),
                    prefix: KeySecrets.prefix(of: declared.secret), created: Date(timeIntervalSince1970: 0), allowedModels: declared.allowedModels,
                    allowedTiers: declared.allowedTiers, budgets: declared.budgets, limits: declared.limits)
                state.keysByHash[key.secretHash] = key
                state.keysByID[key.id] = key
                state.declaredKeys.insert(key.id)
            }
        }
    }

    /// Loads what the store holds, replacing what an earlier load brought (so tenants and keys
    /// deleted or changed in the store since, e.g. by another gateway instance, are deleted or
    /// changed here); the configuration's declarations win on conflicts.
    func load() async throws(StoreError) {
        let tenants = try await store.tenants()
        let keys = try await store.keys()
        state.withLock { state in
            state.tenants = state.tenants.filter { state.declaredTenants.contains($0.key) }
            state.keysByID = state.keysByID.filter { state.declaredKeys.contains($0.key) }
            state.keysByHash = state.keysByHash.filter { state.declaredKeys.contains($0.value.id) }
            for tenant in tenants where !state.declaredTenants.contains(tenant.id) { state.tenants[tenant.id] = tenant }
            for key in keys where !state.declaredKeys.contains(key.id) {
                state.keysByHash[key.secretHash] = key
                state.keysByID[key.id] = key
            }
        }
    }

    // MARK: Request path

    /// The caller presenting `authorization` (the `Authorization` header's value).
    func identify(authorization: String?, now: Date) throws(GatewayError) -> CallerIdentity {
        let token = authorization.flatMap(Self.bearerToken)
        guard let token, token.hasPrefix("sy-") else {
            if requireKey {
                throw GatewayError(
                    status: 401, type: "invalid_request_error", code: "missing_api_key",
                    message: "This gateway requires a virtual key: send 'Authorization: Bearer sy-…'.")
            }
            // Keys are optional: anything that is not a virtual key (an SDK's placeholder) is anonymous.
            return .anonymous
        }
        let hash = KeySecrets.hash(token)
        let found = state.withLock { state -> (VirtualKey, Tenant?)? in
            guard let key = state.keysByHash[hash] else { return nil }
            return (key, state.tenants[key.tenant])
        }
        guard let (key, tenant) = found else {
            throw GatewayError(status: 401, type: "invalid_request_error", code: "invalid_api_key", message: "The virtual key is not valid.")
        }
        if key.revoked != nil {
            throw GatewayError(status: 401, type: "invalid_request_error", code: "key_revoked", message: "The virtual key '\(key.id)' was revoked.")
        }
        if let expires = key.expires, now >= expires {
            throw GatewayError(
                status: 401, type: "invalid_request_error", code: "key_expired",
                message: "The virtual key '\(key.id)' expired at \(TenancyCoding.iso(expires)).")
        }
        guard let tenant else {
            throw GatewayError(
                status: 401, type: "invalid_request_error", code: "invalid_api_key",
                message: "The virtual key '\(key.id)' belongs to tenant '\(key.tenant)', which no longer exists.")
        }
        return CallerIdentity(tenant: tenant, key: key)
    }

    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    // MARK: Reads

    func tenant(id: String) -> Tenant? { state.withLock { $0.tenants[id] } }
    var allTenants: [Tenant] { state.withLock { $0.tenants.values.sorted { $0.id < $1.id } } }
    func key(id: String) -> VirtualKey? { state.withLock { $0.keysByID[id] } }
    var allKeys: [VirtualKey] { state.withLock { $0.keysByID.values.sorted { $0.id < $1.id } } }
    func isDeclared(tenant id: String) -> Bool { state.withLock { $0.declaredTenants.contains(id) } }
    func isDeclared(key id: String) -> Bool { state.withLock { $0.declaredKeys.contains(id) } }

    // MARK: Changes (admin)

    /// Saves `tenant` (new or changed) and audits it.
    func save(_ tenant: Tenant, actor: String, action: String) async throws(StoreError) {
        let before = self.tenant(id: tenant.id).map(TenancyCoding.json)
        try await store.save(tenant)
        state.withLock { $0.tenants[tenant.id] = tenant }
        try await store.append(AuditEntry(time: Date(), actor: actor, action: action, target: tenant.id, before: before, after: TenancyCoding.json(tenant)))
    }

    func deleteTenant(id: String, actor: String) async throws(StoreError) {
        let before = tenant(id: id).map(TenancyCoding.json)
        try await store.deleteTenant(id: id)
        state.withLock { _ = $0.tenants.removeValue(forKey: id) }
        try await store.append(AuditEntry(time: Date(), actor: actor, action: "tenant.delete", target: id, before: before))
    }

    /// Saves `key` (new or changed) and audits it.
    func save(_ key: VirtualKey, actor: String, action: String) async throws(StoreError) {
        let before = self.key(id: key.id).map(TenancyCoding.json)
        try await store.save(key)
        state.withLock { state in
            if let old = state.keysByID[key.id] { state.keysByHash[old.secretHash] = nil }
            state.keysByHash[key.secretHash] = key
            state.keysByID[key.id] = key
        }
        try await store.append(AuditEntry(time: Date(), actor: actor, action: action, target: key.id, before: before, after: TenancyCoding.json(key)))
    }
}
