import Foundation
import Logging
import ServiceLifecycle
import SwitchyardCore
import SwitchyardStorage

/// Keeps this instance's shared budgets in step with the store (see ``BudgetLease``): every
/// `budgets.lease_sync_interval`, and at once when a reservation waits for a slice, it reports
/// the spend settled here, learns every instance's spend, and renews or resizes its slices. On a
/// graceful stop it reports the last spend and gives its slices back.
final class BudgetLeaseSync: Service {
    let book: BudgetBook
    let store: any BudgetLeaseStore
    let settings: TenancySettings
    let logger: Logger
    /// This process, as the store tells instances apart.
    let instance: String
    private let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    private let stopped = CompletionSignal()

    init(book: BudgetBook, store: any BudgetLeaseStore, settings: TenancySettings, logger: Logger) {
        self.book = book
        self.store = store
        self.settings = settings
        self.logger = logger
        instance = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        book.onSliceWanted { [wakeUp] in wakeUp.yield() }
    }

    func run() async throws {
        let ticker = Task { [wakeUp, interval = settings.leaseSyncInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                wakeUp.yield()
            }
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                for await _ in wakeUps { await syncOnce() }
            } onGracefulShutdown: { [wakeUp] in
                wakeUp.finish()
            }
        } onCancel: { [wakeUp] in
            wakeUp.finish()
        }
        ticker.cancel()
        do {
            try await store.releaseBudgets(book.finalLeaseRequests(), instance: instance)
        } catch {
            logger.error("shared budgets: the last spend was not reported", metadata: ["error": "\(error.message)"])
        }
        stopped.complete()
    }

    /// Returns once ``run()`` has reported the last spend (or failed to).
    func waitUntilStopped() async {
        await stopped.wait()
    }

    /// One round trip: report, learn, renew.
    func syncOnce() async {
        let pending = book.leaseRequests(
            share: settings.leaseShare, activeWithin: max(10, 10 * settings.leaseSyncInterval.milliseconds / 1000), now: Date())
        guard !pending.isEmpty else { return }
        do {
            let grants = try await store.syncBudgets(pending.map(\.request), instance: instance, ttl: settings.leaseTTL)
            book.applyLeaseGrants(Array(zip(pending, grants)))
        } catch {
            // The slices lapse on their own if this goes on; spend stays unreported until it works.
            logger.error("shared budgets: sync failed", metadata: ["budgets": "\(pending.count)", "error": "\(error.message)"])
        }
    }
}
