import Foundation

/// `code`: the answer contains a fenced code block (```), every fence is closed, and the brackets
/// `()[]{}` in the code balance — outside string literals and comments.
enum CodeGate {
    /// Fence languages whose line comments start with `#`.
    static let hashCommentLanguages: Set<String> = ["python", "py", "sh", "bash", "shell", "zsh", "ruby", "rb", "yaml", "yml", "r", "perl", "toml", "dockerfile", "make", "makefile"]

    struct Block {
        var language: String
        var code: Substring
    }

    static func evaluate(content: String) -> GateResult {
        var blocks: [Block] = []
        var open: (language: String, start: String.Index)?
        var index = content.startIndex
        // Walk lines; a line whose trimmed text starts with ``` opens or closes a block.
        while index < content.endIndex {
            let lineEnd = content[index...].firstIndex(of: "\n") ?? content.endIndex
            let line = content[index..<lineEnd]
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            let next = lineEnd < content.endIndex ? content.index(after: lineEnd) : lineEnd
            if trimmed.hasPrefix("```") {
                if let current = open {
                    blocks.append(Block(language: current.language, code: content[current.start..<index]))
                    open = nil
                } else {
                    let language = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces).lowercased()
                    open = (String(language.prefix { !$0.isWhitespace && $0 != "{" }), next)
                }
            }
            index = next
        }
        if open != nil {
            return .fail(.code, blocks.isEmpty ? "the code block is not closed (missing ```)" : "a code block is not closed (missing ```)")
        }
        guard !blocks.isEmpty else { return .fail(.code, "the answer contains no fenced code block (```)") }
        for (number, block) in blocks.enumerated() {
            if let problem = unbalanced(block.code, hashComments: hashCommentLanguages.contains(block.language)) {
                return .fail(.code, "code block \(number + 1): \(problem)", details: ["blocks": .int(Int64(blocks.count))])
            }
        }
        return .pass(.code, blocks.count == 1 ? "one balanced code block" : "\(blocks.count) balanced code blocks", details: ["blocks": .int(Int64(blocks.count))])
    }

    /// Why the brackets of `code` do not balance, or `nil`.
    static func unbalanced(_ code: Substring, hashComments: Bool) -> String? {
        let bytes = Array(code.utf8)
        var stack: [UInt8] = []
        var i = 0
        let n = bytes.count
        func closer(_ b: UInt8) -> UInt8 { b == UInt8(ascii: "(") ? UInt8(ascii: ")") : b == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}") }
        while i < n {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                stack.append(b)
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                guard let top = stack.popLast() else { return "unmatched '\(Character(Unicode.Scalar(b)))'" }
                if closer(top) != b { return "'\(Character(Unicode.Scalar(top)))' closed by '\(Character(Unicode.Scalar(b)))'" }
            case UInt8(ascii: "\""), UInt8(ascii: "`"):
                if b == UInt8(ascii: "\""), i + 2 < n, bytes[i + 1] == b, bytes[i + 2] == b {
                    // Triple-quoted string: skip to the closing triple quote.
                    var j = i + 3
                    while j + 2 < n && !(bytes[j] == b && bytes[j + 1] == b && bytes[j + 2] == b) { j += 1 }
                    i = min(n, j + 3)
                    continue
                }
                i = skipString(bytes, from: i, quote: b, multiline: b == UInt8(ascii: "`"))
                continue
            case UInt8(ascii: "'"):
                // Only a literal if it closes on the same line (so "don't" in a comment-less line or Rust lifetimes survive).
                var j = i + 1
                while j < n && bytes[j] != b && bytes[j] != 0x0A { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                if j < n && bytes[j] == b { i = j + 1; continue }
            case UInt8(ascii: "/") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "/"):
                while i < n && bytes[i] != 0x0A { i += 1 }
                continue
            case UInt8(ascii: "/") where i + 1 < n && bytes[i + 1] == UInt8(ascii: "*"):
                var j = i + 2
                while j + 1 < n && !(bytes[j] == UInt8(ascii: "*") && bytes[j + 1] == UInt8(ascii: "/")) { j += 1 }
                i = min(n, j + 2)
                continue
            case UInt8(ascii: "#") where hashComments:
                while i < n && bytes[i] != 0x0A { i += 1 }
                continue
            default:
                break
            }
            i += 1
        }
        if let top = stack.last { return "unclosed '\(Character(Unicode.Scalar(top)))' (\(stack.count) open)" }
        return nil
    }

    private static func skipString(_ bytes: [UInt8], from start: Int, quote: UInt8, multiline: Bool) -> Int {
        var j = start + 1
        while j < bytes.count {
            if bytes[j] == UInt8(ascii: "\\") { j += 2; continue }
            if bytes[j] == quote { return j + 1 }
            if bytes[j] == 0x0A && !multiline { return j }  // unterminated: resume on the next line
            j += 1
        }
        return bytes.count
    }
}
