import Foundation

/// Finds out, without parsing, whether a JSON text may hold a key with an object value, so a hot
/// path can skip parsing the texts that certainly do not (stream chunks without usage, say).
///
/// The answer errs on one side only: `false` means no member `"key": {` exists anywhere in the
/// text; `true` means one may (an escaped quote inside a string can fake a match), so the caller
/// parses to be sure.
public enum JSONKeyScanner {
    /// Whether `text` may contain the member `"key"` followed by a `{` or `[` value.
    public static func mayHaveStructuredValue(forKey key: StaticString, in text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            key.withUTF8Buffer { key in scan(bytes, key: key) { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") } }
        }
    }

    /// Whether `text` may contain the member `"key"` with any value.
    public static func mayHaveMember(_ key: StaticString, in text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in key.withUTF8Buffer { key in scan(bytes, key: key) { _ in true } } }
    }

    /// Whether the UTF-8 text `bytes` may contain the member `"key"` followed by a `{` or `[` value.
    public static func mayHaveStructuredValue(forKey key: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        key.withUTF8Buffer { key in scan(bytes, key: key) { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") } }
    }

    /// Whether the UTF-8 text `bytes` may contain the member `"key"` with any value.
    public static func mayHaveMember(_ key: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        key.withUTF8Buffer { key in scan(bytes, key: key) { _ in true } }
    }

    /// Whether the UTF-8 text `bytes` may contain the member `"anyKey"` with any value or the
    /// member `"structuredKey"` with a `{` or `[` value: the two scans above in one pass, which
    /// reads the text a 64-bit word at a time for a quote followed by either key's first byte.
    public static func mayHaveMember(
        _ anyKey: StaticString, orStructuredValueFor structuredKey: StaticString, in bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        anyKey.withUTF8Buffer { anyKey in
            structuredKey.withUTF8Buffer { structuredKey in scan(bytes, anyKey: anyKey, structuredKey: structuredKey) }
        }
    }

    /// Whether the text, after leading and trailing whitespace, starts with `{` and ends with `}`.
    public static func looksLikeObject(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var start = 0
            var end = bytes.count
            while start < end, isWhitespace(bytes[start]) { start += 1 }
            while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
            return end - start >= 2 && bytes[start] == UInt8(ascii: "{") && bytes[end - 1] == UInt8(ascii: "}")
        }
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, key: UnsafeBufferPointer<UInt8>, value: (UInt8) -> Bool) -> Bool {
        let quote = UInt8(ascii: "\"")
        let needed = key.count + 2
        guard bytes.count > needed, let base = bytes.baseAddress, let first = key.first else { return false }
        // Candidates are found with memchr on the key's first byte (rarer than quotes in JSON);
        // each is then checked for the quotes around it and the key's other bytes.
        var index = 1
        while index + needed - 1 <= bytes.count {
            guard let found = memchr(base + index, Int32(first), bytes.count - index - needed + 2) else { return false }
            let start = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) - 1
            index = start + 2
            if bytes[start] == quote, isMember(bytes, key: key, quote: start, value: value) { return true }
        }
        return false
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, anyKey: UnsafeBufferPointer<UInt8>, structuredKey: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, let anyFirst = anyKey.first, let structuredFirst = structuredKey.first else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = ones &* UInt64(UInt8(ascii: "\""))
        let anyFirsts = ones &* UInt64(anyFirst)
        let structuredFirsts = ones &* UInt64(structuredFirst)
        let raw = UnsafeRawPointer(base)
        /// Whether the quote at `quote` opens either key as a member with the value it needs.
        func opensMember(at quote: Int) -> Bool {
            (bytes[quote + 1] == anyFirst && Self.isMember(bytes, key: anyKey, quote: quote) { _ in true })
                || (bytes[quote + 1] == structuredFirst
                    && Self.isMember(bytes, key: structuredKey, quote: quote) { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") })
        }
        var index = 0
        while index &+ 9 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let next = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index &+ 1, as: UInt64.self))
            var candidates = zeroBytes(word ^ quotes) & (zeroBytes(next ^ anyFirsts) | zeroBytes(next ^ structuredFirsts))
            while candidates != 0 {
                if opensMember(at: index &+ candidates.trailingZeroBitCount / 8) { return true }
                candidates &= candidates &- 1
            }
            index &+= 8
        }
        while index &+ 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "\""), opensMember(at: index) { return true }
            index &+= 1
        }
        return false
    }

    /// Whether `"key"` starts at `quote` in `bytes`, followed by a colon and a value whose first
    /// byte passes `value`.
    private static func isMember(_ bytes: UnsafeBufferPointer<UInt8>, key: UnsafeBufferPointer<UInt8>, quote: Int, value: (UInt8) -> Bool) -> Bool {
        let closing = quote + 1 + key.count
        guard closing < bytes.count, bytes[closing] == UInt8(ascii: "\""),
            memcmp(bytes.baseAddress! + quote + 1, key.baseAddress!, key.count) == 0
        else { return false }
        var cursor = closing + 1
        while cursor < bytes.count, isWhitespace(bytes[cursor]) { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else { return false }
        cursor += 1
        while cursor < bytes.count, isWhitespace(bytes[cursor]) { cursor += 1 }
        return cursor < bytes.count && value(bytes[cursor])
    }

    /// The high bit of each byte of `word` that is zero, and no other bit.
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((word & lows) &+ lows) | word | lows)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
