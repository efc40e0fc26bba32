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

    @Test("output far past the reserved room grows and reads back whole, nested objects included")
    func growsPastItsReservation() throws {
        let long = String(repeating: "é😀\"x", count: 400)
        var tree = JSONObject()
        var writer = JSONObjectWriter(reservingCapacity: 0)
        for index in 0..<200 {
            writer.object(named: "k\(index)") { nested in
                nested.string("text", long)
                nested.double("value", Double(index) / 7)
                nested.objects("list", [index, index + 1]) { $0.int("n", $1) }
            }
            tree["k\(index)"] = [
                "text": .string(long), "value": .double(Double(index) / 7),
                "list": [["n": .int(Int64(index))], ["n": .int(Int64(index + 1))]],
            ]
        }
        let text = writer.finishString()
        #expect(text.utf8.count > 200 * long.utf8.count)
        #expect(text == JSONWriter.string(.object(tree)))
        #expect(try JSONParser.parse(text) == .object(tree))
    }

    @Test("JSONBytes: appends past capacity, takes its bytes and leaves itself empty")
    func jsonBytes() {
        var bytes = JSONBytes(capacity: 0)
        #expect(bytes.count == 0 && bytes.array.isEmpty)
        for byte in UInt8(0)..<UInt8(200) { bytes.append(byte) }
        bytes.append("tail")
        #expect(bytes.array == Array(0..<200) + Array("tail".utf8))
        let taken = bytes.take()
        #expect(taken.count == 204)
        #expect(bytes.count == 0 && bytes.capacity == 0)
        bytes.append(UInt8(7))
        #expect(bytes.array == [7])
    }
}
