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
        #expect(list.firstMatch(in: FoldedText("aa aab")) == "aab")
        #expect(list.firstMatch(in: FoldedText("ba bab")) == "bab")
        #expect(list.firstMatch(in: FoldedText("abba aa ba")) == nil)
        #expect(list.firstMatch(in: FoldedText("x aab"), prefix: 4) == nil, "the match ends past the prefix")
    }

    @Test("phrases match whole words only, so a hedge is not found inside ordinary words")
    func wholeWords() {
        let hedges = PhraseList(["as an ai", "i'm not sure"])
        #expect(hedges.firstMatch(in: FoldedText("The model has an AI component.")) == nil)
        #expect(hedges.firstMatch(in: FoldedText("We set this as an aim for Q3.")) == nil)
        #expect(hedges.firstMatch(in: FoldedText("As an AI, I think so.")) == "as an ai")
        #expect(hedges.firstMatch(in: FoldedText("(as an AI)")) == "as an ai")
        #expect(hedges.firstMatch(in: FoldedText("Honestly? I\u{2019}m not sure.")) == "i'm not sure")
        #expect(PhraseList(["?!"]).firstMatch(in: FoldedText("really?!")) == "?!", "a phrase without letters at its edges matches inside words")
        #expect(PhraseList(["\u{65E0}\u{6CD5}"]).firstMatch(in: FoldedText("\u{6211}\u{65E0}\u{6CD5}\u{56DE}\u{7B54}")) != nil, "scripts without spaces match anywhere")
        let gate = RefusalGate(RefusalSettings())
        #expect(gate.evaluate(content: "GPT-2 was a language model released in 2019; it has an AI safety card.").result.passed)
    }

    @Test("the first phrase of the list wins, wherever in the text it occurs")
    func listOrder() {
        let list = PhraseList(["late", "early"])
        #expect(list.firstMatch(in: FoldedText("early then late")) == "late")
        #expect(list.firstMatch(in: FoldedText("early only")) == "early")
    }

    @Test("one-byte phrases match, and empty phrases neither match nor shift the others")
    func oneByteAndEmptyPhrases() {
        let list = PhraseList(["", "zz", "?", "q"])
        #expect(list.firstMatch(in: FoldedText("a q?")) == "?")
        #expect(list.firstMatch(in: FoldedText("q")) == "q")
        #expect(list.firstMatch(in: FoldedText("a zz?")) == "zz")
        #expect(list.firstMatch(in: FoldedText("azz")) == nil, "zz inside a word")
        #expect(list.firstMatch(in: FoldedText("abc")) == nil)
    }

    @Test("the one-pass search agrees with a naive whole-word one on random texts")
    func agreesWithANaiveSearch() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab c".utf8)
        func word(_ length: Int) -> String {
            String(decoding: (0..<length).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
        }
        for _ in 0..<500 {
            let phrases = (0..<Int.random(in: 1...6, using: &generator)).map { _ in word(Int.random(in: 1...4, using: &generator)) }
            let text = FoldedText(word(Int.random(in: 0...40, using: &generator)))
            let prefix = Bool.random(using: &generator) ? Int.random(in: 0...40, using: &generator) : nil
            let hay = Array(text.bytes.prefix(prefix ?? .max))
            let naive = phrases.first { phrase in
                let needle = FoldedText(phrase).bytes
                guard !needle.isEmpty, needle.count <= hay.count else { return false }
                return (0...(hay.count - needle.count)).contains { start in
                    let end = start + needle.count
                    let startsClear = start == 0 || !FoldedText.isWordByte(needle[0]) || !FoldedText.isWordByte(hay[start - 1])
                    let endsClear = end == hay.count || !FoldedText.isWordByte(needle[needle.count - 1]) || !FoldedText.isWordByte(hay[end])
                    return startsClear && endsClear && Array(hay[start..<end]) == needle
                }
            }
            #expect(PhraseList(phrases).firstMatch(in: text, prefix: prefix) == naive, "\(phrases) in \(String(decoding: hay, as: UTF8.self))")
        }
    }
}
