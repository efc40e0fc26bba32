import Foundation

/// Turns schema JSON into ``SchemaNode``s, collecting the `$ref` targets to compile.
struct SchemaCompiler {
    let document: JSONValue
    /// Local references seen but not yet compiled.
    var pendingReferences: [String] = []
    /// Where each reference was first used, for error messages.
    var referencePaths: [String: String] = [:]

    init(document: JSONValue) {
        self.document = document
    }

    mutating func compile(_ schema: JSONValue, path: String) throws(JSONSchemaError) -> SchemaNode {
        switch schema {
        case .bool(let flag): return SchemaNode(boolean: flag)
        case .object(let object): return try compileObject(object, path: path)
        default: throw JSONSchemaError(path: path, message: "a schema must be an object or a boolean, got \(schema.typeName)")
        }
    }

    private mutating func compileObject(_ object: JSONObject, path: String) throws(JSONSchemaError) -> SchemaNode {
        func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        func fail(_ key: String, _ message: String) -> JSONSchemaError { JSONSchemaError(path: at(key), message: message) }

        func number(_ key: String) throws(JSONSchemaError) -> Double? {
            guard let value = object[key] else { return nil }
            guard let number = value.doubleValue else { throw fail(key, "must be a number, got \(value.typeName)") }
            return number
        }
        func count(_ key: String) throws(JSONSchemaError) -> Int? {
            guard let value = object[key] else { return nil }
            guard let number = value.intValue, number >= 0 else { throw fail(key, "must be a non-negative integer") }
            return number
        }
        func subschemas(_ key: String) throws(JSONSchemaError) -> [SchemaNode] {
            guard let value = object[key] else { return [] }
            guard let list = value.arrayValue, !list.isEmpty else { throw fail(key, "must be a non-empty array of schemas") }
            var nodes: [SchemaNode] = []
            for (index, element) in list.enumerated() { nodes.append(try compile(element, path: "\(at(key))[\(index)]")) }
            return nodes
        }
        func subschema(_ key: String) throws(JSONSchemaError) -> SchemaNode? {
            guard let value = object[key] else { return nil }
            return try compile(value, path: at(key))
        }

        var types: [SchemaType]?
        if let value = object["type"] {
            let names: [JSONValue] = value.arrayValue ?? [value]
            var list: [SchemaType] = []
            for name in names {
                guard let text = name.stringValue, let type = SchemaType(rawValue: text) else {
                    let known = SchemaType.allCases.map(\.rawValue).joined(separator: ", ")
                    throw fail("type", "must be one of \(known) (or a list of them), got \(JSONWriter.string(name))")
                }
                list.append(type)
            }
            types = list
        }
        var enumValues: [JSONValue]?
        if let value = object["enum"] {
            guard let list = value.arrayValue else { throw fail("enum", "must be an array") }
            enumValues = list
        }
        var properties: [(name: String, schema: SchemaNode)] = []
        if let value = object["properties"] {
            guard let members = value.objectValue else { throw fail("properties", "must be an object") }
            for (name, member) in members.entries { properties.append((name, try compile(member, path: "\(at("properties")).\(name)"))) }
        }
        var required: [String] = []
        if let value = object["required"] {
            guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else { throw fail("required", "must be an array of strings") }
            required = list.compactMap(\.stringValue)
        }
        var patternProperties: [(regex: GateRegex, schema: SchemaNode)] = []
        if let value = object["patternProperties"] {
            guard let members = value.objectValue else { throw fail("patternProperties", "must be an object") }
            for (pattern, member) in members.entries {
                let regex: GateRegex
                do { regex = try GateRegex(pattern) } catch { throw fail("patternProperties", "invalid pattern '\(pattern)': \(error.message)") }
                patternProperties.append((regex, try compile(member, path: "\(at("patternProperties")).\(pattern)")))
            }
        }
        var pattern: GateRegex?
        if let value = object["pattern"] {
            guard let text = value.stringValue else { throw fail("pattern", "must be a string") }
            do { pattern = try GateRegex(text) } catch { throw fail("pattern", "invalid regular expression: \(error.message)") }
        }
        var format: SchemaFormat?
        if let value = object["format"] {
            guard let text = value.stringValue else { throw fail("format", "must be a string") }
            format = SchemaFormat(rawValue: text)  // unknown formats are annotations only
        }
        var uniqueItems = false
        if let value = object["uniqueItems"] {
            guard let flag = value.boolValue else { throw fail("uniqueItems", "must be a boolean") }
            uniqueItems = flag
        }
        if let value = object["multipleOf"], !((value.doubleValue ?? 0) > 0) { throw fail("multipleOf", "must be a number greater than 0") }
        var ref: String?
        if let value = object["$ref"] {
            guard let text = value.stringValue else { throw fail("$ref", "must be a string") }
            if text == "#" || text.hasPrefix("#/") {
                ref = text
                if referencePaths[text] == nil {
                    referencePaths[text] = at("$ref")
                    pendingReferences.append(text)
                }
            }  // references to other documents are not followed
        }
        // `$defs` are compiled when referenced; a malformed unreferenced definition is ignored.
        return SchemaNode(
            types: types, enumValues: enumValues, constValue: object["const"], properties: properties, required: required,
            additionalProperties: try subschema("additionalProperties"), patternProperties: patternProperties,
            prefixItems: try subschemas("prefixItems"), items: try subschema("items"), minimum: try number("minimum"),
            maximum: try number("maximum"), exclusiveMinimum: try number("exclusiveMinimum"), exclusiveMaximum: try number("exclusiveMaximum"),
            multipleOf: try number("multipleOf"), minLength: try count("minLength"), maxLength: try count("maxLength"), pattern: pattern,
            format: format, minItems: try count("minItems"), maxItems: try count("maxItems"), uniqueItems: uniqueItems,
            minProperties: try count("minProperties"), maxProperties: try count("maxProperties"), allOf: try subschemas("allOf"),
            anyOf: try subschemas("anyOf"), oneOf: try subschemas("oneOf"), not: try subschema("not"), ref: ref)
    }

    /// The value a local JSON pointer (`#`, `#/a/0/b`, with `~0`, `~1` and percent escapes) names.
    static func resolve(pointer: String, in document: JSONValue) -> JSONValue? {
        guard pointer.hasPrefix("#") else { return nil }
        let body = pointer.dropFirst()
        guard !body.isEmpty else { return document }
        guard body.hasPrefix("/") else { return nil }
        var current = document
        for rawPart in body.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let part = (String(rawPart).removingPercentEncoding ?? String(rawPart)).replacing("~1", with: "/").replacing("~0", with: "~")
            switch current {
            case .object(let object):
                guard let next = object[part] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(part), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }
}
