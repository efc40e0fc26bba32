import Testing

@testable import SwitchyardCore

@Suite("Server-sent event parser")
struct ServerSentEventParserTests {
    @Test("events split at any byte boundary parse the same")
    func splitAnywhere() throws {
        let stream = "data: {\"a\":1}\n\n: keep-alive comment\n\nevent: message_delta\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n"
        let bytes = Array(stream.utf8)
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = try parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(events.map(\.data) == ["{\"a\":1}", "line one\nline two", "[DONE]"], "split at \(split)")
            #expect(events[1].event == "message_delta")
            #expect(events.last?.isDone == true)
            #expect(!parser.hasPartialEvent)
        }
    }

    @Test("CRLF and CR line endings, also across chunks")
    func lineEndings() throws {
        var parser = ServerSentEventParser()
        var events = try parser.feed(Array("data: one\r".utf8))
        events += try parser.feed(Array("\n\r\ndata:two\r\r".utf8))
        #expect(events.map(\.data) == ["one", "two"])
    }

    @Test("a non-contiguous sequence parses like contiguous bytes")
    func nonContiguous() throws {
        let stream = Array("event: e\r\ndata: x\rdata: y\n\ndata: [DONE]\r\n\r\n".utf8)
        var contiguous = ServerSentEventParser()
        var lazy = ServerSentEventParser()
        let expected = try contiguous.feed(stream)
        #expect(expected.map(\.data) == ["x\ny", "[DONE]"])
        #expect(try lazy.feed(stream.lazy.map { $0 }) == expected)
    }

    @Test("random chunking with mixed line endings gives the events of one whole feed")
    func randomChunks() throws {
        var generator = SystemRandomNumberGenerator()
        let endings = ["\n", "\r", "\r\n"]
        var text = ""
        for index in 0..<40 {
            let ending = endings[index % 3]
            text += "data: {\"n\":\(index)}" + ending + (index % 5 == 0 ? ": comment" + ending : "") + ending
        }
        let bytes = Array(text.utf8)
        var whole = ServerSentEventParser()
        let expected = try whole.feed(bytes)
        #expect(expected.count == 40)
        for _ in 0..<50 {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...17, using: &generator))
                try parser.feed(bytes[start..<end], into: &events)
                start = end
            }
            #expect(events == expected)
        }
    }

    @Test("an unfinished event is reported as partial")
    func partial() throws {
        var parser = ServerSentEventParser()
        let events = try parser.feed(Array("data: {\"choices\":[".utf8))
        #expect(events.isEmpty)
        #expect(parser.hasPartialEvent)
    }

    @Test("refuses an event larger than the bound")
    func tooLarge() {
        var parser = ServerSentEventParser(maximumEventBytes: 16)
        #expect(throws: ServerSentEventParser.EventTooLarge.self) {
            _ = try parser.feed(Array("data: 0123456789abcdefghij\n\n".utf8))
        }
    }

    @Test("encoding writes one data line per line and a blank line")
    func encoding() {
        let event = ServerSentEvent(event: "ping", data: "a\nb")
        #expect(String(decoding: event.encoded, as: UTF8.self) == "event: ping\ndata: a\ndata: b\n\n")
    }
}
