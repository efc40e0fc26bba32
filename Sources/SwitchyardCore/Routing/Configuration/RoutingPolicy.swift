import Foundation

/// The declarative routing policy: everything besides signals that shapes a chain.
public struct RoutingPolicy: Sendable, Hashable {
    /// Task used when neither metadata, rules nor the semantic classifier name one.
    public var defaultTask: String
    /// Sensitivity used when neither metadata nor rules set one.
    public var defaultSensitivity: Sensitivity
    /// Output tokens assumed for cost estimates when the request sets no `max_tokens`.
    public var expectedOutputTokens: Int
    /// Floors, ceilings and escalation per user tier.
    public var userTiers: [UserTier: UserTierPolicy]
    /// Where data of each sensitivity may be processed.
    public var residency: [Sensitivity: ResidencyRule]
    /// Timezone-aware windows that cap, prefer or exclude.
    public var timeWindows: [TimeWindow]
    /// Caps applied as the tenant's budget fills up.
    public var budgetStress: [BudgetStressRule]
    /// Session stickiness and dispute escalation.
    public var sessions: SessionPolicy
    /// When nothing from the start tier up to the ceiling is eligible (all down, excluded by a
    /// window or outside the allowed regions), use the closest lower tiers instead of failing.
    public var degrade: Bool
    /// Shadow evaluation (off when `nil`).
    public var shadow: ShadowSettings?

    public init(
        defaultTask: String = "chat", defaultSensitivity: Sensitivity = .public, expectedOutputTokens: Int = 256,
        userTiers: [UserTier: UserTierPolicy] = [:], residency: [Sensitivity: ResidencyRule] = [:], timeWindows: [TimeWindow] = [],
        budgetStress: [BudgetStressRule] = [], sessions: SessionPolicy = SessionPolicy(), degrade: Bool = true, shadow: ShadowSettings? = nil
    ) {
        self.degrade = degrade
        self.shadow = shadow
        self.defaultTask = defaultTask
        self.defaultSensitivity = defaultSensitivity
        self.expectedOutputTokens = expectedOutputTokens
        self.userTiers = userTiers
        self.residency = residency
        self.timeWindows = timeWindows
        self.budgetStress = budgetStress
        self.sessions = sessions
    }
}

/// A tenant's plan.
public enum UserTier: String, Sendable, Hashable, CaseIterable {
    case free, pro, enterprise
}

/// What a user tier may use.
public struct UserTierPolicy: Sendable, Hashable {
    /// Lowest tier a request starts at.
    public var floor: String?
    /// Highest tier the chain may reach.
    public var ceiling: String?
    /// Whether a failed quality gate or a disputed answer may move the request up a tier.
    public var escalation: Bool

    public init(floor: String? = nil, ceiling: String? = nil, escalation: Bool = true) {
        self.floor = floor
        self.ceiling = ceiling
        self.escalation = escalation
    }
}

/// Where data of one sensitivity level may be processed.
public struct ResidencyRule: Sendable, Hashable {
    /// Regions a deployment must be in (its `region`, else its provider's). Empty = any region.
    public var regions: [String]
    /// Only deployments of the `local` tier or in the `local` region.
    public var localOnly: Bool

    public init(regions: [String] = [], localOnly: Bool = false) {
        self.regions = regions
        self.localOnly = localOnly
    }
}

/// A day of the week.
public enum Weekday: String, Sendable, Hashable, CaseIterable {
    case sun, mon, tue, wed, thu, fri, sat

    /// Sunday first.
    static let ordered: [Weekday] = allCases

    /// 0 = Sunday … 6 = Saturday.
    public var index: Int { Self.ordered.firstIndex(of: self)! }
}

/// A recurring local-time window and what it does while open.
public struct TimeWindow: Sendable, Hashable {
    public var name: String
    public var timeZone: TimeZone
    /// Days the window opens on (a window past midnight belongs to the day it opens).
    public var days: Set<Weekday>
    /// Opening time, minutes after local midnight.
    public var fromMinute: Int
    /// Closing time, minutes after local midnight (exclusive); before `fromMinute` = ends next day.
    public var toMinute: Int
    /// Applies only to these user tiers; empty = everyone.
    public var userTiers: Set<UserTier>
    /// Start at this tier instead of the complexity threshold's (floors still apply).
    public var prefer: String?
    public var floor: String?
    public var ceiling: String?
    /// `false` forbids escalation while open.
    public var escalation: Bool?
    /// Providers whose deployments are skipped while open (e.g. a maintenance window).
    public var excludeProviders: Set<String>
    /// Model names skipped while open.
    public var excludeModels: Set<String>

    public init(
        name: String, timeZone: TimeZone, days: Set<Weekday> = Set(Weekday.allCases), fromMinute: Int, toMinute: Int,
        userTiers: Set<UserTier> = [], prefer: String? = nil, floor: String? = nil, ceiling: String? = nil, escalation: Bool? = nil,
        excludeProviders: Set<String> = [], excludeModels: Set<String> = []
    ) {
        self.name = name
        self.timeZone = timeZone
        self.days = days
        self.fromMinute = fromMinute
        self.toMinute = toMinute
        self.userTiers = userTiers
        self.prefer = prefer
        self.floor = floor
        self.ceiling = ceiling
        self.escalation = escalation
        self.excludeProviders = excludeProviders
        self.excludeModels = excludeModels
    }

    /// Whether the window is open at `date` (in its own timezone, DST-aware).
    public func isOpen(at date: Date) -> Bool {
        Self.isOpen(at: date, timeZone: timeZone, fromMinute: fromMinute, toMinute: toMinute) { days.contains(Weekday.ordered[$0]) }
    }

    /// ``isOpen(at:)`` for a schedule, with the days given by `opensOn(weekday index)` (the
    /// routing engine passes a precomputed bit mask rather than hashing into `days`).
    @inline(__always)
    static func isOpen(at date: Date, timeZone: TimeZone, fromMinute: Int, toMinute: Int, opensOn: (Int) -> Bool) -> Bool {
        let seconds = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        let day = Int((seconds / 86_400).rounded(.down))
        let minute = Int((seconds - Double(day) * 86_400) / 60)
        let weekday = ((day % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday (4)
        if fromMinute <= toMinute {
            return minute >= fromMinute && minute < toMinute && opensOn(weekday)
        }
        // Past midnight: the part before midnight belongs to today, the rest to yesterday's window.
        if minute >= fromMinute { return opensOn(weekday) }
        if minute < toMinute { return opensOn((weekday + 6) % 7) }
        return false
    }
}

/// Caps applied when the tenant's budget utilisation reaches `above`.
public struct BudgetStressRule: Sendable, Hashable {
    /// Utilisation (spent / limit) at or above which the rule applies, e.g. 0.9.
    public var above: Double
    public var ceiling: String?
    /// `false` forbids escalation.
    public var escalation: Bool?

    public init(above: Double, ceiling: String? = nil, escalation: Bool? = nil) {
        self.above = above
        self.ceiling = ceiling
        self.escalation = escalation
    }
}

/// Session stickiness and dispute escalation.
public struct SessionPolicy: Sendable, Hashable {
    /// How long an escalated session keeps starting at its escalated tier.
    public var stickyFor: Duration
    /// Phrases in the latest user message that dispute the previous answer and escalate one tier.
    public var disputePhrases: [String]

    public init(stickyFor: Duration = .seconds(1800), disputePhrases: [String] = DefaultRouting.disputePhrases) {
        self.stickyFor = stickyFor
        self.disputePhrases = disputePhrases
    }
}
