import Foundation
import Hummingbird
import SwitchyardCore
import SwitchyardStorage

/// `/admin/tenants`, `/admin/keys`, `/admin/budgets`, `/admin/audit` (behind the admin key) and
/// `GET /v1/usage` (a tenant's own usage, with its virtual key).
struct TenancyRoutes: Sendable {
    let directory: TenantDirectory
    let budgets: BudgetBook
    let store: any TenantStore
    let configuration: GatewayConfiguration

    static let actor = "admin"
    /// The largest admin API body read.
    static let maxBodyBytes = 256 * 1024

    func register(admin: RouterGroup<BasicRequestContext>, router: Router<BasicRequestContext>) {
        // Tenants
        admin.post("tenants") { request, _ in
            let body = try await Self.body(request)
            guard let id = body["id"]?.stringValue, Tenant.isValidID(id) else {
                throw GatewayError.invalidRequest("'id' is required: 1–64 letters, digits, '-', '_' or '.'.", param: "id", code: "invalid_value")
            }
            guard directory.tenant(id: id) == nil else {
                throw GatewayError(status: 409, type: "invalid_request_error", code: "tenant_exists", message: "Tenant '\(id)' already exists.")
            }
            let tenant = try Self.apply(body, to: Tenant(id: id))
            try await directory.save(tenant, actor: Self.actor, action: "tenant.create")
            return jsonResponse(TenancyCoding.json(tenant), status: .created)
        }
        admin.get("tenants") { _, _ in
            jsonResponse(["object": "list", "data": .array(directory.allTenants.map(TenancyCoding.json))])
        }
        admin.get("tenants/:id") { _, context in
            jsonResponse(TenancyCoding.json(try tenant(context)))
        }
        admin.patch("tenants/:id") { request, context in
            let current = try tenant(context)
            try refuseDeclared(tenant: current.id)
            let updated = try Self.apply(try await Self.body(request), to: current)
            try await directory.save(updated, actor: Self.actor, action: "tenant.update")
            return jsonResponse(TenancyCoding.json(updated))
        }
        admin.delete("tenants/:id") { _, context in
            let current = try tenant(context)
            try refuseDeclared(tenant: current.id)
            // Its keys stop working with it (they are revoked, so the audit log shows it).
            for key in directory.allKeys where key.tenant == current.id { try await revoke(key) }
            try await directory.deleteTenant(id: current.id, actor: Self.actor)
            return jsonResponse(["id": .string(current.id), "deleted": true])
        }

        // Keys
        admin.post("keys") { request, _ in
            let body = try await Self.body(request)
            guard let tenant = body["tenant"]?.stringValue, directory.tenant(id: tenant) != nil else {
                throw GatewayError.invalidRequest("'tenant' must name an existing tenant.", param: "tenant", code: "invalid_value")
            }
            let secret = KeySecrets.generate()
            var key = VirtualKey(
                id: KeySecrets.newID(), tenant: tenant, secretHash: KeySecrets.hash(secret), prefix: KeySecrets.prefix(of: secret), created: Date())
            key = try Self.apply(body, to: key)
            try await directory.save(key, actor: Self.actor, action: "key.create")
            var shown = TenancyCoding.json(key).objectValue ?? JSONObject()
            shown["key"] = .string(secret)
            shown["note"] = "The key is shown only now; store it safely."
            return jsonResponse(.object(shown), status: .created)
        }
        admin.get("keys") { request, _ in
            let tenant = request.uri.queryParameters["tenant"].map(String.init)
            let keys = directory.allKeys.filter { tenant == nil || $0.tenant == tenant }
            return jsonResponse(["object": "list", "data": .array(keys.map(TenancyCoding.json))])
        }
        admin.get("keys/:id") { _, context in
            jsonResponse(TenancyCoding.json(try key(context)))
        }
        admin.patch("keys/:id") { request, context in
            let current = try key(context)
            try refuseDeclared(key: current.id)
            let updated = try Self.apply(try await Self.body(request), to: current)
            try await directory.save(updated, actor: Self.actor, action: "key.update")
            return jsonResponse(TenancyCoding.json(updated))
        }
        admin.delete("keys/:id") { _, context in
            let current = try key(context)
            try refuseDeclared(key: current.id)
            return jsonResponse(TenancyCoding.json(try await revoke(current)))
        }

        // Budgets: the status of every budget, and setting a tenant's or key's budgets.
        admin.get("budgets") { _, _ in
            let now = Date()
            var rows: [JSONValue] = []
            for tenant in directory.allTenants {
                rows += budgets.status(of: CallerIdentity(tenant: tenant, key: nil), now: now).map(Self.statusJSON)
            }
            for key in directory.allKeys where key.revoked == nil {
                rows += budgets.status(of: CallerIdentity(tenant: nil, key: key), now: now).map(Self.statusJSON)
            }
            return jsonResponse(["object": "list", "data": .array(rows)])
        }
        // POST and PATCH both replace the budgets of the tenant or key named.
        let setBudgets: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = try await Self.body(request)
            let list = try Self.budgetList(body["budgets"])
            switch (body["tenant"]?.stringValue, body["key"]?.stringValue) {
            case (let id?, nil): return try await replaceBudgets(tenant: id, with: list, action: "budget.set")
            case (nil, let id?): return try await replaceBudgets(key: id, with: list, action: "budget.set")
            default:
                throw GatewayError.invalidRequest("Give exactly one of 'tenant' or 'key', and 'budgets'.", param: "tenant", code: "invalid_value")
            }
        }
        admin.post("budgets", use: setBudgets)
        admin.patch("budgets", use: setBudgets)
        admin.delete("budgets/:scope/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            switch context.parameters.get("scope") {
            case "tenants": return try await replaceBudgets(tenant: id, with: [], action: "budget.delete")
            case "keys": return try await replaceBudgets(key: id, with: [], action: "budget.delete")
            default:
                throw GatewayError(status: 404, type: "invalid_request_error", code: "not_found", message: "Use /admin/budgets/tenants/{id} or /admin/budgets/keys/{id}.")
            }
        }
        admin.get("audit") { request, _ in
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) }.map { min(max($0, 1), 10_000) } ?? 100
            let entries = try await store.auditEntries(limit: limit)
            return jsonResponse(["object": "list", "data": .array(entries.map(Self.auditJSON))])
        }

        // A tenant's own usage.
        router.get("/v1/usage") { request, _ in
            let identity = try directory.identify(authorization: request.headers[.authorization], now: Date())
            guard let tenant = identity.tenant else {
                throw GatewayError(
                    status: 401, type: "invalid_request_error", code: "missing_api_key",
                    message: "GET /v1/usage needs the tenant's virtual key: 'Authorization: Bearer sy-…'.")
            }
            let now = Date()
            var status = budgets.status(of: CallerIdentity(tenant: tenant, key: nil), now: now)
            if let key = identity.key { status += budgets.status(of: CallerIdentity(tenant: nil, key: key), now: now) }
            return jsonResponse([
                "tenant": .string(tenant.id), "key_id": identity.key.map { .string($0.id) } ?? .null,
                "budgets": .array(status.map(Self.statusJSON)),
            ])
        }
    }

    private func tenant(_ context: BasicRequestContext) throws(GatewayError) -> Tenant {
        let id = context.parameters.get("id") ?? ""
        guard let tenant = directory.tenant(id: id) else { throw Self.notFound("tenant", id) }
        return tenant
    }

    private func key(_ context: BasicRequestContext) throws(GatewayError) -> VirtualKey {
        let id = context.parameters.get("id") ?? ""
        guard let key = directory.key(id: id) else { throw Self.notFound("key", id) }
        return key
    }

    /// Revokes `key` (audited) unless it already is; returns it as it now stands.
    @discardableResult
    private func revoke(_ key: VirtualKey) async throws -> VirtualKey {
        guard key.revoked == nil else { return key }
        var revoked = key
        revoked.revoked = Date()
        try await directory.save(revoked, actor: Self.actor, action: "key.revoke")
        return revoked
    }

    /// Replaces the budgets of the tenant `id` (audited as `action`).
    private func replaceBudgets(tenant id: String, with budgets: [Budget], action: String) async throws -> Response {
        guard var tenant = directory.tenant(id: id) else { throw Self.notFound("tenant", id) }
        try refuseDeclared(tenant: id)
        tenant.budgets = budgets
        try await directory.save(tenant, actor: Self.actor, action: action)
        return jsonResponse(TenancyCoding.json(tenant))
    }

    /// Replaces the budgets of the key `id` (audited as `action`).
    private func replaceBudgets(key id: String, with budgets: [Budget], action: String) async throws -> Response {
        guard var key = directory.key(id: id) else { throw Self.notFound("key", id) }
        try refuseDeclared(key: id)
        key.budgets = budgets
        try await directory.save(key, actor: Self.actor, action: action)
        return jsonResponse(TenancyCoding.json(key))
    }

    private func refuseDeclared(tenant id: String) throws(GatewayError) {
        if directory.isDeclared(tenant: id) {
            throw GatewayError(
                status: 409, type: "invalid_request_error", code: "declared_in_config",
                message: "Tenant '\(id)' is declared in the configuration file; change it there.")
        }
    }

    private func refuseDeclared(key id: String) throws(GatewayError) {
        if directory.isDeclared(key: id) {
            throw GatewayError(
                status: 409, type: "invalid_request_error", code: "declared_in_config",
                message: "Key '\(id)' is declared in the configuration file; change it there.")
        }
    }

    static func notFound(_ kind: String, _ id: String) -> GatewayError {
        GatewayError(status: 404, type: "invalid_request_error", code: "\(kind)_not_found", message: "No \(kind) '\(id)'.")
    }

    static func body(_ request: Request) async throws -> JSONValue {
        let buffer = try await collectBody(request, limit: maxBodyBytes)
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw GatewayError.malformedJSON(error)
        }
        guard value.objectValue != nil else { throw GatewayError.invalidRequest("The body must be a JSON object.", code: "invalid_type") }
        return value
    }

    static func budgetList(_ value: JSONValue?) throws(GatewayError) -> [Budget] {
        switch TenancyCoding.budgets(value) {
        case .success(let budgets): return budgets
        case .failure(let error): throw GatewayError.invalidRequest(error.message, param: "budgets", code: "invalid_value")
        }
    }

    static func rateLimits(_ value: JSONValue?) throws(GatewayError) -> RateLimits {
        switch TenancyCoding.limits(value) {
        case .success(let limits): return limits
        case .failure(let error): throw GatewayError.invalidRequest(error.message, param: "limits", code: "invalid_value")
        }
    }

    static func stringSet(_ value: JSONValue?, param: String) throws(GatewayError) -> Set<String>?? {
        guard let value else { return .none }
        if value == .null { return .some(nil) }
        guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            throw GatewayError.invalidRequest("'\(param)' must be a list of strings or null.", param: param, code: "invalid_type")
        }
        return .some(Set(items.compactMap(\.stringValue)))
    }

    /// Applies the fields present in `body` to `tenant`.
    static func apply(_ body: JSONValue, to tenant: Tenant) throws(GatewayError) -> Tenant {
        var tenant = tenant
        if let name = body["name"] {
            guard let text = name.stringValue else { throw GatewayError.invalidRequest("'name' must be a string.", param: "name", code: "invalid_type") }
            tenant.name = text
        }
        if let tier = body["user_tier"] {
            guard let value = tier.stringValue.flatMap(UserTier.init(rawValue:)) else {
                throw GatewayError.invalidRequest("'user_tier' must be free, pro or enterprise.", param: "user_tier", code: "invalid_value")
            }
            tenant.userTier = value
        }
        if let regions = try stringSet(body["allowed_regions"], param: "allowed_regions") { tenant.allowedRegions = regions }
        if body["budgets"] != nil { tenant.budgets = try budgetList(body["budgets"]) }
        if body["limits"] != nil { tenant.limits = try rateLimits(body["limits"]) }
        if let metadata = body["metadata"] {
            guard let object = metadata.objectValue else {
                throw GatewayError.invalidRequest("'metadata' must be an object of strings.", param: "metadata", code: "invalid_type")
            }
            tenant.metadata = Dictionary(object.entries.map { ($0.key, $0.value.stringValue ?? JSONWriter.string($0.value)) }, uniquingKeysWith: { a, _ in a })
        }
        return tenant
    }

    /// Applies the fields present in `body` to `key`.
    static func apply(_ body: JSONValue, to key: VirtualKey) throws(GatewayError) -> VirtualKey {
        var key = key
        if let name = body["name"] {
            guard let text = name.stringValue else { throw GatewayError.invalidRequest("'name' must be a string.", param: "name", code: "invalid_type") }
            key.name = text
        }
        if let expires = body["expires_at"] {
            if expires == .null {
                key.expires = nil
            } else {
                guard let date = expires.stringValue.flatMap(TenancyCoding.date) else {
                    throw GatewayError.invalidRequest("'expires_at' must be an ISO 8601 time (2026-12-31T00:00:00Z) or null.", param: "expires_at", code: "invalid_value")
                }
                key.expires = date
            }
        }
        if let seconds = body["expires_in"] {
            guard let value = seconds.doubleValue, value > 0 else {
                throw GatewayError.invalidRequest("'expires_in' must be a positive number of seconds.", param: "expires_in", code: "invalid_value")
            }
            key.expires = Date().addingTimeInterval(value)
        }
        if let models = try stringSet(body["allowed_models"], param: "allowed_models") { key.allowedModels = models }
        if let tiers = try stringSet(body["allowed_tiers"], param: "allowed_tiers") { key.allowedTiers = tiers }
        if body["budgets"] != nil { key.budgets = try budgetList(body["budgets"]) }
        if body["limits"] != nil { key.limits = try rateLimits(body["limits"]) }
        return key
    }

    static func statusJSON(_ item: (BudgetBook.Scope, BudgetAccount)) -> JSONValue {
        let (scope, account) = item
        var object = JSONObject([
            ("scope", .string(scope.kind.rawValue)), ("id", .string(scope.id)), ("period", .string(scope.period.rawValue)),
            ("period_start", .string(TenancyCoding.iso(account.periodStart))), ("resets_at", .string(TenancyCoding.iso(account.periodEnd))),
            ("spent_usd", .double(account.spentUSD)), ("spent_tokens", .int(Int64(account.spentTokens))),
            ("reserved_usd", .double(account.reservedUSD)), ("utilization", .double(account.utilization)),
        ])
        object["cap_usd"] = account.budget.usd.map(JSONValue.double) ?? .null
        object["cap_tokens"] = account.budget.tokens.map { .int(Int64($0)) } ?? .null
        return .object(object)
    }

    static func auditJSON(_ entry: AuditEntry) -> JSONValue {
        .object(JSONObject([
            ("time", .string(TenancyCoding.iso(entry.time))), ("actor", .string(entry.actor)), ("action", .string(entry.action)),
            ("target", .string(entry.target)), ("before", entry.before ?? .null), ("after", entry.after ?? .null),
        ]))
    }
}
