import Synchronization

/// A small thread-safe least-recently-used cache of embeddings keyed on the exact text.
///
/// Lookups and inserts are O(1) (a dictionary into an array-backed doubly linked list) under one
/// `Mutex`; an embedding costs milliseconds, a cache hit well under a microsecond.
public final class EmbeddingCache: Sendable {
    private struct Entry {
        var key: String
        var value: [Float]
        var previous: Int
        var next: Int
    }

    private struct State {
        var index: [String: Int] = [:]
        var entries: [Entry] = []
        /// Most recently used entry (or -1).
        var head = -1
        /// Least recently used entry (or -1).
        var tail = -1
        var hits = 0
        var misses = 0

        mutating func unlink(_ slot: Int) {
            let entry = entries[slot]
            if entry.previous >= 0 { entries[entry.previous].next = entry.next } else { head = entry.next }
            if entry.next >= 0 { entries[entry.next].previous = entry.previous } else { tail = entry.previous }
        }

        mutating func pushFront(_ slot: Int) {
            entries[slot].previous = -1
            entries[slot].next = head
            if head >= 0 { entries[head].previous = slot }
            head = slot
            if tail < 0 { tail = slot }
        }
    }

    /// Most entries kept.
    public let capacity: Int
    private let state = Mutex(State())

    /// A cache of at most `capacity` embeddings (at least 1).
    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// The cached embedding of `text`, marking it most recently used.
    public func value(for text: String) -> [Float]? {
        state.withLock { state in
            guard let slot = state.index[text] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            if state.head != slot {
                state.unlink(slot)
                state.pushFront(slot)
            }
            return state.entries[slot].value
        }
    }

    /// Stores `value` for `text`, evicting the least recently used entry when full.
    public func insert(_ value: [Float], for text: String) {
        state.withLock { state in
            if let slot = state.index[text] {
                state.entries[slot].value = value
                if state.head != slot {
                    state.unlink(slot)
                    state.pushFront(slot)
                }
                return
            }
            let slot: Int
            if state.entries.count < capacity {
                slot = state.entries.count
                state.entries.append(Entry(key: text, value: value, previous: -1, next: -1))
            } else {
                slot = state.tail
                state.unlink(slot)
                state.index[state.entries[slot].key] = nil
                state.entries[slot].key = text
                state.entries[slot].value = value
            }
            state.index[text] = slot
            state.pushFront(slot)
        }
    }

    /// The cached embedding of `text`, or `compute()`'s result, which is then cached. Two callers
    /// missing on the same text at once may both compute it; the result is the same.
    public func value(for text: String, orCompute compute: () -> [Float]) -> [Float] {
        if let cached = value(for: text) { return cached }
        let computed = compute()
        insert(computed, for: text)
        return computed
    }

    /// Number of cached embeddings.
    public var count: Int { state.withLock { $0.index.count } }

    /// Hits and misses of ``value(for:)`` so far.
    public var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// Cached texts from most to least recently used (for tests and diagnostics).
    public var keysByRecency: [String] {
        state.withLock { state in
            var keys: [String] = []
            var slot = state.head
            while slot >= 0 {
                keys.append(state.entries[slot].key)
                slot = state.entries[slot].next
            }
            return keys
        }
    }
}

/// A ``TextEmbedder`` that remembers recent embeddings of its base embedder.
public struct CachedEmbedder: TextEmbedder {
    public let base: any TextEmbedder
    public let cache: EmbeddingCache

    public init(_ base: any TextEmbedder, cache: EmbeddingCache = EmbeddingCache()) {
        self.base = base
        self.cache = cache
    }

    public var modelID: String { base.modelID }
    public var dimension: Int { base.dimension }

    public func embed(_ text: String) -> [Float] {
        cache.value(for: text) { base.embed(text) }
    }

    /// Cached texts come from the cache; the others are embedded as one batch by the base.
    public func embed(batch texts: [String]) -> [[Float]] {
        var result = texts.map { cache.value(for: $0) }
        let missing = result.indices.filter { result[$0] == nil }
        if !missing.isEmpty {
            for (index, vector) in zip(missing, base.embed(batch: missing.map { texts[$0] })) {
                cache.insert(vector, for: texts[index])
                result[index] = vector
            }
        }
        return result.map { $0 ?? [] }
    }
}
