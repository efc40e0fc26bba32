/// The name of a member that ``JSONObjectWriter`` writes.
///
/// The constants below are the names in ``JSONMemberTokens``' table, with their tokens worked
/// out once: a writer given one writes its token without looking the name up (the decision
/// record writes about 130 names on every request). A string literal is a name too; a writer
/// that writes tokens looks it up in the table.
public struct JSONMemberName: Sendable, ExpressibleByStringLiteral {
    public let name: StaticString
    /// The position in the table, which fixes the token; `-1` for a literal.
    let position: Int
    /// The token's bytes: the first in the low byte, the second (if any) above it.
    let token: UInt16
    /// 0 for a literal, whose token (if any) is found when it is written.
    let tokenLength: Int

    public init(stringLiteral name: StaticString) {
        self.name = name
        position = -1
        token = 0
        tokenLength = 0
    }

    init(_ name: StaticString, _ position: Int) {
        self.name = name
        self.position = position
        let bytes = JSONMemberTokens.token(atPosition: position)
        token = UInt16(bytes[0]) | (bytes.count > 1 ? UInt16(bytes[1]) << 8 : 0)
        tokenLength = bytes.count
    }
}

extension JSONMemberName {
    // The table, in order. Append only: a name's position is its token in every stored row.
    public static let value = JSONMemberName("value", 0)
    public static let weight = JSONMemberName("weight", 1)
    public static let contribution = JSONMemberName("contribution", 2)
    public static let model = JSONMemberName("model", 3)
    public static let score = JSONMemberName("score", 4)
    public static let reason = JSONMemberName("reason", 5)
    public static let tier = JSONMemberName("tier", 6)
    public static let provider = JSONMemberName("provider", 7)
    public static let estimatedCostUSD = JSONMemberName("estimated_cost_usd", 8)
    public static let passed = JSONMemberName("passed", 9)
    public static let source = JSONMemberName("source", 10)
    public static let region = JSONMemberName("region", 11)
    public static let gate = JSONMemberName("gate", 12)
    public static let promptTokens = JSONMemberName("prompt_tokens", 13)
    public static let escalationAllowed = JSONMemberName("escalation_allowed", 14)
    public static let expectedOutputTokens = JSONMemberName("expected_output_tokens", 15)
    public static let baselineCostUSD = JSONMemberName("baseline_cost_usd", 16)
    public static let ceilingTier = JSONMemberName("ceiling_tier", 17)
    public static let startTier = JSONMemberName("start_tier", 18)
    public static let rulesMatched = JSONMemberName("rules_matched", 19)
    public static let outputLength = JSONMemberName("output_length", 20)
    public static let constraints = JSONMemberName("constraints", 21)
    public static let sensitivity = JSONMemberName("sensitivity", 22)
    public static let complexity = JSONMemberName("complexity", 23)
    public static let userTurns = JSONMemberName("user_turns", 24)
    public static let escalations = JSONMemberName("escalations", 25)
    public static let finishReason = JSONMemberName("finish_reason", 26)
    public static let id = JSONMemberName("id", 27)
    public static let mode = JSONMemberName("mode", 28)
    public static let tenant = JSONMemberName("tenant", 29)
    public static let userTier = JSONMemberName("user_tier", 30)
    public static let signals = JSONMemberName("signals", 31)
    public static let task = JSONMemberName("task", 32)
    public static let heuristic = JSONMemberName("heuristic", 33)
    public static let features = JSONMemberName("features", 34)
    public static let reasoning = JSONMemberName("reasoning", 35)
    public static let code = JSONMemberName("code", 36)
    public static let math = JSONMemberName("math", 37)
    public static let depth = JSONMemberName("depth", 38)
    public static let brevity = JSONMemberName("brevity", 39)
    public static let disputed = JSONMemberName("disputed", 40)
    public static let rule = JSONMemberName("rule", 41)
    public static let pattern = JSONMemberName("pattern", 42)
    public static let clauses = JSONMemberName("clauses", 43)
    public static let clause = JSONMemberName("clause", 44)
    public static let effect = JSONMemberName("effect", 45)
    public static let chain = JSONMemberName("chain", 46)
    public static let excluded = JSONMemberName("excluded", 47)
    public static let chosen = JSONMemberName("chosen", 48)
    public static let fallbacks = JSONMemberName("fallbacks", 49)
    public static let served = JSONMemberName("served", 50)
    public static let costUSD = JSONMemberName("cost_usd", 51)
    public static let report = JSONMemberName("report", 52)
    public static let uncertain = JSONMemberName("uncertain", 53)
    public static let failed = JSONMemberName("failed", 54)
    public static let results = JSONMemberName("results", 55)
    public static let skipped = JSONMemberName("skipped", 56)
    public static let semantic = JSONMemberName("semantic", 57)
    public static let escalationReason = JSONMemberName("escalation_reason", 58)
    public static let reviewID = JSONMemberName("review_id", 59)
    public static let error = JSONMemberName("error", 60)
    public static let message = JSONMemberName("message", 61)
    public static let type = JSONMemberName("type", 62)
    public static let param = JSONMemberName("param", 63)
    public static let stage = JSONMemberName("stage", 64)
    public static let phrase = JSONMemberName("phrase", 65)
    public static let label = JSONMemberName("label", 66)
    public static let kind = JSONMemberName("kind", 67)

    /// Every name, in the table's order.
    static let all: [JSONMemberName] = [
        value, weight, contribution, model, score, reason, tier, provider, estimatedCostUSD, passed, source, region,
        gate, promptTokens, escalationAllowed, expectedOutputTokens, baselineCostUSD, ceilingTier, startTier,
        rulesMatched, outputLength, constraints, sensitivity, complexity, userTurns, escalations,
        finishReason, id, mode, tenant, userTier, signals, task, heuristic, features, reasoning, code, math,
        depth, brevity, disputed, rule, pattern, clauses, clause, effect, chain, excluded, chosen, fallbacks,
        served, costUSD, report, uncertain, failed, results, skipped, semantic, escalationReason, reviewID,
        error, message, type, param, stage, phrase, label, kind,
    ]
}
