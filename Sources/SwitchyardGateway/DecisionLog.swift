import Synchronization

/// The most recent decision records with how each request was served, by decision id, so
/// `GET /v1/decisions/{id}` can explain a request after the fact. Bounded; the durable copy is
/// the ledger's. Records are kept as the JSON text the ledger stores (one string per request,
/// shared with its ledger entry), not as trees.
final class DecisionLog: Sendable {
    private struct Storage {
        var records: [String: String] = [:]
        var order: [String] = []
        var next = 0
    }

    private let storage = Mutex(Storage())
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func append(id: String, record: String) {
        storage.withLock { storage in
            if storage.order.count < capacity {
                storage.order.append(id)
            } else {
                storage.records[storage.order[storage.next]] = nil
                storage.order[storage.next] = id
                storage.next = (storage.next + 1) % capacity
            }
            storage.records[id] = record
        }
    }

    func record(id: String) -> String? {
        storage.withLock { $0.records[id] }
    }
}
