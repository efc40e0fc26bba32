import Foundation

/// A WordPiece vocabulary read from `vocab.txt`: one token per line, line index = token id.
///
/// The file is split on `\n` **bytes** (not on Swift `Character`s, which would merge `\r\n` and
/// grapheme clusters and shift every later id); a trailing `\r` is dropped.
public struct WordPieceVocabulary: Sendable {
    /// Token text → id.
    public let ids: [String: Int32]
    /// Token UTF-8 bytes → id. Lookups go through bytes because `String` equality is canonical
    /// equivalence, which the reference tokenizer does not apply.
    let byteIDs: [[UInt8]: Int32]
    /// Id → token text.
    public let tokens: [String]
    public let unknownID: Int32
    public let classifierID: Int32
    public let separatorID: Int32
    public let paddingID: Int32

    /// Reads `vocab.txt` at `path`.
    public init(path: String) throws(EmbeddingError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path: path) }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Parses vocabulary bytes; `path` is used in error messages.
    public init(bytes: [UInt8], path: String) throws(EmbeddingError) {
        var tokens: [String] = []
        var byteIDs: [[UInt8]: Int32] = [:]
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        tokens.reserveCapacity(lines.count)
        for var line in lines {
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            byteIDs[Array(line)] = Int32(tokens.count)
            tokens.append(String(decoding: line, as: UTF8.self))
        }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (index, token) in tokens.enumerated() { ids[token] = Int32(index) }
        func special(_ name: String) throws(EmbeddingError) -> Int32 {
            guard let id = ids[name] else { throw .invalidFile(path: path, reason: "vocabulary has no \(name) token") }
            return id
        }
        self.tokens = tokens
        self.ids = ids
        self.byteIDs = byteIDs
        unknownID = try special("[UNK]")
        classifierID = try special("[CLS]")
        separatorID = try special("[SEP]")
        paddingID = try special("[PAD]")
    }

    public var count: Int { tokens.count }
}
