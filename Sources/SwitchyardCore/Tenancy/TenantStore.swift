import Foundation

/// Durable tenants, keys and the audit log. Implemented by `SwitchyardStorage.SQLiteStore`.
public protocol TenantStore: Sendable {
    func tenants() async throws(StoreError) -> [Tenant]
    /// Inserts or replaces a tenant.
    func save(_ tenant: Tenant) async throws(StoreError)
    func deleteTenant(id: String) async throws(StoreError)

    func keys() async throws(StoreError) -> [VirtualKey]
    /// Inserts or replaces a key.
    func save(_ key: VirtualKey) async throws(StoreError)

    /// Appends to the audit log (never updated or deleted).
    func append(_ audit: AuditEntry) async throws(StoreError)
    /// The newest `limit` audit entries, newest first.
    func auditEntries(limit: Int) async throws(StoreError) -> [AuditEntry]
}

/// Spend booked in the ledger for one tenant and key since some instant.
public struct SpendTotal: Sendable, Hashable {
    public var tenant: String?
    public var keyID: String?
    public var usd: Double
    public var tokens: Int

    public init(tenant: String?, keyID: String?, usd: Double, tokens: Int) {
        self.tenant = tenant
        self.keyID = keyID
        self.usd = usd
        self.tokens = tokens
    }
}
