import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import SwitchyardCore
import SwitchyardStorage

/// Keeps this instance's shared budgets and rate limits in step with the store (see
/// ``BudgetLease`` and ``RateShares``): at start, every `budgets.lease_sync_interval`, and at
/// once when a reservation waits for a slice, it reports the spend settled here, learns every
/// instance's spend, and renews or resizes its slices; and it reports this instance's demand on
/// each rate-limited tenant, key and deployment (``SharedRateLimits``) and takes its share of
/// their limits; and it adds the tokens each conversation used here to the session's total and
/// learns that total (``SessionTokenTally``). On a graceful stop it reports the last spend and
/// tokens, gives its slices back and withdraws its demand.
final class BudgetLeaseSync: Service {
    let book: BudgetBook
    /// Whose rate limits are split with the other instances: the book's and the deployments'.
    let rateLimits: [any SharedRateLimits]
    let store: any BudgetLeaseStore
    let settings: TenancySettings
    let logger: Logger
    /// This process, as the store tells instances apart.
    let instance: String
    private let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    private let stopped = CompletionSignal()
    /// When demand on rate limits was last reported.
    private let lastRateReport = Mutex(ContinuousClock.now)

    init(book: BudgetBook, rateLimits: [any SharedRateLimits], store: any BudgetLeaseStore, settings: TenancySettings, logger: Logger) {
        self.book = book
        self.rateLimits = rateLimits
        self.store = store
        self.settings = settings
        self.logger = logger
        instance = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
        (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        book.onSliceWanted { [wakeUp] in wakeUp.yield() }
    }

    func run() async throws {
        // The first sync at once: an instance learns how many share the rate limits before it
        // serves for long with all of them.
        wakeUp.yield()
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
        let sessions = book.takeSessionTokens()
        do {
            _ = try await store.addSessionTokens(sessions)
        } catch {
            logger.error("shared session tokens: the last tokens were not reported", metadata: ["sessions": "\(sessions.count)", "error": "\(error.message)"])
        }
        do {
            try await store.releaseRateDemand(instance: instance)
        } catch {
            logger.error("shared rate limits: this instance's demand was not withdrawn", metadata: ["error": "\(error.message)"])
        }
        stopped.complete()
    }

    /// Returns once ``run()`` has reported the last spend (or failed to).
    func waitUntilStopped() async {
        await stopped.wait()
    }

    /// One round: budgets (report, learn, renew), rate limits (report demand, take shares), then
    /// sessions' tokens (report, learn totals).
    func syncOnce() async {
        let pending = book.leaseRequests(
            share: settings.leaseShare, activeWithin: max(10, 10 * settings.leaseSyncInterval.milliseconds / 1000), now: Date())
        if !pending.isEmpty {
            do {
                let grants = try await store.syncBudgets(pending.map(\.request), instance: instance, ttl: settings.leaseTTL)
                book.applyLeaseGrants(Array(zip(pending, grants)))
            } catch {
                // The slices lapse on their own if this goes on; spend stays unreported until it works.
                logger.error("shared budgets: sync failed", metadata: ["budgets": "\(pending.count)", "error": "\(error.message)"])
            }
        }
        let now = ContinuousClock.now
        let elapsed = lastRateReport.withLock { last in
            defer { last = now }
            return now - last
        }
        var demand: [String: Double] = [:]
        for limits in rateLimits { demand.merge(limits.rateDemand(elapsed: elapsed)) { first, _ in first } }
        do {
            let shares = try await store.syncRateDemand(demand, instance: instance, ttl: settings.leaseTTL)
            for limits in rateLimits { limits.applyRateShares(shares) }
        } catch {
            // The shares stay as they were; the other instances stop counting this one's demand
            // once its report expires.
            logger.error("shared rate limits: sync failed", metadata: ["subjects": "\(demand.count)", "error": "\(error.message)"])
        }
        let sessions = book.takeSessionTokens()
        let leftOut = book.takeSessionTokensLeftOut()
        if leftOut > 0 {
            // Memory stays bounded through a long outage; the ledger still has every token.
            logger.warning("shared session tokens: tokens of sessions past the most that wait to be reported were counted on this instance only",
                           metadata: ["tokens": "\(leftOut)", "waiting": "\(sessions.count)"])
        }
        guard !sessions.isEmpty else { return }
        do {
            book.learnSessionTotals(try await store.addSessionTokens(sessions))
        } catch {
            // Reported again with the next round's.
            book.restoreSessionTokens(sessions)
            logger.error("shared session tokens: sync failed", metadata: ["sessions": "\(sessions.count)", "error": "\(error.message)"])
        }
    }
}
