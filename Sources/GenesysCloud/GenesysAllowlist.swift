import FoundationEssentials
import JSON

#if canImport(Glibc)
import Glibc
#endif

/// Genesys Cloud's data-action egress ranges as a web server's allowlist: nginx, Apache,
/// lighttpd or Caddy.
///
/// Built from the answer of `GET /api/v2/ipranges`
/// (`{"entities":[{"cidr":"…","service":"data-actions","region":"us-east-1"}]}`): only the
/// `data-actions` service, optionally one region, every CIDR validated, sorted and
/// de-duplicated. Every Genesys organisation in a region calls out from these same ranges, so
/// the allowlist says "Genesys", not "your organisation": the shared secret and the
/// organisation check say that.
public struct GenesysAllowlist: Equatable, Sendable {
    /// The ranges, sorted (IPv4 before IPv6, then by address and prefix length), no duplicates.
    public let ranges: [String]

    /// Why an ipranges answer cannot become an allowlist.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case notIPRangesJSON
        case invalidCIDR(String)
        case empty(region: String?)

        public var description: String {
            switch self {
            case .notIPRangesJSON:
                "the input is not a Genesys ipranges answer ({\"entities\":[{\"cidr\",\"service\",\"region\"}]})"
            case .invalidCIDR(let cidr):
                "'\(cidr)' is not a valid IPv4 or IPv6 CIDR"
            case .empty(let region):
                "no data-actions ranges\(region.map { " for region \($0)" } ?? ""): refusing to write an allowlist that allows nothing"
            }
        }
    }

    /// Reads an ipranges answer and keeps the `data-actions` ranges of `region` (all regions
    /// when nil).
    public init(ipRangesJSON: [UInt8], region: String?) throws(Problem) {
        guard let root = try? JSONValue.parse(ipRangesJSON).objectValue, case .array(let entities)? = root["entities"] else {
            throw .notIPRangesJSON
        }
        var ranges: [CIDR] = []
        for entity in entities {
            guard let fields = entity.objectValue, let cidr = fields["cidr"]?.stringValue else { throw .notIPRangesJSON }
            guard fields["service"]?.stringValue == "data-actions" else { continue }
            if let region, fields["region"]?.stringValue != region { continue }
            guard let parsed = CIDR(cidr) else { throw .invalidCIDR(cidr) }
            ranges.append(parsed)
        }
        guard !ranges.isEmpty else { throw .empty(region: region) }
        self.ranges = Array(Set(ranges)).sorted().map(\.text)
    }

    /// The web servers an allowlist is written for, each in its own syntax.
    public enum Format: String, CaseIterable, Sendable {
        /// `allow CIDR;` lines, followed by `deny all;` in the location.
        case nginx
        /// `Require ip CIDR` lines, inside the location's `<RequireAny>`.
        case apache
        /// A chain of `$HTTP["remoteip"] == "CIDR" { }` conditions ending in a denial.
        case lighttpd
        /// A named matcher, `@outside_genesys`, for every address outside the ranges.
        case caddy

        /// How the server takes a new file.
        public var reloadCommand: String {
            switch self {
            case .nginx: "nginx -t && systemctl reload nginx"
            case .apache: "apache2ctl configtest && systemctl reload apache2"
            case .lighttpd: "lighttpd -tt -f /etc/lighttpd/lighttpd.conf && systemctl reload lighttpd"
            case .caddy: "caddy validate --config /etc/caddy/Caddyfile && systemctl reload caddy"
            }
        }

        /// Where the server's shipped configuration includes the allowlist from.
        public var defaultPath: String {
            switch self {
            case .nginx: "/etc/nginx/data-action/genesys-allowlist.conf"
            case .apache: "/etc/apache2/data-action/genesys-allowlist.conf"
            case .lighttpd: "/etc/lighttpd/data-action/genesys-allowlist.conf"
            case .caddy: "/etc/caddy/data-action/genesys-allowlist.caddy"
            }
        }
    }

    /// The ranges an existing allowlist file in `format` allows, so a new one can say what
    /// changed.
    public static func ranges(inFile text: String, format: Format) -> [String] {
        text.split(separator: "\n").flatMap { line -> [String] in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            switch format {
            case .nginx:
                guard words.count == 2, words[0] == "allow", words[1].hasSuffix(";") else { return [] }
                return [String(words[1].dropLast())]
            case .apache:
                guard words.count == 3, words[0] == "Require", words[1] == "ip" else { return [] }
                return [words[2]]
            case .lighttpd:
                let condition = words.first == "else" ? words.dropFirst() : words[...]
                guard condition.count == 5, condition.first == #"$HTTP["remoteip"]"#, condition.dropFirst().first == "==" else { return [] }
                return [String(condition.dropFirst(2).first!.dropFirst().dropLast())]
            case .caddy:
                guard words.count > 3, words[0] == "@outside_genesys", words[1] == "not", words[2] == "remote_ip" else { return [] }
                return Array(words.dropFirst(3))
            }
        }
    }

    /// The file the server includes: a header that says where it came from, when, and how the
    /// server takes it, then the ranges in the server's syntax.
    public func include(_ format: Format, source: String, region: String?, generatedAt: Date) -> String {
        let time = generatedAt.formatted(.iso8601)
        var text = """
            # Genesys Cloud data-action egress ranges\(region.map { " for region \($0)" } ?? " (all regions)"), for \(format.rawValue).
            # Generated by data-action allowlist from \(source) at \(time).
            # Shared by every Genesys organisation in the region: the bearer secret and
            # GENESYS_ORG_ID are what admit only yours. Regenerate; do not edit. Then:
            #   \(format.reloadCommand)


            """
        switch format {
        case .nginx:
            for range in self.ranges { text += "allow \(range);\n" }
        case .apache:
            for range in self.ranges { text += "Require ip \(range)\n" }
        case .lighttpd:
            // Inside the location's condition: an address in a range matches one of the empty
            // blocks; any other reaches the last, which denies.
            for (index, range) in self.ranges.enumerated() {
                text += "\(index == 0 ? "" : "else ")$HTTP[\"remoteip\"] == \"\(range)\" { }\n"
            }
            text += "else { url.access-deny = (\"\") }\n"
        case .caddy:
            text += "@outside_genesys not remote_ip \(self.ranges.joined(separator: " "))\n"
        }
        return text
    }
}

/// One IPv4 or IPv6 network in CIDR notation, validated.
struct CIDR: Hashable, Comparable {
    /// 4 bytes for IPv4, 16 for IPv6.
    let address: [UInt8]
    let prefixLength: Int
    /// The text as Genesys sent it, lower-cased.
    let text: String

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefixLength = Int(parts[1]), parts[1].allSatisfy(\.isNumber) else { return nil }
        let host = String(parts[0])
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1, (0...32).contains(prefixLength) {
            self.address = withUnsafeBytes(of: ipv4) { Array($0) }
        } else if inet_pton(AF_INET6, host, &ipv6) == 1, (0...128).contains(prefixLength) {
            self.address = withUnsafeBytes(of: ipv6) { Array($0) }
        } else {
            return nil
        }
        self.prefixLength = prefixLength
        self.text = text.lowercased()
    }

    static func == (lhs: CIDR, rhs: CIDR) -> Bool {
        lhs.address == rhs.address && lhs.prefixLength == rhs.prefixLength
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(self.address)
        hasher.combine(self.prefixLength)
    }

    static func < (lhs: CIDR, rhs: CIDR) -> Bool {
        if lhs.address.count != rhs.address.count { return lhs.address.count < rhs.address.count }
        if lhs.address != rhs.address { return lhs.address.lexicographicallyPrecedes(rhs.address) }
        return lhs.prefixLength < rhs.prefixLength
    }
}
