import Testing

@testable import SwitchyardCore

/// The pattern matcher against a naive reference: every occurrence of every pattern, and the byte
/// statistics it gathers in the same pass (digit runs, question marks, list items), on texts long
/// enough to be cut into lanes, with digits and line breaks falling on the lane boundaries.
@Suite struct RoutingPatternMatcherTests {
    /// A small deterministic generator (no dependence on the platform's random source).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static let alphabet = Array("ab c1209?\n-*. x".utf8) + [0xE2, 0x80, 0xA2]

    static func text(length: Int, seed: UInt64) -> [UInt8] {
        var generator = Generator(state: seed)
        return (0..<length).map { _ in alphabet[generator.next(alphabet.count)] }
    }

    /// Reference statistics, byte by byte.
    static func referenceStatistics(_ text: [UInt8]) -> TextStatistics {
        var statistics = TextStatistics()
        text.withUnsafeBufferPointer { buffer in
            if PatternMatcher.isListItem(buffer, from: 0) { statistics.listItems += 1 }
            for (i, byte) in text.enumerated() {
                let isDigit = byte >= 0x30 && byte <= 0x39
                if isDigit && (i == 0 || !(text[i - 1] >= 0x30 && text[i - 1] <= 0x39)) { statistics.numbers += 1 }
                if byte == UInt8(ascii: "?") { statistics.questionMarks += 1 }
                if byte == 0x0A, PatternMatcher.isListItem(buffer, from: i + 1) { statistics.listItems += 1 }
            }
        }
        return statistics
    }

    /// Reference matches: (pattern, start) of every occurrence whose word boundaries hold.
    static func referenceMatches(_ text: [UInt8], _ patterns: [PatternMatcher.Pattern]) -> Set<[Int]> {
        let lower = text.map(PatternMatcher.lower)
        var found: Set<[Int]> = []
        for (index, pattern) in patterns.enumerated() where !pattern.bytes.isEmpty && pattern.bytes.count <= lower.count {
            for start in 0...(lower.count - pattern.bytes.count) where Array(lower[start..<start + pattern.bytes.count]) == pattern.bytes {
                let end = start + pattern.bytes.count
                if pattern.wordStart, start > 0, PatternMatcher.isWordByte[Int(text[start - 1])] { continue }
                if pattern.wordEnd, end < text.count, PatternMatcher.isWordByte[Int(text[end])] { continue }
                found.insert([index, start])
            }
        }
        return found
    }

    static let patternSets: [[PatternMatcher.Pattern]] = [
        [],
        [PatternMatcher.keyword("ab"), PatternMatcher.phrase("1"), PatternMatcher.keyword("c1*"), PatternMatcher.phrase("? \n"),
         PatternMatcher.keyword("x"), PatternMatcher.phrase("b c"), PatternMatcher.keyword("20"), PatternMatcher.phrase("9?")],
    ]

    @Test(arguments: [1, 7, 100, 511, 512, 513, 1_000, 4_099])
    func matchesAndStatisticsEqualTheReference(length: Int) {
        for (setIndex, patterns) in Self.patternSets.enumerated() {
            let matcher = PatternMatcher(patterns: patterns)
            for seed in UInt64(1)...6 {
                let text = Self.text(length: length, seed: seed &* 7_919 &+ UInt64(length))
                var statistics = TextStatistics()
                var found: Set<[Int]> = []
                text.withUnsafeBufferPointer { buffer in
                    matcher.scan(buffer, statistics: &statistics) { pattern, start in found.insert([pattern, start]) }
                }
                let expected = Self.referenceStatistics(text)
                #expect(statistics.numbers == expected.numbers, "numbers, pattern set \(setIndex), seed \(seed)")
                #expect(statistics.questionMarks == expected.questionMarks, "question marks, pattern set \(setIndex), seed \(seed)")
                #expect(statistics.listItems == expected.listItems, "list items, pattern set \(setIndex), seed \(seed)")
                #expect(found == Self.referenceMatches(text, patterns), "matches, pattern set \(setIndex), seed \(seed)")
            }
        }
    }

    /// Digit runs across a lane boundary count once: a 600-byte run of digits is one number.
    @Test func aDigitRunAcrossLanesIsOneNumber() {
        let matcher = PatternMatcher(patterns: [PatternMatcher.keyword("ab")])
        let text = Array(repeating: UInt8(ascii: "7"), count: 600) + Array(" ab 12".utf8) + Array(repeating: UInt8(ascii: "3"), count: 600)
        var statistics = TextStatistics()
        var matches = 0
        text.withUnsafeBufferPointer { buffer in
            matcher.scan(buffer, statistics: &statistics) { _, _ in matches += 1 }
        }
        #expect(statistics.numbers == 2)
        #expect(matches == 1)
    }
}
