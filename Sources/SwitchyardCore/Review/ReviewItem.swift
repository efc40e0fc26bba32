import Foundation

/// An answer flagged for a person to look at: it failed its gates at the highest tier allowed,
/// or landed in the configured uncertain band. The answer was still returned to the caller.
public struct ReviewItem: Sendable, Equatable {
    /// `rev_` and the request's decision id.
    public var id: String
    public var decisionID: String
    public var createdAt: Date
    public var task: String
    /// The deployment that gave the answer, and its tier.
    public var model: String
    public var tier: String
    /// Why it was flagged.
    public var reason: String
    /// The gate reports of the answer.
    public var gates: JSONValue
    /// A person's verdict, once given.
    public var resolution: Resolution?

    /// A verdict on a flagged answer.
    public struct Resolution: Sendable, Equatable {
        public var verdict: String
        public var note: String?
        public var resolvedAt: Date

        public init(verdict: String, note: String?, resolvedAt: Date) {
            self.verdict = verdict
            self.note = note
            self.resolvedAt = resolvedAt
        }
    }

    public init(
        id: String, decisionID: String, createdAt: Date, task: String, model: String, tier: String, reason: String, gates: JSONValue,
        resolution: Resolution? = nil
    ) {
        self.id = id
        self.decisionID = decisionID
        self.createdAt = createdAt
        self.task = task
        self.model = model
        self.tier = tier
        self.reason = reason
        self.gates = gates
        self.resolution = resolution
    }
}

/// Where flagged answers are kept, so the review queue survives restarts.
public protocol ReviewStore: Sendable {
    /// Inserts an item, or replaces the one with its id (a resolution).
    func save(_ item: ReviewItem) async throws(StoreError)
    /// The newest `limit` items, newest first.
    func reviewItems(limit: Int) async throws(StoreError) -> [ReviewItem]
}
