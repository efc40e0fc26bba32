import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import SwitchyardCore

/// Answers flagged for a person to look at: they failed their gates at the top tier, or landed in
/// the configured "uncertain" band. The answer was still returned to the caller.
///
/// The newest items (at most `capacity`) are held in memory for `/admin/review`, and every flag and
/// verdict is written to the store, in order, by ``run()``, off the request path; at startup
/// ``load()`` reads the newest items back, so the queue survives restarts. A graceful shutdown
/// writes everything still pending. A write that fails is logged and the item stays in memory.
final class ReviewQueue: Service, Sendable {
    typealias Item = ReviewItem

    private let items = Mutex<[Item]>([])
    let capacity: Int
    private let store: (any ReviewStore)?
    private let logger: Logger
    private let pending: AsyncStream<Item>
    private let pendingSink: AsyncStream<Item>.Continuation

    init(capacity: Int = 10_000, store: (any ReviewStore)? = nil, logger: Logger = Logger(label: "switchyard.review")) {
        self.capacity = capacity
        self.store = store
        self.logger = logger
        (pending, pendingSink) = AsyncStream.makeStream(of: Item.self)
    }

    /// Reads the newest items back from the store.
    func load() async throws(StoreError) {
        guard let store else { return }
        let stored = try await store.reviewItems(limit: capacity)
        items.withLock { $0 = stored.reversed() }
    }

    /// Writes flags and verdicts to the store in the order they happened, until a graceful
    /// shutdown; then writes what is still pending and returns.
    func run() async throws {
        await withGracefulShutdownHandler {
            for await item in pending {
                guard let store else { continue }
                do {
                    try await store.save(item)
                } catch {
                    logger.error("review item not saved", metadata: ["id": "\(item.id)", "error": "\(error)"])
                }
            }
        } onGracefulShutdown: { [pendingSink] in
            pendingSink.finish()
        }
    }

    /// Adds an item and returns its id.
    @discardableResult
    func flag(decisionID: String, task: String, model: String, tier: String, reason: String, gates: JSONValue, now: Date = Date()) -> String {
        let id = "rev_" + decisionID
        let item = Item(id: id, decisionID: decisionID, createdAt: now, task: task, model: model, tier: tier, reason: reason, gates: gates)
        items.withLock { items in
            if items.count >= capacity { items.removeFirst(items.count - capacity + 1) }
            items.append(item)
        }
        if store != nil { pendingSink.yield(item) }
        return id
    }

    /// Items, newest first; only unresolved ones unless `includeResolved`.
    func list(includeResolved: Bool) -> [Item] {
        items.withLock { $0.filter { includeResolved || $0.resolution == nil }.reversed() }
    }

    /// Records a verdict; `nil` if there is no such item.
    func resolve(id: String, verdict: String, note: String?, now: Date = Date()) -> Item? {
        let resolved = items.withLock { items -> Item? in
            guard let index = items.firstIndex(where: { $0.id == id }) else { return nil }
            items[index].resolution = Item.Resolution(verdict: verdict, note: note, resolvedAt: now)
            return items[index]
        }
        if let resolved, store != nil { pendingSink.yield(resolved) }
        return resolved
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
