import Foundation
import Synchronization
import SwitchyardCore

/// The gateway's session memory: a ``SessionTracker`` behind a lock, held for microseconds.
final class SessionStore: Sendable {
    private let tracker: Mutex<SessionTracker>

    init(configuration: GatewayConfiguration) {
        tracker = Mutex(SessionTracker(configuration: configuration))
    }

    func state(for session: String, now: Date) -> SessionSnapshot? {
        tracker.withLock { $0.state(for: session, now: now) }
    }

    func noteServed(session: String, tier: String, escalated: Bool, now: Date) {
        tracker.withLock { $0.noteServed(session: session, tier: tier, escalated: escalated, now: now) }
    }
}
