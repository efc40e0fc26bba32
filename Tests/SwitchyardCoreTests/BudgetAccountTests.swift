import Foundation
import Testing

@testable import SwitchyardCore

@Suite("Budget accounts")
struct BudgetAccountTests {
    let noon = Date(timeIntervalSince1970: 1_795_867_200)  // 2026-11-28T12:00:00Z

    @Test("periods are UTC calendar days and months")
    func periods() {
        let day = Budget.Period.daily.interval(containing: noon)
        #expect(day.start == Date(timeIntervalSince1970: 1_795_824_000))  // 2026-11-28T00:00:00Z
        #expect(day.end.timeIntervalSince(day.start) == 86_400)
        let month = Budget.Period.monthly.interval(containing: noon)
        #expect(month.start == Date(timeIntervalSince1970: 1_793_491_200))  // 2026-11-01T00:00:00Z
        #expect(month.end == Date(timeIntervalSince1970: 1_796_083_200))  // 2026-12-01T00:00:00Z
    }

    @Test("a reservation waits beside others in flight and is refused past the cap")
    func verdicts() {
        var account = BudgetAccount(budget: Budget(period: .daily, usd: 1.0), containing: noon)
        let half = BudgetAccount.Amount(usd: 0.5, tokens: 0)
        #expect(account.verdict(for: half) == .granted)
        account.reserve(half)
        account.reserve(half)
        #expect(account.verdict(for: BudgetAccount.Amount(usd: 0.1, tokens: 0)) == .wait, "fits the cap, not the reservations")
        account.settle(half, actual: BudgetAccount.Amount(usd: 0.2, tokens: 10))
        account.release(half)
        #expect(account.spentUSD == 0.2 && account.reservedUSD == 0)
        #expect(account.verdict(for: BudgetAccount.Amount(usd: 0.8, tokens: 0)) == .granted)
        #expect(account.verdict(for: BudgetAccount.Amount(usd: 0.81, tokens: 0)) == .exhausted)
    }

    @Test("token caps bind like USD caps")
    func tokenCaps() {
        var account = BudgetAccount(budget: Budget(period: .monthly, tokens: 1_000), containing: noon)
        account.settle(BudgetAccount.Amount(usd: 0, tokens: 0), actual: BudgetAccount.Amount(usd: 0, tokens: 900))
        #expect(account.verdict(for: BudgetAccount.Amount(usd: 5, tokens: 100)) == .granted)
        #expect(account.verdict(for: BudgetAccount.Amount(usd: 0, tokens: 101)) == .exhausted)
        #expect(abs(account.utilization - 0.9) < 1e-12)
    }

    @Test("each alert threshold is reported once")
    func thresholdsOnce() {
        var account = BudgetAccount(budget: Budget(period: .daily, usd: 10), containing: noon)
        let none = BudgetAccount.Amount(usd: 0, tokens: 0)
        account.settle(none, actual: BudgetAccount.Amount(usd: 6, tokens: 0))
        #expect(account.crossedThresholds([0.5, 0.8]) == [0.5])
        #expect(account.crossedThresholds([0.5, 0.8]).isEmpty)
        account.settle(none, actual: BudgetAccount.Amount(usd: 3, tokens: 0))
        #expect(account.crossedThresholds([0.5, 0.8]) == [0.8])
    }
}
