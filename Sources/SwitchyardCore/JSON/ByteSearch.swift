#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Substring search over bytes with the C library's `memchr` and `memcmp`.
///
/// The standard library's `firstRange(of:)` is generic code in `_StringProcessing` that looks up
/// type metadata on every call; on a Messages answer it was nearly half of the request's CPU.
/// This finds the same first occurrence: `memchr` jumps to each candidate first byte, and
/// `memcmp` checks the rest.
public enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack`, or `nil` when there is none.
    /// An empty needle is found at offset 0.
    public static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pattern in firstIndex(of: pattern, in: hay) }
        }
    }

    /// Whether `needle` occurs anywhere in `haystack`.
    public static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        firstIndex(of: needle, in: haystack) != nil
    }

    /// ``firstIndex(of:in:)-([UInt8],_)`` over buffers.
    public static func firstIndex(of needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = needle.first else { return 0 }
        guard needle.count <= haystack.count, let hayStart = haystack.baseAddress, let needleStart = needle.baseAddress else { return nil }
        let rest = needle.count - 1
        // The last offset at which the whole needle still fits.
        let lastStart = haystack.count - needle.count
        var offset = 0
        while offset <= lastStart {
            guard let found = memchr(hayStart + offset, Int32(first), lastStart - offset + 1) else { return nil }
            let candidate = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self))
            if rest == 0 || memcmp(candidate + 1, needleStart + 1, rest) == 0 {
                return candidate - hayStart
            }
            offset = candidate - hayStart + 1
        }
        return nil
    }
}
