extension GatewayError {
    /// No deployment may serve the request (503): every candidate is excluded by residency,
    /// region, a maintenance window or an open circuit breaker. The message says why.
    public static func noEligibleDeployment(_ message: String) -> GatewayError {
        GatewayError(status: 503, type: "service_unavailable_error", code: "no_eligible_deployment", message: message)
    }

    /// A pinned tier or model is above what the policy allows this request (403).
    public static func tierNotAllowed(_ message: String) -> GatewayError {
        GatewayError(status: 403, type: "permission_error", code: "tier_not_allowed", param: "model", message: message)
    }
}
