import Foundation

/// Walks an instance against compiled schema nodes, collecting up to `limit` violations.
struct SchemaValidator {
    let references: [String: SchemaNode]
    let limit: Int
    var violations: [JSONSchemaViolation] = []
    private var path: [String] = []
    private var depth = 0

    /// Deepest `$ref` / subschema nesting followed on one instance before giving up (guards `{"$ref": "#"}` loops).
    static let maximumDepth = 128

    init(references: [String: SchemaNode], limit: Int) {
        self.references = references
        self.limit = limit
    }

    private var full: Bool { violations.count >= limit }

    private mutating func report(_ keyword: String, _ message: String) {
        guard !full else { return }
        var text = "$"
        for part in path { text += part }
        violations.append(JSONSchemaViolation(instancePath: text, keyword: keyword, message: message))
    }

    /// Whether `value` is valid against `node`, without recording violations.
    private func passes(_ node: SchemaNode, _ value: JSONValue) -> Bool {
        var probe = SchemaValidator(references: references, limit: 1)
        probe.depth = depth
        probe.validate(node, value)
        return probe.violations.isEmpty
    }

    mutating func validate(_ node: SchemaNode, _ value: JSONValue) {
        if let boolean = node.boolean {
            if !boolean { report("false", "no value is allowed here") }
            return
        }
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { return report("$ref", "schema nesting deeper than \(Self.maximumDepth)") }
        if let ref = node.ref, let target = references[ref] {
            validate(target, value)
            if full { return }
        }
        if let types = node.types, !types.contains(where: { Self.matches(value, $0) }) {
            let expected = types.map(\.rawValue).joined(separator: " or ")
            return report("type", "expected \(expected), got \(Self.describeType(value))")
        }
        if let values = node.enumValues, !values.contains(where: { jsonEqual($0, value) }) {
            let shown = values.prefix(10).map { JSONWriter.string($0) }.joined(separator: ", ")
            report("enum", "\(JSONWriter.string(value).prefix(60)) is not one of \(shown)")
        }
        if let constant = node.constValue, !jsonEqual(constant, value) {
            report("const", "must equal \(JSONWriter.string(constant).prefix(60))")
        }
        switch value {
        case .int, .double: checkNumber(node, value)
        case .string(let text): checkString(node, text)
        case .array(let elements): checkArray(node, elements)
        case .object(let object): checkObject(node, object)
        default: break
        }
        for sub in node.allOf where !full { validate(sub, value) }
        if !node.anyOf.isEmpty, !node.anyOf.contains(where: { passes($0, value) }) {
            report("anyOf", "matches none of the \(node.anyOf.count) alternatives (anyOf)")
        }
        if !node.oneOf.isEmpty {
            let matching = node.oneOf.count { passes($0, value) }
            if matching != 1 { report("oneOf", "matches \(matching) of the \(node.oneOf.count) alternatives; exactly one is required (oneOf)") }
        }
        if let not = node.not, passes(not, value) { report("not", "must not match the 'not' schema") }
    }

    private mutating func checkNumber(_ node: SchemaNode, _ value: JSONValue) {
        let number = value.doubleValue ?? 0
        if let minimum = node.minimum, number < minimum { report("minimum", "\(format(number)) is less than the minimum \(format(minimum))") }
        if let maximum = node.maximum, number > maximum { report("maximum", "\(format(number)) is greater than the maximum \(format(maximum))") }
        if let bound = node.exclusiveMinimum, number <= bound { report("exclusiveMinimum", "\(format(number)) must be greater than \(format(bound))") }
        if let bound = node.exclusiveMaximum, number >= bound { report("exclusiveMaximum", "\(format(number)) must be less than \(format(bound))") }
        if let divisor = node.multipleOf {
            let isMultiple: Bool
            if case .int(let integer) = value, divisor == divisor.rounded(), abs(divisor) < 9e15 {
                isMultiple = integer % Int64(divisor) == 0
            } else {
                let quotient = number / divisor
                isMultiple = quotient.isFinite && abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
            }
            if !isMultiple { report("multipleOf", "\(format(number)) is not a multiple of \(format(divisor))") }
        }
    }

    private mutating func checkString(_ node: SchemaNode, _ text: String) {
        if node.minLength != nil || node.maxLength != nil {
            let length = text.unicodeScalars.count
            if let minimum = node.minLength, length < minimum { report("minLength", "string is shorter than \(minimum) characters") }
            if let maximum = node.maxLength, length > maximum { report("maxLength", "string is longer than \(maximum) characters") }
        }
        if let pattern = node.pattern, !pattern.matches(text) { report("pattern", "string does not match the pattern \(pattern.source)") }
        if let format = node.format, !SchemaFormats.isValid(text, format) { report("format", "string is not a valid \(format.rawValue)") }
    }

    private mutating func checkArray(_ node: SchemaNode, _ elements: [JSONValue]) {
        if let minimum = node.minItems, elements.count < minimum { report("minItems", "array has fewer than \(minimum) items") }
        if let maximum = node.maxItems, elements.count > maximum { report("maxItems", "array has more than \(maximum) items") }
        if node.uniqueItems {
            outer: for i in elements.indices {
                for j in elements.indices where j > i && jsonEqual(elements[i], elements[j]) {
                    report("uniqueItems", "items \(i) and \(j) are equal")
                    break outer
                }
            }
        }
        for (index, element) in elements.enumerated() where !full {
            let schema = index < node.prefixItems.count ? node.prefixItems[index] : node.items
            guard let schema else { continue }
            path.append("[\(index)]")
            validate(schema, element)
            path.removeLast()
        }
    }

    private mutating func checkObject(_ node: SchemaNode, _ object: JSONObject) {
        if let minimum = node.minProperties, object.count < minimum { report("minProperties", "object has fewer than \(minimum) properties") }
        if let maximum = node.maxProperties, object.count > maximum { report("maxProperties", "object has more than \(maximum) properties") }
        for name in node.required where object[name] == nil { report("required", "missing required property '\(name)'") }
        for (key, member) in object.entries {
            if full { return }
            var matched = false
            path.append(Self.pathComponent(key))
            for property in node.properties where property.name == key {
                matched = true
                validate(property.schema, member)
            }
            for pattern in node.patternProperties where pattern.regex.matches(key) {
                matched = true
                validate(pattern.schema, member)
            }
            if !matched, let additional = node.additionalProperties {
                if additional.boolean == false {
                    path.removeLast()
                    report("additionalProperties", "property '\(key)' is not allowed")
                    continue
                }
                validate(additional, member)
            }
            path.removeLast()
        }
    }

    static func matches(_ value: JSONValue, _ type: SchemaType) -> Bool {
        switch (type, value) {
        case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array), (.string, .string): true
        case (.number, .int), (.number, .double), (.integer, .int): true
        case (.integer, .double(let number)): number.isFinite && number.rounded() == number
        default: false
        }
    }

    static func describeType(_ value: JSONValue) -> String {
        if case .double(let number) = value, number.rounded() != number { return "number \(number)" }
        return value.typeName
    }

    static func pathComponent(_ key: String) -> String {
        let simple = !key.isEmpty && key.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F }
        return simple ? ".\(key)" : "[\(JSONWriter.string(.string(key)))]"
    }

    private func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// JSON equality as JSON Schema defines it: numbers by value (`1 == 1.0`), objects regardless of key order.
func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.int, .double), (.double, .int), (.double, .double): return a.doubleValue == b.doubleValue
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        return x.entries.allSatisfy { entry in y[entry.key].map { jsonEqual(entry.value, $0) } ?? false }
    default: return false
    }
}
