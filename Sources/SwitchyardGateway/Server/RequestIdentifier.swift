import Synchronization

/// Request ids (which are also decision ids): 32 lowercase hex digits, a random prefix drawn once
/// per process and a counter that starts at a random value, like Hummingbird's `RequestID`.
///
/// Each id is formatted into a `String` once, when the request arrives. The request's logger
/// carries it as `hb.request.id`, where Hummingbird's `RequestContext.id` reads it; a
/// `RequestID` there would be formatted again at every read.
enum RequestIdentifier {
    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// A new id.
    static func next() -> String {
        let low = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        return String(unsafeUninitializedCapacity: 32) { digits in
            write(prefix, into: digits, at: 0)
            write(low, into: digits, at: 16)
            return 32
        }
    }

    private static func write(_ value: UInt64, into digits: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var value = value
        for index in stride(from: start + 15, through: start, by: -1) {
            let nibble = UInt8(truncatingIfNeeded: value & 0xF)
            digits[index] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
            value >>= 4
        }
    }
}
