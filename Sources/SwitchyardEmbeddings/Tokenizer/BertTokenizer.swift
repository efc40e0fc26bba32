import Foundation

/// The BERT uncased WordPiece tokenizer of all-MiniLM-L6-v2, with the same ids as Hugging Face
/// `tokenizers` (`BertNormalizer` + `BertPreTokenizer` + `WordPiece` + `[CLS] … [SEP]`).
///
/// Steps, in the reference's order:
/// 1. clean_text: drop NUL, U+FFFD and control characters; map whitespace to a space.
/// 2. Put spaces around CJK ideographs.
/// 3. Strip accents: canonical decomposition (NFD), then drop non-spacing marks.
/// 4. Lowercase each scalar (`lowercaseMapping`, not `String.lowercased()`).
/// 5. Split on whitespace (dropped) and punctuation (kept as a token of its own).
/// 6. WordPiece: greedy longest match with `##` continuations; a word longer than 100 scalars,
///    or one that cannot be covered, becomes a single `[UNK]`.
///
/// Category tests use Unicode 8.0, like the reference (see ``BertCharacterClasses``).
public struct BertTokenizer: Sendable {
    public let vocabulary: WordPieceVocabulary
    /// Words longer than this many scalars become `[UNK]`.
    public let maxInputCharsPerWord: Int

    public init(vocabulary: WordPieceVocabulary, maxInputCharsPerWord: Int = 100) {
        self.vocabulary = vocabulary
        self.maxInputCharsPerWord = maxInputCharsPerWord
    }

    /// Token ids of `text` wrapped in `[CLS]` … `[SEP]`, at most `maxLength` ids in all
    /// (word pieces beyond `maxLength − 2` are dropped from the end, or from the start with
    /// `keeping: .tail`).
    public func encode(_ text: String, maxLength: Int = 256, keeping truncation: EmbeddingModelOptions.Truncation = .head) -> [Int32] {
        precondition(maxLength >= 2, "maxLength must leave room for [CLS] and [SEP]")
        if truncation == .tail {
            var pieces: [Int32] = []
            forEachWord(in: text) { word in
                appendWordPieces(word, to: &pieces)
                return true
            }
            return [vocabulary.classifierID] + pieces.suffix(maxLength - 2) + [vocabulary.separatorID]
        }
        var ids: [Int32] = [vocabulary.classifierID]
        ids.reserveCapacity(min(maxLength, text.utf8.count / 3 + 8))
        let budget = maxLength - 1
        forEachWord(in: text) { word in
            appendWordPieces(word, to: &ids)
            return ids.count < budget
        }
        if ids.count > budget { ids.removeLast(ids.count - budget) }
        ids.append(vocabulary.separatorID)
        return ids
    }

    /// The token strings of `ids` (for debugging and tests).
    public func tokens(_ ids: [Int32]) -> [String] {
        ids.map { Int($0) < vocabulary.count && $0 >= 0 ? vocabulary.tokens[Int($0)] : "[?]" }
    }

    // MARK: - Normalization and pre-tokenization

    /// The normalized scalars of `text` (steps 1–4).
    func normalize(_ text: String) -> [Unicode.Scalar] {
        var isASCII = true
        for byte in text.utf8 where byte >= 0x80 {
            isASCII = false
            break
        }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.utf8.count)
        if isASCII {
            for byte in text.utf8 {
                let scalar = Unicode.Scalar(byte)
                if BertCharacterClasses.isRemoved(scalar) { continue }
                if BertCharacterClasses.isWhitespace(scalar) {
                    result.append(" ")
                } else if byte >= 0x41 && byte <= 0x5A {
                    result.append(Unicode.Scalar(byte | 0x20))
                } else {
                    result.append(scalar)
                }
            }
            return result
        }
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if BertCharacterClasses.isRemoved(scalar) { continue }
            if BertCharacterClasses.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if BertCharacterClasses.isCJK(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        for scalar in decomposed.unicodeScalars where !BertCharacterClasses.isNonspacingMark(scalar) {
            if scalar.value < 0x80 {
                let byte = UInt8(scalar.value)
                result.append(byte >= 0x41 && byte <= 0x5A ? Unicode.Scalar(byte | 0x20) : scalar)
            } else {
                let lower = scalar.properties.lowercaseMapping
                if lower.unicodeScalars.count == 1, let only = lower.unicodeScalars.first {
                    result.append(only)
                } else {
                    result.append(contentsOf: lower.unicodeScalars)
                }
            }
        }
        return result
    }

    /// Calls `body` with each pre-token (step 5) until it returns false.
    func forEachWord(in text: String, _ body: (ArraySlice<Unicode.Scalar>) -> Bool) {
        let scalars = normalize(text)
        var start = 0
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if BertCharacterClasses.isWhitespace(scalar) {
                if start < index, !body(scalars[start..<index]) { return }
                start = index + 1
            } else if BertCharacterClasses.isPunctuation(scalar) {
                if start < index, !body(scalars[start..<index]) { return }
                if !body(scalars[index...index]) { return }
                start = index + 1
            }
            index += 1
        }
        if start < scalars.count { _ = body(scalars[start...]) }
    }

    // MARK: - WordPiece

    /// Appends the word pieces of one pre-token (step 6).
    func appendWordPieces(_ word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32]) {
        if word.count > maxInputCharsPerWord {
            ids.append(vocabulary.unknownID)
            return
        }
        // UTF-8 of the word and the byte offset of each scalar boundary.
        var bytes: [UInt8] = []
        var offsets: [Int] = [0]
        bytes.reserveCapacity(word.count * 2)
        offsets.reserveCapacity(word.count + 1)
        for scalar in word {
            UTF8.encode(scalar) { bytes.append($0) }
            offsets.append(bytes.count)
        }
        let mark = ids.count
        var start = 0
        var piece: [UInt8] = []
        piece.reserveCapacity(bytes.count + 2)
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                piece.removeAll(keepingCapacity: true)
                if start > 0 { piece.append(contentsOf: [0x23, 0x23]) }  // "##"
                piece.append(contentsOf: bytes[offsets[start]..<offsets[end]])
                if let id = vocabulary.byteIDs[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                ids.removeLast(ids.count - mark)
                ids.append(vocabulary.unknownID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}
