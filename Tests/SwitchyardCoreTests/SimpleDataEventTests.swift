import Testing

@testable import SwitchyardCore

@Suite("Simple data events")
struct SimpleDataEventTests {
    static func event(_ text: String, at offset: Int = 0) -> SimpleDataEvent? {
        Array(text.utf8).withUnsafeBufferPointer { SimpleDataEvent.at(offset, in: $0) }
    }

    static func isPlain(_ value: String) -> Bool {
        Array(value.utf8).withUnsafeBufferPointer { SimpleDataEvent.isPlainChatChunk($0) }
    }

    @Test("a data line and its blank line, located whole; a second event after it")
    func located() {
        let text = "data: {\"a\":1}\n\ndata: [DONE]\n\n"
        #expect(Self.event(text) == SimpleDataEvent(value: 6..<13, end: 15))
        #expect(Self.event(text, at: 15) == SimpleDataEvent(value: 21..<27, end: 29))
        #expect(Self.event(text, at: 29) == nil)
    }

    @Test("every other form is left to the parser", arguments: [
        "data: {\"a\":1}\n",  // the blank line has not arrived
        "data: {\"a\":1}",
        "data: {\"a\":1}\r\n\r\n",  // CRLF
        "data: {\"a\":1}\r\n",
        "data:{\"a\":1}\n\n",  // no space: the parser's reading is the same, but not this form
        "data: {\"a\":\n data: 1}\n\n",  // two data lines
        "data: {\"a\":1}\ndata: x\n\n",
        ": comment\n\n",
        "event: message\ndata: {}\n\n",
        "\ndata: {}\n\n",
        "dat",
    ])
    func otherForms(text: String) {
        #expect(Self.event(text) == nil)
    }

    @Test("plain chunks: objects without an error member or a usage object")
    func plain() {
        #expect(Self.isPlain(#"{"choices":[{"delta":{"content":"hi"}}],"usage":null}"#))
        #expect(Self.isPlain(#"{"choices":[{"delta":{"content":"the \"usage\" and error of it"}}]}"#))
        #expect(!Self.isPlain(#"{"choices":[],"usage":{"prompt_tokens":1}}"#))
        #expect(!Self.isPlain(#"{"error":{"message":"x"}}"#))
        #expect(!Self.isPlain(#"{"error": null}"#))  // read, to be sure
        #expect(!Self.isPlain("[DONE]"))
        #expect(!Self.isPlain("{"))
        #expect(!Self.isPlain(" {}"))
        #expect(!Self.isPlain(""))
    }

    @Test("the parser's event boundary: none while a line, a field or a CR is pending")
    func boundary() throws {
        var parser = ServerSentEventParser()
        #expect(parser.isAtEventBoundary)
        _ = try parser.feed(Array("data: x".utf8))
        #expect(!parser.isAtEventBoundary)
        _ = try parser.feed(Array("\n".utf8))
        #expect(!parser.isAtEventBoundary)
        _ = try parser.feed(Array("\r".utf8))
        #expect(!parser.isAtEventBoundary)
        _ = try parser.feed(Array("\n".utf8))
        #expect(parser.isAtEventBoundary)
        _ = try parser.feed(Array("event: e\n".utf8))
        #expect(!parser.isAtEventBoundary)
        _ = try parser.feed(Array("\n: comment\n\n".utf8))
        #expect(parser.isAtEventBoundary)
    }
}
