import Testing

@testable import SwitchyardCore

@Suite("JSONObjectWriter")
struct JSONObjectWriterTests {
    @Test("members, nesting, arrays, nulls and escapes read back as written")
    func roundTrip() throws {
        var writer = JSONObjectWriter()
        writer.string("name", "quote \" and \\ and\nnewline")
        writer.string("missing", nil)
        writer.int("count", 3)
        writer.double("price", 0.25)
        writer.double("whole", 2)
        writer.bool("flag", false)
        writer.object("nested") { nested in
            nested.object(named: "dynamic key") { $0.int("depth", 2) }
            nested.strings("tags", ["a", "b"])
        }
        writer.objects("items", [1, 2]) { object, value in object.int("value", value) }
        writer.objects("none", [Int]()) { object, value in object.int("value", value) }
        writer.value("tree", ["x": .array([.null, .bool(true)])])
        let text = writer.finishString()

        let parsed = try JSONParser.parse(text)
        #expect(parsed["name"] == .string("quote \" and \\ and\nnewline"))
        #expect(parsed["missing"] == .null)
        #expect(parsed["count"] == .int(3))
        #expect(parsed["price"] == .double(0.25))
        #expect(parsed["whole"] == .double(2))
        #expect(parsed["flag"] == .bool(false))
        #expect(parsed["nested"]?["dynamic key"]?["depth"] == .int(2))
        #expect(parsed["nested"]?["tags"] == .array(["a", "b"]))
        #expect(parsed["items"]?.arrayValue?.compactMap { $0["value"]?.intValue } == [1, 2])
        #expect(parsed["none"] == .array([]))
        #expect(parsed["tree"]?["x"] == .array([.null, .bool(true)]))
        // Member order is the order written, and the output is compact.
        #expect(text.hasPrefix(#"{"name":"quote \"#))
        #expect(!text.contains(" :") && !text.contains(", "))
    }

    @Test("a top-level array of objects")
    func arrayText() {
        #expect(JSONObjectWriter.arrayText([1, 2]) { object, value in object.int("n", value) } == #"[{"n":1},{"n":2}]"#)
        #expect(JSONObjectWriter.arrayText([Int]()) { object, value in object.int("n", value) } == "[]")
    }

    @Test("an empty object is {}")
    func empty() {
        #expect(JSONObjectWriter().finishString() == "{}")
    }

    @Test("a gate report written directly is the text of its tree, details and name clashes included")
    func gateReportsWriteTheirTreesText() {
        let report = GateReport(
            results: [
                GateResult(gate: .empty, passed: true, score: 1, reason: "the answer has text"),
                GateResult(gate: .truncation, passed: false, score: 0, reason: "finish_reason: length", details: ["finish_reason": "length"]),
                GateResult(gate: .confidence, passed: true, score: 1 / 3, reason: "no logprobs", skipped: true),
                // A detail named like a fixed member replaces it in the tree; the writer must agree.
                GateResult(gate: .json, passed: true, score: 1, reason: "fixed", details: ["reason": "from details", "errors": .array([])]),
            ],
            uncertain: true)
        var direct = JSONObjectWriter()
        report.write(into: &direct)
        #expect(direct.finishString() == JSONWriter.string(report.json))
    }
}


@Suite("The decision record as stored and as shown")
struct DecisionRecordTextTests {
    let attempts = [AttemptRecord(deployment: "light", provider: "mock", status: 200, errorClass: nil, latency: .milliseconds(3))]

    @Test("the stored record gets its attempts and gates back as its last members")
    func putsThemBack() throws {
        let full = DecisionRecordText.full(stored: #"{"id":"x","served":"light"}"#, attempts: attempts, gatesJSON: #"[{"passed":true}]"#)
        #expect(full.hasPrefix(#"{"id":"x","served":"light","attempts":[{"deployment":"light""#))
        #expect(full.hasSuffix(#","gates":[{"passed":true}]}"#))
        let record = try JSONParser.parse(full)
        #expect(record["attempts"]?.arrayValue?.count == 1)
        #expect(record["gates"]?.arrayValue?.first?["passed"] == true)
    }

    @Test("without gates there is no gates member; an empty object gets no stray comma")
    func withoutGates() throws {
        let full = DecisionRecordText.full(stored: #"{"id":"x"}"#, attempts: [], gatesJSON: nil)
        #expect(full == #"{"id":"x","attempts":[]}"#)
        #expect(DecisionRecordText.full(stored: "{}", attempts: [], gatesJSON: nil) == #"{"attempts":[]}"#)
    }

    @Test("a record stored whole, before attempts were left out, is shown as it is")
    func oldRecords() {
        let whole = #"{"id":"x","attempts":[],"fallbacks":0,"served":"light"}"#
        #expect(DecisionRecordText.full(stored: whole, attempts: attempts, gatesJSON: "[]") == whole)
        // The key inside a string value is escaped, so it does not count.
        let quoted = #"{"reason":"text with \"attempts\": in it"}"#
        #expect(DecisionRecordText.full(stored: quoted, attempts: [], gatesJSON: nil) == #"{"reason":"text with \"attempts\": in it","attempts":[]}"#)
    }
}
