@testable import SwitchyardCore
import Testing

@Suite("Refusal phrase scanning")
struct PhraseScanningTests {
    @Test("folding lower-cases ASCII, straightens curly quotes and collapses whitespace")
    func folding() {
        let text = FoldedText("I\u{2019}m  SORRY,\n\t\u{201C}no\u{201D} \u{2014} caf\u{E9}")
        #expect(String(decoding: text.bytes, as: UTF8.self) == "i'm sorry, \"no\" \u{2014} caf\u{E9}")
        #expect(text.markedCount == text.bytes.count)
    }

    @Test("the mark counts code points of the source, not bytes of the fold")
    func mark() {
        let text = FoldedText("\u{E9}\u{E9}  AB", mark: 4)
        // é é (2 bytes each), two spaces folded to one, then A: the first 4 code points fold to 5 bytes.
        #expect(text.markedCount == 5)
        #expect(Array(text.bytes.prefix(text.markedCount)) == Array("\u{E9}\u{E9} ".utf8))
    }

    @Test("a refusal counts only within the window; a hedge counts anywhere")
    func window() {
        let gate = RefusalGate(RefusalSettings(phrases: ["i can't help"], hedges: ["as an ai"], window: 20, hedgeFails: true))
        #expect(gate.evaluate(content: "Sorry, I can\u{2019}t help with that.").result.passed == false)
        let late = String(repeating: "word ", count: 10) + "I can't help it, this is great."
        #expect(gate.evaluate(content: late).result.passed)
        let hedge = String(repeating: "word ", count: 10) + "As an AI, I think so."
        #expect(gate.evaluate(content: hedge).result.passed == false)
    }

    @Test("a phrase is found after false starts on its first byte, and only where it occurs")
    func falseStarts() {
        let list = PhraseList(["aab", "bab"])
        #expect(list.firstMatch(in: FoldedText("xaaab")) == "aab")
        #expect(list.firstMatch(in: FoldedText("abab")) == "bab")
        #expect(list.firstMatch(in: FoldedText("abba aa ba")) == nil)
        #expect(list.firstMatch(in: FoldedText("xaaab"), prefix: 4) == nil, "the match ends past the prefix")
    }
}
