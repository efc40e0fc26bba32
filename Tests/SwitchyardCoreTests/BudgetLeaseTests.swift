import Foundation
import Testing

@testable import SwitchyardCore

@Suite("Budget slices shared between instances")
struct BudgetLeaseTests {
    let noon = Date(timeIntervalSince1970: 1_795_867_200)  // 2026-11-28T12:00:00Z
    func usd(_ value: Double) -> BudgetAccount.Amount { BudgetAccount.Amount(usd: value, tokens: 0) }

    @Test("with no slice yet, every reservation waits")
    func waitsForASlice() {
        var account = BudgetAccount(budget: Budget(period: .daily, usd: 1.0), containing: noon)
        account.startLeasing()
        #expect(account.verdict(for: usd(0.01), now: noon) == .wait)
        #expect(account.leaseRequest(slice: usd(0.05))?.want == usd(0.05))
    }

    @Test("a slice bounds reservations below the cap; a larger one is waited for")
    func sliceBoundsReservations() {
        var account = BudgetAccount(budget: Budget(period: .daily, usd: 1.0), containing: noon)
        account.startLeasing()
        // Other instances have spent 0.4; this one holds 0.1 of what is left.
        account.applyGrant(BudgetLeaseGrant(spent: usd(0.4), held: usd(0.1), validUntil: noon.addingTimeInterval(10)), reported: usd(0))
        #expect(account.spentUSD == 0.4)
        #expect(account.verdict(for: usd(0.1), now: noon) == .granted)
        #expect(account.verdict(for: usd(0.11), now: noon) == .wait, "fits the cap (0.6 left), not the slice")
        #expect(account.verdict(for: usd(0.61), now: noon) == .exhausted)
        account.reserve(usd(0.06))
        #expect(account.verdict(for: usd(0.05), now: noon) == .wait)
        #expect(account.leaseRequest(slice: usd(0.05))?.want == usd(0.11), "reservations in flight plus a slice")
    }

    @Test("settled spend is reported once; spend settled during a sync stays to report")
    func reportsSpendOnce() {
        var account = BudgetAccount(budget: Budget(period: .daily, usd: 1.0), containing: noon)
        account.startLeasing()
        account.applyGrant(BudgetLeaseGrant(spent: usd(0), held: usd(0.5), validUntil: noon.addingTimeInterval(10)), reported: usd(0))
        account.reserve(usd(0.2))
        account.settle(usd(0.2), actual: usd(0.15))
        let request = try! #require(account.leaseRequest(slice: usd(0.05)))
        #expect(request.unreported == usd(0.15))
        // While the sync is on its way, another request settles 0.05.
        account.reserve(usd(0.1))
        account.settle(usd(0.1), actual: usd(0.05))
        // The store added 0.15 to the period (now 0.15 + 0.3 from others) and left this one 0.2.
        account.applyGrant(BudgetLeaseGrant(spent: usd(0.45), held: usd(0.2), validUntil: noon.addingTimeInterval(10)), reported: request.unreported)
        #expect(abs(account.spentUSD - 0.5) < 1e-12, "0.45 known to all plus 0.05 not yet reported")
        #expect(abs((account.lease?.unreported.usd ?? 0) - 0.05) < 1e-12)
        #expect(abs((account.lease?.ceiling.usd ?? 0) - 0.65) < 1e-12)
        #expect(account.verdict(for: usd(0.15), now: noon) == .granted)
        #expect(account.verdict(for: usd(0.16), now: noon) == .wait)
    }

    @Test("a slice not renewed in time stops reservations")
    func anExpiredSliceRefusesToVouch() {
        var account = BudgetAccount(budget: Budget(period: .daily, usd: 1.0), containing: noon)
        account.startLeasing()
        account.applyGrant(BudgetLeaseGrant(spent: usd(0), held: usd(0.5), validUntil: noon.addingTimeInterval(10)), reported: usd(0))
        #expect(account.verdict(for: usd(0.1), now: noon.addingTimeInterval(9)) == .granted)
        #expect(account.verdict(for: usd(0.1), now: noon.addingTimeInterval(10)) == .wait)
    }

    @Test("a cap changed within the period keeps spend, reservations and slice")
    func capChange() {
        var account = BudgetAccount(budget: Budget(period: .daily, usd: 1.0), containing: noon)
        account.startLeasing()
        account.applyGrant(BudgetLeaseGrant(spent: usd(0.3), held: usd(0.2), validUntil: noon.addingTimeInterval(10)), reported: usd(0))
        account.reserve(usd(0.1))
        account.changeBudget(to: Budget(period: .daily, usd: 0.35))
        #expect(account.spentUSD == 0.3 && account.reservedUSD == 0.1)
        #expect(account.verdict(for: usd(0.06), now: noon) == .exhausted)
        #expect(account.lease != nil)
    }
}
