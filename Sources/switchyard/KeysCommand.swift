import ArgumentParser
import Foundation
import NIOHTTP1
import SwitchyardCore
import SwitchyardStorage

/// `switchyard keys`: create, list and revoke virtual keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke virtual keys (sy-…).",
        discussion: """
            Against a running gateway (--url, with the admin key) or directly on its database (--database or --config; stop the gateway first). Secrets are stored only as hashes and shown once, at creation. Every change is written to the audit log.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key for a tenant and print its secret (shown only now).")

        @Option(help: "The tenant the key belongs to.") var tenant: String
        @Option(help: "A name to recognise the key by.") var name: String = ""
        @Option(help: "Lifetime: 30m, 12h, 30d, 4w (default: no expiry).") var expiresIn: String?
        @Option(help: "Comma-separated models the key may call (default: any).") var models: String?
        @Option(help: "Comma-separated tiers the key may use (default: any).") var tiers: String?
        @OptionGroup var target: AdminTargetOptions

        func validate() throws {
            if let expiresIn, parseLifetime(expiresIn) == nil { throw ValidationError("--expires-in must look like 30m, 12h, 30d or 4w.") }
        }

        func run() async throws {
            let models = self.models.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
            let tiers = self.tiers.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
            let expires = expiresIn.flatMap(parseLifetime).map { Date().addingTimeInterval($0) }
            if let storage = try target.storage() {
                let store = try await target.openStore(storage)
                guard try await store.tenants().contains(where: { $0.id == tenant }) else {
                    printError("error: no tenant '\(tenant)' in \(store.name) (create it with `switchyard tenants create`).")
                    throw ExitCode(1)
                }
                let secret = KeySecrets.generate()
                let key = VirtualKey(
                    id: KeySecrets.newID(), tenant: tenant, name: name, secretHash: KeySecrets.hash(secret), prefix: KeySecrets.prefix(of: secret),
                    created: Date(), expires: expires, allowedModels: models, allowedTiers: tiers)
                try await store.save(key)
                try await store.append(AuditEntry(time: Date(), actor: "cli", action: "key.create", target: key.id, after: TenancyCoding.json(key)))
                print("\(key.id)  \(secret)\nThe secret is shown only now; store it safely.")
                return
            }
            var body = JSONObject([("tenant", .string(tenant)), ("name", .string(name))])
            if let expires { body["expires_at"] = .string(TenancyCoding.iso(expires)) }
            if let models { body["allowed_models"] = .array(models.sorted().map(JSONValue.string)) }
            if let tiers { body["allowed_tiers"] = .array(tiers.sorted().map(JSONValue.string)) }
            let created = try await target.call(.POST, "/admin/keys", body: .object(body))
            print("\(created["id"]?.stringValue ?? "?")  \(created["key"]?.stringValue ?? "?")\nThe secret is shown only now; store it safely.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @Option(help: "Only this tenant's keys.") var tenant: String?
        @OptionGroup var target: AdminTargetOptions

        func run() async throws {
            let keys: [JSONValue]
            if let storage = try target.storage() {
                keys = try await target.openStore(storage).keys().filter { tenant == nil || $0.tenant == tenant }.map(TenancyCoding.json)
            } else {
                keys = try await target.call(.GET, "/admin/keys" + (tenant.map { "?tenant=\($0)" } ?? ""))["data"]?.arrayValue ?? []
            }
            var rows = [["id", "tenant", "name", "prefix", "created", "expires", "revoked"]]
            for key in keys {
                rows.append(["id", "tenant", "name", "prefix", "created_at", "expires_at", "revoked_at"].map { key[$0]?.stringValue ?? "-" })
            }
            print(TextTable(rows: rows).lines.joined(separator: "\n"))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; requests with it are refused from then on.")

        @Argument(help: "The key id (key_…).") var id: String
        @OptionGroup var target: AdminTargetOptions

        func run() async throws {
            if let storage = try target.storage() {
                let store = try await target.openStore(storage)
                guard var key = try await store.keys().first(where: { $0.id == id }) else {
                    printError("error: no key '\(id)' in \(store.name).")
                    throw ExitCode(1)
                }
                let before = TenancyCoding.json(key)
                key.revoked = key.revoked ?? Date()
                try await store.save(key)
                try await store.append(AuditEntry(time: Date(), actor: "cli", action: "key.revoke", target: id, before: before, after: TenancyCoding.json(key)))
            } else {
                _ = try await target.call(.DELETE, "/admin/keys/\(id)")
            }
            print("revoked \(id)")
        }
    }
}
