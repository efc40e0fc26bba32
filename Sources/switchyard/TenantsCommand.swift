import ArgumentParser
import Foundation
import NIOHTTP1
import SwitchyardCore
import SwitchyardStorage

/// `switchyard tenants`: create and list tenants.
struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenants",
        abstract: "Create and list tenants (user tier, regions, budgets, rate limits).",
        discussion: "Against a running gateway (--url) or directly on its database (--database or --config; stop the gateway first).",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")

        @Argument(help: "Tenant id: letters, digits, '-', '_', '.'.") var id: String
        @Option(help: "Display name.") var name: String?
        @Option(help: "User tier: free, pro or enterprise.") var userTier: String = "pro"
        @Option(help: "Comma-separated regions its requests may be served in (default: any).") var regions: String?
        @Option(help: "Daily budget in USD.") var dailyUsd: Double?
        @Option(help: "Monthly budget in USD.") var monthlyUsd: Double?
        @Option(help: "Requests per minute.") var rpm: Int?
        @Option(help: "Tokens per minute.") var tpm: Int?
        @OptionGroup var target: AdminTargetOptions

        func validate() throws {
            guard Tenant.isValidID(id) else { throw ValidationError("The tenant id must be 1–64 letters, digits, '-', '_' or '.'.") }
            guard UserTier(rawValue: userTier) != nil else { throw ValidationError("--user-tier must be free, pro or enterprise.") }
            for (flag, value) in [("--daily-usd", dailyUsd), ("--monthly-usd", monthlyUsd)] where (value ?? 0) < 0 {
                throw ValidationError("\(flag) must not be negative.")
            }
        }

        func run() async throws {
            var budgets: [Budget] = []
            if let dailyUsd { budgets.append(Budget(period: .daily, usd: dailyUsd)) }
            if let monthlyUsd { budgets.append(Budget(period: .monthly, usd: monthlyUsd)) }
            let tenant = Tenant(
                id: id, name: name, userTier: UserTier(rawValue: userTier) ?? .pro,
                allowedRegions: regions.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces).lowercased() }) },
                budgets: budgets, limits: RateLimits(requestsPerMinute: rpm, tokensPerMinute: tpm))
            if let storage = try target.storage() {
                let store = try await target.openStore(storage)
                guard try await !store.tenants().contains(where: { $0.id == id }) else {
                    printError("error: tenant '\(id)' already exists in \(store.name).")
                    throw ExitCode(1)
                }
                try await store.save(tenant)
                try await store.append(AuditEntry(time: Date(), actor: "cli", action: "tenant.create", target: id, after: TenancyCoding.json(tenant)))
            } else {
                _ = try await target.call(.POST, "/admin/tenants", body: TenancyCoding.json(tenant))
            }
            print("created tenant \(id)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")

        @OptionGroup var target: AdminTargetOptions

        func run() async throws {
            let tenants: [JSONValue]
            if let storage = try target.storage() {
                tenants = try await target.openStore(storage).tenants().map(TenancyCoding.json)
            } else {
                tenants = try await target.call(.GET, "/admin/tenants")["data"]?.arrayValue ?? []
            }
            var rows = [["id", "name", "user tier", "regions", "budgets"]]
            for tenant in tenants {
                let budgets = tenant["budgets"]?.arrayValue?.map { budget in
                    let period = budget["period"]?.stringValue ?? "?"
                    let usd = budget["usd"]?.doubleValue.map { String(format: "$%.2f", $0) }
                    let tokens = budget["tokens"]?.intValue.map { "\($0) tok" }
                    return period + " " + [usd, tokens].compactMap { $0 }.joined(separator: " ")
                }.joined(separator: ", ") ?? ""
                let regions = tenant["allowed_regions"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? "any"
                rows.append([tenant["id"]?.stringValue ?? "?", tenant["name"]?.stringValue ?? "", tenant["user_tier"]?.stringValue ?? "", regions, budgets.isEmpty ? "-" : budgets])
            }
            print(TextTable(rows: rows).lines.joined(separator: "\n"))
        }
    }
}
