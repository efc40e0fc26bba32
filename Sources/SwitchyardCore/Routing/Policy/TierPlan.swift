import Foundation

/// The tier range a request may use, decided by thresholds, user tier, time windows, budget stress
/// and session, with a clause for every step.
struct TierPlan {
    var start: Int
    var ceiling: Int
    var escalation: Bool
    /// The floor applied, if any (degrading never goes below it).
    var floor: Int?
    /// A disputed answer moved the request up a tier.
    var escalated = false
    /// Open windows that exclude providers or models.
    var windowExclusions: [CompiledPolicy.Window] = []
    var clauses: [PolicyClause] = []
}

extension CompiledPolicy {
    /// Plans the tier range for `signals`. `pinned` is the tier rank of a `tier:` or model pin;
    /// a pin above the policy's ceiling is a 403.
    func plan(task: Task, signals: RoutingSignals, context: RoutingContext, pinned: Int?, pinLabel: String) throws(GatewayError) -> TierPlan {
        let top = tiers.count - 1
        var plan = TierPlan(start: task.chain.first ?? 0, ceiling: top, escalation: true)
        var floor: (rank: Int, path: String)?
        var prefer: (rank: Int, path: String)?
        var ceilingPath: String?
        var escalationPath: String?
        let complexity = signals.complexity.value

        /// A window or budget rule lowering the ceiling (the lowest ceiling wins).
        func lowerCeiling(to rank: Int, by path: String, effects: inout [String]) {
            if rank < plan.ceiling {
                plan.ceiling = rank
                ceilingPath = path
            }
            effects.append("ceiling=\(tiers[rank])")
        }
        /// A window or budget rule forbidding escalation (the first one is named).
        func forbidEscalation(by path: String, effects: inout [String]) {
            plan.escalation = false
            escalationPath = escalationPath ?? path
            effects.append("escalation=false")
        }

        if pinned == nil {
            var matched: (rank: Int, threshold: Double)?
            for entry in task.thresholds where complexity >= entry.threshold {
                if entry.rank > plan.start, entry.rank >= (matched?.rank ?? 0) { matched = entry }
            }
            if let matched {
                plan.start = matched.rank
                plan.clauses.append(PolicyClause(
                    clause: "tasks.\(task.name).thresholds.\(tiers[matched.rank])", effect: "start=\(tiers[matched.rank])",
                    reason: "complexity \(format(complexity)) ≥ \(format(matched.threshold)) for task \(task.name)"))
            } else {
                let lowest = task.thresholds.first.map { " (lowest threshold: \(tiers[$0.rank]) at \(format($0.threshold)))" } ?? ""
                plan.clauses.append(PolicyClause(
                    clause: "tasks.\(task.name).chain", effect: "start=\(tiers[plan.start])",
                    reason: "complexity \(format(complexity)) is below every threshold of task \(task.name)\(lowest)"))
            }
        }

        // User tier.
        if let limits = userTiers[context.userTier] {
            let base = "policy.user_tiers.\(context.userTier.rawValue)"
            if let rank = limits.floor { floor = (rank, "\(base).floor") }
            if let rank = limits.ceiling, rank < plan.ceiling {
                plan.ceiling = rank
                ceilingPath = "\(base).ceiling"
                plan.clauses.append(PolicyClause(clause: "\(base).ceiling", effect: "ceiling=\(tiers[rank])", reason: "\(context.userTier.rawValue) users may not go above \(tiers[rank])"))
            }
            if !limits.escalation {
                plan.escalation = false
                escalationPath = "\(base).escalation"
                plan.clauses.append(PolicyClause(clause: "\(base).escalation", effect: "escalation=false", reason: "\(context.userTier.rawValue) users are not escalated"))
            }
        }

        // Time windows.
        for window in windows where window.window.userTiers.isEmpty || window.window.userTiers.contains(context.userTier) {
            guard window.window.isOpen(at: context.now) else { continue }
            var effects: [String] = []
            if let rank = window.prefer {
                if prefer.map({ rank < $0.rank }) ?? true { prefer = (rank, window.path) }
                effects.append("prefer=\(tiers[rank])")
            }
            if let rank = window.floor {
                if floor.map({ rank > $0.rank }) ?? true { floor = (rank, window.path) }
                effects.append("floor=\(tiers[rank])")
            }
            if let rank = window.ceiling { lowerCeiling(to: rank, by: window.path, effects: &effects) }
            if window.window.escalation == false { forbidEscalation(by: window.path, effects: &effects) }
            if !window.window.excludeProviders.isEmpty || !window.window.excludeModels.isEmpty {
                plan.windowExclusions.append(window)
                let excluded = (window.window.excludeProviders.sorted().map { "provider \($0)" } + window.window.excludeModels.sorted().map { "model \($0)" })
                effects.append("exclude=\(excluded.joined(separator: ","))")
            }
            plan.clauses.append(PolicyClause(
                clause: window.path, effect: effects.joined(separator: " "),
                reason: "window '\(window.window.name)' is open (\(window.window.timeZone.identifier) local time)"))
        }

        // Budget stress.
        if let utilization = context.budgetUtilization {
            for budget in budgets where utilization >= budget.rule.above {
                var effects: [String] = []
                if let rank = budget.ceiling { lowerCeiling(to: rank, by: budget.path, effects: &effects) }
                if budget.rule.escalation == false { forbidEscalation(by: budget.path, effects: &effects) }
                plan.clauses.append(PolicyClause(
                    clause: budget.path, effect: effects.joined(separator: " "),
                    reason: "budget utilisation \(percent(utilization)) ≥ \(percent(budget.rule.above))"))
            }
        }

        if let pinned {
            guard pinned <= plan.ceiling else {
                throw .tierNotAllowed(
                    "\(pinLabel) is in tier '\(tiers[pinned])', above the ceiling '\(tiers[plan.ceiling])' set by \(ceilingPath ?? "policy") for this request.")
            }
            plan.start = pinned
            plan.clauses.append(PolicyClause(clause: "model", effect: "start=\(tiers[pinned])", reason: "\(pinLabel) pinned by the request"))
            return plan
        }

        if let prefer, prefer.rank < plan.start {
            plan.start = prefer.rank
            plan.clauses.append(PolicyClause(clause: prefer.path, effect: "start=\(tiers[prefer.rank])", reason: "the window prefers \(tiers[prefer.rank]) over the complexity threshold"))
        }
        plan.floor = floor?.rank
        if let floor, floor.rank > plan.start {
            plan.start = floor.rank
            plan.clauses.append(PolicyClause(clause: floor.path, effect: "start=\(tiers[floor.rank])", reason: "floor \(tiers[floor.rank]) for \(context.userTier.rawValue) users"))
        }

        // Session stickiness and disputes.
        if let session = context.session {
            if let sticky = session.stickyTier(at: context.now), let rank = tierRank[sticky], rank > plan.start {
                plan.start = rank
                let until = session.escalatedUntil.map { " until \(ISO8601DateFormatter.string(from: $0, timeZone: .gmt, formatOptions: .withInternetDateTime))" } ?? ""
                plan.clauses.append(PolicyClause(
                    clause: "policy.sessions.sticky_for", effect: "start=\(sticky)", reason: "session '\(session.id)' was escalated to \(sticky)\(until)"))
            }
        }
        if signals.disputed {
            let previous = context.session?.lastTier.flatMap { tierRank[$0] }
            let base = max(plan.start, previous ?? plan.start)
            let target = task.chain.filter { $0 > base }.min() ?? (base < top ? base + 1 : nil)
            let served = previous.map { " (previous answer from \(tiers[$0]))" } ?? ""
            if !plan.escalation {
                plan.clauses.append(PolicyClause(
                    clause: "policy.sessions.dispute_phrases", effect: "none",
                    reason: "the latest message disputes the previous answer\(served), but escalation is off (\(escalationPath ?? "policy"))"))
            } else if let target, target <= plan.ceiling {
                plan.start = target
                plan.escalated = true
                plan.clauses.append(PolicyClause(
                    clause: "policy.sessions.dispute_phrases", effect: "start=\(tiers[target])", reason: "the latest message disputes the previous answer\(served)"))
            } else {
                plan.clauses.append(PolicyClause(
                    clause: "policy.sessions.dispute_phrases", effect: "none",
                    reason: "the latest message disputes the previous answer\(served), but no tier above it is allowed"))
            }
        }

        if plan.start > plan.ceiling {
            plan.clauses.append(PolicyClause(
                clause: ceilingPath ?? "policy", effect: "start=\(tiers[plan.ceiling])",
                reason: "the ceiling \(tiers[plan.ceiling]) wins over a higher start (\(tiers[plan.start]))"))
            plan.start = plan.ceiling
        }
        return plan
    }

    /// Tier ranks to fill the chain with, in order: the task chain's tiers within start…ceiling,
    /// else every tier in that range.
    func chainTiers(task: Task, plan: inout TierPlan) -> [Int] {
        let inRange = task.chain.filter { $0 >= plan.start && $0 <= plan.ceiling }
        if !inRange.isEmpty { return inRange }
        plan.clauses.append(PolicyClause(
            clause: "tasks.\(task.name).chain", effect: "tiers=\(tiers[plan.start])…\(tiers[plan.ceiling])",
            reason: "no tier of the task's chain lies within \(tiers[plan.start])…\(tiers[plan.ceiling]); using every tier in that range"))
        return Array(plan.start...plan.ceiling)
    }
}

func format(_ value: Double) -> String {
    let scaled = (value * 100).rounded()
    let whole = Int(scaled) / 100
    let fraction = Int(abs(scaled)) % 100
    return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
}

func percent(_ value: Double) -> String {
    "\(Int((value * 100).rounded()))%"
}
