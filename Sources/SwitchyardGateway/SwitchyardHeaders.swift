import HTTPTypes

/// The response headers Switchyard adds to every answer.
public enum SwitchyardHeader {
    /// Public name of the model that answered.
    public static let model = HTTPField.Name("x-switchyard-model")!
    /// Provider that served the answer.
    public static let provider = HTTPField.Name("x-switchyard-provider")!
    /// Tier of the model that answered.
    public static let tier = HTTPField.Name("x-switchyard-tier")!
    /// Cost of the answer in USD, from the price table and the provider's usage (not on streams:
    /// their usage is known only at the end).
    public static let costUSD = HTTPField.Name("x-switchyard-cost-usd")!
    /// The gateway's id for this request.
    public static let requestID = HTTPField.Name("x-request-id")!
    /// Id of the routing decision (the same as the request id); `GET /v1/decisions/{id}` explains it.
    public static let decisionID = HTTPField.Name("x-switchyard-decision-id")!
    /// Task type the classifier assigned.
    public static let task = HTTPField.Name("x-switchyard-task")!
    /// Whether the request was escalated above the tier its signals asked for.
    public static let escalated = HTTPField.Name("x-switchyard-escalated")!
    /// How many times execution moved to another deployment of the chain.
    public static let fallbacks = HTTPField.Name("x-switchyard-fallbacks")!
    /// Why the request was escalated (the failed gate and its reason).
    public static let escalationReason = HTTPField.Name("x-switchyard-escalation-reason")!
    /// `true` when a streamed answer was buffered to pass its gates before being sent.
    public static let buffered = HTTPField.Name("x-switchyard-buffered")!
    /// Id of the review-queue item when the answer was flagged for human review.
    public static let review = HTTPField.Name("x-switchyard-review")!
}
