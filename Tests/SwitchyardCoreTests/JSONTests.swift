import Foundation
import Testing

@testable import SwitchyardCore

@Suite("JSON parser and writer")
struct JSONTests {
    @Test("round-trips documents and keeps key order")
    func roundTripKeepsOrder() throws {
        let text = #"{"zeta":1,"alpha":[true,false,null],"mid":{"b":"x","a":-2.5},"big":9007199254740993}"#
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.string(value) == text)
        #expect(value["big"] == .int(9_007_199_254_740_993))
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid", "big"])
    }

    @Test("nested containers keep their own members, and a repeated key keeps its first place with the last value")
    func nestedContainersAndRepeatedKeys() throws {
        let text = #"{"a":[{"x":1,"y":[2,{"z":[]}],"x":3},[],[[4],5]],"b":{},"a2":{"k":{"k":{"k":"deep"}},"k2":null},"b":{"again":true}}"#
        let value = try JSONParser.parse(text)
        #expect(value.objectValue?.keys == ["a", "b", "a2"])
        #expect(JSONWriter.string(value) == #"{"a":[{"x":3,"y":[2,{"z":[]}]},[],[[4],5]],"b":{"again":true},"a2":{"k":{"k":{"k":"deep"}},"k2":null}}"#)
        let first = try #require(value["a"]?.arrayValue?.first?.objectValue)
        #expect(first.keys == ["x", "y"] && first.values.count == 2)
    }

    @Test("decodes escapes, including surrogate pairs")
    func escapes() throws {
        let value = try JSONParser.parse(#"["a\"b\\c\/d\n\t\u00e9\ud83d\ude00"]"#)
        #expect(value.arrayValue?.first?.stringValue == "a\"b\\c/d\n\té😀")
    }

    @Test("strings keep their UTF-8, and invalid UTF-8 is refused with escapes or without")
    func utf8Strings() throws {
        #expect(try JSONParser.parse(Array(#"{"a":"plain","b":"héllo — 日本"}"#.utf8)) == ["a": "plain", "b": "héllo — 日本"])
        for invalid: [UInt8] in [[0xFF], [0xC3], [0xE2, 0x80], [0xED, 0xA0, 0x80]] {
            let plain = Array(#"{"a":"x"#.utf8) + invalid + Array(#"y"}"#.utf8)
            let escaped = Array(#"{"a":"\n"#.utf8) + invalid + Array(#""}"#.utf8)
            for document in [plain, escaped] {
                #expect(throws: JSONParseError.self, "\(invalid)") { try JSONParser.parse(document) }
            }
        }
    }

    @Test("writes control characters escaped so the output parses back")
    func writerEscapes() throws {
        let original = JSONValue.string("line\nbreak \u{01} \"quoted\" back\\slash")
        let reparsed = try JSONParser.parse(JSONWriter.bytes(original))
        #expect(reparsed == original)
    }

    @Test("an array of strings written directly is the tree's text")
    func stringArrays() {
        for strings in [[], [""], ["policy.user_tiers.pro: ceiling=premium"], ["a \"b\"\n", "ü ✓", "\u{01}"]] {
            #expect(JSONWriter.string(ofStrings: strings) == JSONWriter.string(.array(strings.map(JSONValue.string))), "\(strings)")
        }
    }

    @Test("numbers keep integer and fraction apart")
    func numbers() throws {
        #expect(try JSONParser.parse("42") == .int(42))
        #expect(try JSONParser.parse("-0.5") == .double(-0.5))
        #expect(try JSONParser.parse("1e3") == .double(1000))
        #expect(JSONWriter.string(.double(2)) == "2.0")
    }

    @Test(
        "rejects invalid input with the byte offset",
        arguments: [
            ("{\"a\":}", 5), ("[1,]", 3), ("{\"a\" 1}", 5), ("\"unterminated", 13), ("01", 1), ("{} x", 3),
            ("[1.]", 3), ("tru", 0), ("\"\u{01}\"", 1), ("", 0),
        ])
    func rejectsInvalid(input: String, offset: Int) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(input) }
        do {
            _ = try JSONParser.parse(input)
        } catch {
            #expect(error.offset == offset, "\(input): \(error)")
        }
    }

    @Test("bounds nesting depth")
    func depthLimit() {
        let deep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    @Test("object subscript replaces in place, appends new keys and removes")
    func objectEditing() {
        var object = JSONObject([("a", 1), ("b", 2)])
        object["a"] = 10
        object["c"] = 3
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["a"] == .int(10))
    }

    @Test("doubles are written as Swift describes them, on the short-decimal path and off it")
    func doublesMatchSwiftsDescription() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [
            0.1, 0.2, 0.1 + 0.2, 0.0126, 0.0001, 0.00009999, 4.41e-05, 1e-5, 99999.99, 100_000.5, 12345.6789012345, 0.5, -0.25,
            -12.0000000001, 1.0000000001, 0.3333333333, 1.0 / 3.0, 2.5e-4, 0.15, -0.2, 65536.125, 3.141592653589793,
        ]
        for _ in 0..<5_000 {
            let places = Double(Int.random(in: 0...12, using: &generator))
            let scale = pow(10, places)
            let magnitude = Double.random(in: 1e-5...2e5, using: &generator)
            values.append(((magnitude * scale).rounded() / scale) * (Bool.random(using: &generator) ? 1 : -1))
        }
        for value in values {
            var bytes: [UInt8] = []
            JSONWriter.writeDouble(value, into: &bytes)
            let expected = value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value)).0" : "\(value)"
            #expect(String(decoding: bytes, as: UTF8.self) == expected, "\(value)")
        }
    }

    @Test("integers are written as Swift describes them", arguments: [0, 7, -7, 10, 1_000_000, -1_000_000_007, Int64.max, Int64.min])
    func integersMatchSwiftsDescription(value: Int64) {
        var bytes: [UInt8] = []
        JSONWriter.writeInteger(value, into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == String(value))
    }
}

@Suite("JSON strings read eight bytes at a time")
struct JSONStringScanTests {
    /// What a string's bytes (between the quotes) decode to, read one byte at a time: `nil` for
    /// a control character, a bad escape or invalid UTF-8. Only `\u` escapes outside the
    /// surrogates are generated, so this reads no pairs.
    static func reference(_ bytes: [UInt8]) -> String?? {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return .some(nil) }  // ends early: not one string
            if byte < 0x20 { return nil }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { return nil }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "u"):
                guard index + 6 <= bytes.count, let code = UInt32(String(decoding: bytes[(index + 2)..<(index + 6)], as: UTF8.self), radix: 16),
                    let scalar = Unicode.Scalar(code)
                else { return nil }
                out.append(contentsOf: Array(String(scalar).utf8))
                index += 4
            default: return nil
            }
            index += 2
        }
        return String(validating: out, as: UTF8.self).map { .some($0) } ?? nil
    }

    @Test("parsing and skipping agree with a byte-by-byte reading on random strings")
    func agreesWithByteByByteReading() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            Array("plain text".utf8), Array("a".utf8), Array("caf\u{E9}".utf8), Array("\u{1F600}".utf8), [0xFF], [0xC3], [0x0A], [0x1F],
            Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8), Array(#"\u12"#.utf8), Array(#"\x"#.utf8),
            Array("\"".utf8), Array(" ".utf8), Array("0123456789abcdef".utf8),
        ]
        for _ in 0..<5_000 {
            var content: [UInt8] = []
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                // Mostly plain runs, so special bytes land at every offset of an eight-byte word.
                content += Bool.random(using: &generator) ? Array(repeating: UInt8(ascii: "x"), count: Int.random(in: 0...17, using: &generator))
                    : pieces.randomElement(using: &generator)!
            }
            let document = [UInt8(ascii: "[")] + [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")] + [UInt8(ascii: "]")]
            let expected = Self.reference(content)
            let parsed = try? JSONParser.parse(document)
            let text = String(decoding: content, as: UTF8.self).debugDescription
            switch expected {
            case .some(.some(let string)): #expect(parsed == .array([.string(string)]), "\(text)")
            default: #expect(parsed == nil, "\(text)")
            }
            // Skipping accepts exactly what parsing accepts.
            let body = Array(#"{"model":"m","messages":[{"role":"user","content":"x"}],"tools":"#.utf8) + document + [UInt8(ascii: "}")]
            let skipped = try? ChatCompletionRequest(bytes: body)
            #expect((skipped != nil) == (parsed != nil), "\(text)")
        }
    }
}
