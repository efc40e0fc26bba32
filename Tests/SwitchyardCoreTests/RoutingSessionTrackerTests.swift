import Foundation
import SwitchyardCore
import Testing

/// Capacity and eviction of ``SessionTracker``.
@Suite struct RoutingSessionTrackerTests {
    static let t0 = Date(timeIntervalSince1970: 1_774_000_000)

    @Test func fillingPastCapacityStaysBoundedAndKeepsTheMostRecent() {
        var tracker = SessionTracker(policy: SessionPolicy(stickyFor: .seconds(600)), tiers: RoutingFixtures.tiers, capacity: 100)
        #expect(tracker.retainedAfterEviction == 90)
        // 1,000 sessions 0.1 s apart: none expires, so eviction must drop the least recently served.
        for index in 0..<1_000 {
            tracker.noteServed(session: "s\(index)", tier: "light", escalated: false, now: Self.t0.addingTimeInterval(Double(index) / 10))
            #expect(tracker.count <= 100)
        }
        #expect(tracker.count >= tracker.retainedAfterEviction)
        let now = Self.t0.addingTimeInterval(100)
        for index in (1_000 - tracker.retainedAfterEviction)..<1_000 {
            #expect(tracker.state(for: "s\(index)", now: now)?.lastTier == "light", "recent session s\(index) was evicted")
        }
        for index in 0..<(1_000 - tracker.count) {
            #expect(tracker.state(for: "s\(index)", now: now) == nil, "old session s\(index) survived")
        }
    }

    @Test func evictionDropsInBatchesNotOnEveryRequest() {
        var tracker = SessionTracker(policy: SessionPolicy(stickyFor: .seconds(600)), tiers: RoutingFixtures.tiers, capacity: 1_000)
        var evictions = 0
        var previous = 0
        for index in 0..<10_000 {
            tracker.noteServed(session: "s\(index)", tier: "mid", escalated: false, now: Self.t0.addingTimeInterval(Double(index) / 100))
            if tracker.count < previous { evictions += 1 }
            previous = tracker.count
        }
        // Each eviction frees 10 % of the capacity, so 9,000 sessions over capacity need ≈ 90.
        #expect(evictions <= 100)
        #expect(tracker.count <= 1_000)
    }

    @Test func expiredSessionsArePrunedBeforeLiveOnesAreDropped() {
        var tracker = SessionTracker(policy: SessionPolicy(stickyFor: .seconds(60)), tiers: RoutingFixtures.tiers, capacity: 10)
        // An escalated session stays sticky (and so alive) longer than idle ones.
        tracker.noteServed(session: "sticky", tier: "premium", escalated: true, now: Self.t0)
        for index in 0..<9 {
            tracker.noteServed(session: "idle\(index)", tier: "light", escalated: false, now: Self.t0.addingTimeInterval(-120))
        }
        #expect(tracker.count == 10)
        let later = Self.t0.addingTimeInterval(30)
        tracker.noteServed(session: "new", tier: "mid", escalated: false, now: later)
        #expect(tracker.count == 2)
        #expect(tracker.state(for: "new", now: later)?.lastTier == "mid")
        #expect(tracker.state(for: "sticky", now: later)?.stickyTier(at: later) == "premium")
    }
}
