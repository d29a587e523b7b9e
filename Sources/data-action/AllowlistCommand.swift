import ArgumentParser
import DataAction
import FastCGI
import FoundationEssentials
import GenesysCloud
import UpstreamHTTP

#if canImport(Glibc)
import Glibc
#endif

/// `data-action allowlist`: turns Genesys' ipranges answer into a web server's allowlist.
struct AllowlistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allowlist",
        abstract: "Write the web server's allowlist of Genesys Cloud's data-action egress ranges.",
        discussion: """
            Reads the answer of Genesys' GET /api/v2/ipranges (a file, - for standard input, or --fetch it \
            with an OAuth client: GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET), keeps the \
            data-actions ranges (of one --region when given), validates, sorts and de-duplicates them, and \
            writes them atomically in the --format of your web server: nginx 'allow CIDR;' lines, Apache \
            'Require ip CIDR' lines, a lighttpd $HTTP["remoteip"] chain, or a Caddy @outside_genesys matcher. \
            It refuses to write an empty or invalid list (exit 1, the old file stays) and prints what was \
            added and removed. Then reload the server:
              nginx:    nginx -t && systemctl reload nginx
              apache:   apache2ctl configtest && systemctl reload apache2
              lighttpd: lighttpd -tt -f /etc/lighttpd/lighttpd.conf && systemctl reload lighttpd
              caddy:    caddy validate --config /etc/caddy/Caddyfile && systemctl reload caddy

            Every Genesys organisation in a region shares these ranges: the allowlist is one layer; the \
            shared secret and GENESYS_ORG_ID are the others.

            Examples:
              data-action allowlist --input ipranges.json --region us-east-1 \\
                --output /etc/nginx/data-action/genesys-allowlist.conf && nginx -s reload
              data-action allowlist --input ipranges.json --region us-east-1 --format apache
              GENESYS_CLIENT_ID=… GENESYS_CLIENT_SECRET=… data-action allowlist --fetch mypurecloud.com --region us-east-1
            """
    )

    @Option(name: .long, help: ArgumentHelp("The ipranges answer: a file, or - for standard input.", valueName: "path"))
    var input: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Fetch the ranges from this Genesys Cloud environment (e.g. mypurecloud.com).", valueName: "environment")
    )
    var fetch: String?

    @Option(name: .long, help: ArgumentHelp("With --fetch: the login base URL instead of https://login.ENVIRONMENT.", valueName: "url"))
    var loginURL: String?

    @Option(name: .long, help: ArgumentHelp("With --fetch: the API base URL instead of https://api.ENVIRONMENT.", valueName: "url"))
    var apiURL: String?

    @OptionGroup var settingsOptions: SettingsOptions

    @Option(name: .long, help: ArgumentHelp("Keep only this region's ranges (e.g. us-east-1).", valueName: "region"))
    var region: String?

    @Option(name: .long, help: ArgumentHelp("The web server the allowlist is for: nginx, apache, lighttpd or caddy.", valueName: "server"))
    var format: GenesysAllowlist.Format = .nginx

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The allowlist file to write (default: where the shipped configuration of --format includes it from, e.g. /etc/nginx/data-action/genesys-allowlist.conf).",
            valueName: "path"
        )
    )
    var output: String?

    /// The file written.
    var outputPath: String { self.output ?? self.format.defaultPath }

    func validate() throws {
        guard (self.input == nil) != (self.fetch == nil) else {
            throw ValidationError("Give either --input PATH or --fetch ENVIRONMENT.")
        }
    }

    func run() async throws {
        let output = self.outputPath
        let (bytes, source) = try await self.readIPRanges()
        let allowlist: GenesysAllowlist
        do {
            allowlist = try GenesysAllowlist(ipRangesJSON: bytes, region: self.region)
        } catch {
            throw StartupFailure("\(error); \(output) left as it was", code: 1)
        }
        let previous =
            (try? String(contentsOfFile: output, encoding: .utf8)).map { GenesysAllowlist.ranges(inFile: $0, format: self.format) } ?? []
        let text = allowlist.include(self.format, source: source, region: self.region, generatedAt: Date())
        do {
            try AtomicFile.write(text, to: output)
        } catch {
            throw StartupFailure("cannot write \(output): \(error)", code: 1)
        }
        let added = allowlist.ranges.filter { !previous.contains($0) }
        let removed = previous.filter { !allowlist.ranges.contains($0) }
        for range in added { print("+ \(range)") }
        for range in removed { print("- \(range)") }
        print("\(output): \(allowlist.ranges.count) ranges (\(added.count) added, \(removed.count) removed); now: \(self.format.reloadCommand)")
    }
}

extension AllowlistCommand {
    /// The ipranges answer and a description of where it came from.
    private func readIPRanges() async throws -> ([UInt8], String) {
        if let environment = self.fetch {
            var settings = await self.settingsOptions.load()
            guard let clientId = settings.string("GENESYS_CLIENT_ID"), let clientSecret = settings.string("GENESYS_CLIENT_SECRET") else {
                throw StartupFailure(
                    problems: ["--fetch needs GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET (an OAuth client-credentials client)"],
                    code: 1
                )
            }
            var client = GenesysIPRangesClient(environment: environment)
            client.userAgent = DataActionVersion.userAgent
            client.proxy = UpstreamProxy.read(from: &settings, asCGI: CGIGateway.isCGIInvocation)
            client.loginBaseURL = self.loginURL ?? client.loginBaseURL
            client.apiBaseURL = self.apiURL ?? client.apiBaseURL
            do {
                return (try client.fetch(clientId: clientId, clientSecret: clientSecret), "\(client.apiBaseURL)/api/v2/ipranges")
            } catch {
                throw StartupFailure("\(error); \(self.outputPath) left as it was", code: 1)
            }
        }
        let input = self.input ?? "-"
        do {
            let data = input == "-" ? Self.readStandardInput() : try Data(contentsOf: URL(fileURLWithPath: input))
            return ([UInt8](data), input == "-" ? "standard input" : input)
        } catch {
            throw StartupFailure("cannot read \(input)", code: 1)
        }
    }

    /// All of standard input.
    private static func readStandardInput() -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return data }
            data.append(contentsOf: buffer[..<count])
        }
    }
}

extension GenesysAllowlist.Format: ExpressibleByArgument {}
