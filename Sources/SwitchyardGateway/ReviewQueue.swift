import Foundation
import Synchronization
import SwitchyardCore

/// Answers flagged for a person to look at: they failed their gates at the top tier, or landed in
/// the configured "uncertain" band. The answer was still returned to the caller.
///
/// Held in memory (bounded, oldest dropped first) until the ledger's store exists; see the
/// storage issue.
final class ReviewQueue: Sendable {
    struct Item: Sendable {
        var id: String
        var decisionID: String
        var createdAt: Date
        var task: String
        var model: String
        var tier: String
        var reason: String
        var gates: JSONValue
        var resolution: Resolution?
    }

    struct Resolution: Sendable {
        var verdict: String
        var note: String?
        var resolvedAt: Date
    }

    private let items = Mutex<[Item]>([])
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Adds an item and returns its id.
    @discardableResult
    func flag(decisionID: String, task: String, model: String, tier: String, reason: String, gates: JSONValue, now: Date = Date()) -> String {
        let id = "rev_" + decisionID
        items.withLock { items in
            if items.count >= capacity { items.removeFirst(items.count - capacity + 1) }
            items.append(Item(id: id, decisionID: decisionID, createdAt: now, task: task, model: model, tier: tier, reason: reason, gates: gates))
        }
        return id
    }

    /// Items, newest first; only unresolved ones unless `includeResolved`.
    func list(includeResolved: Bool) -> [Item] {
        items.withLock { $0.filter { includeResolved || $0.resolution == nil }.reversed() }
    }

    /// Records a verdict; `nil` if there is no such item.
    func resolve(id: String, verdict: String, note: String?, now: Date = Date()) -> Item? {
        items.withLock { items in
            guard let index = items.firstIndex(where: { $0.id == id }) else { return nil }
            items[index].resolution = Resolution(verdict: verdict, note: note, resolvedAt: now)
            return items[index]
        }
    }
}

extension ReviewQueue.Item {
    var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "decision_id": .string(decisionID), "created_at": .string(isoTimestamp(createdAt)),
            "task": .string(task), "model": .string(model), "tier": .string(tier), "reason": .string(reason), "gates": gates,
            "status": resolution == nil ? "open" : "resolved",
        ]
        if let resolution {
            object["resolution"] = [
                "verdict": .string(resolution.verdict), "note": resolution.note.map(JSONValue.string) ?? .null,
                "resolved_at": .string(isoTimestamp(resolution.resolvedAt)),
            ]
        }
        return .object(object)
    }
}

func isoTimestamp(_ date: Date) -> String {
    date.formatted(.iso8601)
}
