import Crypto
import Foundation

/// Virtual key secrets: how they are made and how they are stored (only as a hash).
public enum KeySecrets {
    /// A new secret: `sy-` and 40 random base-62 characters (≈238 bits).
    public static func generate() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return "sy-" + String((0..<40).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// Hex SHA-256 of `secret`: what the store keeps.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// What lists show of a secret: its first 7 characters.
    public static func prefix(of secret: String) -> String {
        String(secret.prefix(7)) + "…"
    }

    /// A new key id (`key_` and 12 hex digits).
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "key_" + String(format: "%012llx", generator.next() & 0xFFFF_FFFF_FFFF)
    }
}
