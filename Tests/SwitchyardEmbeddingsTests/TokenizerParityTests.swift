import Foundation
import SwitchyardCore
import SwitchyardEmbeddings
import Testing

/// Token ids must equal Hugging Face `tokenizers` (the fixtures were made with it).
@Suite("BERT tokenizer parity with Hugging Face tokenizers")
struct TokenizerParityTests {
    // Skipped when the model (for vocab.txt) or the shared fixture cannot be found; TestResources
    // prints why.
    @Test(.enabled(if: TestResources.hasModel && TestResources.hasFixture("tokcheck.json"), "needs the model's vocab.txt and ../shared/fixtures/minilm/tokcheck.json"))
    func fuzzStrings() throws {
        let tokenizer = try #require(TestResources.embedder).tokenizer
        let items = try #require(try TestResources.json("tokcheck.json").arrayValue)
        var identical = 0
        var misses: [String] = []
        for item in items {
            let text = try #require(item["text"]?.stringValue)
            let expected = try #require(item["ids"]?.arrayValue).compactMap { $0.intValue.map(Int32.init) }
            let actual = tokenizer.encode(text, maxLength: 256)
            if actual == expected {
                identical += 1
            } else if misses.count < 5 {
                misses.append("\(text.unicodeScalars.map { String($0.value, radix: 16) }.prefix(12)): \(actual.prefix(12)) vs \(expected.prefix(12))")
            }
        }
        let share = Double(identical) / Double(items.count)
        print("tokcheck: \(identical)/\(items.count) identical (\(String(format: "%.3f", share * 100)) %)")
        for miss in misses { print("  miss \(miss)") }
        #expect(items.count > 4000)
        #expect(share >= 0.999)
    }

    @Test(.enabled(if: TestResources.hasModel && TestResources.hasFixture("reference.json"), "needs the model and ../shared/fixtures/minilm/reference.json"))
    func referenceSentences() throws {
        let tokenizer = try #require(TestResources.embedder).tokenizer
        let items = try #require(try TestResources.json("reference.json")["items"]?.arrayValue)
        for item in items {
            let text = try #require(item["text"]?.stringValue)
            let expected = try #require(item["input_ids"]?.arrayValue).compactMap { $0.intValue.map(Int32.init) }
            #expect(tokenizer.encode(text, maxLength: 256) == expected, "\(text.prefix(60))")
        }
    }

    @Test(.enabled(if: TestResources.hasModel, "needs the model's vocab.txt"))
    func truncationKeepsSeparator() throws {
        let tokenizer = try #require(TestResources.embedder).tokenizer
        let ids = tokenizer.encode(String(repeating: "word ", count: 300), maxLength: 128)
        #expect(ids.count == 128)
        #expect(ids.first == tokenizer.vocabulary.classifierID)
        #expect(ids.last == tokenizer.vocabulary.separatorID)
        #expect(tokenizer.encode("", maxLength: 128) == [tokenizer.vocabulary.classifierID, tokenizer.vocabulary.separatorID])
        // Tail truncation keeps the end of the text.
        let tail = tokenizer.encode(String(repeating: "word ", count: 300) + "final question", maxLength: 16, keeping: .tail)
        #expect(tail.count == 16)
        #expect(tokenizer.tokens(Array(tail.suffix(3))) == ["final", "question", "[SEP]"])
        #expect(tail.first == tokenizer.vocabulary.classifierID)
    }
}
