/// A deterministic random number generator (SplitMix64) for reproducible shuffles and random routers.
///
/// Every seed, zero included, gives a full-period, well-mixed sequence, so it is safe with
/// `Int.random(in:using:)` and friends (a generator that returns a constant makes them loop forever).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's finaliser: a bijective scramble of 64 bits.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1) determined by `seed` and `key` alone (order-independent).
    public static func unitValue(seed: UInt64, key: String) -> Double {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the key's UTF-8 bytes
        for byte in key.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let bits = mix(mix(seed &+ 0x9E37_79B9_7F4A_7C15) ^ hash)
        return Double(bits >> 11) * 0x1.0p-53
    }
}
