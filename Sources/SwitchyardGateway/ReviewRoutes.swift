import Hummingbird
import SwitchyardCore

/// `/admin/review` and `/admin/stats`: the human-review queue and the cascade's statistics.
struct ReviewRoutes: Sendable {
    let queue: ReviewQueue
    let statistics: CascadeStatistics
    /// Shadow evaluation's verdicts for `/admin/stats`, when `policy.shadow` is set.
    var shadow: ShadowEvaluator? = nil
    /// This instance's shares of rate limits shared with other instances, for `/admin/stats`.
    var rateLimits: (@Sendable () -> JSONValue)? = nil

    func register(on group: RouterGroup<BasicRequestContext>) {
        group.get("review") { request, _ in
            let includeResolved = request.uri.queryParameters["all"].map { $0 == "true" || $0 == "1" } ?? false
            let items = queue.list(includeResolved: includeResolved)
            return jsonResponse(["object": "list", "data": .array(items.map(\.json))])
        }
        group.post("review/:id/resolve") { request, context in
            let id = context.parameters.get("id") ?? ""
            let body = try await collectBody(request, limit: 64 * 1024)
            let json: JSONValue
            do throws(JSONParseError) {
                json = try JSONParser.parse(body.readableBytesView)
            } catch {
                throw GatewayError.malformedJSON(error)
            }
            guard let verdict = json["verdict"]?.stringValue, !verdict.isEmpty else {
                throw GatewayError.invalidRequest("'verdict' is required (e.g. \"correct\" or \"incorrect\").", param: "verdict", code: "missing_required_parameter")
            }
            if let note = json["note"], note != .null, note.stringValue == nil {
                throw GatewayError.invalidRequest("'note' must be a string.", param: "note", code: "invalid_type")
            }
            guard let item = queue.resolve(id: id, verdict: verdict, note: json["note"]?.stringValue) else {
                throw GatewayError(status: 404, type: "invalid_request_error", code: "review_not_found", message: "No review item '\(id)'.")
            }
            return jsonResponse(item.json)
        }
        group.get("stats") { [shadow, rateLimits] _, _ in
            guard var stats = statistics.json.objectValue else { return jsonResponse(statistics.json) }
            if let shadow { stats["shadow"] = shadow.json }
            if let rateLimits { stats["rate_limits"] = rateLimits() }
            return jsonResponse(.object(stats))
        }
    }
}
