import Synchronization
import SwitchyardCore

/// The most recent decision records with how each request was served, by decision id, so
/// `GET /v1/decisions/{id}` can explain a request after the fact. Bounded; the durable copy is
/// the ledger's. Records are kept as the ledger stores them — the record's JSON text without
/// the attempts and gate reports (shared with the ledger entry), and those two beside it — not
/// as trees; a lookup puts the whole record together.
///
/// A ring of slots, not a dictionary: appending (every request) only overwrites the oldest
/// slot, while a lookup (an operator asking) scans the ring, newest first.
final class DecisionLog: Sendable {
    private struct Storage {
        var slots: [Slot] = []
        /// The slot the next record goes to once the ring is full.
        var next = 0
    }

    /// One request's record.
    private struct Slot {
        var id: String
        /// The record as the ledger stores it (``DecisionRecordText``).
        var stored: String
        var attempts: [AttemptRecord]
        var gatesJSON: String?
    }

    private let storage: Mutex<Storage>
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
        var storage = Storage()
        storage.slots.reserveCapacity(self.capacity)
        self.storage = Mutex(storage)
    }

    /// Keeps a request's record: `stored` as the ledger stores it, with the attempts and gate
    /// reports it leaves out.
    func append(id: String, stored: String, attempts: [AttemptRecord] = [], gatesJSON: String? = nil) {
        let slot = Slot(id: id, stored: stored, attempts: attempts, gatesJSON: gatesJSON)
        storage.withLock { storage in
            if storage.slots.count < capacity {
                storage.slots.append(slot)
            } else {
                storage.slots[storage.next] = slot
                storage.next = (storage.next + 1) % capacity
            }
        }
    }

    /// The newest whole record with `id`, if the ring still holds it.
    func record(id: String) -> String? {
        let found = storage.withLock { storage -> Slot? in
            let count = storage.slots.count
            guard count > 0 else { return nil }
            // Newest first: the slot before `next`, going back around the ring.
            for step in 1...count {
                let slot = storage.slots[(storage.next - step + count) % count]
                if slot.id == id { return slot }
            }
            return nil
        }
        return found.map { DecisionRecordText.full(stored: $0.stored, attempts: $0.attempts, gatesJSON: $0.gatesJSON) }
    }
}
