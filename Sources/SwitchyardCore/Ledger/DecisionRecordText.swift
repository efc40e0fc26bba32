/// The decision record as the ledger stores it and as `GET /v1/decisions/{id}` shows it.
///
/// The ledger keeps a request's attempts and gate reports in columns of their own, so the record
/// it stores (``LedgerEntry/decisionJSON``) leaves them out instead of holding them twice: about
/// a sixth of a row. ``full(stored:attempts:gatesJSON:)`` puts them back, as the record's last
/// members. The record and the gate reports are stored with their member names as tokens
/// (``JSONMemberTokens``), which it writes out again.
public enum DecisionRecordText {
    /// The whole record, as JSON: `stored` (an object, its names as tokens or not) with
    /// `"attempts"` and, when gates ran, `"gates"` added at its end. A record stored before they
    /// were left out holds them already and is returned as it is.
    public static func full(stored: String, attempts: [AttemptRecord], gatesJSON: String?) -> String {
        let stored = JSONMemberTokens.expand(stored)
        guard !holdsAttempts(stored), stored.utf8.last == UInt8(ascii: "}") else { return stored }
        var text = stored
        text.removeLast()
        if text.utf8.last != UInt8(ascii: "{") { text += "," }
        text += #""attempts":"#
        text += AttemptRecord.jsonText(attempts)
        if let gatesJSON {
            text += #","gates":"#
            text += JSONMemberTokens.expand(gatesJSON)
        }
        text += "}"
        return text
    }

    /// Whether `stored` has an `"attempts"` member (a record written whole). The key can only
    /// occur as a key: inside a string its quotes would be escaped.
    static func holdsAttempts(_ stored: String) -> Bool {
        stored.utf8.firstRange(of: #""attempts":"#.utf8) != nil
    }
}
