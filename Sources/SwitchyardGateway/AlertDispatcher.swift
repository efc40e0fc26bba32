import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import SwitchyardCore
import SwitchyardStorage

/// A budget or session alert.
struct BudgetAlert: Sendable {
    /// `budget_threshold` or `session_tokens`.
    var kind: String
    /// What crossed, e.g. `tenant 'acme' monthly` or `session 's-1'`.
    var scope: String
    var tenant: String?
    var keyID: String?
    /// The threshold crossed (a share of the budget, or a token count for sessions).
    var threshold: Double
    /// Where it stands now (share, or tokens).
    var utilization: Double
    var spentUSD: Double?
    var capUSD: Double?
    var resetsAt: Date?
    /// For a budget threshold: the budget's key in a shared store and its period, by which
    /// instances sharing the budget agree on who announces it.
    var claim: (scope: String, periodStart: Date)? = nil

    var json: JSONValue {
        var object = JSONObject([("type", .string(kind)), ("scope", .string(scope)), ("threshold", .double(threshold)), ("value", .double(utilization))])
        object["tenant"] = tenant.map(JSONValue.string) ?? .null
        object["key_id"] = keyID.map(JSONValue.string) ?? .null
        if let spentUSD { object["spent_usd"] = .double(spentUSD) }
        if let capUSD { object["cap_usd"] = .double(capUSD) }
        if let resetsAt { object["resets_at"] = .string(TenancyCoding.iso(resetsAt)) }
        object["time"] = .string(TenancyCoding.iso(Date()))
        return .object(object)
    }
}

/// Sends alerts to the log, to a metric, and to the configured webhooks (POST JSON, signed with
/// HMAC-SHA256 in `x-switchyard-signature: sha256=<hex>`, retried with backoff). Never blocks
/// the request that raised them.
final class AlertDispatcher: Sendable {
    private let webhooks: [AlertWebhook]
    private let logger: Logger
    private let metrics: GatewayMetrics?
    private let recent = Mutex<[BudgetAlert]>([])
    /// Delays between delivery attempts.
    let backoff: [Duration]
    /// With budgets shared by several instances: where the first instance to see a threshold
    /// crossed claims its announcement.
    private let claims: (any BudgetLeaseStore)?

    init(
        webhooks: [AlertWebhook], logger: Logger, metrics: GatewayMetrics?, backoff: [Duration] = [.milliseconds(500), .seconds(2), .seconds(8)],
        claims: (any BudgetLeaseStore)? = nil
    ) {
        self.claims = claims
        self.webhooks = webhooks
        self.logger = logger
        self.metrics = metrics
        self.backoff = backoff
    }

    /// The last alerts raised (newest last, at most 100).
    var recentAlerts: [BudgetAlert] { recent.withLock { $0 } }

    /// Announces `alert`; a budget threshold shared with other instances only once the store
    /// says this instance is the first to announce it (if the store cannot say, it is announced
    /// anyway: a duplicate rather than none).
    func raise(_ alert: BudgetAlert) {
        guard let claims, let claim = alert.claim else { return announce(alert) }
        Task.detached { [logger] in
            do throws(StoreError) {
                guard try await claims.claimAlert(scope: claim.scope, periodStart: claim.periodStart, threshold: alert.threshold) else {
                    logger.debug("budget alert announced by another instance", metadata: ["scope": "\(alert.scope)", "threshold": "\(alert.threshold)"])
                    return
                }
            } catch {
                logger.error("budget alert not claimed; announcing it here", metadata: ["error": "\(error.message)"])
            }
            self.announce(alert)
        }
    }

    private func announce(_ alert: BudgetAlert) {
        recent.withLock { alerts in
            alerts.append(alert)
            if alerts.count > 100 { alerts.removeFirst(alerts.count - 100) }
        }
        logger.warning(
            "budget alert",
            metadata: [
                "alert": "\(alert.kind)", "scope": "\(alert.scope)", "threshold": "\(alert.threshold)",
                "value": "\(String(format: "%.4f", alert.utilization))",
            ])
        metrics?.countAlert(kind: alert.kind)
        guard !webhooks.isEmpty else { return }
        let body = JSONWriter.bytes(alert.json)
        for webhook in webhooks {
            Task.detached { [logger, backoff] in
                await Self.deliver(body, to: webhook, backoff: backoff, logger: logger)
            }
        }
    }

    /// The signature header value for `body`.
    static func signature(of body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func deliver(_ body: [UInt8], to webhook: AlertWebhook, backoff: [Duration], logger: Logger) async {
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "switchyard")
        if let secret = webhook.secret { request.headers.add(name: "x-switchyard-signature", value: signature(of: body, secret: secret)) }
        request.body = .bytes(ByteBuffer(bytes: body))
        for attempt in 0...backoff.count {
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(response.status.code) { return }
                logger.warning("alert webhook refused", metadata: ["url": "\(webhook.url)", "status": "\(response.status.code)", "attempt": "\(attempt + 1)"])
            } catch {
                logger.warning("alert webhook failed", metadata: ["url": "\(webhook.url)", "error": "\(error)", "attempt": "\(attempt + 1)"])
            }
            guard attempt < backoff.count else { break }
            try? await Task.sleep(for: backoff[attempt])
        }
        logger.error("alert webhook gave up", metadata: ["url": "\(webhook.url)"])
    }
}
