/// Character classes of the BERT normalizer and pre-tokenizer, matching Hugging Face's Rust
/// `tokenizers` (which uses **Unicode 8.0** category tables).
///
/// Swift's tables follow a newer Unicode version, so every category test is gated on
/// `age <= 8.0`: a scalar assigned after 8.0 is "unassigned" for the reference tokenizer and
/// therefore neither control, punctuation nor a combining mark.
enum BertCharacterClasses {
    /// Whether the reference tokenizer's Unicode tables know `scalar`.
    @inline(__always)
    static func knownInUnicode8(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 8 || (age.major == 8 && age.minor == 0)
    }

    /// `\t \n \r` and Unicode White_Space (mapped to a space by clean_text, split on by the pre-tokenizer).
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        case 0..<0x80: return false
        default: return scalar.properties.isWhitespace
        }
    }

    /// Removed by clean_text: NUL, U+FFFD and control characters (Cc, Cf, Cs, Co), but not `\t \n \r`.
    /// Unassigned scalars (Cn) are kept.
    @inline(__always)
    static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00, 0xFFFD: return true
        case 0x09, 0x0A, 0x0D: return false
        case 0x01..<0x20, 0x7F: return true
        case 0x20..<0x7F: return false
        default:
            guard knownInUnicode8(scalar) else { return false }
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse: return true
            default: return false
            }
        }
    }

    /// ASCII punctuation (including `$+<=>^`|~`) or Unicode P*; split off as its own token.
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 33 && value <= 47) || (value >= 58 && value <= 64) || (value >= 91 && value <= 96) || (value >= 123 && value <= 126)
        }
        guard knownInUnicode8(scalar) else { return false }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
            .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// A non-spacing mark (Mn), dropped after NFD when accents are stripped.
    @inline(__always)
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x300 && knownInUnicode8(scalar) && scalar.properties.generalCategory == .nonspacingMark
    }

    /// The CJK ideograph blocks BERT pads with spaces.
    @inline(__always)
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F, 0x2B920...0x2CEAF,
            0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
