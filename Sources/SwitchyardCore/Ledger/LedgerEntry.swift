import Foundation

/// One request as the ledger keeps it: who asked, how it was routed, what it cost and how long it
/// took. Exactly one entry is written per request the gateway answers, errors included.
///
/// Prompt and answer text are kept only when `ledger.log_content` is on.
public struct LedgerEntry: Sendable, Hashable {
    /// The decision id (also the `x-switchyard-decision-id` response header).
    public var decisionID: String
    /// When the gateway received the request.
    public var time: Date
    /// The API called, e.g. `chat.completions`.
    public var endpoint: String
    /// HTTP status returned to the client.
    public var status: Int
    /// OpenAI error code when `status` is not 200.
    public var errorCode: String?

    public var tenant: String?
    public var keyID: String?
    public var userTier: String?
    public var region: String?
    public var session: String?
    /// The `model` field as sent.
    public var requestedModel: String?

    public var task: String?
    public var taskSource: String?
    public var complexity: Double?
    public var complexitySource: String?
    public var sensitivity: String?
    /// Policy clauses that shaped the decision, as `clause: effect`.
    public var reasons: [String]
    /// Position in the routed chain of the deployment that served (0 = first choice).
    public var chainPosition: Int?
    /// Every attempt made, fallbacks and retries included.
    public var attempts: [AttemptRecord]
    /// Gate reports as compact JSON text (an array), when gates ran. Kept as text like
    /// ``decisionJSON``: the gateway serialises the reports once, for the decision record, and
    /// the ledger stores that text as it is.
    public var gatesJSON: String?
    /// ``gatesJSON`` parsed (`nil` when absent or not JSON); setting it stores the value's text.
    public var gates: JSONValue? {
        get { gatesJSON.flatMap { try? JSONParser.parse($0) } }
        set { gatesJSON = newValue.map(JSONWriter.string) }
    }
    /// Quality-gate escalations to a higher tier.
    public var escalations: Int
    public var escalationReason: String?
    /// Moves to another deployment because one failed.
    public var fallbacks: Int
    /// Why the last fallback happened (the error class of the failed attempt).
    public var fallbackReason: String?
    /// Review queue id when the answer was flagged for a person.
    public var reviewID: String?

    /// The deployment that served the answer.
    public var provider: String?
    public var model: String?
    public var tier: String?

    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedTokens: Int
    /// What the request cost, escalated-from answers included.
    public var costUSD: Double
    /// The same tokens at the premium tier's prices.
    public var baselineCostUSD: Double

    /// Receipt to the last byte sent.
    public var latency: Duration
    /// Time spent waiting on providers.
    public var upstreamLatency: Duration
    /// Receipt to the first byte of the answer, for streams.
    public var timeToFirstToken: Duration?
    public var cacheHit: Bool
    public var stream: Bool

    /// The decision record with attempts, as compact JSON text (the body of
    /// `GET /v1/decisions/{id}`). Kept as text: it is written once per request and stored as
    /// it is; parse it with ``JSONParser`` to inspect it.
    public var decisionJSON: String?
    /// ``decisionJSON`` parsed (`nil` when absent or not JSON).
    public var decision: JSONValue? { decisionJSON.flatMap { try? JSONParser.parse($0) } }
    /// The last user message, only with `log_content`.
    public var prompt: String?
    /// The answer text, only with `log_content`.
    public var answer: String?

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
        self.decisionID = decisionID
        self.time = time
        self.endpoint = endpoint
        self.status = status
        self.errorCode = errorCode
        self.tenant = tenant
        self.keyID = keyID
        self.userTier = userTier
        self.region = region
        self.session = session
        self.requestedModel = requestedModel
        self.task = task
        self.taskSource = taskSource
        self.complexity = complexity
        self.complexitySource = complexitySource
        self.sensitivity = sensitivity
        self.reasons = reasons
        self.chainPosition = chainPosition
        self.attempts = attempts
        self.gatesJSON = gates.map(JSONWriter.string)
        self.escalations = escalations
        self.escalationReason = escalationReason
        self.fallbacks = fallbacks
        self.fallbackReason = fallbackReason
        self.reviewID = reviewID
        self.provider = provider
        self.model = model
        self.tier = tier
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.costUSD = costUSD
        self.baselineCostUSD = baselineCostUSD
        self.latency = latency
        self.upstreamLatency = upstreamLatency
        self.timeToFirstToken = timeToFirstToken
        self.cacheHit = cacheHit
        self.stream = stream
        self.decisionJSON = decisionJSON
        self.prompt = prompt
        self.answer = answer
    }

    /// Whether the request got an answer.
    public var succeeded: Bool { status == 200 }
    /// Whether a quality gate moved the request up a tier.
    public var escalated: Bool { escalations > 0 }
    /// Time not spent waiting on providers: the gateway's own cost.
    public var gatewayOverhead: Duration { max(.zero, latency - upstreamLatency) }
    /// Baseline minus actual cost.
    public var savingsUSD: Double { baselineCostUSD - costUSD }
}

extension Duration {
    /// A duration of a fractional number of milliseconds, kept to the nanosecond.
    public static func milliseconds(fractional milliseconds: Double) -> Duration {
        .nanoseconds(Int64((milliseconds * 1_000_000).rounded()))
    }
}
