import Testing

@testable import SwitchyardCore

@Suite("JSONMemberTokens")
struct JSONMemberTokensTests {
    @Test("every name has its own token, which expands to the name and nothing else")
    func tableIsATwoWayMapping() {
        let names = JSONMemberTokens.names.map { "\($0)" }
        #expect(Set(names).count == names.count, "a name twice would give one of its tokens no meaning")
        #expect(names.count <= JSONMemberTokens.oneByteCodes.count + Int(JSONMemberTokens.lastSecondByte - JSONMemberTokens.firstSecondByte) + 1)
        #expect(Set(JSONMemberTokens.tokens).count == names.count)
        for (position, name) in names.enumerated() {
            var bytes = Array(name.utf8)
            #expect(bytes.withUnsafeBufferPointer { JSONMemberTokens.position(of: $0) } == position, "\(name)")
            bytes = JSONMemberTokens.tokens[position]
            #expect(bytes.allSatisfy { $0 < 0x20 || (0x21...0x7E).contains($0) })
            #expect(!bytes.contains(0x09) && !bytes.contains(0x0A) && !bytes.contains(0x0D) && !bytes.contains(0))
            #expect(JSONMemberTokens.expand(String(decoding: bytes, as: UTF8.self)) == #""\#(name)":"#)
        }
        // The constants writers use carry the table's tokens.
        for (position, member) in JSONMemberName.all.enumerated() {
            #expect(member.position == position, "\(member.name)")
            let carried = [UInt8(truncatingIfNeeded: member.token), UInt8(truncatingIfNeeded: member.token >> 8)].prefix(member.tokenLength)
            #expect(Array(carried) == JSONMemberTokens.tokens[position], "\(member.name)")
        }
        for unknown in ["", "x", "valu", "values", "Value", "attempts", "a much longer name than any in the table"] {
            #expect(Array(unknown.utf8).withUnsafeBufferPointer { JSONMemberTokens.position(of: $0) } == nil, "\(unknown)")
        }
    }

    @Test("a record written with tokens expands to the JSON written without them")
    func tokensRoundTrip() throws {
        func write(namesAsTokens: Bool) -> String {
            var writer = JSONObjectWriter(namesAsTokens: namesAsTokens)
            writer.string("id", "dec-\u{1}-\"model\":\t")
            writer.string("not_in_the_table", "x")
            writer.object("signals") { signals in
                signals.object(named: "reasoning") { feature in
                    feature.double("value", 0.25)
                    feature.double("weight", 0.5)
                }
                signals.object(named: "a runtime name") { $0.int("depth", 2) }
            }
            writer.objects("chain", ["light", "premium"]) { object, tier in
                object.string("tier", tier)
                object.string("region", nil)
            }
            writer.strings("failed", ["json"])
            writer.value("error", ["message": "boom", "type": "upstream_error"])
            writer.double("cost_usd", 0.000_044_1)
            return writer.finishString()
        }
        let plain = write(namesAsTokens: false)
        let tokens = write(namesAsTokens: true)
        #expect(tokens != plain)
        #expect(JSONMemberTokens.expand(tokens) == plain)
        #expect(tokens.utf8.count < plain.utf8.count)
        // Names inside strings, and trees written by another writer, stay as they were.
        #expect(tokens.contains(#""dec-\u0001-\"model\":\t""#))
        #expect(tokens.contains(#"{"message":"boom","type":"upstream_error"}"#))
        #expect(tokens.contains(#""not_in_the_table":"x""#))
        _ = try JSONParser.parse(JSONMemberTokens.expand(tokens))
    }

    @Test("a routing decision stored with tokens reads back as the record, at about half the bytes")
    func decisionRecordRoundTrip() throws {
        let decision = try RoutingFixtures.engine.route(RoutingFixtures.request("Summarize this email in two lines."), context: RoutingFixtures.context())
        var plainWriter = JSONObjectWriter()
        decision.record.write(into: &plainWriter)
        let plain = plainWriter.finishString()
        var tokenWriter = JSONObjectWriter(namesAsTokens: true)
        decision.record.write(into: &tokenWriter)
        let tokens = tokenWriter.finishString()
        #expect(JSONMemberTokens.expand(tokens) == plain)
        #expect(try JSONParser.parse(JSONMemberTokens.expand(tokens)) == decision.record.json)
        #expect(Double(tokens.utf8.count) < 0.6 * Double(plain.utf8.count), "\(tokens.utf8.count) of \(plain.utf8.count) bytes")
        // The whole record, as `GET /v1/decisions/{id}` puts it together, is plain JSON.
        let gates = JSONObjectWriter.arrayText([1], namesAsTokens: true) { object, _ in
            object.string("gate", "empty")
            object.bool("passed", true)
        }
        let full = try JSONParser.parse(DecisionRecordText.full(stored: tokens, attempts: [], gatesJSON: gates))
        #expect(full["chosen"] == decision.record.json["chosen"])
        #expect(full["gates"] == [["gate": "empty", "passed": true]])
    }

    @Test("a constant name writes what the same name as a string writes, with tokens or without")
    func constantsAndStringsAgree() {
        for namesAsTokens in [false, true] {
            var byConstant = JSONObjectWriter(namesAsTokens: namesAsTokens)
            byConstant.string(.model, "light")
            byConstant.object(.signals) { $0.double(.estimatedCostUSD, 0.5) }
            byConstant.objects(.chain, [1]) { object, _ in object.bool(.passed, true) }
            byConstant.strings(.failed, ["json"])
            byConstant.int(.fallbacks, 2)
            var byString = JSONObjectWriter(namesAsTokens: namesAsTokens)
            byString.string("model", "light")
            byString.object("signals") { $0.double("estimated_cost_usd", 0.5) }
            byString.objects("chain", [1]) { object, _ in object.bool("passed", true) }
            byString.strings("failed", ["json"])
            byString.int("fallbacks", 2)
            let constantText = byConstant.finishString()
            let stringText = byString.finishString()
            #expect(constantText == stringText)
        }
    }

    @Test("text without tokens, or with bytes that are no token, is kept as it is")
    func plainTextIsUntouched() {
        let plain = "{\"a\":\t[1,\n2],\r\"b\":\"\\u0001\"}"
        #expect(JSONMemberTokens.expand(plain) == plain)
        // NUL, a two-byte marker with no valid second byte, and one at the very end.
        let marker = String(decoding: [JSONMemberTokens.twoByteMarker], as: UTF8.self)
        for odd in ["{\u{0}}", "{\(marker) }", "{\(marker)\u{7F}}", "{\(marker)"] {
            #expect(JSONMemberTokens.expand(odd) == odd)
        }
        // A second byte past the end of the table is not a name.
        let pastTheEnd = JSONMemberTokens.firstSecondByte + UInt8(JSONMemberTokens.names.count - JSONMemberTokens.oneByteCodes.count)
        let unknown = String(decoding: [JSONMemberTokens.twoByteMarker, pastTheEnd], as: UTF8.self)
        #expect(JSONMemberTokens.expand(unknown) == unknown)
    }
}
