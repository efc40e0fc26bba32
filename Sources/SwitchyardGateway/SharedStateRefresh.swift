import Logging
import ServiceLifecycle
import SwitchyardCore

/// Re-reads, every `storage.refresh_interval`, what other gateway instances change in a store
/// they share: tenants and keys (what one instance's admin API creates, changes, revokes or
/// deletes reaches the others within that time), and shadow evaluation's verdicts (rebuilt from
/// the shared ledger, so every instance routes on what all of them measured).
struct SharedStateRefresh: Service {
    let directory: TenantDirectory
    let shadow: ShadowEvaluator?
    let store: any LedgerStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                // Cut short by a graceful shutdown, which then need not wait out the interval.
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                try await directory.load()
            } catch {
                logger.error("tenants and keys not refreshed from the store", metadata: ["error": "\(error.message)"])
            }
            do {
                try await shadow?.load(from: store)
            } catch {
                logger.error("shadow verdicts not refreshed from the store", metadata: ["error": "\(error.message)"])
            }
        }
    }
}
