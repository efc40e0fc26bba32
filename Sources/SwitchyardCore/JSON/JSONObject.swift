/// A JSON object that remembers the order of its keys.
///
/// Objects in LLM requests are small (tens of keys), so a linear scan beats hashing and keeps the
/// original order when the object is written back out.
public struct JSONObject: Sendable, Hashable {
    public private(set) var keys: [String]
    public private(set) var values: [JSONValue]

    public init() {
        self.keys = []
        self.values = []
    }

    /// Builds an object from parallel arrays already known to hold distinct keys.
    init(unchecked keys: [String], _ values: [JSONValue]) {
        self.keys = keys
        self.values = values
    }

    public init(_ entries: some Sequence<(String, JSONValue)>) {
        self.init()
        for (key, value) in entries { self[key] = value }
    }

    /// Number of members.
    public var count: Int { keys.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The members in their original order.
    public var entries: some Sequence<(key: String, value: JSONValue)> {
        zip(keys, values).lazy.map { (key: $0, value: $1) }
    }

    /// Reads or replaces a member; assigning `nil` removes it. A new key goes at the end.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = keys.firstIndex(of: key) else { return nil }
            return values[index]
        }
        set {
            let index = keys.firstIndex(of: key)
            switch (index, newValue) {
            case (let index?, let value?): values[index] = value
            case (let index?, nil):
                keys.remove(at: index)
                values.remove(at: index)
            case (nil, let value?):
                keys.append(key)
                values.append(value)
            case (nil, nil): break
            }
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
