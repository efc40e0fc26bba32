import Synchronization

/// The most recent decision records with how each request was served, by decision id, so
/// `GET /v1/decisions/{id}` can explain a request after the fact. Bounded; the durable copy is
/// the ledger's. Records are kept as the JSON text the ledger stores (one string per request,
/// shared with its ledger entry), not as trees.
///
/// A ring of slots, not a dictionary: appending (every request) only overwrites the oldest
/// slot, while a lookup (an operator asking) scans the ring, newest first.
final class DecisionLog: Sendable {
    private struct Storage {
        var slots: [(id: String, record: String)] = []
        /// The slot the next record goes to once the ring is full.
        var next = 0
    }

    private let storage: Mutex<Storage>
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
        var storage = Storage()
        storage.slots.reserveCapacity(self.capacity)
        self.storage = Mutex(storage)
    }

    func append(id: String, record: String) {
        storage.withLock { storage in
            if storage.slots.count < capacity {
                storage.slots.append((id, record))
            } else {
                storage.slots[storage.next] = (id, record)
                storage.next = (storage.next + 1) % capacity
            }
        }
    }

    /// The newest record with `id`, if the ring still holds it.
    func record(id: String) -> String? {
        storage.withLock { storage in
            let count = storage.slots.count
            guard count > 0 else { return nil }
            // Newest first: the slot before `next`, going back around the ring.
            for step in 1...count {
                let slot = storage.slots[(storage.next - step + count) % count]
                if slot.id == id { return slot.record }
            }
            return nil
        }
    }
}
