import Foundation
import Synchronization
import SwitchyardCore
import SwitchyardStorage

/// Budgets and rate limits of tenants and keys, enforced before a request is sent.
///
/// A request first passes its key's and tenant's rate limits (requests per minute now; tokens per
/// minute are charged with actual usage when it settles). Then it reserves its worst-case cost on
/// every budget that applies. A reservation that does not fit beside the reservations in flight
/// waits (up to `budgets.reservation_wait`) for them to settle; one that does not fit the
/// period's remaining budget at all is refused with 429 `budget_exceeded` and the reset time.
/// Settlement replaces the reservation by the actual cost, so concurrent requests cannot spend
/// more than the cap.
final class BudgetBook: Sendable {
    /// One budget of one tenant or key.
    struct Scope: Hashable, Sendable {
        enum Kind: String, Sendable { case tenant, key }
        var kind: Kind
        var id: String
        var period: Budget.Period

        var description: String { "\(kind.rawValue) '\(id)' \(period.rawValue)" }
    }

    /// What a request holds between admission and settlement.
    struct Admission: Sendable {
        var scopes: [Scope]
        var amount: BudgetAccount.Amount
        var tenant: String?
        var keyID: String?

        /// `identity`'s admission, with `amount` reserved on `scopes` (none: nothing reserved).
        init(_ identity: CallerIdentity, scopes: [Scope] = [], amount: BudgetAccount.Amount = .zero) {
            self.scopes = scopes
            self.amount = amount
            tenant = identity.tenant?.id
            keyID = identity.key?.id
        }
    }

    struct State {
        var accounts: [Scope: BudgetAccount] = [:]
        /// Shared budgets only: when each was last reserved on, and the largest reservation
        /// that had to wait for a slice (what the next slice must cover).
        var lastReserved: [Scope: Date] = [:]
        var waitingFor: [Scope: BudgetAccount.Amount] = [:]
        /// Shared budgets of periods that ended with spend not yet reported.
        var retired: [(Scope, BudgetAccount)] = []
        /// Each rate-limited tenant's and key's buckets (`tenant:<id>`, `key:<id>`).
        var limiters: [String: RateLimitBuckets] = [:]
        /// Instances alive, as the last sync of a shared store counted them: a new limiter
        /// starts with one over this share of its subject's limits.
        var rateInstances = 1
        /// Tokens per conversation, for the `session_tokens` alert.
        var sessions: SessionTokenTally
    }

    let state: Mutex<State>
    let settings: TenancySettings
    let alerts: AlertDispatcher
    /// Budgets are shared with other gateway instances through the store (see ``BudgetLease``):
    /// each account reserves only within the slice it holds.
    let shared: Bool
    /// Called when a reservation waits for a slice (the lease sync asks the store at once).
    private let wantsSlice: Mutex<(@Sendable () -> Void)?> = Mutex(nil)

    /// How far back the ledger is read for conversations' tokens at start: the day the shared
    /// store keeps an unused session for (`session_tokens`). A session's tokens from before it
    /// are not counted again.
    static let sessionMemory: TimeInterval = 86_400

    init(settings: TenancySettings, alerts: AlertDispatcher, shared: Bool = false) {
        self.settings = settings
        self.alerts = alerts
        self.shared = shared
        state = Mutex(State(sessions: SessionTokenTally(limit: settings.sessionTokenAlert, shared: shared)))
    }

    /// Sets what is called when a reservation waits for a slice of a shared budget.
    func onSliceWanted(_ call: @escaping @Sendable () -> Void) {
        wantsSlice.withLock { $0 = call }
    }

    /// The budgets that apply to `identity`.
    static func budgets(of identity: CallerIdentity) -> [(Scope, Budget)] {
        var result: [(Scope, Budget)] = []
        if let tenant = identity.tenant {
            result += tenant.budgets.map { (Scope(kind: .tenant, id: tenant.id, period: $0.period), $0) }
        }
        if let key = identity.key {
            result += key.budgets.map { (Scope(kind: .key, id: key.id, period: $0.period), $0) }
        }
        return result
    }

    /// Rebuilds this period's spend from the ledger (the gateway starts with what it already spent),
    /// and the last day's tokens per conversation for the session alert.
    func preload(store: any LedgerStore, tenants: [Tenant], keys: [VirtualKey], now: Date) async throws(StoreError) {
        let sessions = try await store.sessionTokens(since: now.addingTimeInterval(-Self.sessionMemory))
        state.withLock { $0.sessions.preload(sessions) }
        let owners = tenants.map { CallerIdentity(tenant: $0, key: nil) } + keys.map { CallerIdentity(tenant: nil, key: $0) }
        for period in Budget.Period.allCases {
            let totals = try await store.spend(since: period.interval(containing: now).start)
            state.withLock { state in
                for (scope, budget) in owners.flatMap(Self.budgets(of:)) where budget.period == period {
                    let spent = totals.filter { scope.kind == .tenant ? $0.tenant == scope.id : $0.keyID == scope.id }
                    var account = BudgetAccount(
                        budget: budget, containing: now, spentUSD: spent.reduce(0) { $0 + $1.usd }, spentTokens: spent.reduce(0) { $0 + $1.tokens })
                    _ = account.crossedThresholds(settings.alertThresholds)  // already announced before the restart
                    if shared { account.startLeasing() }
                    state.accounts[scope] = account
                }
            }
        }
    }

    /// The account of `scope` for the period containing `now`, created (empty) or rolled over.
    private func account(_ scope: Scope, budget: Budget, now: Date, in state: inout State) -> BudgetAccount {
        if var account = state.accounts[scope], now < account.periodEnd, now >= account.periodStart {
            if account.budget != budget {
                // The cap changed within the period: keep what was spent, reserved and leased.
                account.changeBudget(to: budget)
                state.accounts[scope] = account
            }
            return account
        }
        if let old = state.accounts[scope], let unreported = old.lease?.unreported, unreported.usd > 0 || unreported.tokens > 0 {
            state.retired.append((scope, old))
        }
        var account = BudgetAccount(budget: budget, containing: now)
        if shared { account.startLeasing() }
        state.accounts[scope] = account
        return account
    }

    /// The highest committed utilization of `identity`'s budgets (what routing's budget-stress
    /// rules see), or `nil` without budgets.
    func utilization(of identity: CallerIdentity, now: Date) -> Double? {
        let budgets = Self.budgets(of: identity)
        guard !budgets.isEmpty else { return nil }
        return state.withLock { state in
            budgets.map { self.account($0.0, budget: $0.1, now: now, in: &state).committedUtilization }.max()
        }
    }

    /// Status of every budget of `identity`, for `/v1/usage` and `/admin/budgets`.
    func status(of identity: CallerIdentity, now: Date) -> [(Scope, BudgetAccount)] {
        let budgets = Self.budgets(of: identity)
        return state.withLock { state in budgets.map { ($0.0, self.account($0.0, budget: $0.1, now: now, in: &state)) } }
    }

    /// Checks rate limits and reserves `amount` on every budget of `identity` at once, which
    /// settles nearly every request. `nil` when reservations in flight hold a budget at its
    /// limit: ``admitOnceReservationsAllow(_:amount:now:)`` then waits for them.
    ///
    /// Synchronous, so the request path calls it without an async frame of its own (one held for
    /// the whole exchange on every request, though nearly none ever waits).
    func admitAtOnce(_ identity: CallerIdentity, amount: BudgetAccount.Amount, exempt: Bool, now: Date) throws(GatewayError) -> Admission? {
        try checkRateLimits(identity)
        let budgets = Self.budgets(of: identity)
        guard !budgets.isEmpty, !exempt else { return Admission(identity) }
        return try reserve(amount, on: budgets, for: identity, now: now)
    }

    /// After ``admitAtOnce(_:amount:exempt:now:)`` returned `nil` (its rate limits are checked):
    /// retries the reservation every 2 ms for up to `reservationWait`, then refuses the request
    /// as over budget.
    func admitOnceReservationsAllow(_ identity: CallerIdentity, amount: BudgetAccount.Amount, now: Date) async throws(GatewayError) -> Admission {
        let budgets = Self.budgets(of: identity)
        guard !budgets.isEmpty else { return Admission(identity) }
        let giveUp = ContinuousClock.now + settings.reservationWait
        while true {
            guard ContinuousClock.now < giveUp else {
                let (scope, budget) = budgets[0]
                let account = state.withLock { self.account(scope, budget: budget, now: now, in: &$0) }
                throw Self.exceeded(scope, account: account, now: now, inFlight: true, shared: shared)
            }
            try? await Task.sleep(for: .milliseconds(2))
            if let admission = try reserve(amount, on: budgets, for: identity, now: now) { return admission }
        }
    }

    /// Reserves `amount` on every one of `budgets` when all of them allow it; `nil` when one
    /// must wait for reservations in flight; throws when one is exhausted.
    private func reserve(
        _ amount: BudgetAccount.Amount, on budgets: [(Scope, Budget)], for identity: CallerIdentity, now: Date
    ) throws(GatewayError) -> Admission? {
        // `newDemand`: a shared budget now waits for a larger slice than before, so the lease sync
        // should ask at once; reservations that keep waiting for the same slice do not ask again
        // (their budget is synced every interval).
        let outcome = state.withLock { state -> Result<(granted: Bool, newDemand: Bool), GatewayError> in
            var waiting = false
            var newDemand = false
            for (scope, budget) in budgets {
                let account = self.account(scope, budget: budget, now: now, in: &state)
                switch account.verdict(for: amount, now: now) {
                case .granted: continue
                case .wait:
                    waiting = true
                    if shared {
                        let wanted = state.waitingFor[scope]
                        if wanted == nil || amount.usd > wanted?.usd ?? 0 || amount.tokens > wanted?.tokens ?? 0 {
                            newDemand = true
                            state.waitingFor[scope] = BudgetAccount.Amount(
                                usd: max(wanted?.usd ?? 0, amount.usd), tokens: max(wanted?.tokens ?? 0, amount.tokens))
                        }
                    }
                case .exhausted: return .failure(Self.exceeded(scope, account: account, now: now))
                }
            }
            if waiting { return .success((false, newDemand)) }
            for (scope, budget) in budgets {
                var account = self.account(scope, budget: budget, now: now, in: &state)
                account.reserve(amount)
                state.accounts[scope] = account
                if shared { state.lastReserved[scope] = now }
            }
            return .success((true, false))
        }
        switch outcome {
        case .failure(let error): throw error
        case .success(let result) where result.granted:
            return Admission(identity, scopes: budgets.map(\.0), amount: amount)
        case .success(let result):
            if result.newDemand { wantsSlice.withLock { $0 }?() }
            return nil
        }
    }

    /// Replaces the reservation by the actual cost and tokens; raises alerts for thresholds
    /// crossed. `usd == 0, tokens == 0` releases it (the request cost nothing).
    func settle(_ admission: Admission, usd: Double, tokens: Int, session: String?, now: Date) {
        let actual = BudgetAccount.Amount(usd: usd, tokens: tokens)
        var raised: [BudgetAlert] = []
        state.withLock { state in
            for scope in admission.scopes {
                guard var account = state.accounts[scope] else { continue }
                account.settle(admission.amount, actual: actual)
                for threshold in account.crossedThresholds(settings.alertThresholds) {
                    raised.append(BudgetAlert(
                        kind: "budget_threshold", scope: scope.description, tenant: admission.tenant, keyID: admission.keyID,
                        threshold: threshold, utilization: account.utilization, spentUSD: account.spentUSD, capUSD: account.budget.usd,
                        resetsAt: account.periodEnd,
                        claim: shared ? (Self.leaseScope(scope), account.periodStart) : nil))
                }
                state.accounts[scope] = account
            }
            let clock = ContinuousClock.now
            for id in [admission.tenant.map { "tenant:\($0)" }, admission.keyID.map { "key:\($0)" }].compactMap({ $0 }) {
                state.limiters[id]?.tokens?.charge(Double(tokens), now: clock)
            }
            if let session {
                let key = SessionKey(tenant: admission.tenant, session: session)
                if let total = state.sessions.add(tokens, to: key) {
                    raised.append(sessionAlert(key, total: total, keyID: admission.keyID))
                }
            }
        }
        for alert in raised { alerts.raise(alert) }
    }

    private func checkRateLimits(_ identity: CallerIdentity) throws(GatewayError) {
        var subjects: [(String, RateLimits)] = []
        if let tenant = identity.tenant, !tenant.limits.isUnlimited { subjects.append(("tenant:\(tenant.id)", tenant.limits)) }
        if let key = identity.key, !key.limits.isUnlimited { subjects.append(("key:\(key.id)", key.limits)) }
        guard !subjects.isEmpty else { return }
        let now = ContinuousClock.now
        let refusal = state.withLock { state -> GatewayError? in
            for (id, limits) in subjects {
                var limiter = state.limiters[id] ?? RateLimitBuckets(limits, share: 1 / Double(state.rateInstances), now: now)
                limiter.attempts += 1
                limiter.adjust(to: limits, now: now)
                defer { state.limiters[id] = limiter }
                if var tokens = limiter.tokens, tokens.available(now: now) <= 0 {
                    let wait = tokens.wait(for: 1, now: now)
                    limiter.tokens = tokens
                    return Self.rateLimited(id, what: "tokens per minute", wait: wait)
                }
                if var requests = limiter.requests {
                    guard requests.take(1, now: now) else {
                        let wait = requests.wait(for: 1, now: now)
                        limiter.requests = requests
                        return Self.rateLimited(id, what: "requests per minute", wait: wait)
                    }
                    limiter.requests = requests
                }
            }
            return nil
        }
        if let refusal { throw refusal }
    }

    static func rateLimited(_ subject: String, what: String, wait: Duration) -> GatewayError {
        let seconds = max(1, Int((wait.milliseconds / 1000).rounded(.up)))
        return GatewayError(
            status: 429, type: "rate_limit_error", code: "rate_limited",
            message: "The \(subject.replacingOccurrences(of: ":", with: " '"))' limit of \(what) is reached; retry in \(seconds) s.",
            retryAfterSeconds: seconds)
    }

    static func exceeded(_ scope: Scope, account: BudgetAccount, now: Date, inFlight: Bool = false, shared: Bool = false) -> GatewayError {
        let reset = TenancyCoding.iso(account.periodEnd)
        let seconds = max(1, Int(account.periodEnd.timeIntervalSince(now).rounded(.up)))
        let detail = inFlight
            ? "the rest of the \(scope.description) budget is held by requests in flight" + (shared ? " or by other gateway instances" : "")
            : "the \(scope.description) budget is used up (\(String(format: "%.6f", account.spentUSD)) USD, \(account.spentTokens) tokens)"
        return GatewayError(
            status: 429, type: "insufficient_quota", code: "budget_exceeded",
            message: "Budget exceeded: \(detail); it resets at \(reset).", retryAfterSeconds: inFlight ? 1 : seconds,
            details: JSONObject([("resets_at", .string(reset)), ("scope", .string(scope.description))]))
    }
}
