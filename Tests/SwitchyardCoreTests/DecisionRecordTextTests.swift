import Testing

@testable import SwitchyardCore

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
