/// A multi-pattern matcher (Aho–Corasick) over ASCII-case-folded UTF-8 bytes, built once.
///
/// Scanning costs one table lookup per byte regardless of how many patterns there are, so every
/// keyword, phrase and vocabulary term of the routing configuration is found in one pass.
///
/// Performance notes (cachegrind on the 4 KB benchmark prompt): the scan is bound by instructions
/// per byte, not by cache misses — although the table is ≈0.5 MB, the states a text actually
/// visits are few and stay in L1 (≈30 L1 misses per scan). So states are numbered breadth first (hot shallow states share cache lines)
/// and the states that end a pattern are placed at table offsets ≥ `outputBit`, a power of two:
/// the hot loop tests one bit of the OR of four lanes' rows instead of decoding a flag per lane,
/// and reporting is kept out of line.
struct PatternMatcher: Sendable {
    /// One pattern to find.
    struct Pattern: Sendable {
        /// Lower-case bytes.
        var bytes: [UInt8]
        /// Whether the byte before the match must not be a word byte.
        var wordStart: Bool
        /// Whether the byte after the match must not be a word byte.
        var wordEnd: Bool
    }

    /// Byte → alphabet class (0 = a byte no pattern uses).
    private let classOf: [UInt8]
    private let classCount: Int
    /// `row + class` → next row, where a row is a state's offset in this table. Rows of states
    /// with outputs are `outputBit + k × classCount` (k-th such state); all others are below `outputBit`.
    private let transitions: [UInt32]
    /// The power of two that marks rows of states with outputs.
    private let outputBit: Int
    /// Patterns ending at the k-th state with outputs (including through failure links):
    /// `outputs[outputStart[k]..<outputStart[k+1]]`.
    private let outputStart: [Int32]
    private let outputs: [Int32]
    private let lengths: [Int32]
    private let flags: [UInt8]  // bit 0: word start, bit 1: word end
    /// Number of patterns.
    let count: Int
    /// Length of the longest pattern, in bytes.
    let longest: Int

    /// Bytes that belong to words: ASCII letters and digits, `_`, and every non-ASCII byte.
    static let isWordByte: [Bool] = (0..<256).map { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// A pattern from configuration text: lower-cased; word boundaries where the text starts or
    /// ends with a word character; a trailing `*` after a word character lets the word continue.
    static func keyword(_ text: String) -> Pattern {
        var bytes = text.utf8.map(lower)
        var prefix = false
        if bytes.count > 1, bytes.last == UInt8(ascii: "*"), isWordByte[Int(bytes[bytes.count - 2])] {
            bytes.removeLast()
            prefix = true
        }
        return Pattern(bytes: bytes, wordStart: isWordByte[Int(bytes[0])], wordEnd: !prefix && isWordByte[Int(bytes[bytes.count - 1])])
    }

    /// A pattern matched anywhere, even inside words.
    static func phrase(_ text: String) -> Pattern {
        Pattern(bytes: text.utf8.map(lower), wordStart: false, wordEnd: false)
    }

    /// Builds the automaton; empty patterns never match.
    init(patterns: [Pattern]) {
        var classOf = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for pattern in patterns {
            for byte in pattern.bytes where classOf[Int(byte)] == 0 {
                precondition(classCount < 255, "too many distinct pattern bytes")
                classOf[Int(byte)] = UInt8(classCount)
                classCount += 1
            }
        }
        for upper in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            classOf[Int(upper)] = classOf[Int(upper | 0x20)]
        }
        // Trie.
        var goto: [[Int32]] = [[Int32](repeating: -1, count: classCount)]
        var own: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.bytes.isEmpty {
            var state = 0
            for byte in pattern.bytes {
                let c = Int(classOf[Int(byte)])
                if goto[state][c] < 0 {
                    goto[state][c] = Int32(goto.count)
                    goto.append([Int32](repeating: -1, count: classCount))
                    own.append([])
                }
                state = Int(goto[state][c])
            }
            own[state].append(Int32(index))
        }
        // Failure links, breadth first; complete the goto function into a DFA.
        var fail = [Int32](repeating: 0, count: goto.count)
        var queue: [Int] = []
        for c in 0..<classCount {
            if goto[0][c] < 0 {
                goto[0][c] = 0
            } else {
                queue.append(Int(goto[0][c]))
            }
        }
        var outputsPerState = own
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            outputsPerState[state] += outputsPerState[Int(fail[state])]
            for c in 0..<classCount {
                let next = goto[state][c]
                if next < 0 {
                    goto[state][c] = goto[Int(fail[state])][c]
                } else {
                    fail[Int(next)] = goto[Int(fail[state])][c]
                    queue.append(Int(next))
                }
            }
        }
        // Row layout: breadth-first order, states without outputs first, then those with outputs
        // from `outputBit` on.
        let order = [0] + queue
        let plain = order.filter { outputsPerState[$0].isEmpty }
        let ending = order.filter { !outputsPerState[$0].isEmpty }
        var outputBit = 1
        while outputBit < max(plain.count, ending.count) * classCount { outputBit <<= 1 }
        precondition(2 * outputBit <= Int(UInt32.max), "too many patterns")
        var row = [Int](repeating: 0, count: goto.count)
        for (k, state) in plain.enumerated() { row[state] = k * classCount }
        for (k, state) in ending.enumerated() { row[state] = outputBit + k * classCount }
        var table = [UInt32](repeating: 0, count: outputBit + ending.count * classCount)
        for state in order {
            for c in 0..<classCount { table[row[state] + c] = UInt32(row[Int(goto[state][c])]) }
        }
        var start: [Int32] = [0]
        var flat: [Int32] = []
        for state in ending {
            flat += outputsPerState[state]
            start.append(Int32(flat.count))
        }
        self.classOf = classOf
        self.classCount = classCount
        self.transitions = table
        self.outputBit = outputBit
        self.outputStart = start
        self.outputs = flat
        self.lengths = patterns.map { Int32($0.bytes.count) }
        self.flags = patterns.map { ($0.wordStart ? 1 : 0) | ($0.wordEnd ? 2 : 0) }
        self.count = patterns.count
        self.longest = patterns.map(\.bytes.count).max() ?? 0
    }

    /// Calls `onMatch(pattern, startOffset)` for every occurrence whose word boundaries hold
    /// (in no particular order), and counts numbers, question marks and list items into `statistics`.
    ///
    /// The automaton walk is a chain of dependent table loads, so long texts are cut into four
    /// lanes walked in lockstep: four independent chains keep the memory system busy. Each lane
    /// starts `longest − 1` bytes early and reports only matches that end inside its own part, so
    /// every occurrence is reported exactly once.
    @inline(__always)
    func scan(_ text: UnsafeBufferPointer<UInt8>, statistics: inout TextStatistics, _ onMatch: (Int, Int) -> Void) {
        Self.countStatistics(text, into: &statistics)
        let n = text.count
        guard n > 0, count > 0, let bytes = text.baseAddress else { return }
        let outputBit = self.outputBit
        transitions.withUnsafeBufferPointer { transitions in
            classOf.withUnsafeBufferPointer { classOf in
                // Unchecked pointers in the hot loop: every row is a valid table offset by
                // construction, every class is < classCount, and the byte offsets stay below `n`.
                guard let next = transitions.baseAddress, let classes = classOf.baseAddress else { return }
                @inline(__always) func walk(_ row: inout Int, from: Int, to: Int, reportFrom: Int) {
                    for i in from..<to {
                        row = Int(next[row &+ Int(classes[Int(bytes[i])])])
                        if row & outputBit != 0 { report(text, row: row, at: i, reportFrom: reportFrom, onMatch) }
                    }
                }
                if n < 512 {
                    var row = 0
                    walk(&row, from: 0, to: n, reportFrom: 0)
                    return
                }
                let part = (n + 3) / 4
                let overlap = max(0, longest - 1)
                let begin = (0, max(0, part - overlap), max(0, 2 * part - overlap), max(0, 3 * part - overlap))
                let end = (part, 2 * part, 3 * part, n)
                let common = min(end.0 - begin.0, end.1 - begin.1, end.2 - begin.2, end.3 - begin.3)
                let lane = (bytes + begin.0, bytes + begin.1, bytes + begin.2, bytes + begin.3)
                var rows = (0, 0, 0, 0)
                var j = 0
                while j < common {
                    // The walk stops after the first step that reaches a state with outputs.
                    j = Self.walkLanes(lane, &rows, from: j, to: common, next: next, classes: classes, outputBit: outputBit)
                    guard j < common else { break }
                    if rows.0 & outputBit != 0 { report(text, row: rows.0, at: begin.0 &+ j, reportFrom: 0, onMatch) }
                    if rows.1 & outputBit != 0 { report(text, row: rows.1, at: begin.1 &+ j, reportFrom: part, onMatch) }
                    if rows.2 & outputBit != 0 { report(text, row: rows.2, at: begin.2 &+ j, reportFrom: 2 * part, onMatch) }
                    if rows.3 & outputBit != 0 { report(text, row: rows.3, at: begin.3 &+ j, reportFrom: 3 * part, onMatch) }
                    j &+= 1
                }
                var (r0, r1, r2, r3) = rows
                walk(&r0, from: begin.0 + common, to: end.0, reportFrom: 0)
                walk(&r1, from: begin.1 + common, to: end.1, reportFrom: part)
                walk(&r2, from: begin.2 + common, to: end.2, reportFrom: 2 * part)
                walk(&r3, from: begin.3 + common, to: end.3, reportFrom: 3 * part)
            }
        }
    }

    /// Steps four lanes from `j` until one of them reaches a state with outputs (returns that
    /// `j`) or `end` (returns `end`). A function of its own so the compiler keeps the four rows
    /// and lane pointers in registers: with the reporting code in the same loop they were spilled
    /// to the stack, which put a store-to-load forward on every step's dependency chain.
    @inline(never)
    private static func walkLanes(
        _ lane: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>), _ rows: inout (Int, Int, Int, Int),
        from start: Int, to end: Int, next: UnsafePointer<UInt32>, classes: UnsafePointer<UInt8>, outputBit: Int
    ) -> Int {
        var (r0, r1, r2, r3) = rows
        var j = start
        while j < end {
            r0 = Int(next[r0 &+ Int(classes[Int(lane.0[j])])])
            r1 = Int(next[r1 &+ Int(classes[Int(lane.1[j])])])
            r2 = Int(next[r2 &+ Int(classes[Int(lane.2[j])])])
            r3 = Int(next[r3 &+ Int(classes[Int(lane.3[j])])])
            if (r0 | r1 | r2 | r3) & outputBit != 0 { break }
            j &+= 1
        }
        rows = (r0, r1, r2, r3)
        return j
    }

    /// Reports the patterns ending at byte `i` in state `row` (a row ≥ `outputBit`) whose word
    /// boundaries hold. Out of line: it runs for a few percent of the bytes.
    @inline(never)
    private func report(_ text: UnsafeBufferPointer<UInt8>, row: Int, at i: Int, reportFrom: Int, _ onMatch: (Int, Int) -> Void) {
        guard i >= reportFrom else { return }
        let n = text.count
        let state = (row - outputBit) / classCount
        for k in Int(outputStart[state])..<Int(outputStart[state + 1]) {
            let pattern = Int(outputs[k])
            let start = i - Int(lengths[pattern]) + 1
            let flag = flags[pattern]
            if flag & 1 != 0, start > 0, Self.isWordByte[Int(text[start - 1])] { continue }
            if flag & 2 != 0, i + 1 < n, Self.isWordByte[Int(text[i + 1])] { continue }
            onMatch(pattern, start)
        }
    }

    /// Numbers, question marks and list items in one pass over the bytes, eight at a time
    /// (SWAR: each byte of a `UInt64` is a lane); list items are only looked for after the
    /// (rare) line breaks.
    ///
    /// Counts are kept per byte lane and summed every few words. (No `popcount`: the baseline
    /// x86-64 target has no POPCNT instruction and its emulation costs more.)
    @inline(__always)
    static func countStatistics(_ text: UnsafeBufferPointer<UInt8>, into statistics: inout TextStatistics) {
        let n = text.count
        guard n > 0, let base = text.baseAddress else { return }
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, high: UInt64 = 0x8080_8080_8080_8080
        var numbers = 0, questions = 0, listItems = 0
        if isListItem(text, from: 0) { listItems &+= 1 }
        /// High bit of each byte of `word` that equals the byte repeated in `pattern`.
        @inline(__always) func equal(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
            let difference = word ^ pattern
            return ~(((difference & low) &+ low) | difference) & high
        }
        var carry: UInt64 = 0  // 0x80 if the byte before the current word is a digit
        var i = 0
        while i &+ 8 <= n {
            // One accumulator, two counters per byte lane: digit-run starts in the low nibble,
            // question marks in the high one; emptied every 15 words before a nibble overflows.
            // (Two separate accumulators got packed into a vector register by the optimiser,
            // with a general-purpose → vector move per word.)
            var lanes: UInt64 = 0
            var rounds = 0
            while i &+ 8 <= n, rounds < 15 {
                // An unaligned 8-byte load inside the buffer.
                let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                let seven = word & low
                // 0x30…0x39: adding 0x50 reaches bit 7 from 0x30 on, adding 0x46 from 0x3A on.
                let digits = (seven &+ 0x5050_5050_5050_5050) & ~(seven &+ 0x4646_4646_4646_4646) & ~word & high
                let runStarts = digits & ~(digits &<< 8 | carry)
                carry = digits &>> 56
                lanes &+= (runStarts &>> 7) | (equal(word, 0x3F3F_3F3F_3F3F_3F3F) &>> 3)
                var newlines = equal(word, 0x0A0A_0A0A_0A0A_0A0A)
                while newlines != 0 {
                    if isListItem(text, from: i &+ newlines.trailingZeroBitCount &>> 3 &+ 1) { listItems &+= 1 }
                    newlines &= newlines &- 1
                }
                i &+= 8
                rounds &+= 1
            }
            numbers &+= Self.sumOfLanes(lanes & 0x0F0F_0F0F_0F0F_0F0F)
            questions &+= Self.sumOfLanes((lanes &>> 4) & 0x0F0F_0F0F_0F0F_0F0F)
        }
        var previousIsDigit = carry != 0
        while i < n {
            let byte = base[i]
            let isDigit = byte &- 0x30 < 10
            if isDigit && !previousIsDigit { numbers &+= 1 }
            if byte == UInt8(ascii: "?") { questions &+= 1 }
            if byte == 0x0A, isListItem(text, from: i &+ 1) { listItems &+= 1 }
            previousIsDigit = isDigit
            i &+= 1
        }
        statistics.numbers &+= numbers
        statistics.questionMarks &+= questions
        statistics.listItems &+= listItems
    }

    /// The sum of the eight byte lanes of `lanes`.
    @inline(__always)
    static func sumOfLanes(_ lanes: UInt64) -> Int {
        let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes &>> 8) & 0x00FF_00FF_00FF_00FF)
        return Int(truncatingIfNeeded: (pairs &* 0x0001_0001_0001_0001) &>> 48)
    }

    /// Whether the line starting at `start` begins (after indentation) with `-`, `*`, `•`, or `12.` / `12)`.
    static func isListItem(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        var i = start
        while i < text.count, text[i] == 0x20 || text[i] == 0x09 { i &+= 1 }
        guard i < text.count else { return false }
        let first = text[i]
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == 0xE2 { return true }
        var digits = 0
        while i < text.count, text[i] &- 0x30 < 10, digits < 4 {
            i &+= 1
            digits &+= 1
        }
        return digits > 0 && i < text.count && (text[i] == UInt8(ascii: ".") || text[i] == UInt8(ascii: ")"))
    }
}

/// Byte-level counts gathered while scanning.
struct TextStatistics {
    /// Runs of digits (a decimal like 3.14 counts as two).
    var numbers = 0
    var questionMarks = 0
    /// Lines starting with `-`, `*`, `•` or `1.` / `1)`.
    var listItems = 0
}
