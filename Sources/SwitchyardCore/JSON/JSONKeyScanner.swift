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
            guard bytes[start] == quote, bytes[start + needed - 1] == quote,
                memcmp(base + start + 1, key.baseAddress!, key.count) == 0
            else { continue }
            var cursor = start + needed
            while cursor < bytes.count, isWhitespace(bytes[cursor]) { cursor += 1 }
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") {
                cursor += 1
                while cursor < bytes.count, isWhitespace(bytes[cursor]) { cursor += 1 }
                if cursor < bytes.count, value(bytes[cursor]) { return true }
            }
        }
        return false
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
