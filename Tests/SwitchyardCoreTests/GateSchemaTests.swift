import SwitchyardCore
import Testing

/// The JSON Schema subset the `json` gate validates, checked with cases modelled on the official
/// JSON-Schema-Test-Suite (github.com/json-schema-org/JSON-Schema-Test-Suite), draft 2020-12.
/// Each case names the suite file its group mirrors.
@Suite struct GateSchemaTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var description: String
        var schema: String
        var data: String
        var valid: Bool
        var testDescription: String { "\(file): \(description)" }

        init(_ file: String, _ description: String, _ schema: String, _ data: String, _ valid: Bool) {
            self.file = "tests/draft2020-12/\(file)"
            self.description = description
            self.schema = schema
            self.data = data
            self.valid = valid
        }
    }

    static let cases: [Case] = [
        // type.json
        Case("type.json", "integer is an integer", #"{"type":"integer"}"#, "1", true),
        Case("type.json", "a float with zero fractional part is an integer", #"{"type":"integer"}"#, "1.0", true),
        Case("type.json", "a float is not an integer", #"{"type":"integer"}"#, "1.1", false),
        Case("type.json", "a string is not an integer", #"{"type":"integer"}"#, #""foo""#, false),
        Case("type.json", "a string is still not an integer, even if it looks like one", #"{"type":"integer"}"#, #""1""#, false),
        Case("type.json", "an integer is a number", #"{"type":"number"}"#, "1", true),
        Case("type.json", "a float is a number", #"{"type":"number"}"#, "1.1", true),
        Case("type.json", "a boolean is not a number", #"{"type":"number"}"#, "true", false),
        Case("type.json", "a string is a string", #"{"type":"string"}"#, #""foo""#, true),
        Case("type.json", "an empty string is still a string", #"{"type":"string"}"#, #""""#, true),
        Case("type.json", "an integer is not a string", #"{"type":"string"}"#, "1", false),
        Case("type.json", "an object is an object", #"{"type":"object"}"#, #"{}"#, true),
        Case("type.json", "an array is not an object", #"{"type":"object"}"#, "[]", false),
        Case("type.json", "an array is an array", #"{"type":"array"}"#, "[]", true),
        Case("type.json", "an object is not an array", #"{"type":"array"}"#, "{}", false),
        Case("type.json", "true is a boolean", #"{"type":"boolean"}"#, "true", true),
        Case("type.json", "zero is not a boolean", #"{"type":"boolean"}"#, "0", false),
        Case("type.json", "null is null", #"{"type":"null"}"#, "null", true),
        Case("type.json", "false is not null", #"{"type":"null"}"#, "false", false),
        Case("type.json", "multiple types: integer is valid", #"{"type":["integer","string"]}"#, "1", true),
        Case("type.json", "multiple types: string is valid", #"{"type":["integer","string"]}"#, #""foo""#, true),
        Case("type.json", "multiple types: float is invalid", #"{"type":["integer","string"]}"#, "1.5", false),
        Case("type.json", "type: [\"null\", \"string\"]: null is valid", #"{"type":["null","string"]}"#, "null", true),
        // boolean_schema.json
        Case("boolean_schema.json", "boolean schema 'true' allows anything", "true", #"{"a":1}"#, true),
        Case("boolean_schema.json", "boolean schema 'false' forbids everything", "false", "1", false),
        // properties.json
        Case("properties.json", "both properties present and valid is valid", #"{"properties":{"foo":{"type":"integer"},"bar":{"type":"string"}}}"#, #"{"foo":1,"bar":"baz"}"#, true),
        Case("properties.json", "one property invalid is invalid", #"{"properties":{"foo":{"type":"integer"},"bar":{"type":"string"}}}"#, #"{"foo":1,"bar":{}}"#, false),
        Case("properties.json", "both properties invalid is invalid", #"{"properties":{"foo":{"type":"integer"},"bar":{"type":"string"}}}"#, #"{"foo":[],"bar":{}}"#, false),
        Case("properties.json", "doesn't invalidate other properties", #"{"properties":{"foo":{"type":"integer"}}}"#, #"{"quux":[]}"#, true),
        Case("properties.json", "ignores arrays", #"{"properties":{"foo":{"type":"integer"}}}"#, "[]", true),
        Case("properties.json", "properties with escaped characters", #"{"properties":{"foo\nbar":{"type":"number"}}}"#, #"{"foo\nbar":"1"}"#, false),
        // required.json
        Case("required.json", "present required property is valid", #"{"properties":{"foo":{},"bar":{}},"required":["foo"]}"#, #"{"foo":1}"#, true),
        Case("required.json", "non-present required property is invalid", #"{"properties":{"foo":{},"bar":{}},"required":["foo"]}"#, #"{"bar":1}"#, false),
        Case("required.json", "ignores arrays", #"{"required":["foo"]}"#, "[]", true),
        Case("required.json", "ignores strings", #"{"required":["foo"]}"#, #""""#, true),
        Case("required.json", "required default validation: not required by default", #"{"properties":{"foo":{}}}"#, "{}", true),
        Case("required.json", "required with empty array", #"{"properties":{"foo":{}},"required":[]}"#, "{}", true),
        Case("required.json", "required with escaped characters: object with all properties present", #"{"required":["foo\nbar","foo\"bar"]}"#, #"{"foo\nbar":1,"foo\"bar":1}"#, true),
        Case("required.json", "required with escaped characters: some missing", #"{"required":["foo\nbar","foo\"bar"]}"#, #"{"foo\nbar":"1"}"#, false),
        // enum.json
        Case("enum.json", "simple enum: one of the enum is valid", #"{"enum":[1,2,3]}"#, "1", true),
        Case("enum.json", "simple enum: something else is invalid", #"{"enum":[1,2,3]}"#, "4", false),
        Case("enum.json", "heterogeneous enum: objects are deep compared", #"{"enum":[6,"foo",[],true,{"foo":12}]}"#, #"{"foo":false}"#, false),
        Case("enum.json", "heterogeneous enum: valid object matches", #"{"enum":[6,"foo",[],true,{"foo":12}]}"#, #"{"foo":12}"#, true),
        Case("enum.json", "enum with false does not match 0", #"{"enum":[false]}"#, "0", false),
        Case("enum.json", "enum with 1 matches 1.0", #"{"enum":[1]}"#, "1.0", true),
        Case("enum.json", "nul characters in strings: match", #"{"enum":["hello\u0000there"]}"#, #""hello\u0000there""#, true),
        // const.json
        Case("const.json", "const validation: same value is valid", #"{"const":2}"#, "2", true),
        Case("const.json", "const validation: another value is invalid", #"{"const":2}"#, "5", false),
        Case("const.json", "const with object: same object with different property order is valid", #"{"const":{"foo":"bar","baz":"bax"}}"#, #"{"baz":"bax","foo":"bar"}"#, true),
        Case("const.json", "const with null: not null is invalid", #"{"const":null}"#, "0", false),
        Case("const.json", "const with null: null is valid", #"{"const":null}"#, "null", true),
        Case("const.json", "float and integers are equal up to 64-bit representation limits", #"{"const":9007199254740992}"#, "9007199254740992.0", true),
        // additionalProperties.json
        Case("additionalProperties.json", "no additional properties is valid", #"{"properties":{"foo":{},"bar":{}},"patternProperties":{"^v":{}},"additionalProperties":false}"#, #"{"foo":1}"#, true),
        Case("additionalProperties.json", "an additional property is invalid", #"{"properties":{"foo":{},"bar":{}},"patternProperties":{"^v":{}},"additionalProperties":false}"#, #"{"foo":1,"bar":2,"quux":"boom"}"#, false),
        Case("additionalProperties.json", "patternProperties are not additional properties", #"{"properties":{"foo":{},"bar":{}},"patternProperties":{"^v":{}},"additionalProperties":false}"#, #"{"foo":1,"vroom":2}"#, true),
        Case("additionalProperties.json", "additionalProperties can exist by itself: valid", #"{"additionalProperties":{"type":"boolean"}}"#, #"{"foo":true}"#, true),
        Case("additionalProperties.json", "additionalProperties can exist by itself: invalid", #"{"additionalProperties":{"type":"boolean"}}"#, #"{"foo":1}"#, false),
        Case("additionalProperties.json", "additionalProperties allows a schema: valid", #"{"properties":{"foo":{},"bar":{}},"additionalProperties":{"type":"boolean"}}"#, #"{"foo":1,"bar":2,"quux":true}"#, true),
        Case("additionalProperties.json", "additionalProperties allows a schema: invalid", #"{"properties":{"foo":{},"bar":{}},"additionalProperties":{"type":"boolean"}}"#, #"{"foo":1,"bar":2,"quux":12}"#, false),
        Case("additionalProperties.json", "additionalProperties are allowed by default", #"{"properties":{"foo":{},"bar":{}}}"#, #"{"foo":1,"bar":2,"quux":true}"#, true),
        // items.json, prefixItems.json
        Case("items.json", "valid items", #"{"items":{"type":"integer"}}"#, "[1,2,3]", true),
        Case("items.json", "wrong type of items", #"{"items":{"type":"integer"}}"#, #"[1,"x"]"#, false),
        Case("items.json", "ignores non-arrays", #"{"items":{"type":"integer"}}"#, #"{"foo":"bar"}"#, true),
        Case("items.json", "items with boolean schema (false): empty array is valid", #"{"items":false}"#, "[]", true),
        Case("items.json", "items with boolean schema (false): any non-empty array is invalid", #"{"items":false}"#, "[1]", false),
        Case("items.json", "prefixItems with no additional items allowed: extra item is invalid", #"{"prefixItems":[{},{},{}],"items":false}"#, "[1,2,3,4]", false),
        Case("items.json", "prefixItems with no additional items allowed: fewer is valid", #"{"prefixItems":[{},{},{}],"items":false}"#, "[1,2]", true),
        Case("items.json", "items and subitems: nested object invalid", #"{"items":{"type":"array","items":{"type":"object","required":["foo"]}}}"#, #"[[{"foo":null}],[{"bar":1}]]"#, false),
        Case("prefixItems.json", "a schema given for prefixItems: correct types", #"{"prefixItems":[{"type":"integer"},{"type":"string"}]}"#, #"[1,"foo"]"#, true),
        Case("prefixItems.json", "a schema given for prefixItems: wrong types", #"{"prefixItems":[{"type":"integer"},{"type":"string"}]}"#, #"["foo",1]"#, false),
        // minimum.json, maximum.json, exclusiveMinimum.json, exclusiveMaximum.json, multipleOf.json
        Case("minimum.json", "above the minimum is valid", #"{"minimum":1.1}"#, "2.6", true),
        Case("minimum.json", "boundary point is valid", #"{"minimum":1.1}"#, "1.1", true),
        Case("minimum.json", "below the minimum is invalid", #"{"minimum":1.1}"#, "0.6", false),
        Case("minimum.json", "ignores non-numbers", #"{"minimum":1.1}"#, #""x""#, true),
        Case("minimum.json", "negative below the minimum is invalid", #"{"minimum":-2}"#, "-2.0001", false),
        Case("maximum.json", "below the maximum is valid", #"{"maximum":3.0}"#, "2.6", true),
        Case("maximum.json", "boundary point is valid", #"{"maximum":3.0}"#, "3", true),
        Case("maximum.json", "above the maximum is invalid", #"{"maximum":3.0}"#, "3.5", false),
        Case("exclusiveMinimum.json", "boundary point is invalid", #"{"exclusiveMinimum":1.1}"#, "1.1", false),
        Case("exclusiveMinimum.json", "above the exclusiveMinimum is valid", #"{"exclusiveMinimum":1.1}"#, "1.2", true),
        Case("exclusiveMaximum.json", "boundary point is invalid", #"{"exclusiveMaximum":3.0}"#, "3.0", false),
        Case("exclusiveMaximum.json", "below the exclusiveMaximum is valid", #"{"exclusiveMaximum":3.0}"#, "2.2", true),
        Case("multipleOf.json", "int by int: valid", #"{"multipleOf":2}"#, "10", true),
        Case("multipleOf.json", "int by int fail", #"{"multipleOf":2}"#, "7", false),
        Case("multipleOf.json", "by small number: 0.0075 is multiple of 0.0001", #"{"multipleOf":0.0001}"#, "0.0075", true),
        Case("multipleOf.json", "by small number: 0.00751 is not multiple of 0.0001", #"{"multipleOf":0.0001}"#, "0.00751", false),
        // minLength.json, maxLength.json, pattern.json
        Case("minLength.json", "longer is valid", #"{"minLength":2}"#, #""foo""#, true),
        Case("minLength.json", "too short is invalid", #"{"minLength":2}"#, #""f""#, false),
        Case("minLength.json", "one grapheme is not long enough", #"{"minLength":2}"#, #""\ud83d\udca9""#, false),
        Case("maxLength.json", "shorter is valid", #"{"maxLength":2}"#, #""f""#, true),
        Case("maxLength.json", "too long is invalid", #"{"maxLength":2}"#, #""foo""#, false),
        Case("maxLength.json", "two graphemes is long enough", #"{"maxLength":2}"#, #""\ud83d\udca9\ud83d\udca9""#, true),
        Case("pattern.json", "a matching pattern is valid", #"{"pattern":"^a*$"}"#, #""aaa""#, true),
        Case("pattern.json", "a non-matching pattern is invalid", #"{"pattern":"^a*$"}"#, #""abc""#, false),
        Case("pattern.json", "ignores non-strings", #"{"pattern":"^a*$"}"#, "true", true),
        Case("pattern.json", "pattern is not anchored", #"{"pattern":"a+"}"#, #""xxaayy""#, true),
        // minItems.json, maxItems.json, uniqueItems.json, minProperties.json, maxProperties.json
        Case("minItems.json", "longer is valid", #"{"minItems":1}"#, "[1,2]", true),
        Case("minItems.json", "too short is invalid", #"{"minItems":1}"#, "[]", false),
        Case("maxItems.json", "exact length is valid", #"{"maxItems":2}"#, "[1,2]", true),
        Case("maxItems.json", "too long is invalid", #"{"maxItems":2}"#, "[1,2,3]", false),
        Case("uniqueItems.json", "unique array of integers is valid", #"{"uniqueItems":true}"#, "[1,2]", true),
        Case("uniqueItems.json", "non-unique array of integers is invalid", #"{"uniqueItems":true}"#, "[1,1]", false),
        Case("uniqueItems.json", "numbers are unique if mathematically unequal", #"{"uniqueItems":true}"#, "[1.0,1.00,1]", false),
        Case("uniqueItems.json", "non-unique array of objects is invalid", #"{"uniqueItems":true}"#, #"[{"foo":"bar"},{"foo":"bar"}]"#, false),
        Case("minProperties.json", "too short is invalid", #"{"minProperties":1}"#, "{}", false),
        Case("maxProperties.json", "too long is invalid", #"{"maxProperties":2}"#, #"{"foo":1,"bar":2,"baz":3}"#, false),
        // allOf.json, anyOf.json, oneOf.json, not.json
        Case("allOf.json", "allOf: valid", #"{"allOf":[{"properties":{"bar":{"type":"integer"}},"required":["bar"]},{"properties":{"foo":{"type":"string"}},"required":["foo"]}]}"#, #"{"foo":"baz","bar":2}"#, true),
        Case("allOf.json", "allOf: mismatch second", #"{"allOf":[{"properties":{"bar":{"type":"integer"}},"required":["bar"]},{"properties":{"foo":{"type":"string"}},"required":["foo"]}]}"#, #"{"foo":"baz"}"#, false),
        Case("anyOf.json", "first anyOf valid", #"{"anyOf":[{"type":"integer"},{"minimum":2}]}"#, "1", true),
        Case("anyOf.json", "neither anyOf valid", #"{"anyOf":[{"type":"integer"},{"minimum":2}]}"#, "1.5", false),
        Case("oneOf.json", "second oneOf valid", #"{"oneOf":[{"type":"integer"},{"minimum":2}]}"#, "2.5", true),
        Case("oneOf.json", "both oneOf valid", #"{"oneOf":[{"type":"integer"},{"minimum":2}]}"#, "3", false),
        Case("not.json", "not: allowed", #"{"not":{"type":"integer"}}"#, #""foo""#, true),
        Case("not.json", "not: disallowed", #"{"not":{"type":"integer"}}"#, "1", false),
        // ref.json, defs.json
        Case("ref.json", "root pointer ref: recursive match", ##"{"properties":{"foo":{"$ref":"#"}},"additionalProperties":false}"##, ##"{"foo":{"foo":false}}"##, true),
        Case("ref.json", "root pointer ref: recursive mismatch", ##"{"properties":{"foo":{"$ref":"#"}},"additionalProperties":false}"##, ##"{"foo":{"bar":false}}"##, false),
        Case("ref.json", "relative pointer ref to object: mismatch", ##"{"properties":{"foo":{"type":"integer"},"bar":{"$ref":"#/properties/foo"}}}"##, ##"{"bar":true}"##, false),
        Case("ref.json", "$ref to $defs: valid", ##"{"$defs":{"a":{"type":"integer"}},"$ref":"#/$defs/a"}"##, "3", true),
        Case("ref.json", "$ref to $defs: invalid", ##"{"$defs":{"a":{"type":"integer"}},"$ref":"#/$defs/a"}"##, ##""a""##, false),
        Case("ref.json", "ref overrides nothing: sibling keywords apply too", ##"{"$defs":{"reffed":{"type":"array"}},"properties":{"foo":{"$ref":"#/$defs/reffed","maxItems":2}}}"##, ##"{"foo":[1,2,3]}"##, false),
        Case("ref.json", "escaped pointer ref: slash valid", ##"{"$defs":{"a/b":{"type":"integer"}},"properties":{"x":{"$ref":"#/$defs/a~1b"}}}"##, ##"{"x":1}"##, true),
        Case("ref.json", "recursive tree: invalid deep node", ##"{"$defs":{"node":{"type":"object","properties":{"value":{"type":"number"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["value"]}},"$ref":"#/$defs/node"}"##, ##"{"value":1,"children":[{"value":2,"children":[{"children":[]}]}]}"##, false),
        // optional/format/*.json
        Case("optional/format/date.json", "a valid date string", #"{"format":"date"}"#, #""1963-06-19""#, true),
        Case("optional/format/date.json", "invalid date: 30 days in February", #"{"format":"date"}"#, #""2021-02-30""#, false),
        Case("optional/format/date.json", "a valid leap-year date", #"{"format":"date"}"#, #""2020-02-29""#, true),
        Case("optional/format/date.json", "invalid non-padded month", #"{"format":"date"}"#, #""1998-1-20""#, false),
        Case("optional/format/date.json", "ignores non-strings", #"{"format":"date"}"#, "12", true),
        Case("optional/format/date-time.json", "a valid date-time string", #"{"format":"date-time"}"#, #""1963-06-19T08:30:06.283185Z""#, true),
        Case("optional/format/date-time.json", "a valid date-time with offset", #"{"format":"date-time"}"#, #""1985-04-12T23:20:50.52+01:00""#, true),
        Case("optional/format/date-time.json", "an invalid day in date-time", #"{"format":"date-time"}"#, #""1990-02-31T15:59:59.123-08:00""#, false),
        Case("optional/format/date-time.json", "an invalid closing Z after time-zone offset", #"{"format":"date-time"}"#, #""1963-06-19T08:30:06.28123+01:00Z""#, false),
        Case("optional/format/date-time.json", "only RFC3339 not all of ISO 8601 are valid", #"{"format":"date-time"}"#, #""2013-350T01:01:01""#, false),
        Case("optional/format/email.json", "a valid e-mail address", #"{"format":"email"}"#, #""joe.bloggs@example.com""#, true),
        Case("optional/format/email.json", "an invalid e-mail address", #"{"format":"email"}"#, #""2962""#, false),
        Case("optional/format/email.json", "dot before local part is not valid", #"{"format":"email"}"#, #"".test@example.com""#, false),
        Case("optional/format/email.json", "two subsequent dots inside local part are not valid", #"{"format":"email"}"#, #""te..st@example.com""#, false),
        Case("optional/format/email.json", "tilde in local part is valid", #"{"format":"email"}"#, #""te~st@example.com""#, true),
        Case("optional/format/uuid.json", "all upper-case", #"{"format":"uuid"}"#, #""2EB8AA08-AA98-11EA-B4AA-73B441D16380""#, true),
        Case("optional/format/uuid.json", "wrong length", #"{"format":"uuid"}"#, #""2eb8aa08-aa98-11ea-b4aa-73b441d1638""#, false),
        Case("optional/format/uuid.json", "dashes in the wrong spot", #"{"format":"uuid"}"#, #""2eb8aa08aa9811eab4aa73b441d16380----""#, false),
        Case("optional/format/uuid.json", "invalid character", #"{"format":"uuid"}"#, #""2eb8aa08-aa98-11ea-b4ga-73b441d16380""#, false),
        Case("optional/format/uri.json", "a valid URL with anchor tag", #"{"format":"uri"}"#, #""http://foo.bar/?baz=qux#quux""#, true),
        Case("optional/format/uri.json", "a valid URN", #"{"format":"uri"}"#, #""urn:oasis:names:specification:docbook:dtd:xml:4.1.2""#, true),
        Case("optional/format/uri.json", "an invalid protocol-relative URI Reference", #"{"format":"uri"}"#, #""//foo.bar/?baz=qux#quux""#, false),
        Case("optional/format/uri.json", "an invalid URI with spaces", #"{"format":"uri"}"#, #""http:// shouldfail.com""#, false),
        Case("optional/format/uri.json", "an invalid relative URI Reference", #"{"format":"uri"}"#, #""/abc""#, false),
        Case("format.json", "unknown formats are annotations only", #"{"format":"ipv4"}"#, #""not an ip""#, true),
    ]

    @Test(arguments: cases)
    func suiteCase(_ test: Case) throws {
        let schema = try JSONSchema(GateFixtures.parse(test.schema))
        let violations = schema.validate(GateFixtures.parse(test.data))
        #expect(violations.isEmpty == test.valid, "\(test.file) — \(test.description): \(violations.map(\.description))")
    }

    @Test func violationsNameThePathAndKeyword() throws {
        let schema = try JSONSchema(GateFixtures.parse(
            #"{"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"qty":{"type":"integer","minimum":1}},"required":["sku"]}}},"additionalProperties":false}"#))
        let violations = schema.validate(GateFixtures.parse(#"{"items":[{"sku":"a","qty":1},{"qty":0}],"extra":true}"#))
        #expect(violations.map(\.description) == [
            "$.items[1]: missing required property 'sku'", "$.items[1].qty: 0 is less than the minimum 1", "$: property 'extra' is not allowed",
        ])
        #expect(violations.map(\.keyword) == ["required", "minimum", "additionalProperties"])
    }

    struct BadSchema: Sendable, CustomTestStringConvertible {
        var schema: String
        var path: String
        var testDescription: String { schema }
    }

    @Test(arguments: [
        BadSchema(schema: #"{"type":"strin"}"#, path: "type"),
        BadSchema(schema: #"{"properties":{"a":{"minLength":-1}}}"#, path: "properties.a.minLength"),
        BadSchema(schema: #"{"pattern":"(unclosed"}"#, path: "pattern"),
        BadSchema(schema: ##"{"$ref":"#/$defs/missing"}"##, path: "$ref"),
        BadSchema(schema: #"{"items":3}"#, path: "items"),
        BadSchema(schema: #"{"multipleOf":0}"#, path: "multipleOf"),
    ])
    func malformedSchemasAreRejectedWithTheirPath(_ test: BadSchema) {
        let error = #expect(throws: JSONSchemaError.self) { try JSONSchema(GateFixtures.parse(test.schema)) }
        #expect(error?.path == test.path, "\(error?.description ?? "")")
    }

    @Test func selfReferenceWithoutProgressDoesNotRecurseForever() throws {
        let schema = try JSONSchema(GateFixtures.parse(##"{"$ref":"#"}"##))
        #expect(!schema.isValid(1), "an infinite $ref loop is reported, not followed forever")
    }
}
