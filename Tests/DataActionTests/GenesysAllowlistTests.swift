import DataAction
import Foundation
import GenesysCloud
import Testing

@Suite("Genesys allowlist", .timeLimit(.minutes(3)))
struct GenesysAllowlistTests {
    static let ipRanges = #"""
        {"entities":[
          {"cidr":"52.5.1.0/24","service":"data-actions","region":"us-east-1"},
          {"cidr":"3.1.0.0/16","service":"data-actions","region":"us-east-1"},
          {"cidr":"52.5.1.0/24","service":"data-actions","region":"us-east-1"},
          {"cidr":"2600:1F18::/36","service":"data-actions","region":"us-east-1"},
          {"cidr":"9.9.9.0/24","service":"smtp","region":"us-east-1"},
          {"cidr":"18.1.0.0/16","service":"data-actions","region":"eu-west-1"},
          {"cidr":"10.0.0.0/8","service":"api","region":"eu-west-1"}
        ]}
        """#

    @Test("keeps data-actions ranges only, of one region, sorted IPv4 first, without duplicates")
    func filterSortDeduplicate() throws {
        let allowlist = try GenesysAllowlist(ipRangesJSON: Array(Self.ipRanges.utf8), region: "us-east-1")
        #expect(allowlist.ranges == ["3.1.0.0/16", "52.5.1.0/24", "2600:1f18::/36"])
        let everywhere = try GenesysAllowlist(ipRangesJSON: Array(Self.ipRanges.utf8), region: nil)
        #expect(everywhere.ranges == ["3.1.0.0/16", "18.1.0.0/16", "52.5.1.0/24", "2600:1f18::/36"])
    }

    @Test(
        "an invalid CIDR is refused",
        arguments: ["1.2.3.4", "1.2.3.4/33", "1.2.3/24", "256.1.1.1/8", "::1/129", "x/8", "1.2.3.4/", "1.2.3.4/+8", "1.2.3.4/8/9"]
    )
    func invalidCIDR(cidr: String) {
        let json = #"{"entities":[{"cidr":"\#(cidr)","service":"data-actions","region":"r"}]}"#
        #expect(throws: GenesysAllowlist.Problem.invalidCIDR(cidr)) {
            try GenesysAllowlist(ipRangesJSON: Array(json.utf8), region: nil)
        }
    }

    @Test("an answer with no data-actions ranges (for the region) is refused")
    func empty() {
        #expect(throws: GenesysAllowlist.Problem.empty(region: "ap-south-1")) {
            try GenesysAllowlist(ipRangesJSON: Array(Self.ipRanges.utf8), region: "ap-south-1")
        }
        #expect(throws: GenesysAllowlist.Problem.empty(region: nil)) {
            try GenesysAllowlist(ipRangesJSON: Array(#"{"entities":[]}"#.utf8), region: nil)
        }
    }

    @Test(
        "input that is not an ipranges answer is refused",
        arguments: ["", "[]", #"{"entities":{}}"#, #"{"entities":[{"service":"data-actions"}]}"#]
    )
    func notIPRanges(text: String) {
        #expect(throws: GenesysAllowlist.Problem.notIPRangesJSON) {
            try GenesysAllowlist(ipRangesJSON: Array(text.utf8), region: nil)
        }
    }

    @Test(
        "each server's include has a header with source, time and reload, then the ranges in its syntax, which read back",
        arguments: [
            (GenesysAllowlist.Format.nginx, "allow 3.1.0.0/16;\nallow 52.5.1.0/24;\nallow 2600:1f18::/36;\n"),
            (.apache, "Require ip 3.1.0.0/16\nRequire ip 52.5.1.0/24\nRequire ip 2600:1f18::/36\n"),
            (
                .lighttpd,
                #"""
                $HTTP["remoteip"] == "3.1.0.0/16" { }
                else $HTTP["remoteip"] == "52.5.1.0/24" { }
                else $HTTP["remoteip"] == "2600:1f18::/36" { }
                else { url.access-deny = ("") }

                """#
            ),
            (.caddy, "@outside_genesys not remote_ip 3.1.0.0/16 52.5.1.0/24 2600:1f18::/36\n"),
        ]
    )
    func include(format: GenesysAllowlist.Format, ranges: String) throws {
        let allowlist = try GenesysAllowlist(ipRangesJSON: Array(Self.ipRanges.utf8), region: "us-east-1")
        let text = allowlist.include(format, source: "ipranges.json", region: "us-east-1", generatedAt: Date(timeIntervalSince1970: 0))
        #expect(text.hasPrefix("# Genesys Cloud data-action egress ranges for region us-east-1, for \(format.rawValue).\n"))
        #expect(text.contains("from ipranges.json at 1970-01-01T00:00:00Z"))
        #expect(text.contains("#   \(format.reloadCommand)\n"))
        #expect(text.hasSuffix("\n\n" + ranges))
        #expect(GenesysAllowlist.ranges(inFile: text, format: format) == allowlist.ranges)
        for other in GenesysAllowlist.Format.allCases where other != format {
            #expect(GenesysAllowlist.ranges(inFile: text, format: other) == [], "a \(format) file is not read as \(other)")
        }
    }
}
