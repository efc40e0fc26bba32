/// `regex`: the answer must contain a match of a pattern the request or the task demands
/// (anchor it with `^…$` to require a full match).
enum RegexGate {
    static func evaluate(content: String, regex: GateRegex) -> GateResult {
        if regex.matches(content) { return .pass(.regex, "the answer matches \(regex.source)", details: ["pattern": .string(regex.source)]) }
        return .fail(.regex, "the answer does not match the required pattern \(regex.source)", details: ["pattern": .string(regex.source)])
    }
}
