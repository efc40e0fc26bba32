import Logging
import ServiceLifecycle
import SwitchyardCore

/// Re-reads tenants and keys from a store shared with other gateway instances every
/// `storage.refresh_interval`, so that what one instance's admin API creates, changes, revokes or
/// deletes reaches the others within that time.
struct TenantRefresh: Service {
    let directory: TenantDirectory
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
        }
    }
}
