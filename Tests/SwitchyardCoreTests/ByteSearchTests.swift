import Testing

@testable import SwitchyardCore

@Suite("Byte search")
struct ByteSearchTests {
    @Test("finds what the standard library finds, at the same offset", arguments: [
        ("", ""), ("abc", ""), ("", "a"), ("a", "a"), ("a", "b"), ("ab", "abc"), ("abc", "c"),
        ("aaab", "aab"), ("abababc", "ababc"), (#"{"x":1,"thinking_blocks":[]}"#, #""thinking_blocks""#),
        (#"{"text":"thinking_blocks"}"#, #""thinking_blocks""#), ("xxthinking_block", #""thinking_blocks""#),
    ])
    func agreesOnFixedCases(haystack: String, needle: String) {
        let hay = Array(haystack.utf8), pattern = Array(needle.utf8)
        #expect(ByteSearch.firstIndex(of: pattern, in: hay) == Self.reference(pattern, in: hay), "\(needle) in \(haystack)")
    }

    @Test("agrees with the standard library on random bytes from a small alphabet")
    func agreesOnRandomInputs() {
        var generator = SplitMix(seed: 0x5EED)
        for _ in 0..<2_000 {
            let hay = (0..<Int(generator.next() % 40)).map { _ in UInt8(97 + generator.next() % 3) }
            let pattern = (0..<Int(generator.next() % 5)).map { _ in UInt8(97 + generator.next() % 3) }
            #expect(ByteSearch.firstIndex(of: pattern, in: hay) == Self.reference(pattern, in: hay), "\(pattern) in \(hay)")
        }
    }

    @Test("a match that ends at the last byte is found; one that would run past it is not")
    func edges() {
        #expect(ByteSearch.firstIndex(of: Array("yz".utf8), in: Array("xyz".utf8)) == 1)
        #expect(ByteSearch.firstIndex(of: Array("z!".utf8), in: Array("xyz".utf8)) == nil)
        #expect(ByteSearch.contains(Array("z".utf8), in: Array("xyz".utf8)))
        #expect(!ByteSearch.contains(Array("q".utf8), in: Array("xyz".utf8)))
    }

    static func reference(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty else { return 0 }
        return haystack.firstRange(of: needle)?.lowerBound
    }

    /// A small deterministic generator, so a failure repeats.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49EB_133B_11EB
            return z ^ (z >> 31)
        }
    }
}
