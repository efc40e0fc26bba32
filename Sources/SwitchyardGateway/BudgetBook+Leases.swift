import Foundation
import Synchronization
import SwitchyardCore

/// The shared budgets' side of the book: what the lease sync reports and asks for, and what it
/// brings back (see ``BudgetLease`` and ``BudgetLeaseSync``).
extension BudgetBook {
    /// One budget's request, with what is needed to apply its grant.
    struct PendingLease: Sendable {
        var scope: Scope
        var request: BudgetLeaseRequest
    }

    /// Requests for every shared budget that has something to report or a slice to hold. A
    /// budget reserved on within `activeWithin` asks for its reservations in flight plus a
    /// slice of `share` of its cap (at least the largest reservation that waited); an idle one
    /// asks only for its reservations, giving the rest back to the other instances.
    func leaseRequests(share: Double, activeWithin: TimeInterval, now: Date) -> [PendingLease] {
        state.withLock { state in
            var pending: [PendingLease] = []
            for (scope, account) in state.accounts {
                let waiting = state.waitingFor[scope]
                let active = waiting != nil || state.lastReserved[scope].map { now.timeIntervalSince($0) < activeWithin } == true
                let slice = active ? Self.slice(of: account.budget, share: share, atLeast: waiting) : .zero
                guard let (unreported, want) = account.leaseRequest(slice: slice) else { continue }
                let holds = account.lease.map { $0.ceiling.usd > account.spentUSD || $0.ceiling.tokens > account.spentTokens } ?? false
                guard active || holds || unreported.usd > 0 || unreported.tokens > 0 || account.reservedUSD > 0 || account.reservedTokens > 0
                else { continue }
                pending.append(PendingLease(scope: scope, request: Self.request(scope, account, reported: unreported, want: want)))
            }
            for (scope, account) in state.retired {
                guard let unreported = account.lease?.unreported else { continue }
                pending.append(PendingLease(
                    scope: scope, request: Self.request(scope, account, reported: unreported, want: .zero)))
            }
            return pending
        }
    }

    /// Applies the store's grants to the requests they answer.
    func applyLeaseGrants(_ grants: [(PendingLease, BudgetLeaseGrant)]) {
        state.withLock { state in
            for (pending, grant) in grants {
                let reported = pending.request.reported
                if var account = state.accounts[pending.scope], account.periodStart == pending.request.periodStart {
                    account.applyGrant(grant, reported: reported)
                    state.accounts[pending.scope] = account
                    // A waiting reservation that now fits stops asking; one that still does not
                    // keeps its demand for the next sync.
                    if let wanted = state.waitingFor[pending.scope], account.verdict(for: wanted, now: Date()) == .granted {
                        state.waitingFor[pending.scope] = nil
                    }
                } else {
                    state.retired.removeAll { $0.0 == pending.scope && $0.1.periodStart == pending.request.periodStart }
                }
            }
        }
    }

    /// Requests that report every shared budget's last spend and hold nothing (a graceful stop).
    func finalLeaseRequests() -> [BudgetLeaseRequest] {
        state.withLock { state in
            let current = state.accounts.compactMap { scope, account -> BudgetLeaseRequest? in
                guard let lease = account.lease else { return nil }
                return Self.request(scope, account, reported: lease.unreported, want: .zero)
            }
            let retired = state.retired.compactMap { scope, account -> BudgetLeaseRequest? in
                account.lease.map { Self.request(scope, account, reported: $0.unreported, want: .zero) }
            }
            return current + retired
        }
    }

    private static func slice(of budget: Budget, share: Double, atLeast waiting: BudgetAccount.Amount?) -> BudgetAccount.Amount {
        BudgetAccount.Amount(
            usd: max((budget.usd ?? 0) * share, waiting?.usd ?? 0),
            tokens: max(Int((Double(budget.tokens ?? 0) * share).rounded(.up)), waiting?.tokens ?? 0))
    }

    /// `scope`'s key in the shared store (``BudgetLeaseRequest/scope``).
    static func leaseScope(_ scope: Scope) -> String {
        BudgetLeaseRequest.scope(owner: scope.kind == .tenant ? .tenant : .key, ownerID: scope.id, period: scope.period)
    }

    private static func request(_ scope: Scope, _ account: BudgetAccount, reported: BudgetAccount.Amount, want: BudgetAccount.Amount) -> BudgetLeaseRequest {
        BudgetLeaseRequest(
            owner: scope.kind == .tenant ? .tenant : .key, ownerID: scope.id, period: scope.period, periodStart: account.periodStart,
            periodEnd: account.periodEnd, capUSD: account.budget.usd, capTokens: account.budget.tokens, reported: reported, want: want)
    }
}
