import Foundation

/// Replaces `${NAME}` and `${NAME:-default}` in configuration strings with environment values.
///
/// `$${` stands for a literal `${`. A `${NAME}` whose variable is unset (and has no default) is an
/// error, so a missing secret is reported at start, not at the first request.
public struct EnvironmentInterpolation: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Why a string could not be interpolated.
    public enum Failure: Error, Sendable, Equatable {
        case unsetVariable(String)
        case unterminatedReference
        case invalidName(String)
    }

    /// The string with every reference replaced.
    public func interpolate(_ text: String) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let afterDollar = rest.index(after: dollar)
            if rest[afterDollar...].hasPrefix("${") {
                output += "${"
                rest = rest[rest.index(afterDollar, offsetBy: 2)...]
                continue
            }
            guard rest[afterDollar...].hasPrefix("{") else {
                output += "$"
                rest = rest[afterDollar...]
                continue
            }
            let bodyStart = rest.index(after: afterDollar)
            guard let close = rest[bodyStart...].firstIndex(of: "}") else { throw .unterminatedReference }
            let body = rest[bodyStart..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw .invalidName(String(name))
            }
            if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                throw .unsetVariable(String(name))
            }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return output
    }
}
