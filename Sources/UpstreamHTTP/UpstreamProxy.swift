import FoundationEssentials

/// The forward proxy upstream calls go through, from the standard variables as curl reads them:
/// `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs, `NO_PROXY` for the hosts reached
/// directly.
public struct UpstreamProxy: Sendable, Equatable {
    /// A proxy URL and the setting it came from.
    public struct Choice: Sendable, Equatable {
        public var url: String
        public var setting: String

        public init(url: String, setting: String) {
            self.url = url
            self.setting = setting
        }

        /// The URL as logs and `check-config` show it: credentials redacted.
        public var shown: String { UpstreamProxy.redacted(self.url) }

        /// Whether the URL names a proxy curl can use: a scheme it knows and a host.
        public var isProxyURL: Bool {
            guard let components = URLComponents(string: self.url), let scheme = components.scheme?.lowercased() else { return false }
            return ["http", "https", "socks4", "socks4a", "socks5", "socks5h"].contains(scheme) && components.host?.isEmpty == false
        }
    }

    /// The proxy for https URLs.
    public var https: Choice?
    /// The proxy for http URLs.
    public var http: Choice?
    /// Comma-separated hosts, domains (`.example.com` or `example.com`), IP addresses or IPv4
    /// CIDR blocks reached without a proxy; `*` for every host.
    public var noProxy: String?

    public init(https: Choice? = nil, http: Choice? = nil, noProxy: String? = nil) {
        self.https = https
        self.http = http
        self.noProxy = noProxy
    }

    /// The proxy a call to `url` goes through; nil for a direct call.
    public func proxy(for url: String) -> Choice? {
        guard let components = URLComponents(string: url), let host = components.host?.lowercased() else { return nil }
        let choice = components.scheme?.lowercased() == "https" ? self.https : self.http
        guard let choice, !Self.bypasses(host: host, noProxy: self.noProxy ?? "") else { return nil }
        return choice
    }

    /// Whether `host` is in a `NO_PROXY` list, matched as curl matches it.
    static func bypasses(host: String, noProxy: String) -> Bool {
        let host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        for item in noProxy.split(whereSeparator: { $0 == "," || $0 == " " }) {
            var entry = item.lowercased()
            if entry == "*" { return true }
            if entry.contains("/") {
                if Self.inBlock(host: host, cidr: entry) { return true }
                continue
            }
            while entry.hasPrefix(".") { entry.removeFirst() }
            if entry.hasSuffix(".") { entry.removeLast() }
            if entry.isEmpty { continue }
            if host == entry || host.hasSuffix("." + entry) { return true }
        }
        return false
    }

    /// Whether an IPv4 `host` is in the block `cidr` (`10.0.0.0/8`).
    private static func inBlock(host: String, cidr: String) -> Bool {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let bits = UInt32(parts[1]), bits <= 32, let network = Self.ipv4(String(parts[0])),
            let address = Self.ipv4(host)
        else { return false }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        return address & mask == network & mask
    }

    private static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4, text.split(separator: ".", omittingEmptySubsequences: false).count == 4 else { return nil }
        return octets.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// `url` with its user and password replaced by `<redacted>`; any other text with an `@`
    /// (no URL, or one whose credentials a parser would miss) is redacted whole.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else {
            return url.contains("@") ? "<redacted>" : url
        }
        components.user = nil
        components.password = nil
        guard var bare = components.string, let schemeEnd = bare.firstRange(of: "://") else { return "<redacted>" }
        bare.replaceSubrange(schemeEnd, with: "://<redacted>@")
        return bare
    }
}
