import Foundation

extension JSONParser {
    /// Checks the value at the cursor as strictly as ``parseValue(depth:)`` would, and moves past
    /// it without building anything: no strings, arrays or objects are allocated.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    /// Whether the value at the cursor is a string (it is checked when it is read or skipped).
    var isAtString: Bool { index < bytes.count && bytes[index] == UInt8(ascii: "\"") }

    /// Whether the value at the cursor is `null` (it is checked when it is skipped).
    var isAtNull: Bool { index < bytes.count && bytes[index] == UInt8(ascii: "n") }

    /// The string at the cursor, or `nil` (having skipped it) when the value is something else.
    mutating func parseStringOrSkip(depth: Int) throws(JSONParseError) -> String? {
        if isAtString { return try parseString() }
        try skipValue(depth: depth)
        return nil
    }

    /// Moves past the value at the cursor; where it lies, quotes included, when it is a string
    /// (the JSON string as written, which another JSON text can take as it is), else `nil`.
    mutating func skipValueNotingString(depth: Int) throws(JSONParseError) -> Range<Int>? {
        let start = index
        let isString = isAtString
        try skipValue(depth: depth)
        return isString ? start..<index : nil
    }

    /// A member's key as it stands in the text, compared without making a `String` of it.
    struct Key {
        /// The bytes between the quotes.
        let raw: UnsafeBufferPointer<UInt8>
        /// The key decoded, when it holds escapes (rare); `nil` when `raw` is the key.
        let decoded: String?

        /// The key as a string.
        var string: String { decoded ?? String(decoding: raw, as: UTF8.self) }

        /// Whether the key is `name` (ASCII, no escapes needed).
        func `is`(_ name: StaticString) -> Bool {
            if let decoded { return decoded.utf8.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)) }
            return raw.count == name.utf8CodeUnitCount && memcmp(raw.baseAddress!, name.utf8Start, raw.count) == 0
        }
    }

    /// The key at the cursor (a string), checked as ``parseString()`` checks it.
    private mutating func parseKey() throws(JSONParseError) -> Key {
        let start = index + 1
        try skipString()
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<index - 1])
        guard raw.contains(UInt8(ascii: "\\")) else { return Key(raw: raw, decoded: nil) }
        index = start - 1
        return Key(raw: raw, decoded: try parseString())
    }

    /// Visits the members of the object at the cursor: `member` gets each key with the cursor on
    /// its value and must move past the value (by parsing or skipping it).
    mutating func forEachMember(
        depth: Int, _ member: (inout JSONParser, Key) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseKey()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
            index += 1
            return
        }
    }

    /// Visits the elements of the array at the cursor: `element` gets each one's position with
    /// the cursor on it and must move past it.
    mutating func forEachElement(
        depth: Int, _ element: (inout JSONParser, Int) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        var position = 0
        while true {
            skipWhitespace()
            try element(&self, position)
            position += 1
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
            index += 1
            return
        }
    }

    private mutating func skipObject(depth: Int) throws(JSONParseError) {
        try forEachMember(depth: depth) { (parser, _) throws(JSONParseError) in try parser.skipValue(depth: depth) }
    }

    private mutating func skipArray(depth: Int) throws(JSONParseError) {
        try forEachElement(depth: depth) { (parser, _) throws(JSONParseError) in try parser.skipValue(depth: depth) }
    }

    /// Moves past the string at the cursor, checking what ``parseString()`` checks: escapes,
    /// control characters and UTF-8. Escapes are ASCII and decode to valid UTF-8, so checking
    /// the raw bytes between the quotes is the same as checking the decoded ones.
    mutating func skipString() throws(JSONParseError) {
        index += 1  // opening quote
        let start = index
        var ascii = true
        // Words are read at the start and after each escape; after a word that holds a special
        // byte, single bytes up to it.
        var readWords = true
        while index < bytes.count {
            if readWords {
                if skipPlainStringBytes() { ascii = false }
                readWords = false
                guard index < bytes.count else { break }
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                if !ascii, !Self.isValidUTF8(UnsafeBufferPointer(rebasing: bytes[start..<index])) {
                    throw JSONParseError(offset: start, reason: "invalid UTF-8 in string")
                }
                index += 1
                return
            case UInt8(ascii: "\\"):
                _ = try readEscape()
                readWords = true
            default:
                if byte < 0x20 { throw error("unescaped control character in string") }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
        }
        throw error("unterminated string")
    }

    /// Whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates or scalars past
    /// U+10FFFF), as `String(validating:)` requires.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return false
            }
            guard index + length <= count else { return false }
            let second = bytes[index + 1]
            guard second >= lower, second <= upper else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
                return false
            }
            index += length
        }
        return true
    }
}
