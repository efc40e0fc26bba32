import Foundation

/// One request as the ledger keeps it: who asked, how it was routed, what it cost and how long it
/// took. Exactly one entry is written per request the gateway answers, errors included.
///
/// Prompt and answer text are kept only when `ledger.log_content` is on.
///
/// A value with shared storage: an entry is filled in on the request path and handed to the
/// ledger writer, and a copy is then one reference instead of one per text and list it holds. A
/// change copies the storage first if another value shares it.
public struct LedgerEntry: Sendable, Hashable {
    /// The decision id (also the `x-switchyard-decision-id` response header).
    public var decisionID: String {
        @inlinable get { storage.box.members.decisionID }
        set { storage.update { $0.decisionID = newValue } }
    }
    /// When the gateway received the request.
    public var time: Date {
        @inlinable get { storage.box.members.time }
        set { storage.update { $0.time = newValue } }
    }
    /// The API called, e.g. `chat.completions`.
    public var endpoint: String {
        @inlinable get { storage.box.members.endpoint }
        set { storage.update { $0.endpoint = newValue } }
    }
    /// HTTP status returned to the client.
    public var status: Int {
        @inlinable get { storage.box.members.status }
        set { storage.update { $0.status = newValue } }
    }
    /// OpenAI error code when `status` is not 200.
    public var errorCode: String? {
        @inlinable get { storage.box.members.errorCode }
        set { storage.update { $0.errorCode = newValue } }
    }

    public var tenant: String? {
        @inlinable get { storage.box.members.tenant }
        set { storage.update { $0.tenant = newValue } }
    }
    public var keyID: String? {
        @inlinable get { storage.box.members.keyID }
        set { storage.update { $0.keyID = newValue } }
    }
    public var userTier: String? {
        @inlinable get { storage.box.members.userTier }
        set { storage.update { $0.userTier = newValue } }
    }
    public var region: String? {
        @inlinable get { storage.box.members.region }
        set { storage.update { $0.region = newValue } }
    }
    public var session: String? {
        @inlinable get { storage.box.members.session }
        set { storage.update { $0.session = newValue } }
    }
    /// The `model` field as sent.
    public var requestedModel: String? {
        @inlinable get { storage.box.members.requestedModel }
        set { storage.update { $0.requestedModel = newValue } }
    }

    public var task: String? {
        @inlinable get { storage.box.members.task }
        set { storage.update { $0.task = newValue } }
    }
    public var taskSource: String? {
        @inlinable get { storage.box.members.taskSource }
        set { storage.update { $0.taskSource = newValue } }
    }
    public var complexity: Double? {
        @inlinable get { storage.box.members.complexity }
        set { storage.update { $0.complexity = newValue } }
    }
    public var complexitySource: String? {
        @inlinable get { storage.box.members.complexitySource }
        set { storage.update { $0.complexitySource = newValue } }
    }
    public var sensitivity: String? {
        @inlinable get { storage.box.members.sensitivity }
        set { storage.update { $0.sensitivity = newValue } }
    }
    /// Policy clauses that shaped the decision, as `clause: effect`.
    public var reasons: [String] {
        @inlinable get { storage.box.members.reasons }
        set { storage.update { $0.reasons = newValue } }
    }
    /// Position in the routed chain of the deployment that served (0 = first choice).
    public var chainPosition: Int? {
        @inlinable get { storage.box.members.chainPosition }
        set { storage.update { $0.chainPosition = newValue } }
    }
    /// Every attempt made, fallbacks and retries included.
    public var attempts: [AttemptRecord] {
        @inlinable get { storage.box.members.attempts }
        set { storage.update { $0.attempts = newValue } }
    }
    /// Gate reports as compact JSON text (an array), when gates ran, with member names that may
    /// be tokens like ``decisionJSON``'s. Kept as text: the gateway serialises the reports once,
    /// for the decision record, and the ledger stores that text as it is.
    public var gatesJSON: String? {
        @inlinable get { storage.box.members.gatesJSON }
        set { storage.update { $0.gatesJSON = newValue } }
    }
    /// ``gatesJSON`` parsed (`nil` when absent or not JSON); setting it stores the value's text.
    public var gates: JSONValue? {
        get { gatesJSON.flatMap { try? JSONParser.parse(JSONMemberTokens.expand($0)) } }
        set { gatesJSON = newValue.map(JSONWriter.string) }
    }
    /// Quality-gate escalations to a higher tier.
    public var escalations: Int {
        @inlinable get { storage.box.members.escalations }
        set { storage.update { $0.escalations = newValue } }
    }
    public var escalationReason: String? {
        @inlinable get { storage.box.members.escalationReason }
        set { storage.update { $0.escalationReason = newValue } }
    }
    /// Moves to another deployment because one failed.
    public var fallbacks: Int {
        @inlinable get { storage.box.members.fallbacks }
        set { storage.update { $0.fallbacks = newValue } }
    }
    /// Why the last fallback happened (the error class of the failed attempt).
    public var fallbackReason: String? {
        @inlinable get { storage.box.members.fallbackReason }
        set { storage.update { $0.fallbackReason = newValue } }
    }
    /// Review queue id when the answer was flagged for a person.
    public var reviewID: String? {
        @inlinable get { storage.box.members.reviewID }
        set { storage.update { $0.reviewID = newValue } }
    }

    /// The deployment that served the answer.
    public var provider: String? {
        @inlinable get { storage.box.members.provider }
        set { storage.update { $0.provider = newValue } }
    }
    public var model: String? {
        @inlinable get { storage.box.members.model }
        set { storage.update { $0.model = newValue } }
    }
    public var tier: String? {
        @inlinable get { storage.box.members.tier }
        set { storage.update { $0.tier = newValue } }
    }

    public var inputTokens: Int {
        @inlinable get { storage.box.members.inputTokens }
        set { storage.update { $0.inputTokens = newValue } }
    }
    public var outputTokens: Int {
        @inlinable get { storage.box.members.outputTokens }
        set { storage.update { $0.outputTokens = newValue } }
    }
    public var cachedTokens: Int {
        @inlinable get { storage.box.members.cachedTokens }
        set { storage.update { $0.cachedTokens = newValue } }
    }
    /// What the request cost, escalated-from answers included.
    public var costUSD: Double {
        @inlinable get { storage.box.members.costUSD }
        set { storage.update { $0.costUSD = newValue } }
    }
    /// The same tokens at the premium tier's prices.
    public var baselineCostUSD: Double {
        @inlinable get { storage.box.members.baselineCostUSD }
        set { storage.update { $0.baselineCostUSD = newValue } }
    }

    /// Receipt to the last byte sent.
    public var latency: Duration {
        @inlinable get { storage.box.members.latency }
        set { storage.update { $0.latency = newValue } }
    }
    /// Time spent waiting on providers.
    public var upstreamLatency: Duration {
        @inlinable get { storage.box.members.upstreamLatency }
        set { storage.update { $0.upstreamLatency = newValue } }
    }
    /// Receipt to the first byte of the answer, for streams.
    public var timeToFirstToken: Duration? {
        @inlinable get { storage.box.members.timeToFirstToken }
        set { storage.update { $0.timeToFirstToken = newValue } }
    }
    public var cacheHit: Bool {
        @inlinable get { storage.box.members.cacheHit }
        set { storage.update { $0.cacheHit = newValue } }
    }
    public var stream: Bool {
        @inlinable get { storage.box.members.stream }
        set { storage.update { $0.stream = newValue } }
    }

    /// The decision record as stored: everything but the attempts and gate reports, which have
    /// columns of their own (``decisionRecordJSON`` is the whole record, as JSON). Compact JSON
    /// text whose member names may be tokens (``JSONMemberTokens``; the gateway writes them so).
    /// Kept as text: it is written once per request and stored as it is.
    public var decisionJSON: String? {
        @inlinable get { storage.box.members.decisionJSON }
        set { storage.update { $0.decisionJSON = newValue } }
    }
    /// The whole decision record, as `GET /v1/decisions/{id}` shows it: ``decisionJSON`` with
    /// the attempts and gate reports, which the ledger keeps in their own columns, put back.
    public var decisionRecordJSON: String? {
        decisionJSON.map { DecisionRecordText.full(stored: $0, attempts: attempts, gatesJSON: gatesJSON) }
    }
    /// ``decisionRecordJSON`` parsed (`nil` when absent or not JSON).
    public var decision: JSONValue? { decisionRecordJSON.flatMap { try? JSONParser.parse($0) } }
    /// The last user message, only with `log_content`.
    public var prompt: String? {
        @inlinable get { storage.box.members.prompt }
        set { storage.update { $0.prompt = newValue } }
    }
    /// The answer text, only with `log_content`.
    public var answer: String? {
        @inlinable get { storage.box.members.answer }
        set { storage.update { $0.answer = newValue } }
    }

    public init(
        decisionID: String, time: Date, endpoint: String = "chat.completions", status: Int = 200, errorCode: String? = nil,
        tenant: String? = nil, keyID: String? = nil, userTier: String? = nil, region: String? = nil, session: String? = nil,
        requestedModel: String? = nil, task: String? = nil, taskSource: String? = nil, complexity: Double? = nil,
        complexitySource: String? = nil, sensitivity: String? = nil, reasons: [String] = [], chainPosition: Int? = nil,
        attempts: [AttemptRecord] = [], gates: JSONValue? = nil, escalations: Int = 0, escalationReason: String? = nil,
        fallbacks: Int = 0, fallbackReason: String? = nil, reviewID: String? = nil, provider: String? = nil, model: String? = nil,
        tier: String? = nil, inputTokens: Int = 0, outputTokens: Int = 0, cachedTokens: Int = 0, costUSD: Double = 0,
        baselineCostUSD: Double = 0, latency: Duration = .zero, upstreamLatency: Duration = .zero, timeToFirstToken: Duration? = nil,
        cacheHit: Bool = false, stream: Bool = false, decisionJSON: String? = nil, prompt: String? = nil, answer: String? = nil
    ) {
        storage = SharedMembers(Members(
            decisionID: decisionID, time: time, endpoint: endpoint, status: status, errorCode: errorCode,
            tenant: tenant, keyID: keyID, userTier: userTier, region: region, session: session,
            requestedModel: requestedModel, task: task, taskSource: taskSource, complexity: complexity,
            complexitySource: complexitySource, sensitivity: sensitivity, reasons: reasons,
            chainPosition: chainPosition, attempts: attempts, gatesJSON: gates.map(JSONWriter.string),
            escalations: escalations, escalationReason: escalationReason, fallbacks: fallbacks,
            fallbackReason: fallbackReason, reviewID: reviewID, provider: provider, model: model, tier: tier,
            inputTokens: inputTokens, outputTokens: outputTokens, cachedTokens: cachedTokens, costUSD: costUSD,
            baselineCostUSD: baselineCostUSD, latency: latency, upstreamLatency: upstreamLatency,
            timeToFirstToken: timeToFirstToken, cacheHit: cacheHit, stream: stream, decisionJSON: decisionJSON,
            prompt: prompt, answer: answer))
    }

    /// Whether the request got an answer.
    public var succeeded: Bool { status == 200 }
    /// Whether a quality gate moved the request up a tier.
    public var escalated: Bool { escalations > 0 }
    /// Time not spent waiting on providers: the gateway's own cost.
    public var gatewayOverhead: Duration { max(.zero, latency - upstreamLatency) }
    /// Baseline minus actual cost.
    public var savingsUSD: Double { baselineCostUSD - costUSD }

    /// The stored members.
    @usableFromInline
    struct Members: Hashable, Sendable {
        @usableFromInline var decisionID: String
        @usableFromInline var time: Date
        @usableFromInline var endpoint: String
        @usableFromInline var status: Int
        @usableFromInline var errorCode: String?
        @usableFromInline var tenant: String?
        @usableFromInline var keyID: String?
        @usableFromInline var userTier: String?
        @usableFromInline var region: String?
        @usableFromInline var session: String?
        @usableFromInline var requestedModel: String?
        @usableFromInline var task: String?
        @usableFromInline var taskSource: String?
        @usableFromInline var complexity: Double?
        @usableFromInline var complexitySource: String?
        @usableFromInline var sensitivity: String?
        @usableFromInline var reasons: [String]
        @usableFromInline var chainPosition: Int?
        @usableFromInline var attempts: [AttemptRecord]
        @usableFromInline var gatesJSON: String?
        @usableFromInline var escalations: Int
        @usableFromInline var escalationReason: String?
        @usableFromInline var fallbacks: Int
        @usableFromInline var fallbackReason: String?
        @usableFromInline var reviewID: String?
        @usableFromInline var provider: String?
        @usableFromInline var model: String?
        @usableFromInline var tier: String?
        @usableFromInline var inputTokens: Int
        @usableFromInline var outputTokens: Int
        @usableFromInline var cachedTokens: Int
        @usableFromInline var costUSD: Double
        @usableFromInline var baselineCostUSD: Double
        @usableFromInline var latency: Duration
        @usableFromInline var upstreamLatency: Duration
        @usableFromInline var timeToFirstToken: Duration?
        @usableFromInline var cacheHit: Bool
        @usableFromInline var stream: Bool
        @usableFromInline var decisionJSON: String?
        @usableFromInline var prompt: String?
        @usableFromInline var answer: String?
    }

    @usableFromInline var storage: SharedMembers<Members>
}

extension Duration {
    /// A duration of a fractional number of milliseconds, kept to the nanosecond.
    public static func milliseconds(fractional milliseconds: Double) -> Duration {
        .nanoseconds(Int64((milliseconds * 1_000_000).rounded()))
    }
}
