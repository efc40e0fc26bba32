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
        func lowerCeiling(to rank: Int, by path: String) {
            if rank < plan.ceiling {
                plan.ceiling = rank
                ceilingPath = path
            }
        }
        /// A window or budget rule forbidding escalation (the first one is named).
        func forbidEscalation(by path: String) {
            plan.escalation = false
            escalationPath = escalationPath ?? path
        }

        // Every clause text fixed by the configuration was built with the policy (see
        // CompiledPolicy+Clauses.swift); only the request's numbers are formatted here.
        if pinned == nil {
            var matched: Int?  // index in task.thresholds
            for (index, entry) in task.thresholds.enumerated() where complexity >= entry.threshold {
                if entry.rank > plan.start, entry.rank >= (matched.map { task.thresholds[$0].rank } ?? 0) { matched = index }
            }
            let head = "complexity \(format(complexity))"
            if let matched {
                let entry = task.thresholds[matched]
                plan.start = entry.rank
                plan.clauses.append(task.thresholdClauses[matched].clause(reasonHead: head) { task.thresholdTail(entry.threshold) })
            } else {
                plan.clauses.append(task.belowThresholds.clause(reasonHead: head) { task.belowThresholdsTail(tiers: tiers) })
            }
            // Shadow evaluation: a tier whose answers to this task disagree too often with the
            // reference model's is skipped, for the next tier of the task's chain.
            if !context.shadowDemotions.isEmpty {
                while plan.start < top, let evidence = context.shadowDemotions.evidence(task: task.name, tier: tiers[plan.start]) {
                    let next = task.chain.first { $0 > plan.start } ?? plan.start + 1
                    plan.clauses.append(PolicyClause(
                        clause: "policy.shadow", effect: "start=\(tiers[next])", reason: evidence.reason(tier: tiers[plan.start], task: task.name)))
                    plan.start = next
                }
            }
        }

        // User tier.
        if let limits = userTierLimits[context.userTier.slot] {
            let clauses = userTierClauses[context.userTier.slot]
            if let rank = limits.floor { floor = (rank, clauses.floorPath) }
            if let rank = limits.ceiling, rank < plan.ceiling {
                plan.ceiling = rank
                ceilingPath = clauses.ceiling.clause
                plan.clauses.append(clauses.ceiling)
            }
            if !limits.escalation {
                plan.escalation = false
                escalationPath = clauses.escalation.clause
                plan.clauses.append(clauses.escalation)
            }
        }

        // Time windows (each checked through its small gate: a `Window` is large, and copying one
        // retains all its fields).
        for (index, gate) in windowGates.enumerated() where gate.isOpen(for: context.userTier, at: context.now) {
            let window = windows[index]
            if let rank = window.prefer, prefer.map({ rank < $0.rank }) ?? true { prefer = (rank, window.path) }
            if let rank = window.floor, floor.map({ rank > $0.rank }) ?? true { floor = (rank, window.path) }
            if let rank = window.ceiling { lowerCeiling(to: rank, by: window.path) }
            if window.window.escalation == false { forbidEscalation(by: window.path) }
            if !window.window.excludeProviders.isEmpty || !window.window.excludeModels.isEmpty {
                plan.windowExclusions.append(window)
            }
            plan.clauses.append(window.clause)
        }

        // Budget stress.
        if let utilization = context.budgetUtilization {
            for budget in budgets where utilization >= budget.rule.above {
                if let rank = budget.ceiling { lowerCeiling(to: rank, by: budget.path) }
                if budget.rule.escalation == false { forbidEscalation(by: budget.path) }
                plan.clauses.append(budget.clause.clause(reasonHead: "budget utilisation \(percent(utilization))") { budget.reasonTail })
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

/// `value` with two decimals, e.g. `0.65` (the text `"\(whole).\(fraction, two digits)"`).
func format(_ value: Double) -> String {
    let scaled = (value * 100).rounded()
    let whole = Int(scaled) / 100
    let fraction = Int(abs(scaled)) % 100
    return decimalText(whole, suffix: (UInt8(ascii: "."), UInt8(ascii: "0") + UInt8(fraction / 10), UInt8(ascii: "0") + UInt8(fraction % 10)), suffixCount: 3)
}

/// `value` as a whole percentage, e.g. `42%`.
func percent(_ value: Double) -> String {
    decimalText(Int((value * 100).rounded()), suffix: (UInt8(ascii: "%"), 0, 0), suffixCount: 1)
}

/// `"\(number)"` followed by the first `suffixCount` bytes of `suffix`, written into a stack
/// buffer: interpolation went through several generic appends, and these texts (at most 15 bytes
/// in practice) become small strings that need no heap allocation.
private func decimalText(_ number: Int, suffix: (UInt8, UInt8, UInt8), suffixCount: Int) -> String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
        // Digits right to left from the end of the first 20 bytes (Int.min has 19 digits).
        var start = 20
        var magnitude = number.magnitude
        repeat {
            start -= 1
            buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        if number < 0 {
            start -= 1
            buffer[start] = UInt8(ascii: "-")
        }
        buffer[20] = suffix.0
        buffer[21] = suffix.1
        buffer[22] = suffix.2
        let end = 20 + suffixCount
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
    }
}
