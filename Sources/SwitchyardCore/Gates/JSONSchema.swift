/// A JSON Schema (draft 2020-12 subset) compiled once for validating many instances.
///
/// Supported keywords: `type` (a name or a list; `integer` accepts `1.0`), `enum`, `const`,
/// `properties`, `required`, `additionalProperties` (boolean or schema), `patternProperties`,
/// `prefixItems`, `items`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `multipleOf`, `minLength`, `maxLength` (in code points), `pattern`, `minItems`, `maxItems`,
/// `uniqueItems`, `minProperties`, `maxProperties`, `allOf`, `anyOf`, `oneOf`, `not`, `format`
/// (`date`, `date-time`, `email`, `uuid`, `uri`; asserted, unlike the spec's annotation-only
/// default), and `$ref` to JSON pointers inside the same document (`#`, `#/$defs/name`,
/// `#/definitions/name`, `#/properties/a`, …). Other keywords are ignored, as the spec says of
/// unknown keywords; a `$ref` to another document is treated as `true`.
public struct JSONSchema: Sendable {
    let root: SchemaNode
    /// Compiled `$ref` targets by reference text.
    let references: [String: SchemaNode]

    /// Compiles `schema`. Throws when a known keyword has a malformed value (wrong type, negative
    /// length, a pattern that does not compile, a local `$ref` that points nowhere).
    public init(_ schema: JSONValue) throws(JSONSchemaError) {
        var compiler = SchemaCompiler(document: schema)
        root = try compiler.compile(schema, path: "")
        var references: [String: SchemaNode] = [:]
        while let reference = compiler.pendingReferences.popLast() {
            guard references[reference] == nil else { continue }
            guard let target = SchemaCompiler.resolve(pointer: reference, in: schema) else {
                throw JSONSchemaError(path: compiler.referencePaths[reference] ?? "$ref", message: "'$ref' \(reference) points to nothing in the schema")
            }
            references[reference] = reference == "#" ? root : try compiler.compile(target, path: String(reference.dropFirst(2)).replacing("/", with: "."))
        }
        self.references = references
    }

    /// The violations of `instance`, at most `limit` of them; empty when it is valid.
    public func validate(_ instance: JSONValue, limit: Int = 5) -> [JSONSchemaViolation] {
        var validator = SchemaValidator(references: references, limit: max(1, limit))
        validator.validate(root, instance)
        return validator.violations
    }

    /// Whether `instance` is valid.
    public func isValid(_ instance: JSONValue) -> Bool {
        validate(instance, limit: 1).isEmpty
    }
}

/// A schema that cannot be compiled.
public struct JSONSchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Dotted path of the offending keyword inside the schema, e.g. `properties.age.minimum`.
    public var path: String
    public var message: String

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// One way an instance breaks a schema.
public struct JSONSchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// Where in the instance, e.g. `$.items[2].name`.
    public var instancePath: String
    /// The keyword that failed, e.g. `required`.
    public var keyword: String
    public var message: String

    public var description: String { "\(instancePath): \(message)" }
}

/// The primitive types of `type`.
enum SchemaType: String, CaseIterable {
    case null, boolean, object, array, number, string, integer
}

/// Formats the validator asserts.
enum SchemaFormat: String {
    case date
    case dateTime = "date-time"
    case email
    case uuid
    case uri
}

/// One compiled (sub)schema. Immutable after compilation.
final class SchemaNode: Sendable {
    /// `true`/`false` schemas.
    let boolean: Bool?
    let types: [SchemaType]?
    let enumValues: [JSONValue]?
    let constValue: JSONValue?
    let properties: [(name: String, schema: SchemaNode)]
    let required: [String]
    let additionalProperties: SchemaNode?
    let patternProperties: [(regex: GateRegex, schema: SchemaNode)]
    let prefixItems: [SchemaNode]
    let items: SchemaNode?
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Double?
    let exclusiveMaximum: Double?
    let multipleOf: Double?
    let minLength: Int?
    let maxLength: Int?
    let pattern: GateRegex?
    let format: SchemaFormat?
    let minItems: Int?
    let maxItems: Int?
    let uniqueItems: Bool
    let minProperties: Int?
    let maxProperties: Int?
    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]
    let oneOf: [SchemaNode]
    let not: SchemaNode?
    let ref: String?

    init(
        boolean: Bool? = nil, types: [SchemaType]? = nil, enumValues: [JSONValue]? = nil, constValue: JSONValue? = nil,
        properties: [(name: String, schema: SchemaNode)] = [], required: [String] = [], additionalProperties: SchemaNode? = nil,
        patternProperties: [(regex: GateRegex, schema: SchemaNode)] = [], prefixItems: [SchemaNode] = [], items: SchemaNode? = nil,
        minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Double? = nil, exclusiveMaximum: Double? = nil, multipleOf: Double? = nil,
        minLength: Int? = nil, maxLength: Int? = nil, pattern: GateRegex? = nil, format: SchemaFormat? = nil, minItems: Int? = nil,
        maxItems: Int? = nil, uniqueItems: Bool = false, minProperties: Int? = nil, maxProperties: Int? = nil, allOf: [SchemaNode] = [],
        anyOf: [SchemaNode] = [], oneOf: [SchemaNode] = [], not: SchemaNode? = nil, ref: String? = nil
    ) {
        self.boolean = boolean
        self.types = types
        self.enumValues = enumValues
        self.constValue = constValue
        self.properties = properties
        self.required = required
        self.additionalProperties = additionalProperties
        self.patternProperties = patternProperties
        self.prefixItems = prefixItems
        self.items = items
        self.minimum = minimum
        self.maximum = maximum
        self.exclusiveMinimum = exclusiveMinimum
        self.exclusiveMaximum = exclusiveMaximum
        self.multipleOf = multipleOf
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.format = format
        self.minItems = minItems
        self.maxItems = maxItems
        self.uniqueItems = uniqueItems
        self.minProperties = minProperties
        self.maxProperties = maxProperties
        self.allOf = allOf
        self.anyOf = anyOf
        self.oneOf = oneOf
        self.not = not
        self.ref = ref
    }
}
