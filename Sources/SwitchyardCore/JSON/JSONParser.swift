import Foundation

/// Why a byte sequence is not valid JSON, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem in the input.
    public var offset: Int
    /// What was wrong at that offset.
    public var reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict RFC 8259 JSON parser working directly on UTF-8 bytes.
///
/// Strings, numbers and nesting are validated; the maximum nesting depth is bounded so hostile
/// input cannot exhaust the stack.
public struct JSONParser: ~Copyable {
    /// Deepest nesting accepted before the input is rejected.
    public static let maximumDepth = 512

    /// Parses a complete JSON document; trailing non-whitespace is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try parseDocument(Array(bytes), notingTopLevelSpans: false).value
    }

    /// Where each member of a top-level object sits in the text it was parsed from.
    public struct TopLevelSpans: Sendable, Hashable {
        /// The offset of the object's `{`.
        public var objectStart: Int
        /// Each member's value, by key, as a byte range of the input.
        public var values: [String: Range<Int>]
        /// Whether a key occurred more than once (the parsed object keeps the last value).
        public var hasDuplicateKeys: Bool
        /// The members that were checked but not parsed (see
        /// ``JSONParser/parseNotingTopLevelSpans(_:skipping:)``), in the order they first came;
        /// their values are only in ``values``.
        public var skipped: [String] = []
    }

    /// Parses a complete JSON document and, when it is an object, notes where each of its
    /// members' values sits in `bytes` (so a caller can edit one member of the original text
    /// instead of serialising the whole tree again).
    ///
    /// Members of the top-level object named in `skipped` are checked as strictly as the rest
    /// but left out of the parsed value, without building anything for them: their text is at
    /// their span (``TopLevelSpans/skipped`` lists them). A caller that never reads a large
    /// member, such as an agent's tool definitions, saves the tree's strings and containers.
    public static func parseNotingTopLevelSpans(
        _ bytes: [UInt8], skipping skipped: Set<String> = []
    ) throws(JSONParseError) -> (JSONValue, TopLevelSpans?) {
        try parseDocument(bytes, notingTopLevelSpans: true, skipping: skipped)
    }

    /// One complete document: the value, surrounded by nothing but whitespace, and its top-level
    /// spans when asked for and the value is an object.
    private static func parseDocument(
        _ bytes: [UInt8], notingTopLevelSpans: Bool, skipping skipped: Set<String> = []
    ) throws(JSONParseError) -> (value: JSONValue, spans: TopLevelSpans?) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> (value: JSONValue, spans: TopLevelSpans?) in
            var parser = JSONParser(buffer)
            parser.skippedMembers = skipped
            parser.skippedLengths = skipped.reduce(0) { $0 | ($1.utf8.count < 64 ? 1 << UInt64($1.utf8.count) : 1 << 63) }
            parser.skipWhitespace()
            if notingTopLevelSpans {
                // Room for a request's usual members at once, instead of growing (and rehashing)
                // from empty at the first, second and fourth.
                parser.spans = TopLevelSpans(objectStart: parser.index, values: Dictionary(minimumCapacity: 12), hasDuplicateKeys: false)
            }
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            guard parser.index == buffer.count else {
                throw parser.error("unexpected data after the JSON value")
            }
            return (value, value.objectValue == nil ? nil : parser.spans)
        }
    }

    /// Parses a complete JSON document from a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// The spans of the top-level object's members, when asked for.
    private var spans: TopLevelSpans?
    /// Members of the top-level object to check and skip instead of parsing (with ``spans`` only).
    private var skippedMembers: Set<String> = []
    /// Bit `n` is set when a name in ``skippedMembers`` is `n` bytes long (bit 63: 63 or more),
    /// so most members are told apart without hashing their names.
    private var skippedLengths: UInt64 = 0
    /// Keys and values of the objects and arrays still open, innermost last. Each container
    /// copies its own out when it closes, so it is allocated once at its final size instead of
    /// growing member by member (most objects here have 2–10 members).
    private var pendingKeys: [String] = []
    private var pendingValues: [JSONValue] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Gives the stacks room for a typical document at its first container, in one allocation each.
    private mutating func reservePending() {
        if pendingValues.capacity == 0 {
            pendingKeys.reserveCapacity(16)
            pendingValues.reserveCapacity(32)
        }
    }

    func error(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Moves the cursor past string bytes that need no attention (anything but `"`, `\` and
    /// control characters) eight at a time, stopping at the word that holds one, and returns
    /// whether a byte it passed was not ASCII. The byte-by-byte loops after it see only the
    /// last few bytes of a run: tool descriptions and prompts are long runs of plain text.
    @inline(__always)
    mutating func skipPlainStringBytes() -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var high: UInt64 = 0
        guard let base = bytes.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        while index &+ 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let quote = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslash = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            // Some byte of the word is a quote or a backslash (zero after the XOR) or below 0x20
            // exactly when one of these high bits is set.
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
            if special & highs != 0 { break }
            high |= word
            index &+= 8
        }
        return high & highs != 0
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        // Members gather on the parser's stacks and leave them as two exactly sized arrays.
        reservePending()
        let keyBase = pendingKeys.count
        let valueBase = pendingValues.count
        try forEachMember(depth: depth) { (parser, key) throws(JSONParseError) in
            let name = key.string
            let valueStart = parser.index
            if depth == 1, parser.spans != nil, parser.skippedLengths & (1 << UInt64(min(name.utf8.count, 63))) != 0,
                parser.skippedMembers.contains(name)
            {
                try parser.skipValue(depth: depth)
                if parser.spans!.values.updateValue(valueStart..<parser.index, forKey: name) != nil {
                    parser.spans!.hasDuplicateKeys = true
                } else {
                    parser.spans!.skipped.append(name)
                }
                return
            }
            let value = try parser.parseValue(depth: depth)
            if depth == 1, parser.spans != nil {
                if parser.spans!.values.updateValue(valueStart..<parser.index, forKey: name) != nil { parser.spans!.hasDuplicateKeys = true }
            }
            if let existing = parser.pendingKeys[keyBase...].firstIndex(of: name) {
                parser.pendingValues[valueBase + (existing - keyBase)] = value
            } else {
                parser.pendingKeys.append(name)
                parser.pendingValues.append(value)
            }
        }
        guard pendingKeys.count > keyBase else { return .object(JSONObject()) }
        let object = JSONObject(unchecked: Self.copy(pendingKeys, from: keyBase), Self.copy(pendingValues, from: valueBase))
        pendingKeys.removeSubrange(keyBase...)
        pendingValues.removeSubrange(valueBase...)
        return .object(object)
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        reservePending()
        let base = pendingValues.count
        try forEachElement(depth: depth) { (parser, _) throws(JSONParseError) in
            let element = try parser.parseValue(depth: depth)
            parser.pendingValues.append(element)
        }
        guard pendingValues.count > base else { return .array([]) }
        let elements = Self.copy(pendingValues, from: base)
        pendingValues.removeSubrange(base...)
        return .array(elements)
    }

    /// A new, exactly sized array of `stack`'s elements from `base` on. `Array(stack[base...])`
    /// would share the stack's buffer when `base` is 0 (the slice is then the whole array), and
    /// the stack's next removal would copy the whole buffer, its spare capacity included.
    private static func copy<Element>(_ stack: [Element], from base: Int) -> [Element] {
        stack.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[base...])) }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let start = index + 1  // past the opening quote
        // Checks the string (escapes, control characters, UTF-8) and finds its end, a word at
        // a time over plain text.
        try skipString()
        let end = index - 1  // the closing quote
        let base = bytes.baseAddress!
        var cursor = start
        var escape = memchr(base + cursor, Int32(UInt8(ascii: "\\")), end - cursor)
        // No escapes: the bytes are the string.
        guard escape != nil else { return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) }
        // Prompts are full of `\n`, so escapes are the usual case for long text: the runs between
        // them are copied whole into a buffer that cannot need to grow (an escape is never
        // shorter than what it stands for).
        var utf8: [UInt8] = []
        utf8.reserveCapacity(end - start)
        while let found = escape {
            let escapeAt = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
            utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[cursor..<escapeAt]))
            index = escapeAt
            utf8.append(contentsOf: try readEscape().utf8)
            cursor = index
            escape = cursor < end ? memchr(base + cursor, Int32(UInt8(ascii: "\\")), end - cursor) : nil
        }
        utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[cursor..<end]))
        index = end + 1
        // Checked by `skipString()`: the runs are valid UTF-8 (escapes are ASCII, so no
        // character straddles one) and every escape decodes to a scalar.
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Reads the escape sequence whose backslash is at the cursor and moves past it: the
    /// character it stands for (an escaped surrogate pair is one character, a lone surrogate
    /// U+FFFD). ``parseString()`` decodes with it and ``skipString()`` checks with it.
    mutating func readEscape() throws(JSONParseError) -> Unicode.Scalar {
        index += 1
        guard index < bytes.count else { throw error("unexpected end of input in string") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(escape)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"): return try parseUnicodeEscape()
        default:
            index -= 1
            throw error("invalid escape sequence")
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first) {
            // A high surrogate must be followed by an escaped low surrogate.
            if index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                index += 2
                let second = try parseHex4()
                if (0xDC00...0xDFFF).contains(second) {
                    let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    if let scalar = Unicode.Scalar(combined) { return scalar }
                }
            }
            return "\u{FFFD}"
        }
        if (0xDC00...0xDFFF).contains(first) { return "\u{FFFD}" }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error("unexpected end of input in number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index]) {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        } else {
            throw error("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits else { throw error("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits else { throw error("expected digits in exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text) else { throw JSONParseError(offset: start, reason: "number out of range") }
        return .double(double)
    }
}
