import SwitchyardEmbeddings
import Testing

@Suite("EmbeddingCache (LRU)")
struct EmbeddingCacheTests {
    @Test func evictsTheLeastRecentlyUsed() {
        let cache = EmbeddingCache(capacity: 2)
        cache.insert([1], for: "a")
        cache.insert([2], for: "b")
        #expect(cache.value(for: "a") == [1])  // a is now most recent
        cache.insert([3], for: "c")  // evicts b
        #expect(cache.value(for: "b") == nil)
        #expect(cache.value(for: "a") == [1])
        #expect(cache.value(for: "c") == [3])
        #expect(cache.count == 2)
        #expect(cache.keysByRecency == ["c", "a"])
    }

    @Test func updatingAKeyRefreshesIt() {
        let cache = EmbeddingCache(capacity: 2)
        cache.insert([1], for: "a")
        cache.insert([2], for: "b")
        cache.insert([9], for: "a")
        cache.insert([3], for: "c")  // evicts b, not a
        #expect(cache.value(for: "a") == [9])
        #expect(cache.value(for: "b") == nil)
    }

    @Test func computesOnceAndCountsHits() {
        let cache = EmbeddingCache(capacity: 4)
        var calls = 0
        for _ in 0..<3 {
            _ = cache.value(for: "x") {
                calls += 1
                return [0.5]
            }
        }
        #expect(calls == 1)
        #expect(cache.statistics.hits == 2)
        #expect(cache.statistics.misses == 1)
    }

    @Test func capacityOneAndManyKeys() {
        let cache = EmbeddingCache(capacity: 1)
        for i in 0..<100 { cache.insert([Float(i)], for: "k\(i)") }
        #expect(cache.count == 1)
        #expect(cache.value(for: "k99") == [99])
        #expect(cache.value(for: "k98") == nil)
    }

    @Test func concurrentUseKeepsItConsistent() async {
        let cache = EmbeddingCache(capacity: 64)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<2000 {
                        let key = "k\((i * 7 + worker) % 200)"
                        if let value = cache.value(for: key) {
                            #expect(value == [Float(key.dropFirst().count)])
                        } else {
                            cache.insert([Float(key.dropFirst().count)], for: key)
                        }
                    }
                }
            }
        }
        #expect(cache.count == 64)
        #expect(cache.keysByRecency.count == 64)
        #expect(Set(cache.keysByRecency).count == 64)
    }

    @Test func cachedEmbedderUsesTheCache() {
        let base = KeywordEmbedder()
        let cached = CachedEmbedder(base, cache: EmbeddingCache(capacity: 8))
        let first = cached.embed("fix this bug")
        let second = cached.embed("fix this bug")
        #expect(first == second)
        #expect(cached.cache.statistics.hits == 1)
        #expect(cached.dimension == base.dimension)
    }
}
