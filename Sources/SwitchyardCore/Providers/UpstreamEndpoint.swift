/// Where a provider's API lives: scheme, host, port and the path prefix every call starts with,
/// read once from the provider's `base_url` so no request parses a URL.
public struct UpstreamEndpoint: Sendable, Hashable {
    /// Whether connections use TLS (`https`).
    public var usesTLS: Bool
    /// The host name or address to connect to (brackets removed from IPv6 literals).
    public var host: String
    /// The TCP port (80 or 443 unless the URL names one).
    public var port: Int
    /// The path every request path is appended to, without a trailing `/` (`/v1`, or empty).
    public var basePath: String
    /// The `Host` header value: the host, with the port when it is not the scheme's default.
    public var hostHeader: String

    /// Whether ``host`` is an IP address rather than a name (TLS then sends no server name).
    public var hostIsAddress: Bool {
        host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
    }

    /// Reads `url`, which must be `http://` or `https://` with a host; `nil` otherwise.
    public init?(url: String) {
        let usesTLS: Bool
        let rest: Substring
        if url.lowercased().hasPrefix("https://") {
            usesTLS = true
            rest = url.dropFirst("https://".count)
        } else if url.lowercased().hasPrefix("http://") {
            usesTLS = false
            rest = url.dropFirst("http://".count)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var path = String(rest.dropFirst(authority.count).prefix { $0 != "?" && $0 != "#" })
        while path.hasSuffix("/") { path.removeLast() }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        var host: String
        var port = usesTLS ? 443 : 80
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return nil }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else { return nil }
                port = number
            } else if !after.isEmpty {
                return nil
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let number = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
        } else {
            host = hostPort
        }
        guard !host.isEmpty else { return nil }
        self.usesTLS = usesTLS
        self.host = host
        self.port = port
        self.basePath = path
        let defaultPort = usesTLS ? 443 : 80
        let hostName = host.contains(":") ? "[\(host)]" : host
        self.hostHeader = port == defaultPort ? hostName : "\(hostName):\(port)"
    }
}
