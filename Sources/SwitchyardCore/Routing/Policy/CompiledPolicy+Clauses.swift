import Foundation

/// The parts of policy clauses that depend only on the configuration, built once at engine
/// construction (string interpolation was most of a decision's cost). The texts must stay exactly
/// those ``CompiledPolicy/plan(task:signals:context:pinned:pinLabel:)`` documents.
extension CompiledPolicy.Task {
    mutating func precomputeClauses(tiers: [String]) {
        thresholdClauses = thresholds.map { entry in
            CompiledPolicy.ClauseTemplate(
                clause: "tasks.\(name).thresholds.\(tiers[entry.rank])", effect: "start=\(tiers[entry.rank])",
                reasonTail: CompiledPolicy.ClauseTemplate.tail(formatting: entry.threshold) { thresholdTail(entry.threshold) })
        }
        guard !tiers.isEmpty else { return }
        belowThresholds = CompiledPolicy.ClauseTemplate(
            clause: "tasks.\(name).chain", effect: "start=\(tiers[chain.first ?? 0])",
            reasonTail: CompiledPolicy.ClauseTemplate.tail(formatting: thresholds.first?.threshold ?? 0) { belowThresholdsTail(tiers: tiers) })
    }

    /// The reason of a threshold clause after "complexity X".
    func thresholdTail(_ threshold: Double) -> String {
        " ≥ \(format(threshold)) for task \(name)"
    }

    /// The reason of the below-every-threshold clause after "complexity X".
    func belowThresholdsTail(tiers: [String]) -> String {
        let lowest = thresholds.first.map { " (lowest threshold: \(tiers[$0.rank]) at \(format($0.threshold)))" } ?? ""
        return " is below every threshold of task \(name)\(lowest)"
    }
}

extension CompiledPolicy.UserTierClauses {
    init(userTier: UserTier, limits: CompiledPolicy.TierLimits?, tiers: [String]) {
        guard let limits else { return }
        let base = "policy.user_tiers.\(userTier.rawValue)"
        floorPath = "\(base).floor"
        if let rank = limits.ceiling {
            ceiling = PolicyClause(clause: "\(base).ceiling", effect: "ceiling=\(tiers[rank])", reason: "\(userTier.rawValue) users may not go above \(tiers[rank])")
        }
        escalation = PolicyClause(clause: "\(base).escalation", effect: "escalation=false", reason: "\(userTier.rawValue) users are not escalated")
    }
}

extension CompiledPolicy.Window {
    mutating func precompute(tiers: [String]) {
        userTierMask = window.userTiers.isEmpty ? UInt8.max : window.userTiers.reduce(0) { $0 | 1 << $1.slot }
        dayMask = window.days.reduce(0) { $0 | 1 << $1.index }
        // The effects in the order the plan applies them.
        var effects: [String] = []
        if let rank = prefer { effects.append("prefer=\(tiers[rank])") }
        if let rank = floor { effects.append("floor=\(tiers[rank])") }
        if let rank = ceiling { effects.append("ceiling=\(tiers[rank])") }
        if window.escalation == false { effects.append("escalation=false") }
        if !window.excludeProviders.isEmpty || !window.excludeModels.isEmpty {
            let excluded = (window.excludeProviders.sorted().map { "provider \($0)" } + window.excludeModels.sorted().map { "model \($0)" })
            effects.append("exclude=\(excluded.joined(separator: ","))")
        }
        clause = PolicyClause(
            clause: path, effect: effects.joined(separator: " "), reason: "window '\(window.name)' is open (\(window.timeZone.identifier) local time)")
    }

}

extension CompiledPolicy {
    /// A time window's user tiers and schedule.
    struct WindowGate: Sendable {
        /// Bit ``UserTier/slot`` set for the user tiers it applies to.
        var userTierMask: UInt8
        /// Bit ``Weekday/index`` set for the days it opens on.
        var dayMask: UInt8
        var timeZone: TimeZone
        var fromMinute: Int
        var toMinute: Int

        init(_ window: Window) {
            userTierMask = window.userTierMask
            dayMask = window.dayMask
            timeZone = window.window.timeZone
            fromMinute = window.window.fromMinute
            toMinute = window.window.toMinute
        }

        /// Whether the window applies to `userTier` and is open at `date`: ``TimeWindow/isOpen(at:)``
        /// with the days as a bit mask instead of a set.
        func isOpen(for userTier: UserTier, at date: Date) -> Bool {
            userTierMask & (1 << userTier.slot) != 0
                && TimeWindow.isOpen(at: date, timeZone: timeZone, fromMinute: fromMinute, toMinute: toMinute) { [dayMask] in dayMask & (1 << $0) != 0 }
        }
    }
}

extension CompiledPolicy.Budget {
    mutating func precomputeClause(tiers: [String]) {
        var effects: [String] = []
        if let rank = ceiling { effects.append("ceiling=\(tiers[rank])") }
        if rule.escalation == false { effects.append("escalation=false") }
        clause = CompiledPolicy.ClauseTemplate(
            clause: path, effect: effects.joined(separator: " "), reasonTail: CompiledPolicy.ClauseTemplate.tail(formatting: rule.above) { reasonTail })
    }

    /// The reason of its clause after "budget utilisation X".
    var reasonTail: String {
        " ≥ \(percent(rule.above))"
    }
}

extension UserTier {
    /// Index in `allCases`.
    var slot: Int {
        switch self {
        case .free: 0
        case .pro: 1
        case .enterprise: 2
        }
    }
}
